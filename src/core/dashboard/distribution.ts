// Exact percentiles and readable histogram bins for the dashboard's charts. Pure.

import type { HistogramBin, Percentiles } from './types';

/** Nearest-rank percentile of ascending `sorted` (q in (0, 1]); null for no values. */
export function nearestRank(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export function percentiles(values: number[]): Percentiles {
  // A typed array sorts numerically, and fast.
  const sorted = Float64Array.from(values).sort();
  return { p50: nearestRank(sorted, 0.5), p95: nearestRank(sorted, 0.95), p99: nearestRank(sorted, 0.99) };
}

const STEPS = [1, 2, 5];

function step(mantissa: number, exponent: number): number {
  return Number((mantissa * 10 ** exponent).toPrecision(12));
}

/**
 * Bin edges on the 1-2-5 sequence (… 10, 20, 50, 100 …) from 0 to past the largest value: a
 * person reads "20–50 ms" at a glance, and latencies spread over decades still get a few bins each.
 */
export function binEdges(values: readonly number[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!(v >= 0) || !Number.isFinite(v)) continue;
    if (v > 0 && v < min) min = v;
    if (v > max) max = v;
  }
  if (max === -Infinity) return [];
  if (min === Infinity) min = max > 0 ? max : 1;
  let exponent = Math.floor(Math.log10(min));
  let i = STEPS.length - 1;
  // The largest 1-2-5 step at or below the smallest positive value.
  while (step(STEPS[i]!, exponent) > min) {
    if (i === 0) {
      exponent -= 1;
      i = STEPS.length - 1;
    } else i -= 1;
  }
  const edges = [0];
  for (;;) {
    const e = step(STEPS[i]!, exponent);
    if (e > edges[edges.length - 1]!) edges.push(e);
    if (e > max) break;
    i += 1;
    if (i === STEPS.length) {
      i = 0;
      exponent += 1;
    }
  }
  return edges;
}

/** Counts of `values` in the bins [edges[k], edges[k+1]); negative and non-finite values are left out. */
export function histogram(values: readonly number[]): HistogramBin[] {
  const edges = binEdges(values);
  if (edges.length < 2) return [];
  const bins: HistogramBin[] = [];
  for (let k = 0; k + 1 < edges.length; k++) bins.push({ lo: edges[k]!, hi: edges[k + 1]!, count: 0 });
  for (const v of values) {
    if (!(v >= 0) || !Number.isFinite(v)) continue;
    let lo = 0;
    let hi = bins.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bins[mid]!.lo <= v) lo = mid;
      else hi = mid - 1;
    }
    bins[lo]!.count += 1;
  }
  return bins;
}
