import { describe, expect, it } from 'vitest';
import { bucketOf, bucketValue } from '../../../src/core/histogram';
import { binEdges, histogram, nearestRank, percentiles } from '../../../src/core/dashboard/distribution';
import { gridEdges } from '../../helpers/grid-edges';
import { MAX_BUCKETS, NO_SERVICE, OTHER, SeriesBuilder, effectiveBucketMs, tpotMs, type SeriesCall } from '../../../src/core/dashboard/series';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function randomCalls(r: () => number, n: number, from: number, to: number, bucketMs: number): SeriesCall[] {
  const calls: SeriesCall[] = [];
  for (let i = 0; i < n; i++) {
    // A third of the calls sit exactly on a bucket edge or on the range's ends.
    const edge = r() < 0.33;
    const gridEdge = (Math.floor(from / bucketMs) + 1 + Math.floor(r() * ((to - from) / bucketMs))) * bucketMs;
    const startMs = edge ? pick(r, [from, to, from - 1, to - 1, gridEdge, gridEdge - 1]) : from - 1000 + Math.floor(r() * (to - from + 2000));
    const out = r() < 0.1 ? null : Math.floor(r() * 2000);
    const input = r() < 0.1 ? null : Math.floor(r() * 5000);
    const durationMs = r() < 0.02 ? 0 : r() * 20_000;
    calls.push({
      startMs, traceId: `t${i}`, model: pick(r, ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'gemini-1.5-pro', 'llama3', 'o3', 'o4-mini', 'mistral-large', 'qwen', 'phi']),
      provider: pick(r, ['openai', 'anthropic', null]), service: pick(r, ['api', 'worker', null]), prompt: pick(r, ['greet@1', 'greet@2', null]),
      user: pick(r, ['alice', 'bob', null]), session: pick(r, ['s1', 's2', 's3', null]), feature: pick(r, ['search', 'chat', null]),
      durationMs, ttftMs: r() < 0.5 ? null : r() * durationMs * 1.2, inputTokens: input, outputTokens: out,
      cachedInputTokens: input === null || r() < 0.5 ? null : Math.floor(r() * input), costUsd: r() < 0.1 ? null : r() * 0.05,
      isError: r() < 0.1, refused: r() < 0.05,
    });
  }
  return calls;
}

const saving = (model: string) => (model.startsWith('gpt') ? 1.25e-6 : model === 'o3' ? 1e-5 : 0);

function bruteRank(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  // The smallest value with at least q of the values at or below it.
  for (const v of s) if (s.filter((x) => x <= v).length >= q * s.length) return v;
  return s[s.length - 1]!;
}

/**
 * Latency percentiles come from the stats' log histogram: the reported value is the middle of the
 * bucket holding the exact nearest-rank value, so within 1% of it (0 for values at or under 0.01 ms).
 */
function expectWithinHistogramPrecision(got: number | null, exact: number | null): void {
  if (exact === null) return expect(got).toBeNull();
  expect(got).toBe(bucketValue(bucketOf(exact)));
  if (exact > 0.01) expect(Math.abs(got! - exact) / exact).toBeLessThanOrEqual(0.01);
}

