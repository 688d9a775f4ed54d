// Sums over any time window read from the coarsest rows that fit: whole days from the day
// rollups, whole hours and minutes at the edges from the finer ones, and the calls themselves
// below a minute (coverRange). SQL does the sums, so a month of spend is a few hundred rows
// summed in SQLite, with no histogram parsed.

import type Database from 'better-sqlite3';
import { coverRange, ROLLUP_LEVELS } from './rollups';
import { schemaInfo } from './schema-info';

export interface WindowSum {
  service: string;
  model: string;
  calls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
}

export class WindowSums {
  /** Per rollup level, finest first; then the calls. */
  private readonly levels: Database.Statement[];
  private readonly grains: number[];
  private readonly calls: Database.Statement;
  constructor(db: Database.Database) {
    const rollup = (table: string, key: string) =>
      db.prepare(`SELECT service_name AS service, model, sum(calls) AS calls, sum(errors) AS errors, sum(cost_usd) AS costUsd,
        sum(input_tokens) AS inputTokens, sum(output_tokens) AS outputTokens FROM ${table} WHERE ${key} >= ? AND ${key} < ? GROUP BY service_name, model`);
    // A reader may open a file its owner has not migrated yet: the levels it has, finest first.
    const schema = schemaInfo(db);
    const present = ROLLUP_LEVELS.filter((l) => schema.hasTable(l.table));
    this.levels = present.map((l) => rollup(l.table, l.key));
    this.grains = present.map((l) => l.us);
    this.calls = db.prepare(`SELECT coalesce(service_name, '') AS service, model, count(*) AS calls, sum(is_error) AS errors, coalesce(sum(cost_usd), 0) AS costUsd,
        coalesce(sum(input_tokens), 0) AS inputTokens, coalesce(sum(output_tokens), 0) AS outputTokens FROM llm_calls WHERE start_us >= ? AND start_us < ? GROUP BY 1, 2`);
  }

  /** Sums per (service, model) of the calls that started in [fromMs, toMs). */
  byScope(fromMs: number, toMs: number): WindowSum[] {
    return this.byScopeUs(Math.floor(fromMs * 1000), Math.floor(toMs * 1000));
  }

  /** Sums per (service, model) of the calls that started in [lo, hi) µs. */
  byScopeUs(lo: number, hi: number): WindowSum[] {
    const acc = new Map<string, WindowSum>();
    if (!(hi > lo)) return [];
    for (const p of coverRange(lo, hi, this.grains)) {
      for (const r of (p.level < 0 ? this.calls : this.levels[p.level]!).all(p.lo, p.hi) as WindowSum[]) {
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
