// The real OpenTelemetry JS exporters (HTTP JSON, HTTP protobuf, gRPC; traces and logs; with and
// without gzip) sending to the real receivers on port 0. What the SDK made must arrive intact.

import { context, type HrTime, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, type ReadableLogRecord, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcServer, type RunningGrpcServer } from '../../src/capture/grpc-server';
import { type RunningHttpServer, startHttpServer } from '../../src/capture/http-server';
import { otlpHttpRoutes } from '../../src/capture/otlp';
import type { IngestSpan } from '../../src/core/model';
import { MemorySink } from '../helpers/memory-sink';

type Compression = NonNullable<NonNullable<ConstructorParameters<typeof JsonTraceExporter>[0]>['compression']>;
const GZIP = 'gzip' as Compression;

interface Exporter<T> {
  export(items: T[], done: (r: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
}

function exportAll<T>(exporter: Exporter<T>, items: T[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(items, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error(`export failed with code ${r.code}`))));
  });
}

const toUs = (t: HrTime): number => t[0] * 1_000_000 + Math.floor(t[1] / 1000);

const sink = new MemorySink();
let http: RunningHttpServer;
let grpc: RunningGrpcServer;
const contentEncodings: (string | undefined)[] = [];
let spans: ReadableSpan[];
let logs: ReadableLogRecord[];

beforeAll(async () => {
  // Record what the exporters put on the wire, then hand the request to the real route.
  const routes = otlpHttpRoutes(sink, { maxBodyBytes: 16 * 1024 * 1024 }).map((r) => ({
    ...r,
    handler: (ctx: Parameters<typeof r.handler>[0]) => {
      contentEncodings.push(ctx.req.headers['content-encoding']);
      return r.handler(ctx);
    },
  }));
  http = await startHttpServer({ port: 0, routes });
  grpc = await startGrpcServer({ port: 0, sink });

  const memory = new InMemorySpanExporter();
  const resource = resourceFromAttributes({ 'service.name': 'spyglass-it', 'deployment.environment': 'test' });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('it-tracer', '1.0.0');
  const memoryLogs = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: memoryLogs })] });
  const logger = loggerProvider.getLogger('it-logger', '2.0.0');

  const linked = tracer.startSpan('earlier');
  linked.end();
  tracer.startActiveSpan('agent run', { kind: SpanKind.SERVER, attributes: { 'gen_ai.agent.name': 'helper' } }, (root) => {
    const child = tracer.startSpan(
      'chat gpt-4o',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 12,
          'gen_ai.request.temperature': 0.7,
          'gen_ai.request.stream': false,
          'gen_ai.response.finish_reasons': ['stop', 'length'],
          'unicode': 'héllo ✓ 😀',
        },
        links: [{ context: linked.spanContext(), attributes: { 'link.kind': 'retry' } }],
      },
      context.active(),
    );
    child.addEvent('gen_ai.user.message', { content: 'What is 2+2?' });
    child.addEvent('gen_ai.choice', { index: 0, finish_reason: 'stop' });
    const ctx = trace.setSpan(context.active(), child);
    logger.emit({
      eventName: 'gen_ai.client.inference.operation.details',
      body: { content: 'four', nested: { n: 4 } },
      attributes: { 'gen_ai.provider.name': 'openai' },
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      context: ctx,
    });
    logger.emit({ body: 'no span here', attributes: { 'event.name': 'app.note' }, severityNumber: SeverityNumber.WARN });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
    child.end();
    root.end();
  });
  spans = memory.getFinishedSpans();
  await loggerProvider.forceFlush();
  await provider.forceFlush();
  logs = memoryLogs.getFinishedLogRecords();
  expect(spans).toHaveLength(3);
  expect(logs).toHaveLength(2);
});

afterAll(async () => {
  await Promise.all([http?.close(), grpc?.close()]);
});

function expectSpansArrived(received: IngestSpan[]): void {
  expect(received).toHaveLength(spans.length);
  for (const sent of spans) {
    const got = received.find((s) => s.spanId === sent.spanContext().spanId);
    expect(got, sent.name).toBeDefined();
    expect(got).toMatchObject({
      traceId: sent.spanContext().traceId,
      parentSpanId: sent.parentSpanContext?.spanId ?? null,
      name: sent.name,
      kind: sent.kind + 1, // the API counts from INTERNAL = 0, OTLP from UNSPECIFIED = 0
      startUs: toUs(sent.startTime),
      endUs: toUs(sent.endTime),
      statusCode: sent.status.code,
      statusMessage: sent.status.message ?? '',
      attributes: sent.attributes,
      scope: { name: 'it-tracer', version: '1.0.0' },
    });
    expect(got!.resource).toEqual({ 'service.name': 'spyglass-it', 'deployment.environment': 'test' });
    expect(got!.resource).toEqual(sent.resource.attributes);
    expect(got!.events).toEqual(sent.events.map((e) => ({ timeUs: toUs(e.time), name: e.name, attributes: e.attributes ?? {} })));
    expect(got!.links).toEqual(
      sent.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: l.attributes ?? {} })),
    );
  }
  const child = received.find((s) => s.name === 'chat gpt-4o')!;
  expect(child.attributes).toEqual({
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 12,
    'gen_ai.request.temperature': 0.7,
    'gen_ai.request.stream': false,
    'gen_ai.response.finish_reasons': ['stop', 'length'],
    unicode: 'héllo ✓ 😀',
  });
  expect(child.events.map((e) => e.name)).toEqual(['gen_ai.user.message', 'gen_ai.choice']);
  expect(child.statusCode).toBe(2);
}