describe('dashboard series over random data', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`matches a brute-force computation (seed ${seed})`, () => {
      const r = rng(seed);
      const start = 1_700_000_000_000 + Math.floor(r() * 1e6);
      // Widths on and off the minute and ten-minute grids; a range starting on the grid or off it.
      const bucketMs = pick(r, [1000, 60_000, 300_000, 7_000, 420_000, 3_600_000]);
      const from = r() < 0.3 ? Math.floor(start / bucketMs) * bucketMs : start;
      const to = from + bucketMs * (1 + Math.floor(r() * 12)) - (r() < 0.5 ? Math.floor(r() * bucketMs) : 0);
      const calls = randomCalls(r, 400, from, to, bucketMs);
      const b = new SeriesBuilder(from, to, bucketMs, { savingPerCachedToken: saving, maxStacks: 4, maxGroups: 50 });
      for (const c of calls) b.add(c);
      const s = b.build();
      expect(s.bucketMs).toBe(bucketMs);
      const edges = gridEdges(from, to, bucketMs);
      expect(s.buckets.map((x) => [x.start, x.end])).toEqual(edges.slice(1).map((e, k) => [edges[k], e]));
      const inRange = calls.filter((c) => c.startMs >= from && c.startMs < to);
      s.buckets.forEach((bucket, k) => {
        const [lo, hi] = [edges[k]!, edges[k + 1]!];
        const mine = inRange.filter((c) => c.startMs >= lo && c.startMs < hi);
        expect(bucket.calls).toBe(mine.length);
        expect(bucket.errors).toBe(mine.filter((c) => c.isError).length);
        expect(bucket.refusals).toBe(mine.filter((c) => c.refused).length);
        expect(bucket.costUsd).toBeCloseTo(mine.reduce((a, c) => a + (c.costUsd ?? 0), 0), 10);
        expect(bucket.cachedInputTokens).toBe(mine.reduce((a, c) => a + (c.cachedInputTokens ?? 0), 0));
        expect(bucket.cacheSavingsUsd).toBeCloseTo(mine.reduce((a, c) => a + (c.cachedInputTokens ?? 0) * saving(c.model), 0), 10);
        const lat = mine.map((c) => c.durationMs);
        for (const [q, got] of [[0.5, bucket.latencyMs.p50], [0.95, bucket.latencyMs.p95], [0.99, bucket.latencyMs.p99]] as const) expectWithinHistogramPrecision(got, bruteRank(lat, q));
        const weighted = mine.filter((c) => (c.inputTokens ?? 0) + (c.outputTokens ?? 0) > 0);
        const w = weighted.reduce((a, c) => a + (c.inputTokens ?? 0) + (c.outputTokens ?? 0), 0);
        if (w === 0) expect(bucket.tokenWeightedLatencyMs).toBeNull();
        else expect(bucket.tokenWeightedLatencyMs!).toBeCloseTo(weighted.reduce((a, c) => a + c.durationMs * ((c.inputTokens ?? 0) + (c.outputTokens ?? 0)), 0) / w, 6);
        const gen = mine
          .map((c) => ({ out: c.outputTokens ?? 0, ms: c.ttftMs !== null && c.durationMs > c.ttftMs ? c.durationMs - c.ttftMs : c.durationMs }))
          .filter((g) => g.out > 0 && g.ms > 0);
        const genMs = gen.reduce((a, g) => a + g.ms, 0);
        if (genMs === 0) expect(bucket.tokensPerSecond).toBeNull();
        else expect(bucket.tokensPerSecond!).toBeCloseTo((gen.reduce((a, g) => a + g.out, 0) * 1000) / genMs, 6);
      });
      expect(s.totals.calls).toBe(inRange.length);
      expectWithinHistogramPrecision(s.totals.latencyMs.p95, bruteRank(inRange.map((c) => c.durationMs), 0.95));
      // Each stack sums, bucket by bucket, to the bucket's cost; at most 4 stacks, the rest as "other".
      for (const by of ['model', 'service', 'prompt'] as const) {
        expect(s.costBy[by].length).toBeLessThanOrEqual(4);
        s.buckets.forEach((bucket, k) => expect(s.costBy[by].reduce((a, st) => a + st.costUsd[k]!, 0)).toBeCloseTo(bucket.costUsd, 10));
      }
      expect(s.costBy.model.map((x) => x.key)).toContain(OTHER);
      const services = new Set(inRange.map((c) => c.service ?? NO_SERVICE));
      expect(s.costBy.service.map((x) => x.key).sort()).toEqual([...services].sort());
      for (const by of ['user', 'session', 'feature'] as const) {
        const keys = new Set(inRange.map((c) => c[by]).filter((k): k is string => k !== null));
        expect(s.spendBy[by].map((g) => g.key).sort()).toEqual([...keys].sort());
        for (const g of s.spendBy[by]) {
          const mine = inRange.filter((c) => c[by] === g.key);
          expect(g.calls).toBe(mine.length);
          expect(g.costUsd).toBeCloseTo(mine.reduce((a, c) => a + (c.costUsd ?? 0), 0), 10);
          const top = Math.max(...mine.map((c) => c.costUsd ?? 0));
          expect(mine.find((c) => c.traceId === g.traceId)!.costUsd ?? 0).toBe(top);
        }
        const costs = s.spendBy[by].map((g) => g.costUsd);
        expect(costs).toEqual([...costs].sort((a, b) => b - a));
      }
      const ttft = inRange.flatMap((c) => (c.ttftMs === null ? [] : [c.ttftMs]));
      expect(s.ttftHistogram.reduce((a, bin) => a + bin.count, 0)).toBe(ttft.length);
      for (const bin of s.ttftHistogram) expect(bin.count).toBe(ttft.filter((v) => v >= bin.lo && v < bin.hi).length);
      const tpot = inRange.flatMap((c) => {
        const t = tpotMs(c.durationMs, c.ttftMs, c.outputTokens);
        return t === null ? [] : [t];
      });
      expect(s.tpotHistogram.reduce((a, bin) => a + bin.count, 0)).toBe(tpot.length);
      for (const bin of s.tpotHistogram) expect(bin.count).toBe(tpot.filter((v) => v >= bin.lo && v < bin.hi).length);
    });
  }

  it('an empty or reversed range has no buckets and zero totals', () => {
    for (const [from, to] of [[1000, 1000], [2000, 1000]] as const) {
      const b = new SeriesBuilder(from, to, 60_000, { savingPerCachedToken: () => 1 });
      b.add(randomCalls(rng(9), 1, from, from + 1, 1)[0]!);
      const s = b.build();
      expect(s.buckets).toEqual([]);
      expect(s.totals.calls).toBe(0);
      expect(s.totals.latencyMs).toEqual({ p50: null, p95: null, p99: null });
      expect(s.costBy.model).toEqual([]);
      expect(s.ttftHistogram).toEqual([]);
    }
  });

  it('a range with no calls has every bucket, all empty', () => {
    const s = new SeriesBuilder(0, 3_600_000, 300_000, { savingPerCachedToken: () => 0 }).build();
    expect(s.buckets.map((b) => b.start)).toEqual(Array.from({ length: 12 }, (_, k) => k * 300_000));
    expect(s.buckets.every((b) => b.calls === 0 && b.tokenWeightedLatencyMs === null && b.tokensPerSecond === null)).toBe(true);
  });

  it('puts inner edges on the grid and clips the first and last bucket to the range', () => {
    // 14:03:20 to 15:21 UTC in 15-minute buckets: 14:03:20, 14:15, 14:30, 14:45, 15:00, 15:15 to 15:21.
    const day = Date.UTC(2026, 2, 29);
    const at = (h: number, m: number, sec = 0) => day + ((h * 60 + m) * 60 + sec) * 1000;
    const s = new SeriesBuilder(at(14, 3, 20), at(15, 21), 15 * 60_000, { savingPerCachedToken: () => 0 }).build();
    expect(s.buckets.map((b) => [b.start, b.end])).toEqual([
      [at(14, 3, 20), at(14, 15)], [at(14, 15), at(14, 30)], [at(14, 30), at(14, 45)], [at(14, 45), at(15, 0)], [at(15, 0), at(15, 15)], [at(15, 15), at(15, 21)],
    ]);
    // A range inside one grid bucket is one bucket, the range itself.
    expect(new SeriesBuilder(at(14, 1), at(14, 2), 15 * 60_000, { savingPerCachedToken: () => 0 }).build().buckets.map((b) => [b.start, b.end])).toEqual([[at(14, 1), at(14, 2)]]);
  });

  it('widens the buckets past MAX_BUCKETS to a nice width and keeps the last partial bucket', () => {
    // 10,000 s in 1 ms buckets: 10 s buckets would make 1,001 off the grid, so 15 s.
    expect(effectiveBucketMs(0, 10_000_000, 1)).toBe(15_000);
    expect(effectiveBucketMs(0, 10_000_000, 60_000)).toBe(60_000);
    for (const from of [0, 1234]) {
      const s = new SeriesBuilder(from, from + 10_000_001, 1, { savingPerCachedToken: () => 0 }).build();
      expect(s.buckets.length).toBeLessThanOrEqual(MAX_BUCKETS);
      expect(s.buckets.at(-1)!.end).toBe(from + 10_000_001);
    }
  });
});

