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

/** 1-2-5 steps below this exponent count as the lowest one (values under 1e-30 ms). */
const MIN_EXPONENT = -30;

/**
 * The 1-2-5 bin a value > 0 falls in, as one integer (3 per decade, 0 at 1e-30): the bin is
 * [binLow(k), binLow(k + 1)). Bin counts add, so per-bucket rollups of them give exactly the
 * histogram of all the values (histogramFromBins).
 */
export function binIndex(v: number): number {
  let exponent = Math.max(MIN_EXPONENT, Math.floor(Math.log10(v)));
  let i = 0;
  // log10 can be one off at exact powers of ten; settle on the step the edges themselves use.
  while (exponent > MIN_EXPONENT && step(1, exponent) > v) exponent -= 1;
  while (step(1, exponent + 1) <= v) exponent += 1;
  while (i + 1 < STEPS.length && step(STEPS[i + 1]!, exponent) <= v) i += 1;
  return (exponent - MIN_EXPONENT) * STEPS.length + i;
}

export function binLow(k: number): number {
  return step(STEPS[k % STEPS.length]!, Math.floor(k / STEPS.length) + MIN_EXPONENT);
}

/**
 * Counts of values by bin, additive like a SparseHistogram (and stored the same way): key 0 holds
 * the zeros, key k + 1 the values of bin k. Negative and non-finite values are left out.
 */
export type BinCounts = Record<number, number>;

/** The BinCounts key of a value, or null for one left out. */
export function binKey(v: number): number | null {
  if (!(v >= 0) || !Number.isFinite(v)) return null;
  return v === 0 ? 0 : binIndex(v) + 1;
}

export function addToBins(into: BinCounts, v: number, count = 1): void {
  const key = binKey(v);
  if (key !== null) into[key] = (into[key] ?? 0) + count;
}

/**
 * The histogram of the values the counts were made from: edges 0, then the 1-2-5 steps from the
 * one at or below the smallest positive value to the first past the largest (binEdges).
 */
export function histogramFromBins(counts: BinCounts): HistogramBin[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const key in counts) {
    const k = Number(key) - 1;
    if (k < 0 || !(counts[key]! > 0)) continue;
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  const zeros = counts[0] ?? 0;
  if (lo === Infinity) return zeros > 0 ? [{ lo: 0, hi: 1, count: zeros }] : [];
  const bins: HistogramBin[] = [{ lo: 0, hi: binLow(lo), count: zeros }];
  for (let k = lo; k <= hi; k++) bins.push({ lo: binLow(k), hi: binLow(k + 1), count: counts[k + 1] ?? 0 });
  return bins;
}

/** Counts of `values` in the bins [edges[k], edges[k+1]) of binEdges; negative and non-finite values are left out. */
export function histogram(values: readonly number[]): HistogramBin[] {
  const counts: BinCounts = {};
  for (const v of values) addToBins(counts, v);
  return histogramFromBins(counts);
}
