import { describe, expect, it } from 'vitest';
import { callsPerGroupForProportions, fisherExact, newcombeDifference, proportionP, wilson } from '../../../src/core/stats/proportions';

const close = (x: number, y: number, dp = 4) => expect(x).toBeCloseTo(y, dp);

describe('Wilson score interval', () => {
  // Newcombe (1998a), "Two-sided confidence intervals for the single proportion", Stat Med 17:857-872, Table II, method 3.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i/%i', (x, n, lo, hi) => {
    const w = wilson(x, n);
    close(w.lo, lo);
    close(w.hi, hi);
  });

  it('says nothing is known without calls', () => {
    expect(wilson(0, 0)).toEqual({ lo: 0, hi: 1 });
  });
});

describe('Newcombe interval for a difference of proportions', () => {
  // Newcombe (1998b), "Interval estimation for the difference between independent proportions", Stat Med 17:873-890,
  // Table II, method 10 (hybrid score). The paper's difference is p1 − p2; ours is B − A, so A is the paper's second group.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
  ])('%i/%i − %i/%i', (x1, n1, x2, n2, lo, hi) => {
    const d = newcombeDifference(x2, n2, x1, n1);
    close(d.lo, lo);
    close(d.hi, hi);
  });

  it('is symmetric: swapping the groups mirrors the interval', () => {
    const d = newcombeDifference(5, 56, 0, 29);
    const m = newcombeDifference(0, 29, 5, 56);
    close(d.lo, -m.hi, 10);
    close(d.hi, -m.lo, 10);
  });
});

describe("Fisher's exact test", () => {
  it('the lady tasting tea: 3 of 4 right against 1 of 4 (Fisher 1935) gives p = 0.4857', () => {
    close(fisherExact(3, 4, 1, 4), 0.4857);
  });

  it('1 of 10 against 11 of 14 gives two-sided p = 0.002759', () => {
    close(fisherExact(1, 10, 11, 14), 0.002759, 6);
  });

  it('is chosen for small expected counts, the z test otherwise', () => {
    expect(proportionP(1, 10, 3, 10).method).toBe('fisher');
    expect(proportionP(30, 100, 45, 100).method).toBe('z');
  });
});

describe('calls needed to tell two rates apart', () => {
  it("matches R's power.prop.test(p1 = .5, p2 = .75, power = .8): n = 57.67 per group", () => {
    expect(callsPerGroupForProportions(0.5, 0.75)).toBe(58);
  });

  it('is null for equal rates', () => {
    expect(callsPerGroupForProportions(0.2, 0.2)).toBeNull();
  });
});
