// The dashboard's series over time, built from the calls of a range in one pass: cost stacked by
// model, service or prompt version, spend per user, session or feature, cache savings, latency
// percentiles, token-weighted latency, tokens per second, error and refusal counts per bucket,
// and the TTFT and time-per-output-token distributions. Pure: the store feeds it calls, or sums
// of calls (rollup rows) that lie wholly inside one bucket. Everything it keeps adds up, so both
// give the same series: latency percentiles come from the log histogram the stats use (each
// within 1% of the exact nearest-rank value, core/histogram.ts), the TTFT and TPOT histograms
// from 1-2-5 bin counts (exact).

import { addToHistogram, mergeHistogram, quantiles, type SparseHistogram } from '../histogram';
import { BucketGrid, niceBucketMs } from './buckets';
import type { CostStack, CostStackBy, DashboardSeries, Percentiles, SeriesBucket, SpendBy, SpendGroup } from './types';
import { addToBins, histogramFromBins, type BinCounts } from './distribution';

export interface SeriesCall {
  startMs: number;
  traceId: string;
  model: string;
  provider: string | null;
  service: string | null;
  /** `name` or `name@version`. */
  prompt: string | null;
  user: string | null;
  session: string | null;
  feature: string | null;
  durationMs: number;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  costUsd: number | null;
  isError: boolean;
  refused: boolean;
}

export interface SeriesOptions {
  /** USD saved per cached input token of `model` at `atMs` (its input price less its cache-read price). */
  savingPerCachedToken: (model: string, provider: string | null, atMs: number) => number;
  /** Stacks kept per chart before the rest are summed as `other`. */
  maxStacks?: number;
  /** Rows kept per spend table. */
  maxGroups?: number;
}

export const MAX_BUCKETS = 1_000;
export const OTHER = 'other';
export const NO_SERVICE = '(no service)';
export const NO_PROMPT = '(no prompt)';

/**
 * The bucket width actually used: the one asked for, or where that would make more than
 * MAX_BUCKETS buckets over [from, to) on its grid, the finest nice width that does not.
 */
export function effectiveBucketMs(from: number, to: number, bucketMs: number): number {
  const span = Math.max(0, to - from);
  const width = bucketMs > 0 && Number.isFinite(bucketMs) ? bucketMs : Math.max(1, span);
  return Math.ceil(span / width) + 1 <= MAX_BUCKETS ? width : Math.max(width, niceBucketMs(span, MAX_BUCKETS));
}

/** Time per output token after the first, in ms; null where it cannot be told. */
export function tpotMs(durationMs: number, ttftMs: number | null, outputTokens: number | null): number | null {
  if (ttftMs === null || outputTokens === null || outputTokens < 2 || durationMs < ttftMs) return null;
  return (durationMs - ttftMs) / (outputTokens - 1);
}

/** The time spent producing output: after the first token where that is known, else the whole call. */
function generationMs(c: Pick<SeriesCall, 'durationMs' | 'ttftMs'>): number {
  return c.ttftMs !== null && c.ttftMs >= 0 && c.durationMs > c.ttftMs ? c.durationMs - c.ttftMs : c.durationMs;
}

/** What a call adds to the sums a rollup row keeps for the series (rollups.ts stores these per bucket). */
export interface SeriesSums {
  calls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** Sum of duration × tokens over calls with tokens, and of their tokens. */
  weightedMs: number;
  weight: number;
  /** Output tokens and generation time of calls that produced output. */
  genOutput: number;
  genMs: number;
}

/** The series sums of one call. */
export function callSeriesSums(c: Pick<SeriesCall, 'isError' | 'costUsd' | 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'durationMs' | 'ttftMs'>): SeriesSums {
  const tokens = (c.inputTokens ?? 0) + (c.outputTokens ?? 0);
  const gen = generationMs(c);
  const generated = (c.outputTokens ?? 0) > 0 && gen > 0;
  return {
    calls: 1, errors: c.isError ? 1 : 0, costUsd: c.costUsd ?? 0, inputTokens: c.inputTokens ?? 0, outputTokens: c.outputTokens ?? 0,
    cachedInputTokens: c.cachedInputTokens ?? 0, weightedMs: tokens > 0 ? c.durationMs * tokens : 0, weight: tokens > 0 ? tokens : 0,
    genOutput: generated ? c.outputTokens! : 0, genMs: generated ? gen : 0,
  };
}

