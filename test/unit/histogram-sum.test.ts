// HistogramSum must give exactly what merging the parsed histograms with mergeHistogram gives.
import { describe, expect, it } from 'vitest';
import { addToHistogram, mergeHistogram, type SparseHistogram } from '../../src/core/histogram';
import { addStoredTo, HistogramSum } from '../../src/store/histogram-sum';

function randomHistogram(seed: number): SparseHistogram {
  const h: SparseHistogram = {};
  let x = seed;
  const n = 1 + (seed % 40);
  for (let i = 0; i < n; i++) {
    x = (x * 48271) % 2147483647;
    addToHistogram(h, (x % 1_000_000) / 100, 1 + (x % 3));
  }
  return h;
}

describe('HistogramSum', () => {
  it('sums stored histogram texts like JSON.parse + mergeHistogram', () => {
    const texts = Array.from({ length: 300 }, (_, i) => JSON.stringify(randomHistogram(i + 1)));
    texts.push('{}');
    const expected: SparseHistogram = {};
    for (const t of texts) mergeHistogram(expected, JSON.parse(t));
    const a = new HistogramSum();
    const b = new HistogramSum();
    for (const t of texts) addStoredTo(t, [a, b]);
    expect(a.toSparse()).toEqual(expected);
    expect(b.toSparse()).toEqual(expected);
  });

  it('falls back to JSON.parse for text in another shape, adding nothing twice', () => {
    const s = new HistogramSum();
    s.addStored('{ "3": 2, "5": 1 }');
    s.addStored('{"3":1,"x":1}'.replace('"x":1', '"7":1'));
    s.addStored('{"Infinity":1,"4":2}');
    expect(s.toSparse()).toEqual({ 3: 3, 4: 2, 5: 1, 7: 1, Infinity: 1 });
    expect(() => s.addStored('{"3":1,')).toThrow(SyntaxError);
    expect(s.toSparse()).toEqual({ 3: 3, 4: 2, 5: 1, 7: 1, Infinity: 1 });
  });

  it('grows past its first size', () => {
    const s = new HistogramSum();
    s.add(5000, 2);
    s.add(1, 1);
    expect(s.toSparse()).toEqual({ 1: 1, 5000: 2 });
  });
});
