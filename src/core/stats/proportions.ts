// Rates (errors, refusals, guardrail hits, thumbs up) of two groups of calls: Wilson's score
// interval for each, Newcombe's hybrid score interval for their difference (method 10 of
// Newcombe 1998, "Interval estimation for the difference between independent proportions",
// Stat Med 17:873-890), Fisher's exact test where counts are small, and the calls a
// difference of this size needs to be told from noise.

import { Z_95, Z_POWER_80, twoSidedP } from './normal';

export interface Interval {
  lo: number;
  hi: number;
}

/** Wilson score interval for x successes in n (Wilson 1927); [0, 1] when n is 0. */
export function wilson(x: number, n: number, z = Z_95): Interval {
  if (n === 0) return { lo: 0, hi: 1 };
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return { lo: Math.max(0, (centre - half) / denom), hi: Math.min(1, (centre + half) / denom) };
}

/** Newcombe's interval for p2 − p1 (group 2 minus group 1) from the two Wilson intervals. */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, z = Z_95): Interval {
  const p1 = n1 ? x1 / n1 : 0;
  const p2 = n2 ? x2 / n2 : 0;
  const w1 = wilson(x1, n1, z);
  const w2 = wilson(x2, n2, z);
  const d = p2 - p1;
  return {
    lo: d - Math.sqrt((p2 - w2.lo) ** 2 + (w1.hi - p1) ** 2),
    hi: d + Math.sqrt((w2.hi - p2) ** 2 + (p1 - w1.lo) ** 2),
  };
}

/** ln(k!) by summation, cached: counts here are calls, at most a few hundred thousand. */
const logFactorials: number[] = [0];
function logFactorial(k: number): number {
  for (let i = logFactorials.length; i <= k; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[k]!;
}

/**
 * Fisher's exact test of a 2×2 table (x1 of n1 against x2 of n2), two-sided: the sum of the
 * probabilities of every table with the same margins no more likely than the one observed.
 */
export function fisherExact(x1: number, n1: number, x2: number, n2: number): number {
  const k = x1 + x2;
  const n = n1 + n2;
  const logP = (a: number) =>
    logFactorial(k) + logFactorial(n - k) + logFactorial(n1) + logFactorial(n2)
    - logFactorial(n) - logFactorial(a) - logFactorial(n1 - a) - logFactorial(k - a) - logFactorial(n2 - k + a);
  const observed = logP(x1);
  let p = 0;
  for (let a = Math.max(0, k - n2); a <= Math.min(k, n1); a++) {
    const lp = logP(a);
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** The pooled two-proportion z test (used when every expected count is at least 5). */
export function twoProportionP(x1: number, n1: number, x2: number, n2: number): number {
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 1;
  return twoSidedP((x2 / n2 - x1 / n1) / se);
}

/** Fisher's test where a cell's expected count is under 5, else the z test. */
export function proportionP(x1: number, n1: number, x2: number, n2: number): { p: number; method: 'fisher' | 'z' } {
  const k = x1 + x2;
  const n = n1 + n2;
  const expected = [n1 * k / n, n1 * (n - k) / n, n2 * k / n, n2 * (n - k) / n];
  if (expected.some((e) => e < 5)) return { p: fisherExact(x1, n1, x2, n2), method: 'fisher' };
  return { p: twoProportionP(x1, n1, x2, n2), method: 'z' };
}

/**
 * Calls per group that a two-sided 5% test needs to detect p1 against p2 with 80% power
 * (Fleiss, Statistical Methods for Rates and Proportions, eq. 4.14, without continuity
 * correction); null when the rates are equal (no size would tell them apart).
 */
export function callsPerGroupForProportions(p1: number, p2: number): number | null {
  const d = Math.abs(p2 - p1);
  if (d === 0) return null;
  const pBar = (p1 + p2) / 2;
  const root = Z_95 * Math.sqrt(2 * pBar * (1 - pBar)) + Z_POWER_80 * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil((root * root) / (d * d));
}