/** Adds `s` into `into`, field by field (a bucket's sums, a rollup row's delta). */
export function addSeriesSums(into: SeriesSums, s: SeriesSums): void {
  into.calls += s.calls;
  into.errors += s.errors;
  into.costUsd += s.costUsd;
  into.inputTokens += s.inputTokens;
  into.outputTokens += s.outputTokens;
  into.cachedInputTokens += s.cachedInputTokens;
  into.weightedMs += s.weightedMs;
  into.weight += s.weight;
  into.genOutput += s.genOutput;
  into.genMs += s.genMs;
}

function percentilesOf(h: SparseHistogram): Percentiles {
  const [p50, p95, p99] = quantiles(h, [0.5, 0.95, 0.99]);
  return { p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null };
}

class Acc {
  calls = 0;
  errors = 0;
  refusals = 0;
  costUsd = 0;
  inputTokens = 0;
  outputTokens = 0;
  cachedInputTokens = 0;
  cacheSavingsUsd = 0;
  latency: SparseHistogram = {};
  weightedMs = 0;
  weight = 0;
  genOutput = 0;
  genMs = 0;

  addSums(s: SeriesSums): void {
    addSeriesSums(this, s);
  }

  figures(): Omit<SeriesBucket, 'start' | 'end'> {
    return {
      calls: this.calls, errors: this.errors, refusals: this.refusals, costUsd: this.costUsd,
      inputTokens: this.inputTokens, outputTokens: this.outputTokens, cachedInputTokens: this.cachedInputTokens, cacheSavingsUsd: this.cacheSavingsUsd,
      latencyMs: percentilesOf(this.latency),
      tokenWeightedLatencyMs: this.weight > 0 ? this.weightedMs / this.weight : null,
      tokensPerSecond: this.genMs > 0 ? (this.genOutput * 1000) / this.genMs : null,
    };
  }
}

/** A rollup row's figures, all from calls that started inside one bucket. */
export interface SeriesRollup extends SeriesSums {
  model: string;
  provider: string | null;
  service: string | null;
}

interface Group {
  calls: number;
  costUsd: number;
  topCost: number;
  traceId: string | null;
}

export class SeriesBuilder {
  readonly bucketMs: number;
  /** The buckets on the calendar grid of the width, the first and last clipped to [from, to). */
  readonly grid: BucketGrid;
  private readonly buckets: Acc[];
  private readonly total = new Acc();
  private readonly stacks: Record<CostStackBy, Map<string, number[]>> = { model: new Map(), service: new Map(), prompt: new Map() };
  private readonly spend: Record<SpendBy, Map<string, Group>> = { user: new Map(), session: new Map(), feature: new Map() };
  /** Cached input tokens per bucket, model and provider: priced once per cell when the series is built. */
  private readonly cached = new Map<string, { bucket: number; model: string; provider: string | null; tokens: number }>();
  private readonly ttft: BinCounts = {};
  private readonly tpot: BinCounts = {};

  constructor(
    readonly from: number,
    readonly to: number,
    bucketMs: number,
    private readonly options: SeriesOptions,
  ) {
    this.bucketMs = effectiveBucketMs(from, to, bucketMs);
    this.grid = new BucketGrid(from, to, this.bucketMs);
    this.buckets = Array.from({ length: this.grid.count }, () => new Acc());
  }

  /** The bucket a time falls in, or -1 outside [from, to). */
  bucketOf(ms: number): number {
    return this.grid.indexOf(ms);
  }

  /** Adds one call; calls outside [from, to) are ignored. */
  add(c: SeriesCall): void {
    const k = this.bucketOf(c.startMs);
    if (k < 0) return;
    const sums = callSeriesSums(c);
    this.addRollup(k, { ...sums, model: c.model, provider: c.provider, service: c.service });
    addToHistogram(this.buckets[k]!.latency, c.durationMs);
    addToHistogram(this.total.latency, c.durationMs);
    this.addPromptCost(k, c.prompt, sums.costUsd);
    if (c.refused) this.addRefusal(k);
    this.addSpend('user', c.user, 1, sums.costUsd, c.traceId);
    this.addSpend('session', c.session, 1, sums.costUsd, c.traceId);
    this.addSpend('feature', c.feature, 1, sums.costUsd, c.traceId);
    if (c.ttftMs !== null && c.ttftMs >= 0) addToBins(this.ttft, c.ttftMs);
    const t = tpotMs(c.durationMs, c.ttftMs, c.outputTokens);
    if (t !== null) addToBins(this.tpot, t);
  }

