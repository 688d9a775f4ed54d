// Latencies, time to first token, costs and token counts of two groups of calls: skewed, with
// outliers, often tied. The Mann–Whitney U test compares them without assuming a shape, and the
// Hodges–Lehmann estimator gives the shift between them with its distribution-free confidence
// interval (Hollander & Wolfe, Nonparametric Statistical Methods, ch. 4): the median, and two
// order statistics, of all pairwise differences.

import { Z_95, twoSidedP } from './normal';

export interface MannWhitney {
  /** U of the first sample: pairs where it is larger, ties counted half. */
  u: number;
  z: number;
  /** Two-sided, normal approximation with tie and continuity corrections. */
  p: number;
}

export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitney {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, p: 1 };
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const n = all.length;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.g === 0) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, p: 1 };
  const d = u - mean;
  const z = (d - Math.sign(d) * Math.min(0.5, Math.abs(d))) / Math.sqrt(variance);
  return { u, z, p: twoSidedP(z) };
}

export interface Shift {
  /** Hodges–Lehmann estimate of b − a. */
  estimate: number;
  lo: number;
  hi: number;
}

/** Samples above this size are thinned evenly (their sorted order kept) before the pairwise differences. */
export const MAX_SAMPLE = 400;

function thin(xs: readonly number[]): number[] {
  const sorted = [...xs].sort((x, y) => x - y);
  if (sorted.length <= MAX_SAMPLE) return sorted;
  return Array.from({ length: MAX_SAMPLE }, (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / MAX_SAMPLE)]!);
}

/** The shift b − a: the median of all b_j − a_i, with its 95% interval (normal approximation for the order statistics). */
export function hodgesLehmann(a: readonly number[], b: readonly number[], z = Z_95): Shift | null {
  if (a.length === 0 || b.length === 0) return null;
  const xa = thin(a);
  const xb = thin(b);
  const m = xa.length;
  const n = xb.length;
  const diffs = new Float64Array(m * n);
  let k = 0;
  for (const y of xb) for (const x of xa) diffs[k++] = y - x;
  diffs.sort();
  const N = diffs.length;
  const estimate = N % 2 ? diffs[(N - 1) / 2]! : (diffs[N / 2 - 1]! + diffs[N / 2]!) / 2;
  // The interval runs from the C-th smallest to the C-th largest difference.
  const c = Math.floor((m * n) / 2 - z * Math.sqrt((m * n * (m + n + 1)) / 12));
  if (c < 1) return { estimate, lo: diffs[0]!, hi: diffs[N - 1]! };
  return { estimate, lo: diffs[c - 1]!, hi: diffs[N - c]! };
}
