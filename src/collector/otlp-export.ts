// Stored spans back out as OTLP/JSON (ExportTraceServiceRequest), so a trace can be
// imported into any OTLP backend, or into another Spyglass.

import type { AttrValue, Attributes, IngestSpan } from '../core/model';

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

const nanos = (us: number) => `${us}000`;

export function toOtlpJson(spans: Iterable<IngestSpan>): { resourceSpans: unknown[] } {
  // Group by resource, then by scope, as exporters do.
  const byResource = new Map<string, { resource: Attributes; scopes: Map<string, { scope: IngestSpan['scope']; spans: unknown[] }> }>();
  for (const s of spans) {
    const rKey = JSON.stringify(s.resource);
    let r = byResource.get(rKey);
    if (!r) byResource.set(rKey, (r = { resource: s.resource, scopes: new Map() }));
    const sKey = `${s.scope.name}@${s.scope.version ?? ''}`;
    let sc = r.scopes.get(sKey);
    if (!sc) r.scopes.set(sKey, (sc = { scope: s.scope, spans: [] }));
    sc.spans.push({
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
    });
  }
  return {
    resourceSpans: [...byResource.values()].map((r) => ({
      resource: { attributes: keyValues(r.resource) },
      scopeSpans: [...r.scopes.values()].map((sc) => ({
        scope: { name: sc.scope.name, ...(sc.scope.version ? { version: sc.scope.version } : {}) },
        spans: sc.spans,
      })),
    })),
  };
}
