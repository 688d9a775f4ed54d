// The annotation layer end to end, as an app and the extension use it: the real OpenTelemetry JS
// SDK exports an LLM call carrying an evaluation event, and evaluation and guardrail results as
// log records before and after their span; the JSON API then serves the light outline, patches
// since a revision, the span in full with its annotations, users' feedback (added, replaced,
// filtered on, removed) and the `annotations-changed` events, over real HTTP on 127.0.0.1.
import { context, trace } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../src/collector/collector';
import type {
  AnnotationDto, AnnotationPage, ApiError, CollectorEvent, SpanDetail, TodaySummaryDto, TraceListPage, TraceOutline,
} from '../../src/protocol/api';
import { EventListener } from '../helpers/collector-events';

let dir: string;
let collector: Collector;
let base: string;
let events: EventListener;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-annotations-api-'));
  collector = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: path.join(dir, 'spyglass.db') });
  base = `http://127.0.0.1:${collector.httpPort}`;
  events = await EventListener.open(collector.httpPort);
});

afterAll(async () => {
  events?.close();
  await collector?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function get<T>(p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(base + p);
  return { status: res.status, body: (await res.json()) as T };
}

async function send<T>(method: string, p: string, body?: unknown, type = 'application/json'): Promise<{ status: number; body: T | null }> {
  const res = await fetch(base + p, { method, headers: body === undefined ? {} : { 'content-type': type }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as T) : null };
}

/** An app with the real SDK: a traced LLM call and its evaluation, sent over OTLP/HTTP. */
function app() {
  const resource = resourceFromAttributes({ 'service.name': 'rag-app' });
  const tracerProvider = new BasicTracerProvider({
    resource, spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }))],
  });
  const loggerProvider = new LoggerProvider({
    resource, processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${base}/v1/logs` }) })],
  });
  return {
    tracer: tracerProvider.getTracer('rag-app'),
    logger: loggerProvider.getLogger('evaluator'),
    flush: () => Promise.all([tracerProvider.forceFlush(), loggerProvider.forceFlush()]),
    shutdown: () => Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()]),
  };
}

const isAnnotated = (traceId: string) => (e: CollectorEvent): e is Extract<CollectorEvent, { type: 'annotations-changed' }> =>
  e.type === 'annotations-changed' && e.traceIds.includes(traceId);

describe('annotations through the JSON API', () => {
  let traceId: string;
  let callSpanId: string;
  let rootSpanId: string;

  beforeAll(async () => {
    const { tracer, logger, flush, shutdown } = app();
    const root = tracer.startSpan('answer question');
    const ctx = trace.setSpan(context.active(), root);
    const call = tracer.startSpan('chat gpt-4o-mini', {
      attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 30,
      },
    }, ctx);
    traceId = root.spanContext().traceId;
    rootSpanId = root.spanContext().spanId;
    callSpanId = call.spanContext().spanId;
    const callCtx = trace.setSpan(context.active(), call);
    // An evaluation that reaches the collector before its span…
    logger.emit({
      eventName: 'gen_ai.evaluation.result', context: callCtx,
      attributes: { 'gen_ai.evaluation.name': 'Groundedness', 'gen_ai.evaluation.score.value': 0.25, 'gen_ai.evaluation.score.label': 'ungrounded' },
      body: { 'gen_ai.evaluation.explanation': 'the cited page does not say this' },
    });
    await flush();
    call.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'Relevance', 'gen_ai.evaluation.score.value': 4, 'gen_ai.evaluation.score.label': 'relevant' });
    call.end();
    root.end();
    await flush();
    // …and a guardrail result after it.
    logger.emit({
      eventName: 'gen_ai.guardrail.result', context: callCtx,
      attributes: { 'gen_ai.guardrail.component.name': 'azure-content-safety', 'gen_ai.guardrail.result.type': 'severity', 'gen_ai.guardrail.result.value': '4', 'gen_ai.guardrail.risk.category': 'Hate', 'gen_ai.guardrail.risk.score': 4 },
    });
    await flush();
    await shutdown();
    await events.waitFor(isAnnotated(traceId));
  });

  it('serves the light outline with annotation counts, and the span in full with its annotations', async () => {
    const { status, body: outline } = await get<TraceOutline>(`/api/traces/${traceId}/outline`);
    expect(status).toBe(200);
    expect(outline.partial).toBe(false);
    expect([...outline.spanId].sort()).toEqual([rootSpanId, callSpanId].sort());
    const i = outline.spanId.indexOf(callSpanId);
    expect(outline.strings[outline.model[i]!]).toBe('gpt-4o-mini');
    expect(outline.inputTokens[i]).toBe(120);
    expect(outline.annotationCounts[i]).toEqual({ evaluation: 2, guardrail: 1 });
    expect(outline.trace).toMatchObject({ traceId, annotationCounts: { evaluation: 2, guardrail: 1 }, feedback: { up: 0, down: 0 } });
    expect(JSON.stringify(outline)).not.toContain('gen_ai.evaluation');

    const { body: span } = await get<SpanDetail>(`/api/traces/${traceId}/spans/${callSpanId}`);
    expect(span.llm).toMatchObject({ requestModel: 'gpt-4o-mini', revision: 0 });
    expect(span.annotations.map((a) => [a.kind, a.name, a.label, a.score, a.source]).sort()).toEqual([
      ['evaluation', 'Groundedness', 'ungrounded', 0.25, 'instrumentation'],
      ['evaluation', 'Relevance', 'relevant', 4, 'instrumentation'],
      ['guardrail', 'azure-content-safety', '4', 4, 'instrumentation'],
    ]);
    expect(span.annotations.find((a) => a.name === 'Groundedness')!.explanation).toBe('the cited page does not say this');
    expect(span.annotations.find((a) => a.kind === 'guardrail')!.attributes).toMatchObject({ category: 'Hate', resultType: 'severity' });

    const today = await get<TodaySummaryDto>('/api/summary/today');
    expect(today.body.guardrailHits).toBeGreaterThanOrEqual(1);
    const listed = await get<AnnotationPage>(`/api/annotations?kind=evaluation&traceId=${traceId}`);
    expect(listed.body.annotations.map((a) => a.name).sort()).toEqual(['Groundedness', 'Relevance']);
  });

  it('takes a user\'s feedback, replaces it, patches the outline and the trace list, and removes it', async () => {
    const { body: before } = await get<TraceOutline>(`/api/traces/${traceId}/outline`);
    const up = await send<AnnotationDto>('POST', `/api/traces/${traceId}/spans/${callSpanId}/annotations`, { kind: 'feedback', label: 'up' });
    expect(up.status).toBe(201);
    const down = await send<AnnotationDto>('POST', `/api/traces/${traceId}/spans/${callSpanId}/annotations`, { kind: 'feedback', label: 'down', explanation: 'made up a source' });
    expect(down.status).toBe(201);
    expect(down.body).toMatchObject({ traceId, spanId: callSpanId, kind: 'feedback', name: 'thumbs', label: 'down', explanation: 'made up a source', source: 'user', callRevision: 0 });
    await events.waitFor((e) => e.type === 'annotations-changed' && e.traceIds.includes(traceId) && e.at >= down.body!.createdAt - 1000);

    const { body: patch } = await get<TraceOutline>(`/api/traces/${traceId}/outline?since=${before.revision}`);
    expect(patch).toMatchObject({ partial: true, spanId: [callSpanId], annotationCounts: [{ evaluation: 2, guardrail: 1, feedback: 1 }] });
    expect(patch.revision).toBeGreaterThan(before.revision);
    expect(patch.trace.feedback).toEqual({ up: 0, down: 1 });

    const downList = await get<TraceListPage>('/api/traces?feedback=down');
    expect(downList.body.traces.map((t) => t.traceId)).toEqual([traceId]);
    expect((await get<TraceListPage>('/api/traces?feedback=up')).body.traces).toEqual([]);

    const onTrace = await send<AnnotationDto>('POST', `/api/traces/${traceId}/annotations`, { kind: 'note', explanation: 'regression candidate' });
    expect(onTrace.status).toBe(201);
    expect((await get<TraceOutline>(`/api/traces/${traceId}/outline?since=${patch.revision}`)).body.annotations!.map((a) => a.explanation))
      .toEqual(['regression candidate']);

    expect((await send('DELETE', `/api/annotations/${down.body!.id}`)).status).toBe(204);
    const { body: span } = await get<SpanDetail>(`/api/traces/${traceId}/spans/${callSpanId}`);
    expect(span.annotations.filter((a) => a.source === 'user')).toEqual([]);
    expect((await get<TraceListPage>('/api/traces?feedback=down')).body.traces).toEqual([]);
  });

  it('refuses what it cannot take, with a reason, and changes nothing', async () => {
    const count = async () => (await get<AnnotationPage>(`/api/annotations?traceId=${traceId}`)).body.annotations.length;
    const n = await count();
    const cases: [string, string, unknown, string | undefined, number][] = [
      ['POST', `/api/traces/${traceId}/spans/${callSpanId}/annotations`, { kind: 'feedback', label: 'meh' }, undefined, 400],
      ['POST', `/api/traces/${traceId}/spans/${callSpanId}/annotations`, { kind: 'guardrail', label: 'x' }, undefined, 400],
      ['POST', `/api/traces/${traceId}/spans/${callSpanId}/annotations`, { kind: 'note' }, undefined, 400],
      ['POST', `/api/traces/${traceId}/spans/${callSpanId}/annotations`, { kind: 'feedback', label: 'up' }, 'text/plain', 415],
      ['POST', `/api/traces/${traceId}/spans/${callSpanId}/annotations`, { kind: 'feedback', label: 'up' }, 'application/x-www-form-urlencoded', 415],
      ['POST', `/api/traces/${traceId}/spans/ffffffffffffffff/annotations`, { kind: 'feedback', label: 'up' }, undefined, 404],
      ['POST', `/api/traces/nothex/spans/${callSpanId}/annotations`, { kind: 'feedback', label: 'up' }, undefined, 400],
      ['DELETE', '/api/annotations/999999', undefined, undefined, 404],
      ['DELETE', '/api/annotations/abc', undefined, undefined, 400],
    ];
    for (const [method, p, body, type, status] of cases) {
      const res = await send<ApiError>(method, p, body, type);
      expect(res.status, `${method} ${p} ${JSON.stringify(body)}`).toBe(status);
      expect(res.body!.error).toEqual(expect.any(String));
    }
    const broken = await fetch(`${base}/api/traces/${traceId}/annotations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: 'invalid JSON' });
    // An instrumentation's annotation is not the user's to remove.
    const theirs = (await get<AnnotationPage>(`/api/annotations?source=instrumentation&traceId=${traceId}`)).body.annotations[0]!;
    const refused = await send<ApiError>('DELETE', `/api/annotations/${theirs.id}`);
    expect(refused.status).toBe(403);
    expect(await count()).toBe(n);
    for (const bad of ['/api/traces?feedback=sideways', `/api/traces/${traceId}/outline?since=-1`, '/api/annotations?cursor=zz', '/api/annotations?traceId=12']) {
      expect((await get<ApiError>(bad)).status, bad).toBe(400);
    }
    expect((await get<ApiError>('/api/traces/0123456789abcdef0123456789abcdef/outline')).status).toBe(404);
  });
});
