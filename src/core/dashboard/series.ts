// The dashboard's series over time, built from the calls of a range in one pass: cost stacked by
// model, service or prompt version, spend per user, session or feature, cache savings, latency
// percentiles, token-weighted latency, tokens per second, error and refusal counts per bucket,
// and the TTFT and time-per-output-token distributions. Pure: the store feeds it rows.

import type { CostStack, CostStackBy, DashboardSeries, SeriesBucket, SpendBy, SpendGroup } from './types';
import { histogram, percentiles } from './distribution';

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

/** The bucket width actually used: at most MAX_BUCKETS buckets over [from, to). */
export function effectiveBucketMs(from: number, to: number, bucketMs: number): number {
  const span = Math.max(0, to - from);
  const width = bucketMs > 0 && Number.isFinite(bucketMs) ? bucketMs : Math.max(1, span);
  return Math.max(width, Math.ceil(span / MAX_BUCKETS), 1);
}

/** Time per output token after the first, in ms; null where it cannot be told. */
export function tpotMs(durationMs: number, ttftMs: number | null, outputTokens: number | null): number | null {
  if (ttftMs === null || outputTokens === null || outputTokens < 2 || durationMs < ttftMs) return null;
  return (durationMs - ttftMs) / (outputTokens - 1);
}

/** The time spent producing output: after the first token where that is known, else the whole call. */
function generationMs(c: SeriesCall): number {
  return c.ttftMs !== null && c.ttftMs >= 0 && c.durationMs > c.ttftMs ? c.durationMs - c.ttftMs : c.durationMs;
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
  latencies: number[] = [];
  weightedMs = 0;
  weight = 0;
  genOutput = 0;
  genMs = 0;

  add(c: SeriesCall): void {
    this.calls += 1;
    if (c.isError) this.errors += 1;
    if (c.refused) this.refusals += 1;
    this.costUsd += c.costUsd ?? 0;
    this.inputTokens += c.inputTokens ?? 0;
    this.outputTokens += c.outputTokens ?? 0;
    this.cachedInputTokens += c.cachedInputTokens ?? 0;
    this.latencies.push(c.durationMs);
    const tokens = (c.inputTokens ?? 0) + (c.outputTokens ?? 0);
    if (tokens > 0) {
      this.weightedMs += c.durationMs * tokens;
      this.weight += tokens;
    }
    const gen = generationMs(c);
    if ((c.outputTokens ?? 0) > 0 && gen > 0) {
      this.genOutput += c.outputTokens!;
      this.genMs += gen;
    }
  }

  figures(): Omit<SeriesBucket, 'start'> {
    return {
      calls: this.calls, errors: this.errors, refusals: this.refusals, costUsd: this.costUsd,
      inputTokens: this.inputTokens, outputTokens: this.outputTokens, cachedInputTokens: this.cachedInputTokens, cacheSavingsUsd: this.cacheSavingsUsd,
      latencyMs: percentiles(this.latencies),
      tokenWeightedLatencyMs: this.weight > 0 ? this.weightedMs / this.weight : null,
      tokensPerSecond: this.genMs > 0 ? (this.genOutput * 1000) / this.genMs : null,
    };
  }
}

interface Group {
  calls: number;
  costUsd: number;
  topCost: number;
  traceId: string | null;
}

export class SeriesBuilder {
  readonly bucketMs: number;
  private readonly buckets: Acc[];
  private readonly total = new Acc();
  private readonly stacks: Record<CostStackBy, Map<string, number[]>> = { model: new Map(), service: new Map(), prompt: new Map() };
  private readonly spend: Record<SpendBy, Map<string, Group>> = { user: new Map(), session: new Map(), feature: new Map() };
  /** Cached input tokens per bucket, model and provider: priced once per cell when the series is built. */
  private readonly cached = new Map<string, { bucket: number; model: string; provider: string | null; tokens: number }>();
  private readonly ttft: number[] = [];
  private readonly tpot: number[] = [];

  constructor(
    readonly from: number,
    readonly to: number,
    bucketMs: number,
    private readonly options: SeriesOptions,
  ) {
    this.bucketMs = effectiveBucketMs(from, to, bucketMs);
    const n = to > from ? Math.ceil((to - from) / this.bucketMs) : 0;
    this.buckets = Array.from({ length: n }, () => new Acc());
  }

  /** Adds one call; calls outside [from, to) are ignored. */
  add(c: SeriesCall): void {
    if (!(c.startMs >= this.from && c.startMs < this.to)) return;
    const k = Math.min(this.buckets.length - 1, Math.floor((c.startMs - this.from) / this.bucketMs));
    this.buckets[k]!.add(c);
    this.total.add(c);
    const cost = c.costUsd ?? 0;
    const stack = (by: CostStackBy, key: string) => {
      let row = this.stacks[by].get(key);
      if (!row) this.stacks[by].set(key, (row = new Array<number>(this.buckets.length).fill(0)));
      row[k] += cost;
    };
    stack('model', c.model);
    stack('service', c.service ?? NO_SERVICE);
    stack('prompt', c.prompt ?? NO_PROMPT);
    const spend = (by: SpendBy, key: string | null) => {
      if (key === null || key === '') return;
      let g = this.spend[by].get(key);
      if (!g) this.spend[by].set(key, (g = { calls: 0, costUsd: 0, topCost: -1, traceId: null }));
      g.calls += 1;
      g.costUsd += cost;
      if (cost > g.topCost) {
        g.topCost = cost;
        g.traceId = c.traceId;
      }
    };
    spend('user', c.user);
    spend('session', c.session);
    spend('feature', c.feature);
    if ((c.cachedInputTokens ?? 0) > 0) {
      const key = `${k}\u0000${c.model}\u0000${c.provider ?? ''}`;
      const cell = this.cached.get(key);
      if (cell) cell.tokens += c.cachedInputTokens!;
      else this.cached.set(key, { bucket: k, model: c.model, provider: c.provider, tokens: c.cachedInputTokens! });
    }
    if (c.ttftMs !== null && c.ttftMs >= 0) this.ttft.push(c.ttftMs);
    const t = tpotMs(c.durationMs, c.ttftMs, c.outputTokens);
    if (t !== null) this.tpot.push(t);
  }

  build(): DashboardSeries {
    for (const cell of this.cached.values()) {
      const saved = cell.tokens * this.options.savingPerCachedToken(cell.model, cell.provider, this.from + cell.bucket * this.bucketMs);
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
      buckets: this.buckets.map((b, k) => ({ start: this.from + k * this.bucketMs, ...b.figures() })),
      costBy: { model: stacks('model'), service: stacks('service'), prompt: stacks('prompt') },
      ttftHistogram: histogram(this.ttft),
      tpotHistogram: histogram(this.tpot),
      spendBy: { user: groups('user'), session: groups('session'), feature: groups('feature') },
      totals: this.total.figures(),
    };
  }
}
