import { describe, expect, it } from 'vitest';
import { bucketQuantile, CumulativeToDelta, exponentialBounds, genAiRow, isGenAiMetric, type MetricPoint } from '../../../src/core/metrics/otlp-points';

function point(over: Partial<MetricPoint>): MetricPoint {
  return {
    name: 'gen_ai.client.token.usage', unit: '{token}', kind: 'histogram', temporality: 'cumulative', startUs: 1_000, timeUs: 2_000,
    attributes: { 'gen_ai.token.type': 'input', 'gen_ai.request.model': 'gpt-4o' }, resource: { 'service.name': 'app' }, scope: { name: 's' },
    value: null, count: 2, sum: 30, min: 10, max: 20, bounds: [16], bucketCounts: [1, 1], ...over,
  };
}

describe('cumulative to delta', () => {
  it('subtracts the previous point of the same series, and drops repeats', () => {
    const d = new CumulativeToDelta();
    expect(d.toDelta(point({}))).toMatchObject({ temporality: 'delta', count: 2, sum: 30 });
    expect(d.toDelta(point({ timeUs: 3_000, count: 5, sum: 100, bucketCounts: [2, 3] }))).toMatchObject({ startUs: 2_000, count: 3, sum: 70, bucketCounts: [1, 2] });
    expect(d.toDelta(point({ timeUs: 3_000, count: 5, sum: 100, bucketCounts: [2, 3] }))).toBeNull();
    expect(d.toDelta(point({ timeUs: 4_000, count: 5, sum: 100, bucketCounts: [2, 3] }))).toBeNull();
  });

  it('starts over after a restart and keeps series apart', () => {
    const d = new CumulativeToDelta();
    d.toDelta(point({ count: 10, sum: 100 }));
    expect(d.toDelta(point({ startUs: 5_000, timeUs: 6_000, count: 1, sum: 3 }))).toMatchObject({ count: 1, sum: 3 });
    expect(d.toDelta(point({ attributes: { 'gen_ai.token.type': 'output' }, count: 4 }))).toMatchObject({ count: 4 });
    expect(d.size).toBe(2);
    const sum = { ...point({}), kind: 'sum' as const, value: 5, count: null };
    expect(d.toDelta(sum)).toMatchObject({ value: 5 });
    expect(d.toDelta({ ...sum, timeUs: 9_000, value: 8 })).toMatchObject({ value: 3 });
  });

  it('passes delta points and gauges through', () => {
    const d = new CumulativeToDelta();
    const p = point({ temporality: 'delta' });
    expect(d.toDelta(p)).toBe(p);
  });
});

describe('buckets', () => {
  it('quantiles interpolate inside a bucket and respect min and max', () => {
    expect(bucketQuantile([1, 2, 4], [0, 10, 0, 0], 0.5)).toBeCloseTo(1.5, 9);
    expect(bucketQuantile([1, 2, 4], [0, 0, 0, 10], 0.99, null, 9)).toBeLessThanOrEqual(9);
    expect(bucketQuantile([1], [0, 0], 0.5)).toBeNull();
  });

  it('exponential bounds grow by 2^(2^-scale)', () => {
    expect(exponentialBounds(0, 0, 3)).toEqual([2, 4, 8]);
    expect(exponentialBounds(1, -1, 2).map((b) => +b.toFixed(6))).toEqual([1, 1.414214]);
  });
});

describe('GenAI rows', () => {
  it('keeps GenAI metrics, pulls the filter attributes into columns', () => {
    expect(isGenAiMetric('gen_ai.client.operation.duration')).toBe(true);
    expect(isGenAiMetric('http.server.duration')).toBe(false);
    const row = genAiRow(point({ attributes: { 'gen_ai.token.type': 'input', 'gen_ai.system': 'anthropic', 'server.address': 'x' } }));
    expect(row).toMatchObject({ tokenType: 'input', provider: 'anthropic', service: 'app', attributes: { 'server.address': 'x' } });
  });
});
