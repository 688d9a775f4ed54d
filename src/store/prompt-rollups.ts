// Calls and spend per prompt version by minute, ten minutes, hour and (UTC) day (the grains of
// the model rollups, rollups.ts), kept as calls are stored: the dashboard's costliest prompts over
// two weeks read a few hundred rows instead of every call, and its cost-by-prompt series reads
// whole buckets from them.
// Unlike the model rollups these need no histograms, so every change is one additive upsert and
// every rebuild one GROUP BY. A call without a version is stored under version '' (a key column
// cannot be null).

import type Database from 'better-sqlite3';
import { coverRange, DAY_US, HOUR_US, MINUTE_US, TEN_MINUTES_US } from './rollups';

/** Finest first; each level's rows are the sums of the finer level's. */
export const PROMPT_LEVELS = [
  { table: 'llm_prompt_minute', us: MINUTE_US },
  { table: 'llm_prompt_10m', us: TEN_MINUTES_US },
  { table: 'llm_prompt_hour', us: HOUR_US },
  { table: 'llm_prompt_day', us: DAY_US },
] as const;
const LEVELS = PROMPT_LEVELS;

export interface PromptSum {
  name: string;
  version: string | null;
  calls: number;
  costUsd: number;
}

export function createPromptRollups(db: Database.Database): void {
  for (const l of LEVELS) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${l.table} (
      bucket_us INTEGER NOT NULL,
      prompt_name TEXT NOT NULL,
      prompt_version TEXT NOT NULL,
      calls INTEGER NOT NULL,
      cost_usd REAL NOT NULL,
      PRIMARY KEY (bucket_us, prompt_name, prompt_version)
    ) WITHOUT ROWID`);
  }
  rebuildPromptRollups(db, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
}

/** Sums the minutes again from the calls, then each level from the one below, over whole days around [fromUs, toUs). */
export function rebuildPromptRollups(db: Database.Database, fromUs: number, toUs: number): void {
  const lo = Math.floor(fromUs / DAY_US) * DAY_US;
  const hi = Math.ceil(toUs / DAY_US) * DAY_US;
  for (const l of LEVELS) db.prepare(`DELETE FROM ${l.table} WHERE bucket_us >= ? AND bucket_us < ?`).run(lo, hi);
  db.prepare(`INSERT INTO ${LEVELS[0].table} SELECT start_us / ${MINUTE_US} * ${MINUTE_US}, prompt_name, coalesce(prompt_version, ''), count(*), coalesce(sum(cost_usd), 0)
    FROM llm_calls WHERE prompt_name IS NOT NULL AND start_us >= ? AND start_us < ? GROUP BY 1, 2, 3`).run(lo, hi);
  for (let i = 1; i < LEVELS.length; i++) {
    const l = LEVELS[i]!;
    db.prepare(`INSERT INTO ${l.table} SELECT bucket_us / ${l.us} * ${l.us}, prompt_name, prompt_version, sum(calls), sum(cost_usd)
      FROM ${LEVELS[i - 1]!.table} WHERE bucket_us >= ? AND bucket_us < ? GROUP BY 1, 2, 3`).run(lo, hi);
  }
}

/** The prompt rows of one write transaction, added once at its end. */
export class PromptRollupDeltas {
  private readonly deltas = new Map<string, { minute: number; name: string; version: string; calls: number; cost: number }>();

  add(startUs: number, name: string | null, version: string | null, costUsd: number | null, sign: 1 | -1): void {
    if (name === null) return;
    const minute = Math.floor(startUs / MINUTE_US) * MINUTE_US;
    const key = `${minute}\u0000${name}\u0000${version ?? ''}`;
    let d = this.deltas.get(key);
    if (!d) this.deltas.set(key, (d = { minute, name, version: version ?? '', calls: 0, cost: 0 }));
    d.calls += sign;
    d.cost += sign * (costUsd ?? 0);
  }

  flush(stmts: Database.Statement[]): void {
    for (const d of this.deltas.values()) {
      if (d.calls === 0 && d.cost === 0) continue;
      LEVELS.forEach((l, i) => stmts[i]!.run(Math.floor(d.minute / l.us) * l.us, d.name, d.version, d.calls, d.cost));
    }
    this.deltas.clear();
  }
}

export function preparePromptRollupStatements(db: Database.Database): Database.Statement[] {
  return LEVELS.map((l) => db.prepare(`INSERT INTO ${l.table} (bucket_us, prompt_name, prompt_version, calls, cost_usd) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (bucket_us, prompt_name, prompt_version) DO UPDATE SET calls = calls + excluded.calls, cost_usd = cost_usd + excluded.cost_usd`));
}

/** After pruning: rows wholly before the oldest call left go, and the day holding it is summed again. */
export function prunePromptRollups(db: Database.Database): void {
  const oldest = db.prepare('SELECT min(start_us) FROM llm_calls').pluck().get() as number | null;
  if (oldest === null) {
    for (const l of LEVELS) db.exec(`DELETE FROM ${l.table}`);
    return;
  }
  const day = Math.floor(oldest / DAY_US) * DAY_US;
  for (const l of LEVELS) db.prepare(`DELETE FROM ${l.table} WHERE bucket_us < ?`).run(day);
  rebuildPromptRollups(db, day, day + DAY_US);
}

/** Reads the sums per prompt version of the calls that started in [lo, hi) µs. */
export class PromptSums {
  private readonly stmts: Database.Statement[];
  private readonly calls: Database.Statement;

  constructor(db: Database.Database) {
    this.stmts = LEVELS.map((l) => db.prepare(`SELECT prompt_name AS name, prompt_version AS version, sum(calls) AS calls, sum(cost_usd) AS costUsd
      FROM ${l.table} WHERE bucket_us >= ? AND bucket_us < ? GROUP BY 1, 2`));
    this.calls = db.prepare(`SELECT prompt_name AS name, coalesce(prompt_version, '') AS version, count(*) AS calls, coalesce(sum(cost_usd), 0) AS costUsd
      FROM llm_calls WHERE start_us >= ? AND start_us < ? AND prompt_name IS NOT NULL GROUP BY 1, 2`);
  }

  byPrompt(lo: number, hi: number): PromptSum[] {
    const acc = new Map<string, PromptSum>();
    for (const p of coverRange(lo, hi, LEVELS.map((l) => l.us))) {
      const stmt = p.level < 0 ? this.calls : this.stmts[p.level]!;
      for (const r of stmt.all(p.lo, p.hi) as { name: string; version: string; calls: number; costUsd: number }[]) {
        const key = `${r.name}\u0000${r.version}`;
        const a = acc.get(key);
        if (a) {
          a.calls += r.calls;
          a.costUsd += r.costUsd;
        } else acc.set(key, { name: r.name, version: r.version || null, calls: r.calls, costUsd: r.costUsd });
      }
    }
    return [...acc.values()].filter((p) => p.calls > 0);
  }
}