function expectLogsArrived(): void {
  expect(sink.logs).toHaveLength(2);
  const child = spans.find((s) => s.name === 'chat gpt-4o')!;
  const [withSpan, without] = [...sink.logs].sort((a, b) => (a.traceId === null ? 1 : 0) - (b.traceId === null ? 1 : 0));
  expect(withSpan).toMatchObject({
    traceId: child.spanContext().traceId,
    spanId: child.spanContext().spanId,
    eventName: 'gen_ai.client.inference.operation.details',
    body: { content: 'four', nested: { n: 4 } },
    attributes: { 'gen_ai.provider.name': 'openai' },
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    scope: { name: 'it-logger', version: '2.0.0' },
    timeUs: toUs(logs[0]!.hrTime),
  });
  expect(withSpan!.resource).toEqual({ 'service.name': 'spyglass-it', 'deployment.environment': 'test' });
  expect(without).toMatchObject({ traceId: null, spanId: null, eventName: 'app.note', body: 'no span here', severityNumber: SeverityNumber.WARN });
}

const traceExporters: [string, () => Exporter<ReadableSpan>, string | undefined][] = [
  ['HTTP JSON', () => new JsonTraceExporter({ url: `http://127.0.0.1:${http.port}/v1/traces` }), undefined],
  ['HTTP JSON gzip', () => new JsonTraceExporter({ url: `http://127.0.0.1:${http.port}/v1/traces`, compression: GZIP }), 'gzip'],
  ['HTTP protobuf', () => new ProtoTraceExporter({ url: `http://127.0.0.1:${http.port}/v1/traces` }), undefined],
  ['HTTP protobuf gzip', () => new ProtoTraceExporter({ url: `http://127.0.0.1:${http.port}/v1/traces`, compression: GZIP }), 'gzip'],
  ['gRPC', () => new GrpcTraceExporter({ url: `http://127.0.0.1:${grpc.port}` }), undefined],
  ['gRPC gzip', () => new GrpcTraceExporter({ url: `http://127.0.0.1:${grpc.port}`, compression: GZIP }), undefined],
];

describe('trace exporters', () => {
  it.each(traceExporters)('%s delivers every span intact', async (name, make, encoding) => {
    sink.clear();
    contentEncodings.length = 0;
    const exporter = make();
    try {
      await exportAll(exporter, spans);
    } finally {
      await exporter.shutdown();
    }
    expectSpansArrived(sink.spans);
    if (!name.startsWith('gRPC')) expect(contentEncodings).toEqual([encoding]);
  });

  it('decodes the same spans identically whichever way they come', async () => {
    const seen: IngestSpan[][] = [];
    for (const [, make] of traceExporters) {
      sink.clear();
      const exporter = make();
      await exportAll(exporter, spans);
      await exporter.shutdown();
      seen.push([...sink.spans].sort((a, b) => a.spanId.localeCompare(b.spanId)));
    }
    for (const s of seen.slice(1)) expect(s).toEqual(seen[0]);
  });
});

const logExporters: [string, () => Exporter<ReadableLogRecord>][] = [
  ['HTTP JSON', () => new JsonLogExporter({ url: `http://127.0.0.1:${http.port}/v1/logs` })],
  ['HTTP JSON gzip', () => new JsonLogExporter({ url: `http://127.0.0.1:${http.port}/v1/logs`, compression: GZIP })],
  ['HTTP protobuf', () => new ProtoLogExporter({ url: `http://127.0.0.1:${http.port}/v1/logs` })],
  ['HTTP protobuf gzip', () => new ProtoLogExporter({ url: `http://127.0.0.1:${http.port}/v1/logs`, compression: GZIP })],
  ['gRPC', () => new GrpcLogExporter({ url: `http://127.0.0.1:${grpc.port}` })],
  ['gRPC gzip', () => new GrpcLogExporter({ url: `http://127.0.0.1:${grpc.port}`, compression: GZIP })],
];

describe('log exporters', () => {
  it.each(logExporters)('%s delivers log records with their span context', async (_name, make) => {
    sink.clear();
    const exporter = make();
    try {
      await exportAll(exporter, logs);
    } finally {
      await exporter.shutdown();
    }
    expectLogsArrived();
  });
});
