// Pre-aggregated LLM calls at several time grains. A minute row sums the calls that started in
// that minute for one (model, provider, service); a ten-minute row is the exact sum of its ten
// minute rows, an hour row of its six ten-minute rows, a day row (UTC) of its twenty-four hour
// rows (counts, tokens, cost and histogram buckets). Window statistics read the coarsest rows that fit whole inside the window and the
// finer ones only at its edges (coverRange), so a window of two weeks reads a few hundred rows
// instead of a million calls.

import type Database from 'better-sqlite3';
import { addToBins, type BinCounts } from '../core/dashboard/distribution';
import { addSeriesSums, callSeriesSums, tpotMs, type SeriesSums } from '../core/dashboard/series';
import { addToHistogram, mergeHistogram, type SparseHistogram } from '../core/histogram';
import type { CallNumbers } from './prepare';
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

/**
 * What the dashboard's series reads besides the counts (schema 16): token-weighted latency and
 * tokens per second as sums, the TTFT and time-per-output-token distributions as 1-2-5 bin counts
 * (core/dashboard/distribution.ts), so a series over rollup rows equals one over the calls.
 */
export const ROLLUP_SERIES_COLUMNS = {
  weighted_ms: 'REAL NOT NULL DEFAULT 0',
  weight: 'INTEGER NOT NULL DEFAULT 0',
  gen_output: 'INTEGER NOT NULL DEFAULT 0',
  gen_ms: 'REAL NOT NULL DEFAULT 0',
  ttft_bins: "TEXT NOT NULL DEFAULT '{}'",
  tpot_bins: "TEXT NOT NULL DEFAULT '{}'",
} as const;
const SERIES_COLUMNS_NAMES = Object.keys(ROLLUP_SERIES_COLUMNS) as (keyof typeof ROLLUP_SERIES_COLUMNS)[];

export const ROLLUP_DIMENSIONS = ['model', 'provider', 'service_name'] as const;
export const ROLLUP_VALUES = ['calls', 'errors', 'cost_usd', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'reasoning_tokens',
  'latency_hist', 'ttft_hist', ...SERIES_COLUMNS_NAMES] as const;

/** A change to one rollup row; histogram counts may be negative (a call taken back). */
export interface RollupDelta extends SeriesSums {
  bucketUs: number;
  model: string;
  provider: string;
  service: string;
  reasoningTokens: number;
  latency: SparseHistogram;
  ttft: SparseHistogram;
  ttftBins: BinCounts;
  tpotBins: BinCounts;
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
  weighted_ms: number;
  weight: number;
  gen_output: number;
  gen_ms: number;
  ttft_bins: string;
  tpot_bins: string;
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
    cachedInputTokens: 0, reasoningTokens: 0, latency: {}, ttft: {}, weightedMs: 0, weight: 0, genOutput: 0, genMs: 0, ttftBins: {}, tpotBins: {},
  };
}

function addDelta(into: RollupDelta, d: RollupDelta): void {
  addSeriesSums(into, d);
  into.reasoningTokens += d.reasoningTokens;
  addCounts(into.latency, d.latency);
  addCounts(into.ttft, d.ttft);
  addCounts(into.ttftBins, d.ttftBins);
  addCounts(into.tpotBins, d.tpotBins);
}

/** What one call adds to its minute's rollup row. */
export interface RollupCall {
  startUs: number;
  durationUs: number;
  model: string;
  provider: string | null;
  service: string | null;
  isError: boolean;
  call: Pick<CallNumbers, 'costUsd' | 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'reasoningTokens' | 'ttftMs'>;
}

