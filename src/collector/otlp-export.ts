// Stored spans back out as OTLP/JSON (ExportTraceServiceRequest), so a trace can be
// imported into any OTLP backend, or into another Spyglass; log records likewise
// (ExportLogsServiceRequest), for what the collector forwards.

import type { AttrValue, Attributes, IngestLogRecord, IngestSpan, InstrumentationScope } from '../core/model';

type AnyValueJson =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValueJson[] } }
  | { kvlistValue: { values: KeyValueJson[] } }
  | Record<string, never>;

interface KeyValueJson {
  key: string;
  value: AnyValueJson;
}

function anyValue(v: AttrValue): AnyValueJson {
  if (v === null) return {};
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { kvlistValue: { values: keyValues(v) } };
}

export function keyValues(attrs: Attributes): KeyValueJson[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

// Whole microseconds: a fractional one would not be an integer of nanoseconds.
const nanos = (us: number) => `${Math.round(us)}000`;

/** Items grouped by resource, then by scope, as exporters do. */
function byResourceAndScope<T extends { resource: Attributes; scope: InstrumentationScope }, J>(items: Iterable<T>, encode: (item: T) => J): Array<{ resource: Attributes; scopes: Array<{ scope: InstrumentationScope; items: J[] }> }> {
  const byResource = new Map<string, { resource: Attributes; scopes: Map<string, { scope: InstrumentationScope; items: J[] }> }>();
  for (const it of items) {
    const rKey = JSON.stringify(it.resource);
    let r = byResource.get(rKey);
    if (!r) byResource.set(rKey, (r = { resource: it.resource, scopes: new Map() }));
    const sKey = `${it.scope.name}@${it.scope.version ?? ''}`;
    let sc = r.scopes.get(sKey);
    if (!sc) r.scopes.set(sKey, (sc = { scope: it.scope, items: [] }));
    sc.items.push(encode(it));
  }
  return [...byResource.values()].map((r) => ({ resource: r.resource, scopes: [...r.scopes.values()] }));
}

const scopeJson = (scope: InstrumentationScope) => ({ name: scope.name, ...(scope.version ? { version: scope.version } : {}) });

export function toOtlpJson(spans: Iterable<IngestSpan>): { resourceSpans: unknown[] } {
  const grouped = byResourceAndScope(spans, (s) => ({
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: nanos(s.startUs),
    endTimeUnixNano: nanos(s.endUs),
    attributes: keyValues(s.attributes),
    events: s.events.map((e) => ({ timeUnixNano: nanos(e.timeUs), name: e.name, attributes: keyValues(e.attributes) })),
    links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: keyValues(l.attributes) })),
    status: { code: s.statusCode, ...(s.statusMessage ? { message: s.statusMessage } : {}) },
  }));
  return {
    resourceSpans: grouped.map((r) => ({
      resource: { attributes: keyValues(r.resource) },
      scopeSpans: r.scopes.map((sc) => ({ scope: scopeJson(sc.scope), spans: sc.items })),
    })),
  };
}

export function toOtlpLogsJson(logs: Iterable<IngestLogRecord>): { resourceLogs: unknown[] } {
  const grouped = byResourceAndScope(logs, (l) => ({
    timeUnixNano: nanos(l.timeUs),
    observedTimeUnixNano: nanos(l.observedTimeUs),
    ...(l.severityNumber ? { severityNumber: l.severityNumber } : {}),
    ...(l.severityText ? { severityText: l.severityText } : {}),
    ...(l.eventName ? { eventName: l.eventName } : {}),
    ...(l.traceId ? { traceId: l.traceId } : {}),
    ...(l.spanId ? { spanId: l.spanId } : {}),
    ...(l.body !== null ? { body: anyValue(l.body) } : {}),
    attributes: keyValues(l.attributes),
  }));
  return {
    resourceLogs: grouped.map((r) => ({
      resource: { attributes: keyValues(r.resource) },
      scopeLogs: r.scopes.map((sc) => ({ scope: scopeJson(sc.scope), logRecords: sc.items })),
    })),
  };
}
