// The post-capture analysis runner in a real collector, with its real worker thread: calls sent
// by the OpenTelemetry SDK are analysed after they are stored (the guardrails' truncation rule), a call
// that late log records read anew is analysed again on its new revision, the cursor survives a
// restart (nothing analysed twice, calls stored while it was down are picked up), and a changed
// analysis version re-runs over stored calls on request.
import { context, trace } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/collector/analyzer';
import { STATE_KEY } from '../../src/collector/analysis-runner';
import { Collector } from '../../src/collector/collector';
import type { AnalysesDto, ApiError, SpanDetail } from '../../src/protocol/api';
import { Store } from '../../src/store/store';
import { span as makeSpan } from '../helpers/spans';
import { analysed } from '../helpers/analyses-settled';

let dir: string;
let dbPath: string;
let collector: Collector;
let base: string;
const ports = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
let portsBefore = 0;

async function start(): Promise<void> {
  collector = await Collector.start({ httpPort: 0, grpcPort: null, dbPath });
  base = `http://127.0.0.1:${collector.httpPort}`;
}

beforeAll(async () => {
  portsBefore = ports();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-runner-'));
  dbPath = path.join(dir, 'spyglass.db');
  await start();
});

afterAll(async () => {
  await collector?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const getJson = async <T>(p: string): Promise<T> => (await (await fetch(base + p)).json()) as T;

const ruleAnnotations = async (traceId: string, spanId: string) =>
  (await getJson<SpanDetail>(`/api/traces/${traceId}/spans/${spanId}`)).annotations.filter((a) => a.source === 'rule:guardrails' && a.label === 'truncation');

function sdk() {
  const resource = resourceFromAttributes({ 'service.name': 'summariser' });
  const tp = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }))] });
  const lp = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${base}/v1/logs` }) })] });
  return {
    tracer: tp.getTracer('openai-v2'), logger: lp.getLogger('openai-v2'),
    flush: () => Promise.all([tp.forceFlush(), lp.forceFlush()]), done: () => Promise.all([tp.shutdown(), lp.shutdown()]),
  };
}

describe('the analysis runner', () => {
  let cut: { traceId: string; spanId: string };
  let late: { traceId: string; spanId: string };

  it('analyses calls after they are stored, and a call read anew on its new revision', async () => {
    const { tracer, logger, flush, done } = sdk();
    const chat = (finish: string[] | null, tokens: number) => {
      const s = tracer.startSpan('chat gpt-4o-mini', { attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.request.max_tokens': 64,
        'gen_ai.usage.input_tokens': 900, 'gen_ai.usage.output_tokens': tokens, ...(finish ? { 'gen_ai.response.finish_reasons': finish } : {}),
      } });
      s.end();
      return s;
    };
    const a = chat(['length'], 64);
    const b = chat(null, 40);
    const c = chat(['stop'], 12);
    cut = { traceId: a.spanContext().traceId, spanId: a.spanContext().spanId };
    late = { traceId: b.spanContext().traceId, spanId: b.spanContext().spanId };
    await flush();
    await analysed(collector, 20_000);
    const [hit] = await ruleAnnotations(cut.traceId, cut.spanId);
    expect(hit).toMatchObject({ kind: 'guardrail', name: 'truncation.length', label: 'truncation', callRevision: 0, attributes: { category: 'truncation', rule: 'truncation.length' } });
    expect(await ruleAnnotations(late.traceId, late.spanId)).toEqual([]);
    expect(await ruleAnnotations(c.spanContext().traceId, c.spanContext().spanId)).toEqual([]);

    // The content arrives later as a log record (as openai-v2 sends it): the answer was cut off.
    logger.emit({
      eventName: 'gen_ai.choice', context: trace.setSpan(context.active(), b),
      body: { index: 0, finish_reason: 'length', message: { role: 'assistant', content: 'The report covers three areas: first' } },
    });
    await done();
    await analysed(collector, 20_000);
    const detail = await getJson<SpanDetail>(`/api/traces/${late.traceId}/spans/${late.spanId}`);
    expect(detail.llm!.revision).toBe(1);
    expect(await ruleAnnotations(late.traceId, late.spanId)).toEqual([
      expect.objectContaining({ name: 'truncation.length', callRevision: 1, location: expect.objectContaining({ side: 'output', messageIndex: 0 }) }),
    ]);
  });

  it('resumes after a restart where it stopped, and picks up calls stored while it was down', async () => {
    await collector.stop();
    // Another process (an import) stores a call while the collector is down.
    const { analyzer } = createAnalyzer([]);
    const offline = new Store(dbPath, analyzer);
    const s = makeSpan({ name: 'chat claude', startUs: Date.now() * 1000, attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1024, 'gen_ai.response.finish_reasons': ['max_tokens'],
    } });
    offline.writer.write([{ spans: [s], logs: [] }]);
    offline.close();
    await start();
    await analysed(collector, 20_000);
    // Only the one new call was read: the others were analysed before the restart.
    expect(collector.analysisRunner!.callsAnalysed).toBe(1);
    expect(await ruleAnnotations(s.traceId, s.spanId)).toEqual([expect.objectContaining({ name: 'truncation.length' })]);
  });

  it('marks a changed analysis version stale and analyses stored calls again on request', async () => {
    const before = await ruleAnnotations(cut.traceId, cut.spanId);
    await collector.stop();
    // As if the stored results came from an older version of the analysis.
    const store = new Store(dbPath, null);
    const state = JSON.parse(store.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(STATE_KEY) as string);
    const current = state.guardrails.version;
    state.guardrails.version = 0;
    store.db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(JSON.stringify(state), STATE_KEY);
    store.close();
    await start();
    await analysed(collector, 20_000);
    expect((await getJson<AnalysesDto>('/api/analyses')).analyses).toEqual([
      expect.objectContaining({ name: 'guardrails', version: current, pending: 0, stale: true }),
    ]);
    const res = await fetch(`${base}/api/analyses/rerun`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(202);
    await analysed(collector, 20_000);
    expect((await getJson<AnalysesDto>('/api/analyses')).analyses[0]).toMatchObject({ stale: false, pending: 0 });
    expect(collector.analysisRunner!.callsAnalysed).toBe(4);
    const after = await ruleAnnotations(cut.traceId, cut.spanId);
    // The same finding, made again: one annotation, not two.
    expect(after).toHaveLength(1);
    expect(after[0]!.id).not.toBe(before[0]!.id);
    expect(after[0]!.label).toBe(before[0]!.label);

    const unknown = await fetch(`${base}/api/analyses/rerun`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"nope"}' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ApiError).error).toBe('no such analysis');
    const form = await fetch(`${base}/api/analyses/rerun`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=guardrails' });
    expect(form.status).toBe(415);
  });

  it('keeps no worker thread holding the process open, running or stopped (a CLI must be able to exit)', async () => {
    // The preparing, checkpoint and analysis threads are running now, and none of them counts as a reason to stay alive.
    expect(ports()).toBeLessThanOrEqual(portsBefore);
    await collector.stop();
    expect(ports()).toBeLessThanOrEqual(portsBefore);
    await start();
  });
});
