import { describe, expect, it } from 'vitest';
import { compareRates, compareSamples, verdictText } from '../../../src/core/stats/compare';

describe('comparing two versions', () => {
  it('calls a clearly lower error rate better, a higher one worse', () => {
    const better = compareRates(30, 100, 5, 100, 'lower');
    expect(better.verdict).toBe('better');
    expect(better.interval!.hi).toBeLessThan(0);
    expect(compareRates(5, 100, 30, 100, 'lower').verdict).toBe('worse');
    // More thumbs up is better.
    expect(compareRates(5, 100, 30, 100, 'higher').verdict).toBe('better');
  });

  it('says how many more calls a small difference needs', () => {
    const c = compareRates(1, 10, 2, 10, 'lower');
    expect(c.verdict).toBe('undecided');
    expect(c.method).toBe('newcombe+fisher');
    expect(c.moreCalls).toBeGreaterThan(100);
    expect(verdictText(c)).toMatch(/^not distinguishable yet: \d+ more calls needed$/);
  });

  it('equal rates: no number of calls would tell them apart', () => {
    const c = compareRates(0, 5, 0, 5, 'lower');
    expect(c.verdict).toBe('undecided');
    expect(c.moreCalls).toBeNull();
    expect(verdictText(c)).toBe('not distinguishable: no difference seen');
    // No thumbs at all on one side: nothing to compare.
    expect(verdictText(compareRates(0, 0, 1, 3, 'higher'))).toBe('nothing to compare yet');
  });

  it('calls a slower version worse on latency, with the shift and its interval', () => {
    const a = Array.from({ length: 30 }, (_, i) => 200 + ((i * 7) % 40));
    const b = a.map((v) => v + 150);
    const c = compareSamples(a, b, 'lower');
    expect(c.verdict).toBe('worse');
    expect(c.difference).toBe(150);
    expect(c.interval!.lo).toBeGreaterThan(0);
    expect(c.method).toBe('mann-whitney+hodges-lehmann');
  });

  it('overlapping samples are undecided with a finite call estimate', () => {
    const a = [100, 120, 140, 160, 180];
    const b = [110, 130, 150, 170, 190];
    const c = compareSamples(a, b, 'lower');
    expect(c.verdict).toBe('undecided');
    expect(c.moreCalls).toBeGreaterThan(0);
  });

  it('neutral figures say higher or lower', () => {
    const a = Array.from({ length: 20 }, (_, i) => 100 + i);
    const b = a.map((v) => v * 3);
    expect(compareSamples(a, b, 'neutral').verdict).toBe('higher');
  });

  it('one call per side decides nothing', () => {
    const c = compareSamples([100], [900], 'lower');
    expect(c.verdict).toBe('undecided');
    expect(c.moreCalls).toBe(1);
  });
});