describe('distribution helpers', () => {
  it('nearest-rank percentiles agree with brute force on random samples', () => {
    const r = rng(42);
    for (let t = 0; t < 200; t++) {
      const xs = Array.from({ length: 1 + Math.floor(r() * 60) }, () => Math.round(r() * 1000) / 10);
      const p = percentiles(xs);
      expect(p).toEqual({ p50: bruteRank(xs, 0.5), p95: bruteRank(xs, 0.95), p99: bruteRank(xs, 0.99) });
    }
    expect(nearestRank([], 0.5)).toBeNull();
    expect(percentiles([7])).toEqual({ p50: 7, p95: 7, p99: 7 });
  });

  it('bins on the 1-2-5 sequence, covering every value once', () => {
    expect(binEdges([3, 40, 170])).toEqual([0, 2, 5, 10, 20, 50, 100, 200]);
    expect(binEdges([0.013, 0.4])).toEqual([0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
    expect(binEdges([0, 0])).toEqual([0, 1]);
    expect(binEdges([100])).toEqual([0, 100, 200]);
    expect(binEdges([])).toEqual([]);
    const r = rng(7);
    for (let t = 0; t < 100; t++) {
      const xs = Array.from({ length: Math.floor(r() * 80) }, () => (r() < 0.05 ? -1 : r() < 0.05 ? 0 : 10 ** (r() * 8 - 3)));
      const bins = histogram(xs);
      const valid = xs.filter((x) => x >= 0);
      expect(bins.reduce((a, b) => a + b.count, 0)).toBe(valid.length);
      for (const b of bins) expect(b.count).toBe(valid.filter((v) => v >= b.lo && v < b.hi).length);
      for (let k = 1; k < bins.length; k++) expect(bins[k]!.lo).toBe(bins[k - 1]!.hi);
    }
  });
});
