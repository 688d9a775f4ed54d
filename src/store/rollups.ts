// Pre-aggregated LLM calls at several time grains. A minute row sums the calls that started in
// that minute for one (model, provider, service); a ten-minute row is the exact sum of its ten
// minute rows, an hour row of its six ten-minute rows, a day row (UTC) of its twenty-four hour
// rows (counts, tokens, cost and histogram buckets). Window statistics read the coarsest rows that fit whole inside the window and the
// finer ones only at its edges (coverRange), so a window of two weeks reads a few hundred rows
// instead of a million calls.

import type Database from 'better-sqlite3';
import { mergeHistogram, type SparseHistogram } from '../core/histogram';
import { upsertSql } from './sql';

export const MINUTE_US = 60_000_000;
export const TEN_MINUTES_US = 10 * MINUTE_US;
export const HOUR_US = 60 * MINUTE_US;
export const DAY_US = 24 * HOUR_US;

export interface RollupLevel {
  table: string;
  /** The column holding the bucket's start (µs, a multiple of `us`). */
  key: string;
  us: number;
}

/** Finest first. Every level's rows are kept equal to the sum of the previous level's rows. */
export const ROLLUP_LEVELS: readonly RollupLevel[] = [
  { table: 'llm_rollup', key: 'minute_us', us: MINUTE_US },
  { table: 'llm_rollup_10m', key: 'bucket_us', us: TEN_MINUTES_US },
  { table: 'llm_rollup_hour', key: 'hour_us', us: HOUR_US },
  { table: 'llm_rollup_day', key: 'day_us', us: DAY_US },
];

/** A part of a window read from one level (index into the levels given), or from the calls (-1). */
export interface RangePiece {
  level: number;
  lo: number;
  hi: number;
}

/**
 * Cuts [lo, hi) µs into the fewest pieces: whole buckets of the coarsest level that fit, then
 * finer ones at the edges, then calls below the finest grain. `grains`: the levels' bucket sizes,
 * finest first, each a multiple of the one before.
 */
export function coverRange(lo: number, hi: number, grains: readonly number[], out: RangePiece[] = []): RangePiece[] {
  const cut = (a: number, b: number, level: number): void => {
    if (!(a < b)) return;
    if (level < 0) {
      out.push({ level: -1, lo: a, hi: b });
      return;
    }
    const g = grains[level]!;
    const first = Math.ceil(a / g) * g;
    const last = Math.floor(b / g) * g;
    if (first < last) {
      out.push({ level, lo: first, hi: last });
      cut(a, first, level - 1);
      cut(last, b, level - 1);
    } else cut(a, b, level - 1);
  };
  cut(lo, hi, grains.length - 1);
  return out;
}

export const ROLLUP_DIMENSIONS = ['model', 'provider', 'service_name'] as const;
export const ROLLUP_VALUES = ['calls', 'errors', 'cost_usd', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'reasoning_tokens',
  'latency_hist', 'ttft_hist'] as const;

/** A change to one rollup row; histogram counts may be negative (a call taken back). */
export interface RollupDelta {
  bucketUs: number;
  model: string;
  provider: string;
  service: string;
  calls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  latency: SparseHistogram;
  ttft: SparseHistogram;
}

/** A stored row of any level; `bucket_us` is its level's time key. */
export interface StoredRollup {
  bucket_us: number;
  model: string;
  provider: string;
  service_name: string;
  calls: number;
  errors: number;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  reasoning_tokens: number;
  latency_hist: string;
  ttft_hist: string;
}

export interface RollupStatements {
  get: Database.Statement;
  put: Database.Statement;
}

/** The level whose rows live in `table`. */
export function rollupLevelIndex(table: string): number {
  return ROLLUP_LEVELS.findIndex((l) => l.table === table);
}

function prepareLevel(db: Database.Database, l: RollupLevel): RollupStatements {
  return {
    get: db.prepare(`SELECT ${l.key} AS bucket_us, * FROM ${l.table} WHERE ${l.key} = ? AND model = ? AND provider = ? AND service_name = ?`),
    put: db.prepare(upsertSql(l.table, [l.key, ...ROLLUP_DIMENSIONS, ...ROLLUP_VALUES], [l.key, ...ROLLUP_DIMENSIONS], true)),
  };
}

export function prepareRollupStatements(db: Database.Database): RollupStatements[] {
  return ROLLUP_LEVELS.map((l) => prepareLevel(db, l));
}

/** Adds counts, keeping zero and negative ones (unlike mergeHistogram): deltas must sum exactly. */
function addCounts(into: SparseHistogram, from: SparseHistogram): void {
  for (const key in from) {
    const b = Number(key);
    into[b] = (into[b] ?? 0) + from[b]!;
  }
}

