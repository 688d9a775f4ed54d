// The shapes of the dashboard's series, as the API sends them (re-exported by src/protocol/dashboard.ts).

/** What the cost-over-time chart stacks by. */
export type CostStackBy = 'model' | 'service' | 'prompt';
/** Who or what the spend table groups by: `user.id`, the session, or a feature attribute. */
export type SpendBy = 'user' | 'session' | 'feature';

/** `GET /api/dashboard/series?from&to&bucketMs&service&model&prompt`: the dashboard's charts over time. */
export interface DashboardSeriesQuery {
  from?: number;
  to?: number;
  /**
   * Bucket width in ms (default: the dashboard's nice width for the range, core/dashboard/buckets.ts).
   * Buckets lie on the calendar grid of the width: [k·bucketMs, (k+1)·bucketMs) since the epoch
   * (UTC; whole weeks from a Monday), the first and last clipped to [from, to).
   */
  bucketMs?: number;
  service?: string;
  model?: string;
  /** `name` or `name@version`. */
  prompt?: string;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * One time bucket, [start, end): on the grid of `bucketMs`, except that the first starts at the
 * range's `from` and the last ends at its `to`. Every bucket of the range is there, empty ones too.
 */
export interface SeriesBucket {
  start: number;
  end: number;
  calls: number;
  errors: number;
  /** Calls with a guardrail hit of category `refusal`. */
  refusals: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** What the cached input tokens would have cost more at the model's uncached input price. */
  cacheSavingsUsd: number;
  latencyMs: Percentiles;
  /** Mean latency with each call weighted by its tokens (input + output). */
  tokenWeightedLatencyMs: number | null;
  /** Output tokens over the seconds spent generating them (after the first token where known). */
  tokensPerSecond: number | null;
}

/** A stacked series: one group's cost per bucket, aligned with `buckets`. */
export interface CostStack {
  key: string;
  costUsd: number[];
}

/** A histogram bin, [lo, hi). */
export interface HistogramBin {
  lo: number;
  hi: number;
  count: number;
}

export interface SpendGroup {
  key: string;
  calls: number;
  costUsd: number;
  /** The group's costliest trace, what its row opens. */
  traceId: string | null;
}

export interface DashboardSeries {
  from: number;
  to: number;
  bucketMs: number;
  buckets: SeriesBucket[];
  /** Cost per bucket stacked by model, service and prompt version: costliest first, the rest summed as `other`. */
  costBy: Record<CostStackBy, CostStack[]>;
  /** Time to first token (ms) of the calls that measured it. */
  ttftHistogram: HistogramBin[];
  /** Time per output token (ms) after the first one. */
  tpotHistogram: HistogramBin[];
  /** Costliest users, sessions and features of the range (calls without one are left out). */
  spendBy: Record<SpendBy, SpendGroup[]>;
  totals: Omit<SeriesBucket, 'start' | 'end'>;
}
