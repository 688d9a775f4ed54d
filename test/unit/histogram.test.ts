import { describe, expect, it } from 'vitest';
import { addToHistogram, bucketOf, mergeHistogram, quantiles, type SparseHistogram } from '../../src/core/histogram';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe('log-bucket histogram', () => {
  it('keeps p50/p95/p99 within 1% of the exact nearest-rank value', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values = Array.from({ length: 20_000 }, () => Math.exp(rand() * 10) * 3);
    const h: SparseHistogram = {};
    for (const v of values) addToHistogram(h, v);
    const sorted = [...values].sort((a, b) => a - b);
    const got = quantiles(h, [0.5, 0.95, 0.99]);
    [0.5, 0.95, 0.99].forEach((q, i) => {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(got[i]! - exact) / exact).toBeLessThanOrEqual(0.01);
    });
  });

  it('merges and un-merges by adding counts', () => {
    const a: SparseHistogram = {};
    const b: SparseHistogram = {};
    addToHistogram(a, 100);
    addToHistogram(b, 1000, 3);
    mergeHistogram(a, b);
    expect(quantiles(a, [0.25, 1])[1]).toBeCloseTo(1000, -1);
    mergeHistogram(a, b, -1);
    expect(Object.keys(a)).toEqual([String(bucketOf(100))]);
  });

  it('answers null for an empty histogram and 0 for zero durations', () => {
    expect(quantiles({}, [0.5])).toEqual([null]);
    const h: SparseHistogram = {};
    addToHistogram(h, 0);
    expect(quantiles(h, [0.99])).toEqual([0]);
  });
});
