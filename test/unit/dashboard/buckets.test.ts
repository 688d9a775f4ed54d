import { describe, expect, it } from 'vitest';
import { BucketGrid, DASHBOARD_BUCKETS, NICE_BUCKET_MS, gridOrigin, niceBucketMs } from '../../../src/core/dashboard/buckets';
import { coverRange, ROLLUP_LEVELS } from '../../../src/store/rollups';
import { gridEdges } from '../../helpers/grid-edges';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296);
}

describe('niceBucketMs', () => {
  it("gives the dashboard's ranges their usual widths", () => {
    expect([15 * MIN, HOUR, DAY, 7 * DAY].map((s) => niceBucketMs(s, DASHBOARD_BUCKETS))).toEqual([MIN, 5 * MIN, HOUR, 6 * HOUR]);
    // What bench:dashboard asks: a tenth of two weeks, and all of them.
    expect(niceBucketMs(1.4 * DAY, DASHBOARD_BUCKETS)).toBe(3 * HOUR);
    expect(niceBucketMs(14 * DAY, DASHBOARD_BUCKETS)).toBe(12 * HOUR);
    expect(niceBucketMs(0, 30)).toBe(1000);
    // Past a week: whole weeks.
    expect(niceBucketMs(3 * 365 * DAY, 30)).toBe(6 * 7 * DAY);
  });

  it('is the finest nice width that never makes more than the target, wherever the range starts', () => {
    const r = rng(3);
    for (let t = 0; t < 2000; t++) {
      const span = Math.floor(10 ** (r() * 10));
      const target = 2 + Math.floor(r() * 200);
      const w = niceBucketMs(span, target);
      for (const from of [0, Math.floor(r() * 1e12), w - 1]) expect(new BucketGrid(from, from + span, w).count).toBeLessThanOrEqual(target);
      const finer = NICE_BUCKET_MS.filter((x) => x < w);
      // A finer width would make too many buckets for some start (one off the grid).
      for (const f of finer) expect(Math.ceil(span / f) + 1).toBeGreaterThan(target);
    }
  });
});

describe('BucketGrid', () => {
  it('agrees with the edges counted one by one, and puts every time in the bucket holding it', () => {
    const r = rng(5);
    for (let t = 0; t < 500; t++) {
      const width = [1000, 7000, MIN, 7 * MIN, 10 * MIN, HOUR, DAY, 7 * DAY][Math.floor(r() * 8)]!;
      const from = 1_700_000_000_000 + Math.floor(r() * 30 * DAY) - (r() < 0.3 ? 0 : 1);
      const to = from + Math.floor(r() * 40 * width);
      const g = new BucketGrid(from, to, width);
      const edges = gridEdges(from, to, width);
      expect(g.count).toBe(Math.max(0, edges.length - 1));
      for (let k = 0; k < g.count; k++) expect([g.start(k), g.end(k)]).toEqual([edges[k], edges[k + 1]]);
      for (let i = 0; i < 20; i++) {
        const ms = from - width + Math.floor(r() * (to - from + 2 * width));
        const k = g.indexOf(ms);
        if (ms < from || ms >= to) expect(k).toBe(-1);
        else expect(ms >= edges[k]! && ms < edges[k + 1]!).toBe(true);
      }
    }
  });

  it('reads inner buckets of widths that are multiples of ten minutes from ten-minute, hour and day rollup rows alone', () => {
    const grains = ROLLUP_LEVELS.map((l) => l.us);
    const r = rng(9);
    for (const width of NICE_BUCKET_MS.filter((w) => w % (10 * MIN) === 0)) {
      const from = 1_700_000_000_000 + Math.floor(r() * DAY) + 0.5;
      const g = new BucketGrid(from, from + 20 * width + Math.floor(r() * width), width);
      for (let k = 1; k < g.count - 1; k++) {
        const pieces = coverRange(g.start(k) * 1000, g.end(k) * 1000, grains);
        expect(pieces.every((p) => p.level >= 1), `bucket ${k} of ${width} ms`).toBe(true);
      }
    }
  });

  it('starts days at midnight UTC and weeks on Monday', () => {
    const g = new BucketGrid(Date.UTC(2026, 2, 28, 15), Date.UTC(2026, 2, 31, 9), DAY);
    expect(g.starts().map((s) => new Date(s).toISOString())).toEqual([
      '2026-03-28T15:00:00.000Z', '2026-03-29T00:00:00.000Z', '2026-03-30T00:00:00.000Z', '2026-03-31T00:00:00.000Z',
    ]);
    expect(new Date(gridOrigin(7 * DAY)).getUTCDay()).toBe(1);
    const w = new BucketGrid(Date.UTC(2026, 11, 2), Date.UTC(2026, 11, 20), 7 * DAY);
    expect(w.starts().slice(1).map((s) => new Date(s).getUTCDay())).toEqual([1, 1]);
  });

  it('has no buckets for an empty or reversed range and refuses a width that is not positive', () => {
    expect(new BucketGrid(5, 5, 10).count).toBe(0);
    expect(new BucketGrid(9, 5, 10).count).toBe(0);
    expect(() => new BucketGrid(0, 10, 0)).toThrow(RangeError);
    expect(() => new BucketGrid(0, 10, Number.NaN)).toThrow(RangeError);
  });
});
