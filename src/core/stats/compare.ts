// Compares one figure of two groups of calls (version A against version B) and says, in plain
// words, whether B is better, worse, or not distinguishable yet and how many more calls would
// tell. Rates use Newcombe's interval with Fisher's or the z test; continuous figures use
// Mann–Whitney with the Hodges–Lehmann shift. Never a bare difference of two averages.

import { Z_95, Z_POWER_80 } from './normal';
import { callsPerGroupForProportions, newcombeDifference, proportionP, wilson, type Interval } from './proportions';
import { hodgesLehmann, mannWhitney } from './ranks';

/** Which way is good: fewer errors, more thumbs up; `neutral` figures only say higher or lower. */
export type Direction = 'lower' | 'higher' | 'neutral';

export type Verdict = 'better' | 'worse' | 'higher' | 'lower' | 'undecided';

export interface Comparison {
  /** A's and B's figure: the rate, or the median. */
  a: number | null;
  b: number | null;
  /** B − A: the difference of rates, or the Hodges–Lehmann shift. */
  difference: number | null;
  /** 95% interval of the difference. */
  interval: Interval | null;
  /** Each side's own 95% interval (rates only). */
  aInterval?: Interval;
  bInterval?: Interval;
  p: number | null;
  method: 'newcombe+fisher' | 'newcombe+z' | 'mann-whitney+hodges-lehmann' | 'none';
  verdict: Verdict;
  /** Undecided: how many more calls (in each version) a difference of this size needs for 80% power; null when none would. */
  moreCalls: number | null;
}

const ALPHA = 0.05;

function verdictOf(difference: number, direction: Direction): Verdict {
  if (direction === 'neutral') return difference > 0 ? 'higher' : 'lower';
  return (difference < 0) === (direction === 'lower') ? 'better' : 'worse';
}

/** x1 of n1 (A) against x2 of n2 (B). */
export function compareRates(x1: number, n1: number, x2: number, n2: number, direction: Direction): Comparison {
  if (n1 === 0 || n2 === 0) {
    return { a: n1 ? x1 / n1 : null, b: n2 ? x2 / n2 : null, difference: null, interval: null, p: null, method: 'none', verdict: 'undecided', moreCalls: null };
  }
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const interval = newcombeDifference(x1, n1, x2, n2);
  const { p, method } = proportionP(x1, n1, x2, n2);
  const decided = p < ALPHA && (interval.lo > 0 || interval.hi < 0);
  let moreCalls: number | null = null;
  if (!decided) {
    const need = callsPerGroupForProportions(p1, p2);
    moreCalls = need === null ? null : Math.max(1, need - Math.min(n1, n2));
  }
  return {
    a: p1, b: p2, difference: p2 - p1, interval, aInterval: wilson(x1, n1), bInterval: wilson(x2, n2), p,
    method: method === 'fisher' ? 'newcombe+fisher' : 'newcombe+z',
    verdict: decided ? verdictOf(p2 - p1, direction) : 'undecided', moreCalls,
  };
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Samples of A against samples of B (latencies, costs, token counts). */
export function compareSamples(a: readonly number[], b: readonly number[], direction: Direction): Comparison {
  const shift = hodgesLehmann(a, b);
  if (!shift || a.length < 2 || b.length < 2) {
    return {
      a: median(a), b: median(b), difference: shift?.estimate ?? null, interval: null, p: null, method: 'none', verdict: 'undecided',
      moreCalls: Math.max(2 - a.length, 2 - b.length, 1),
    };
  }
  const mw = mannWhitney(a, b);
  const decided = mw.p < ALPHA && (shift.lo > 0 || shift.hi < 0) && shift.estimate !== 0;
  let moreCalls: number | null = null;
  if (!decided) {
    // The test's z grows with the square root of the calls: the size at which this z reaches significance with 80% power.
    const z = Math.abs(mw.z);
    const n = Math.min(a.length, b.length);
    moreCalls = z < 1e-9 ? null : Math.max(1, Math.ceil(n * ((Z_95 + Z_POWER_80) / z) ** 2) - n);
  }
  return {
    a: median(a), b: median(b), difference: shift.estimate, interval: { lo: shift.lo, hi: shift.hi }, p: mw.p,
    method: 'mann-whitney+hodges-lehmann', verdict: decided ? verdictOf(shift.estimate, direction) : 'undecided', moreCalls,
  };
}

/** The verdict as a person reads it. */
export function verdictText(c: Pick<Comparison, 'verdict' | 'moreCalls' | 'a' | 'b'>): string {
  if (c.verdict !== 'undecided') return c.verdict;
  if (c.a === null || c.b === null) return 'nothing to compare yet';
  if (c.moreCalls === null) return 'not distinguishable: no difference seen';
  return `not distinguishable yet: ${c.moreCalls} more call${c.moreCalls === 1 ? '' : 's'} needed`;
}
