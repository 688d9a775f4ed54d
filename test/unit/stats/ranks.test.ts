import { describe, expect, it } from 'vitest';
import { wilcoxonRankSum } from 'simple-statistics';
import { hodgesLehmann, mannWhitney } from '../../../src/core/stats/ranks';

// Hollander & Wolfe (1973), Nonparametric Statistical Methods, p. 69: the example of R's wilcox.test.
const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const y = [1.15, 0.88, 0.9, 0.74, 1.21];

describe('Mann–Whitney U', () => {
  it('gives W = 35 on the Hollander & Wolfe data, as R reports', () => {
    expect(mannWhitney(x, y).u).toBe(35);
    // The rank sum agrees with simple-statistics' own.
    expect(mannWhitney(x, y).u).toBe(wilcoxonRankSum(x, y) - (x.length * (x.length + 1)) / 2);
  });

  it('normal approximation with continuity correction: wilcox.test(1:3, 4:6, exact = FALSE) p = 0.08086', () => {
    const r = mannWhitney([1, 2, 3], [4, 5, 6]);
    expect(r.u).toBe(0);
    expect(r.p).toBeCloseTo(0.08086, 4);
  });

  it('corrects for ties: identical samples give p = 1', () => {
    expect(mannWhitney([5, 5, 5], [5, 5, 5]).p).toBe(1);
    const tied = mannWhitney([1, 2, 2, 3], [2, 3, 3, 4]);
    expect(tied.p).toBeGreaterThan(0);
    expect(tied.p).toBeLessThan(1);
  });
});

describe('Hodges–Lehmann shift', () => {
  it('is the median of pairwise differences', () => {
    expect(hodgesLehmann([1, 2, 3], [4, 5, 6])!.estimate).toBe(3);
    const diffs = y.flatMap((b) => x.map((a) => b - a)).sort((p, q) => p - q);
    const mid = diffs.length / 2;
    expect(hodgesLehmann(x, y)!.estimate).toBeCloseTo((diffs[mid - 1]! + diffs[mid]!) / 2, 12);
  });

  it('covers the true shift of two shifted samples and excludes zero', () => {
    const a = Array.from({ length: 60 }, (_, i) => 100 + ((i * 37) % 50));
    const b = a.map((v) => v + 40);
    const s = hodgesLehmann(a, b)!;
    expect(s.estimate).toBe(40);
    expect(s.lo).toBeLessThanOrEqual(40);
    expect(s.hi).toBeGreaterThanOrEqual(40);
    expect(s.lo).toBeGreaterThan(0);
  });

  it('thins very large samples but keeps the estimate', () => {
    const a = Array.from({ length: 5000 }, (_, i) => i);
    const b = a.map((v) => v + 1000);
    expect(Math.abs(hodgesLehmann(a, b)!.estimate - 1000)).toBeLessThan(15);
  });
});
