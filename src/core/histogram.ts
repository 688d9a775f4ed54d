// Log-bucketed histogram (DDSketch-style) for latency percentiles over stored rollups.
// Exact percentiles over a million rows cost a full sort; these buckets keep every quantile
// within ±1% of the true value and merge by adding counts, so minute rollups can be summed
// for any time window.

/** Bucket growth factor: bucket i holds values in (GAMMA^(i-1), GAMMA^i]. */
const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (ms) share bucket 0. */
const MIN_VALUE = 0.01;

export type SparseHistogram = Record<number, number>;

export function bucketOf(value: number): number {
  if (!(value > MIN_VALUE)) return 0;
  return Math.max(1, Math.ceil(Math.log(value / MIN_VALUE) / LOG_GAMMA));
}

/** The value reported for a bucket: the midpoint (in log space) of its bounds, ≤1% off any member. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 0;
  const upper = MIN_VALUE * GAMMA ** bucket;
  return (2 * upper) / (1 + GAMMA);
}

export function addToHistogram(h: SparseHistogram, value: number, count = 1): void {
  const b = bucketOf(value);
  h[b] = (h[b] ?? 0) + count;
}

export function mergeHistogram(into: SparseHistogram, from: SparseHistogram, sign: 1 | -1 = 1): void {
  for (const key in from) {
    const b = Number(key);
    const next = (into[b] ?? 0) + sign * from[b]!;
    if (next > 0) into[b] = next;
    else delete into[b];
  }
}

export function histogramCount(h: SparseHistogram): number {
  let n = 0;
  for (const key in h) n += h[key]!;
  return n;
}

/** Quantiles (each in [0,1]) of the histogram, or nulls when it is empty. */
export function quantiles(h: SparseHistogram, qs: number[]): (number | null)[] {
  const buckets = Object.keys(h)
    .map(Number)
    .sort((a, b) => a - b);
  const total = histogramCount(h);
  if (total === 0) return qs.map(() => null);
  return qs.map((q) => {
    // Nearest-rank: the smallest value with at least q·total values at or below it.
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const b of buckets) {
      seen += h[b]!;
      if (seen >= rank) return bucketValue(b);
    }
    return bucketValue(buckets[buckets.length - 1]!);
  });
}