  /** Adds the sums of calls of bucket `k` of one model, provider and service (their latency, prompts and the rest apart). */
  addRollup(k: number, r: SeriesRollup): void {
    this.buckets[k]!.addSums(r);
    this.total.addSums(r);
    this.stack('model', r.model, k, r.costUsd);
    this.stack('service', r.service ?? NO_SERVICE, k, r.costUsd);
    if (r.cachedInputTokens > 0) {
      const key = `${k}\u0000${r.model}\u0000${r.provider ?? ''}`;
      const cell = this.cached.get(key);
      if (cell) cell.tokens += r.cachedInputTokens;
      else this.cached.set(key, { bucket: k, model: r.model, provider: r.provider, tokens: r.cachedInputTokens });
    }
  }

  /** Adds a latency histogram of bucket `k`'s calls. */
  addLatency(k: number, h: SparseHistogram): void {
    mergeHistogram(this.buckets[k]!.latency, h);
    mergeHistogram(this.total.latency, h);
  }

  /** Adds TTFT and TPOT bin counts of calls in the range. */
  addDistributions(ttft: BinCounts, tpot: BinCounts): void {
    mergeHistogram(this.ttft, ttft);
    mergeHistogram(this.tpot, tpot);
  }

  /** Adds cost of bucket `k` to a prompt version's stack (`name` or `name@version`; null: no prompt). */
  addPromptCost(k: number, prompt: string | null, costUsd: number): void {
    this.stack('prompt', prompt ?? NO_PROMPT, k, costUsd);
  }

  addRefusal(k: number): void {
    this.buckets[k]!.refusals += 1;
    this.total.refusals += 1;
  }

  /** Adds calls to a user's, session's or feature's spend; `traceId` holds the costliest of them (`topCost`, else `costUsd`). */
  addSpend(by: SpendBy, key: string | null, calls: number, costUsd: number, traceId: string | null, topCost = costUsd): void {
    if (key === null || key === '') return;
    let g = this.spend[by].get(key);
    if (!g) this.spend[by].set(key, (g = { calls: 0, costUsd: 0, topCost: -1, traceId: null }));
    g.calls += calls;
    g.costUsd += costUsd;
    if (topCost > g.topCost) {
      g.topCost = topCost;
      g.traceId = traceId;
    }
  }

  private stack(by: CostStackBy, key: string, k: number, cost: number): void {
    let row = this.stacks[by].get(key);
    if (!row) this.stacks[by].set(key, (row = new Array<number>(this.buckets.length).fill(0)));
    row[k] += cost;
  }

  build(): DashboardSeries {
    for (const cell of this.cached.values()) {
      const saved = cell.tokens * this.options.savingPerCachedToken(cell.model, cell.provider, this.grid.start(cell.bucket));
      if (!(saved > 0)) continue;
      this.buckets[cell.bucket]!.cacheSavingsUsd += saved;
      this.total.cacheSavingsUsd += saved;
    }
    const maxStacks = Math.max(2, this.options.maxStacks ?? 6);
    const maxGroups = Math.max(1, this.options.maxGroups ?? 20);
    const stacks = (by: CostStackBy): CostStack[] => {
      const ranked = [...this.stacks[by].entries()]
        .map(([key, costUsd]) => ({ key, costUsd, sum: costUsd.reduce((a, b) => a + b, 0) }))
        .sort((a, b) => b.sum - a.sum || (a.key < b.key ? -1 : 1));
      if (ranked.length <= maxStacks) return ranked.map(({ key, costUsd }) => ({ key, costUsd }));
      const kept = ranked.slice(0, maxStacks - 1).map(({ key, costUsd }) => ({ key, costUsd }));
      const other = new Array<number>(this.buckets.length).fill(0);
      for (const r of ranked.slice(maxStacks - 1)) r.costUsd.forEach((v, i) => (other[i] += v));
      return [...kept, { key: OTHER, costUsd: other }];
    };
    const groups = (by: SpendBy): SpendGroup[] =>
      [...this.spend[by].entries()]
        .sort((a, b) => b[1].costUsd - a[1].costUsd || b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1))
        .slice(0, maxGroups)
        .map(([key, g]) => ({ key, calls: g.calls, costUsd: g.costUsd, traceId: g.traceId }));
    return {
      from: this.from,
      to: this.to,
      bucketMs: this.bucketMs,
      buckets: this.buckets.map((b, k) => ({ start: this.grid.start(k), end: this.grid.end(k), ...b.figures() })),
      costBy: { model: stacks('model'), service: stacks('service'), prompt: stacks('prompt') },
      ttftHistogram: histogramFromBins(this.ttft),
      tpotHistogram: histogramFromBins(this.tpot),
      spendBy: { user: groups('user'), session: groups('session'), feature: groups('feature') },
      totals: this.total.figures(),
    };
  }
}
