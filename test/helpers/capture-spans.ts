// Collects the spans and log records that real instrumentations produce, in process, and turns
// them into the canonical IngestSpan / IngestLogRecord model, as the OTLP path would: times become
// integer microseconds, SpanKind is shifted to OTLP numbering, nested log attribute values become
// plain objects, bytes become base64, undefined values are dropped.

import type { HrTime, Link, SpanContext } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AttrValue, Attributes, IngestLogRecord, IngestSpan, StatusCodeValue } from '../../src/core/model';

export interface SpanCapture {
  tracerProvider: BasicTracerProvider;
  loggerProvider: LoggerProvider;
  spans(): IngestSpan[];
  logs(): IngestLogRecord[];
  /** Log records tied to the given span (same trace and span id). */
  logsFor(span: IngestSpan): IngestLogRecord[];
  /** Resolves once `n` spans have ended (instrumentations end spans after the call resolves). */
  waitForSpans(n: number, timeoutMs?: number): Promise<IngestSpan[]>;
  reset(): void;
  shutdown(): Promise<void>;
}

function micros(t: HrTime): number {
  return t[0] * 1_000_000 + Math.floor(t[1] / 1000);
}

function toValue(v: unknown): AttrValue | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map((x) => toValue(x) ?? null);
  if (typeof v === 'object') return toAttributes(v as Record<string, unknown>);
  return String(v);
}

function toAttributes(a: Record<string, unknown> | undefined): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(a ?? {})) {
    const value = toValue(v);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

function toIngestSpan(s: ReadableSpan): IngestSpan {
  const ctx: SpanContext = s.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: s.parentSpanContext?.spanId ?? null,
    name: s.name,
    kind: s.kind + 1, // API INTERNAL=0 … ; OTLP UNSPECIFIED=0, INTERNAL=1 …
    startUs: micros(s.startTime),
    endUs: micros(s.endTime),
    statusCode: s.status.code as StatusCodeValue,
    statusMessage: s.status.message ?? '',
    attributes: toAttributes(s.attributes),
    events: s.events.map((e) => ({ name: e.name, timeUs: micros(e.time), attributes: toAttributes(e.attributes) })),
    links: s.links.map((l: Link) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: toAttributes(l.attributes) })),
    resource: toAttributes(s.resource.attributes),
    scope: { name: s.instrumentationScope.name, ...(s.instrumentationScope.version ? { version: s.instrumentationScope.version } : {}) },
  };
}

function toIngestLog(r: ReadableLogRecord): IngestLogRecord {
  const attributes = toAttributes(r.attributes as Record<string, unknown>);
  const eventAttr = attributes['event.name'];
  return {
    timeUs: micros(r.hrTime),
    observedTimeUs: micros(r.hrTimeObserved),
    traceId: r.spanContext?.traceId ?? null,
    spanId: r.spanContext?.spanId ?? null,
    severityNumber: r.severityNumber ?? 0,
    severityText: r.severityText ?? '',
    eventName: r.eventName ?? (typeof eventAttr === 'string' ? eventAttr : null),
    body: toValue(r.body) ?? null,
    attributes,
    resource: toAttributes(r.resource.attributes),
    scope: { name: r.instrumentationScope.name, ...(r.instrumentationScope.version ? { version: r.instrumentationScope.version } : {}) },
  };
}

export function captureSpans(): SpanCapture {
  const spanExporter = new InMemorySpanExporter();
  const logExporter = new InMemoryLogRecordExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
  const logs = (): IngestLogRecord[] => logExporter.getFinishedLogRecords().map(toIngestLog);
  return {
    tracerProvider,
    loggerProvider,
    spans: () => spanExporter.getFinishedSpans().map(toIngestSpan),
    logs,
    logsFor: (span) => logs().filter((l) => l.traceId === span.traceId && l.spanId === span.spanId),
    waitForSpans: async (n, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (spanExporter.getFinishedSpans().length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} spans, have ${spanExporter.getFinishedSpans().length} after ${timeoutMs} ms`);
        await new Promise((r) => setImmediate(r));
      }
      return spanExporter.getFinishedSpans().map(toIngestSpan);
    },
    reset: () => {
      spanExporter.reset();
      logExporter.reset();
    },
    shutdown: async () => {
      await tracerProvider.shutdown();
      await loggerProvider.shutdown();
    },
  };
}
