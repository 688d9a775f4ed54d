// OTLP metric data points after decoding, and what Spyglass keeps of them: the GenAI client
// metrics (`gen_ai.client.operation.duration`, `gen_ai.client.token.usage`,
// `gen_ai.client.operation.time_to_first_chunk`, and the other `gen_ai.*` histograms) are stored
// as deltas for the dashboard; every other metric is only counted. Pure: no I/O.

import type { Attributes, InstrumentationScope } from '../model';

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
export type Temporality = 'delta' | 'cumulative' | 'unspecified';

/** One data point of one metric, flattened with its resource and scope. */
export interface MetricPoint {
  name: string;
  unit: string;
  kind: MetricKind;
  temporality: Temporality;
  startUs: number;
  timeUs: number;
  attributes: Attributes;
  resource: Attributes;
  scope: InstrumentationScope;
  /** Gauge and sum points. */
  value: number | null;
  /** Histogram and summary points. */
  count: number | null;
  sum: number | null;
  min: number | null;
  max: number | null;
  /** Histogram buckets: upper bounds (the last bucket is unbounded) and their counts. */
  bounds: number[];
  bucketCounts: number[];
}

/** A GenAI metric point as stored: a delta, with the attributes the dashboard filters on as columns. */
export interface GenAiMetricRow
  extends Pick<MetricPoint, 'timeUs' | 'startUs' | 'name' | 'unit' | 'kind' | 'value' | 'count' | 'sum' | 'min' | 'max' | 'bounds' | 'bucketCounts'> {
  service: string | null;
  operation: string | null;
  provider: string | null;
  requestModel: string | null;
  responseModel: string | null;
  tokenType: string | null;
  errorType: string | null;
  /** The point's other attributes. */
  attributes: Attributes;
}

/** Metrics kept for the dashboard: the GenAI conventions' and the agents' own GenAI-named ones. */
export function isGenAiMetric(name: string): boolean {
  return name.startsWith('gen_ai.') || name === 'copilot_chat.time_to_first_token';
}

const COLUMNS = ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.system', 'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.token.type', 'error.type'];

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

export function genAiRow(p: MetricPoint): GenAiMetricRow {
  const a = p.attributes;
  const rest: Attributes = {};
  for (const [k, v] of Object.entries(a)) if (!COLUMNS.includes(k)) rest[k] = v;
  return {
    timeUs: p.timeUs,
    startUs: p.startUs,
    name: p.name,
    unit: p.unit,
    kind: p.kind,
    service: str(p.resource['service.name']),
    operation: str(a['gen_ai.operation.name']),
    provider: str(a['gen_ai.provider.name']) ?? str(a['gen_ai.system']),
    requestModel: str(a['gen_ai.request.model']),
    responseModel: str(a['gen_ai.response.model']),
    tokenType: str(a['gen_ai.token.type']),
    errorType: str(a['error.type']),
    value: p.value,
    count: p.count,
    sum: p.sum,
    min: p.min,
    max: p.max,
    bounds: p.bounds,
    bucketCounts: p.bucketCounts,
    attributes: rest,
  };
}

function stableKey(a: Attributes): string {
  return JSON.stringify(Object.keys(a).sort().map((k) => [k, a[k]]));
}

/** A series: one metric from one source with one set of attributes. */
export function seriesKey(p: MetricPoint): string {
  return `${p.name}\u0000${p.kind}\u0000${stableKey(p.resource)}\u0000${p.scope.name}\u0000${stableKey(p.attributes)}`;
}

const MAX_SERIES = 20_000;

/**
 * Turns cumulative points into deltas, remembering the last point of each series. The first
 * point of a series, or one after a restart (a new start time, or counts going down), is taken
 * as a delta from its own start. Gauges pass through. Memory: one point per series, capped.
 */
export class CumulativeToDelta {
  private readonly last = new Map<string, MetricPoint>();

  get size(): number {
    return this.last.size;
  }

  toDelta(p: MetricPoint): MetricPoint | null {
    if (p.temporality !== 'cumulative' || p.kind === 'gauge') return p;
    const key = seriesKey(p);
    const prev = this.last.get(key);
    if (this.last.size >= MAX_SERIES && !prev) this.last.clear();
    this.last.set(key, p);
    if (!prev || prev.startUs !== p.startUs || p.timeUs < prev.timeUs) return { ...p, temporality: 'delta' };
    if (p.timeUs === prev.timeUs) return null; // the same point sent again
    if (p.kind === 'sum') {
      if (p.value === null || prev.value === null || p.value < prev.value) return { ...p, temporality: 'delta' };
      return { ...p, temporality: 'delta', startUs: prev.timeUs, value: p.value - prev.value };
    }
    const count = (p.count ?? 0) - (prev.count ?? 0);
    if (count < 0) return { ...p, temporality: 'delta' };
    if (count === 0) return null; // nothing happened since
    const sameBuckets = p.bounds.length === prev.bounds.length && p.bounds.every((b, i) => b === prev.bounds[i]);
    return {
      ...p,
      temporality: 'delta',
      startUs: prev.timeUs,
      count,
      sum: p.sum !== null && prev.sum !== null ? p.sum - prev.sum : p.sum,
      // min and max of the interval are unknown from cumulative figures; the run's are kept.
      bucketCounts: sameBuckets ? p.bucketCounts.map((c, i) => Math.max(0, c - (prev.bucketCounts[i] ?? 0))) : p.bucketCounts,
    };
  }
}

/** Upper bounds of an exponential histogram's positive buckets (base 2^(2^-scale)). */
export function exponentialBounds(scale: number, offset: number, n: number): number[] {
  const base = Math.pow(2, Math.pow(2, -scale));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.pow(base, offset + i + 1));
  return out;
}

/** The q-quantile of a bucketed distribution (linear inside the bucket), or null when empty. */
export function bucketQuantile(bounds: readonly number[], counts: readonly number[], q: number, min: number | null = null, max: number | null = null): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    if (seen + c >= rank) {
      const lo = i === 0 ? (min ?? Math.min(0, bounds[0] ?? 0)) : bounds[i - 1]!;
      const hi = i < bounds.length ? bounds[i]! : (max ?? lo);
      const v = lo + ((hi - lo) * (rank - seen)) / c;
      return Math.min(max ?? v, Math.max(min ?? v, v));
    }
    seen += c;
  }
  return max;
}
