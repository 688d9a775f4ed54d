// OTLP metrics (ExportMetricsServiceRequest) → MetricPoint[], from protobuf or OTLP/JSON. Metrics
// arrive a few times a minute, so protobufjs' reflection decoder serves; both encodings are then
// walked by one reader (protobufjs objects and OTLP/JSON share their camelCase field names).
// A data point that cannot be read is rejected with a reason; the rest of the body is kept.

import type { Attributes } from '../../core/model';
import { exponentialBounds, type MetricKind, type MetricPoint, type Temporality } from '../../core/metrics/otlp-points';
import { DecodeContext, OtlpDecodeError } from './context';
import { longToNumber, type LongLike } from './ids-and-times';
import type { OtlpEncoding } from './responses';
import { MetricsRequestType } from './schema';
import { ATTRIBUTE_VALUE_DEPTH, jsonAttributes, pbAttributes, type PbKeyValue } from './values';

export interface MetricsDecodeResult {
  points: MetricPoint[];
  rejected: number;
  errors: string[];
  warnings: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function toNum(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    if (v.trim() === '') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  if (typeof v === 'object' && 'low' in (v as object) && 'high' in (v as object)) return longToNumber(v as LongLike);
  return null;
}

const TEMPORALITY: Record<string, Temporality> = {
  '1': 'delta',
  '2': 'cumulative',
  AGGREGATION_TEMPORALITY_DELTA: 'delta',
  AGGREGATION_TEMPORALITY_CUMULATIVE: 'cumulative',
};

class Reader {
  readonly points: MetricPoint[] = [];
  rejected = 0;
  readonly ctx = new DecodeContext();

  constructor(private readonly attrs: (kvs: unknown) => Attributes) {}

  read(root: unknown): void {
    if (!isObj(root)) throw new OtlpDecodeError('the body is not an ExportMetricsServiceRequest');
    for (const rm of list(root.resourceMetrics)) {
      if (!isObj(rm)) continue;
      const resource = isObj(rm.resource) ? this.attrs(rm.resource.attributes) : {};
      for (const sm of list(rm.scopeMetrics)) {
        if (!isObj(sm)) continue;
        const scope = isObj(sm.scope) ? { name: typeof sm.scope.name === 'string' ? sm.scope.name : '', ...(typeof sm.scope.version === 'string' && sm.scope.version ? { version: sm.scope.version } : {}) } : { name: '' };
        for (const m of list(sm.metrics)) if (isObj(m)) this.metric(m, resource, scope);
      }
    }
  }

  private reject(reason: string): void {
    this.rejected += 1;
    if (this.ctx.errors.length < 20) this.ctx.errors.push(reason);
  }

  private metric(m: Obj, resource: Attributes, scope: MetricPoint['scope']): void {
    const name = typeof m.name === 'string' ? m.name : '';
    const unit = typeof m.unit === 'string' ? m.unit : '';
    const found = (['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const).find((k) => isObj(m[k]));
    if (!found) return; // a metric with no data carries no points to accept or reject
    const data = m[found] as Obj;
    const kind: MetricKind = found === 'exponentialHistogram' ? 'exponential_histogram' : found;
    const temporality = TEMPORALITY[String(data.aggregationTemporality ?? '')] ?? 'unspecified';
    for (const dp of list(data.dataPoints)) {
      if (!name) {
        this.reject('a metric has no name');
        continue;
      }
      if (!isObj(dp)) {
        this.reject(`metric ${JSON.stringify(name)}: a data point is not an object`);
        continue;
      }
      const timeNs = toNum(dp.timeUnixNano);
      if (timeNs === null || timeNs <= 0) {
        this.reject(`metric ${JSON.stringify(name)}: a data point has no time_unix_nano`);
        continue;
      }
      const point: MetricPoint = {
        name,
        unit,
        kind,
        temporality: kind === 'gauge' ? 'unspecified' : temporality,
        startUs: Math.floor((toNum(dp.startTimeUnixNano) ?? timeNs) / 1000),
        timeUs: Math.floor(timeNs / 1000),
        attributes: this.attrs(dp.attributes),
        resource,
        scope,
        value: toNum(dp.asDouble) ?? toNum(dp.asInt),
        count: toNum(dp.count),
        sum: toNum(dp.sum),
        min: toNum(dp.min),
        max: toNum(dp.max),
        bounds: [],
        bucketCounts: [],
      };
      if (kind === 'histogram') {
        point.bounds = list(dp.explicitBounds).map(toNum).filter((n): n is number => n !== null);
        point.bucketCounts = list(dp.bucketCounts).map((c) => toNum(c) ?? 0);
        if (point.bucketCounts.length > 0 && point.bucketCounts.length !== point.bounds.length + 1) {
          this.reject(`metric ${JSON.stringify(name)}: ${point.bucketCounts.length} bucket counts for ${point.bounds.length} bounds`);
          continue;
        }
      } else if (kind === 'exponential_histogram') {
        const pos = isObj(dp.positive) ? dp.positive : {};
        const counts = list(pos.bucketCounts).map((c) => toNum(c) ?? 0);
        const zero = toNum(dp.zeroCount) ?? 0;
        point.bounds = [0, ...exponentialBounds(toNum(dp.scale) ?? 0, toNum(pos.offset) ?? 0, counts.length)];
        point.bucketCounts = [zero, ...counts, 0];
      } else if ((kind === 'gauge' || kind === 'sum') && point.value === null) {
        this.reject(`metric ${JSON.stringify(name)}: a number data point has no value`);
        continue;
      }
      this.points.push(point);
    }
  }
}

/** Throws OtlpDecodeError when the body as a whole cannot be read. */
export function decodeMetrics(body: Uint8Array, encoding: OtlpEncoding): MetricsDecodeResult {
  let reader: Reader;
  if (encoding === 'protobuf') {
    let msg: unknown;
    try {
      msg = MetricsRequestType.decode(body);
    } catch (err) {
      throw new OtlpDecodeError(`invalid protobuf ExportMetricsServiceRequest: ${(err as Error).message}`);
    }
    const ctx = new DecodeContext();
    reader = new Reader((kvs) => pbAttributes(list(kvs) as PbKeyValue[], ctx));
    reader.read(msg);
  } else {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    } catch (err) {
      throw new OtlpDecodeError(`invalid JSON: ${(err as Error).message}`);
    }
    const ctx = new DecodeContext();
    reader = new Reader((kvs) => (kvs === undefined ? {} : jsonAttributes(kvs, ctx, undefined, ATTRIBUTE_VALUE_DEPTH)));
    reader.read(json);
  }
  return { points: reader.points, rejected: reader.rejected, errors: reader.ctx.errors, warnings: [] };
}