/** Adds (sign 1) or takes back (-1) a call in the minute deltas, keyed by minute, model, provider and service. */
export function addCallToRollups(deltas: Map<string, RollupDelta>, f: RollupCall, sign: 1 | -1): void {
  const minuteUs = Math.floor(f.startUs / MINUTE_US) * MINUTE_US;
  const provider = f.provider ?? '';
  const service = f.service ?? '';
  const key = `${minuteUs}\u0000${f.model}\u0000${provider}\u0000${service}`;
  let r = deltas.get(key);
  if (!r) deltas.set(key, (r = emptyDelta(minuteUs, f.model, provider, service)));
  const durationMs = f.durationUs / 1000;
  r.calls += sign;
  r.errors += sign * (f.isError ? 1 : 0);
  r.costUsd += sign * (f.call.costUsd ?? 0);
  r.inputTokens += sign * (f.call.inputTokens ?? 0);
  r.outputTokens += sign * (f.call.outputTokens ?? 0);
  r.cachedInputTokens += sign * (f.call.cachedInputTokens ?? 0);
  r.reasoningTokens += sign * (f.call.reasoningTokens ?? 0);
  addToHistogram(r.latency, durationMs, sign);
  if (f.call.ttftMs !== null) addToHistogram(r.ttft, f.call.ttftMs, sign);
  const series = callSeriesSums({ ...f.call, isError: f.isError, durationMs });
  r.weightedMs += sign * series.weightedMs;
  r.weight += sign * series.weight;
  r.genOutput += sign * series.genOutput;
  r.genMs += sign * series.genMs;
  if (f.call.ttftMs !== null && f.call.ttftMs >= 0) addToBins(r.ttftBins, f.call.ttftMs, sign);
  const tpot = tpotMs(durationMs, f.call.ttftMs, f.call.outputTokens);
  if (tpot !== null) addToBins(r.tpotBins, tpot, sign);
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
  const ttftBins: BinCounts = old ? JSON.parse(old.ttft_bins) : {};
  const tpotBins: BinCounts = old ? JSON.parse(old.tpot_bins) : {};
  mergeHistogram(latency, d.latency);
  mergeHistogram(ttft, d.ttft);
  mergeHistogram(ttftBins, d.ttftBins);
  mergeHistogram(tpotBins, d.tpotBins);
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
    weighted_ms: (old?.weighted_ms ?? 0) + d.weightedMs,
    weight: (old?.weight ?? 0) + d.weight,
    gen_output: (old?.gen_output ?? 0) + d.genOutput,
    gen_ms: (old?.gen_ms ?? 0) + d.genMs,
    ttft_bins: JSON.stringify(ttftBins),
    tpot_bins: JSON.stringify(tpotBins),
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
    weightedMs: r.weighted_ms, weight: r.weight, genOutput: r.gen_output, genMs: r.gen_ms, ttftBins: JSON.parse(r.ttft_bins), tpotBins: JSON.parse(r.tpot_bins),
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

/** Adds the series columns (schema 16) to every level's table that lacks them. */
export function addRollupSeriesColumns(db: Database.Database, addColumns: (db: Database.Database, table: string, columns: Record<string, string>) => void): void {
  for (const l of ROLLUP_LEVELS) if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(l.table)) addColumns(db, l.table, ROLLUP_SERIES_COLUMNS);
}

/**
 * Counts the minute rows over the stored calls' span again from the calls, in pages (no write
 * while a read is open on the connection), then every coarser level from the one below over
 * whole days: what an older store's rows lack (the series columns) is filled, the rest stays equal.
 */
export function recountRollupsFromCalls(db: Database.Database, pageSize = 5000): void {
  const bounds = db.prepare('SELECT min(start_us) AS lo, max(start_us) AS hi FROM llm_calls').get() as { lo: number | null; hi: number | null };
  if (bounds.lo === null || bounds.hi === null) return;
  const minute = ROLLUP_LEVELS[0]!;
  const firstMinute = Math.floor(bounds.lo / MINUTE_US) * MINUTE_US;
  db.prepare(`DELETE FROM ${minute.table} WHERE ${minute.key} >= ? AND ${minute.key} <= ?`).run(firstMinute, bounds.hi);
  const page = db.prepare(`SELECT span_row, start_us, duration_us, model, provider, service_name, is_error, cost_usd, input_tokens, output_tokens,
    cached_input_tokens, reasoning_tokens, ttft_ms FROM llm_calls INDEXED BY llm_calls_by_time WHERE (start_us, span_row) > (?, ?) ORDER BY start_us, span_row LIMIT ?`);
  const stmts = prepareLevel(db, minute);
  let after: [number, number] = [-Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
  for (;;) {
    const rows = page.all(after[0], after[1], pageSize) as {
      span_row: number; start_us: number; duration_us: number; model: string; provider: string | null; service_name: string | null; is_error: number;
      cost_usd: number | null; input_tokens: number | null; output_tokens: number | null; cached_input_tokens: number | null; reasoning_tokens: number | null; ttft_ms: number | null;
    }[];
    if (rows.length === 0) break;
    const deltas = new Map<string, RollupDelta>();
    for (const r of rows) {
      addCallToRollups(deltas, {
        startUs: r.start_us, durationUs: r.duration_us, model: r.model, provider: r.provider, service: r.service_name, isError: r.is_error === 1,
        call: { costUsd: r.cost_usd, inputTokens: r.input_tokens, outputTokens: r.output_tokens, cachedInputTokens: r.cached_input_tokens, reasoningTokens: r.reasoning_tokens, ttftMs: r.ttft_ms },
      }, 1);
    }
    for (const d of deltas.values()) applyDelta(stmts, minute, d);
    const last = rows[rows.length - 1]!;
    after = [last.start_us, last.span_row];
  }
  const lo = Math.floor(bounds.lo / DAY_US) * DAY_US;
  const hi = Math.floor(bounds.hi / DAY_US) * DAY_US + DAY_US;
  for (let i = 1; i < ROLLUP_LEVELS.length; i++) rebuildRollupLevel(db, i, lo, hi);
}