function emptyDelta(bucketUs: number, model: string, provider: string, service: string): RollupDelta {
  return {
    bucketUs, model, provider, service, calls: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0,
    cachedInputTokens: 0, reasoningTokens: 0, latency: {}, ttft: {},
  };
}

function addDelta(into: RollupDelta, d: RollupDelta): void {
  into.calls += d.calls;
  into.errors += d.errors;
  into.costUsd += d.costUsd;
  into.inputTokens += d.inputTokens;
  into.outputTokens += d.outputTokens;
  into.cachedInputTokens += d.cachedInputTokens;
  into.reasoningTokens += d.reasoningTokens;
  addCounts(into.latency, d.latency);
  addCounts(into.ttft, d.ttft);
}

function coarsen(deltas: Iterable<RollupDelta>, us: number): RollupDelta[] {
  const out = new Map<string, RollupDelta>();
  for (const d of deltas) {
    const bucketUs = Math.floor(d.bucketUs / us) * us;
    const key = `${bucketUs}\u0000${d.model}\u0000${d.provider}\u0000${d.service}`;
    let c = out.get(key);
    if (!c) out.set(key, (c = emptyDelta(bucketUs, d.model, d.provider, d.service)));
    addDelta(c, d);
  }
  return [...out.values()];
}

function applyDelta(stmts: RollupStatements, level: RollupLevel, d: RollupDelta): void {
  const old = stmts.get.get(d.bucketUs, d.model, d.provider, d.service) as StoredRollup | undefined;
  const latency: SparseHistogram = old ? JSON.parse(old.latency_hist) : {};
  const ttft: SparseHistogram = old ? JSON.parse(old.ttft_hist) : {};
  mergeHistogram(latency, d.latency);
  mergeHistogram(ttft, d.ttft);
  stmts.put.run({
    [level.key]: d.bucketUs,
    model: d.model,
    provider: d.provider,
    service_name: d.service,
    calls: (old?.calls ?? 0) + d.calls,
    errors: (old?.errors ?? 0) + d.errors,
    cost_usd: (old?.cost_usd ?? 0) + d.costUsd,
    input_tokens: (old?.input_tokens ?? 0) + d.inputTokens,
    output_tokens: (old?.output_tokens ?? 0) + d.outputTokens,
    cached_input_tokens: (old?.cached_input_tokens ?? 0) + d.cachedInputTokens,
    reasoning_tokens: (old?.reasoning_tokens ?? 0) + d.reasoningTokens,
    latency_hist: JSON.stringify(latency),
    ttft_hist: JSON.stringify(ttft),
  });
}

/** Applies minute-level deltas to every level. */
export function applyRollupDeltas(stmts: RollupStatements[], minuteDeltas: Iterable<RollupDelta>): void {
  // Each level from the minutes themselves: the same float additions in the same order as a rebuild from the minutes.
  const minutes: RollupDelta[] = [...minuteDeltas];
  ROLLUP_LEVELS.forEach((level, i) => {
    for (const d of i > 0 ? coarsen(minutes, level.us) : minutes) applyDelta(stmts[i]!, level, d);
  });
}

function deltaFromStored(r: StoredRollup, bucketUs: number): RollupDelta {
  return {
    bucketUs, model: r.model, provider: r.provider, service: r.service_name, calls: r.calls, errors: r.errors,
    costUsd: r.cost_usd, inputTokens: r.input_tokens, outputTokens: r.output_tokens, cachedInputTokens: r.cached_input_tokens,
    reasoningTokens: r.reasoning_tokens, latency: JSON.parse(r.latency_hist), ttft: JSON.parse(r.ttft_hist),
  };
}

/**
 * Recomputes the rows of level `index` (≥ 1) whose buckets start in [fromUs, toUs) from a finer
 * level (by default the next finer; a migration names the one that exists at its step): after
 * rows of the finer level were deleted (pruning) or when the level is new.
 */
export function rebuildRollupLevel(db: Database.Database, index: number, fromUs: number, toUs: number, finerIndex = index - 1): void {
  const level = ROLLUP_LEVELS[index]!;
  const finer = ROLLUP_LEVELS[finerIndex]!;
  db.prepare(`DELETE FROM ${level.table} WHERE ${level.key} >= ? AND ${level.key} < ?`).run(fromUs, toUs);
  const rows = db
    .prepare(`SELECT ${finer.key} AS bucket_us, * FROM ${finer.table} WHERE ${finer.key} >= ? AND ${finer.key} < ?`)
    .iterate(fromUs, toUs) as IterableIterator<StoredRollup>;
  const deltas = coarsen((function* () {
    for (const r of rows) yield deltaFromStored(r, r.bucket_us);
  })(), level.us);
  const put = prepareLevel(db, level);
  for (const d of deltas) applyDelta(put, level, d);
}
