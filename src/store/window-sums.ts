// Sums over any time window read from the coarsest rows that fit: whole hours from the hour
// rollups, whole minutes at the edges from the minute rollups, and the calls themselves below a
// minute. SQL does the sums, so a month of spend is a few hundred rows summed in SQLite, with
// no histogram parsed.

import type Database from 'better-sqlite3';
import { HOUR_US, MINUTE_US } from './rollups';

export interface WindowSum {
  service: string;
  model: string;
  calls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
}

interface Piece {
  sql: string;
  lo: number;
  hi: number;
}

/** The [lo, hi) µs window cut into hour, minute and call pieces. */
function pieces(lo: number, hi: number): Piece[] {
  const out: Piece[] = [];
  const firstHour = Math.ceil(lo / HOUR_US) * HOUR_US;
  const lastHour = Math.floor(hi / HOUR_US) * HOUR_US;
  const minutes = (a: number, b: number) => {
    const fm = Math.ceil(a / MINUTE_US) * MINUTE_US;
    const lm = Math.floor(b / MINUTE_US) * MINUTE_US;
    if (fm < lm) {
      out.push({ sql: 'minute', lo: fm, hi: lm });
      if (a < fm) out.push({ sql: 'call', lo: a, hi: fm });
      if (lm < b) out.push({ sql: 'call', lo: lm, hi: b });
    } else if (a < b) out.push({ sql: 'call', lo: a, hi: b });
  };
  if (firstHour < lastHour) {
    out.push({ sql: 'hour', lo: firstHour, hi: lastHour });
    minutes(lo, firstHour);
    minutes(lastHour, hi);
  } else minutes(lo, hi);
  return out;
}

export class WindowSums {
  private readonly stmts: Record<'hour' | 'minute' | 'call', Database.Statement>;
  /**
   * Sums of whole past hours, kept between reads when `cacheHours` is on: the alert rules read
   * today's and this month's spend every second while calls arrive, and those hours do not change
   * (a late export into one is picked up at the next clearCache, once a minute).
   */
  private readonly hourCache = new Map<string, WindowSum[]>();

  constructor(db: Database.Database) {
    const rollup = (table: string, key: string) =>
      db.prepare(`SELECT service_name AS service, model, sum(calls) AS calls, sum(errors) AS errors, sum(cost_usd) AS costUsd,
        sum(input_tokens) AS inputTokens, sum(output_tokens) AS outputTokens FROM ${table} WHERE ${key} >= ? AND ${key} < ? GROUP BY service_name, model`);
    this.stmts = {
      hour: rollup('llm_rollup_hour', 'hour_us'),
      minute: rollup('llm_rollup', 'minute_us'),
      call: db.prepare(`SELECT coalesce(service_name, '') AS service, model, count(*) AS calls, sum(is_error) AS errors, coalesce(sum(cost_usd), 0) AS costUsd,
        coalesce(sum(input_tokens), 0) AS inputTokens, coalesce(sum(output_tokens), 0) AS outputTokens FROM llm_calls WHERE start_us >= ? AND start_us < ? GROUP BY 1, 2`),
    };
  }

  clearCache(): void {
    this.hourCache.clear();
  }

  private rows(p: Piece, cacheHours: boolean): WindowSum[] {
    if (p.sql !== 'hour' || !cacheHours) return this.stmts[p.sql as 'hour' | 'minute' | 'call'].all(p.lo, p.hi) as WindowSum[];
    const key = `${p.lo}:${p.hi}`;
    let rows = this.hourCache.get(key);
    if (!rows) {
      if (this.hourCache.size > 16) this.hourCache.clear();
      this.hourCache.set(key, (rows = this.stmts.hour.all(p.lo, p.hi) as WindowSum[]));
    }
    return rows;
  }

  /** Sums per (service, model) of the calls that started in [fromMs, toMs). */
  byScope(fromMs: number, toMs: number, cacheHours = false): WindowSum[] {
    const lo = Math.floor(fromMs * 1000);
    const hi = Math.floor(toMs * 1000);
    const acc = new Map<string, WindowSum>();
    if (!(hi > lo)) return [];
    for (const p of pieces(lo, hi)) {
      for (const r of this.rows(p, cacheHours)) {
        const key = `${r.service}\u0000${r.model}`;
        const a = acc.get(key);
        if (!a) acc.set(key, { ...r });
        else {
          a.calls += r.calls;
          a.errors += r.errors;
          a.costUsd += r.costUsd;
          a.inputTokens += r.inputTokens;
          a.outputTokens += r.outputTokens;
        }
      }
    }
    return [...acc.values()].filter((s) => s.calls !== 0);
  }
}

export function totalOf(sums: readonly WindowSum[], filter: { service?: string; model?: string } = {}): WindowSum {
  const t: WindowSum = { service: filter.service ?? '', model: filter.model ?? '', calls: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 };
  for (const s of sums) {
    if (filter.service !== undefined && s.service !== filter.service) continue;
    if (filter.model !== undefined && s.model !== filter.model) continue;
    t.calls += s.calls;
    t.errors += s.errors;
    t.costUsd += s.costUsd;
    t.inputTokens += s.inputTokens;
    t.outputTokens += s.outputTokens;
  }
  return t;
}
