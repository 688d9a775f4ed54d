// The panel controllers against the real headless collector (dist/cli.js serve), fed by the
// real OpenTelemetry SDK exporter: the outline, span detail on demand, patches on change events
// and the user's feedback, the contract the webviews are built on, end to end.
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/host/connection/api-client';
import { SseClient } from '../../../src/host/connection/event-stream';
import { DashboardController } from '../../../src/host/panels/dashboard-controller';
import type { WebviewLike } from '../../../src/host/panels/panel-controller';
import { TraceController } from '../../../src/host/panels/trace-controller';
import { buildWaterfall } from '../../../src/core/span-tree';
import type { AnnotationDto, SpanDetail } from '../../../src/protocol/api';
import { parseOutlineMessage } from '../../../src/protocol/webview';
import { OutlineStore } from '../../../webview/trace/outline';
import { startCli, type RunningCli } from '../../helpers/cli-process';
import { HOSTILE } from './fixtures';

let dir: string;
let cli: RunningCli;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-webview-'));
  cli = await startCli(['--db', path.join(dir, 'spyglass.db')]);
});

afterAll(async () => {
  await cli?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A webview that records what the host posts, applies outlines as the real webview does, and can ask. */
function recordingWebview(): WebviewLike & { posted: unknown[]; send(m: unknown): void; store: OutlineStore; ask<T>(method: string, params: unknown): Promise<T> } {
  const listeners = new Set<(m: unknown) => void>();
  const posted: unknown[] = [];
  const store = new OutlineStore();
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  const send = (m: unknown) => listeners.forEach((l) => l(m));
  return {
    posted,
    store,
    postMessage: (m) => {
      const copy = JSON.parse(JSON.stringify(m)) as { kind: string; method?: string; params?: unknown; id?: number; ok?: boolean; result?: unknown; error?: { message: string } };
      posted.push(copy);
      if (copy.kind === 'notification' && copy.method === 'didChangeOutline') store.apply(parseOutlineMessage(copy.params as { json: string })!);
      if (copy.kind === 'reply') {
        const w = waiting.get(copy.id!);
        waiting.delete(copy.id!);
        if (copy.ok) w?.resolve(copy.result);
        else w?.reject(new Error(copy.error!.message));
      }
      return Promise.resolve(true);
    },
    onDidReceiveMessage: (l) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    send,
    ask: <T>(method: string, params: unknown) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        send({ kind: 'request', id, method, params });
      }),
  };
}

async function until(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sends an agent trace (root, LLM call with hostile content, failing tool) and returns its id. */
async function sendAgentTrace(model: string, traceId?: string): Promise<string> {
  const randomHex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const provider = new BasicTracerProvider({
    idGenerator: { generateTraceId: () => traceId ?? randomHex(32), generateSpanId: () => randomHex(16) },
    resource: resourceFromAttributes({ 'service.name': 'webview-test' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${cli.base}/v1/traces` }))],
  });
  const tracer = provider.getTracer('webview-test');
  const root = tracer.startSpan(`agent ${HOSTILE}`);
  const parent = trace.setSpan(context.active(), root);
  const llm = tracer.startSpan(`chat ${model}`, {
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': model,
      'gen_ai.response.model': model,
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Hi ${HOSTILE}` }] }]),
      'gen_ai.output.messages': JSON.stringify([
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: { q: HOSTILE } }], finish_reason: 'tool_calls' },
      ]),
    },
  }, parent);
  llm.end();
  const tool = tracer.startSpan('execute_tool lookup', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' } }, parent);
  tool.setStatus({ code: SpanStatusCode.ERROR, message: `failed ${HOSTILE}` });
  tool.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

describe('panels against the real collector', () => {
  const api = () => new ApiClient(() => cli.httpPort);

  it('sends the outline of a trace the SDK sent, and its LLM call in full on request', async () => {
    const traceId = await sendAgentTrace('gpt-4o-mini');
    const webview = recordingWebview();
    const controller = new TraceController({ webview, api: api(), traceId, reloadDelayMs: 0 });
    webview.send({ kind: 'ready' });
    try {
      // the collector writes in batches: load until all three spans are stored
      for (const deadline = Date.now() + 10_000; Date.now() < deadline && webview.store.size < 3; ) {
        await controller.load();
        if (webview.store.size < 3) await new Promise((r) => setTimeout(r, 20));
      }
      expect(controller.state.status).toBe('ready');
      const spans = webview.store.spans();
      expect(spans).toHaveLength(3);
      const layout = buildWaterfall(spans);
      expect(layout.rows[0].span.name).toBe(`agent ${HOSTILE}`);
      expect(layout.rows.map((r) => r.depth)).toEqual([0, 1, 1]);
      const callRow = spans.find((s) => s.model !== null)!;
      expect(callRow).toMatchObject({ model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 200, category: 'llm' });
      expect(spans.find((s) => s.name === 'execute_tool lookup')!.status).toBe('error');
      const call = await webview.ask<SpanDetail>('spanDetail', { spanId: callRow.spanId });
      expect(call.llm!.requestModel).toBe('gpt-4o-mini');
      expect(call.llm!.inputMessages[0].parts[0]).toEqual({ type: 'text', content: `Hi ${HOSTILE}` });
      expect(call.llm!.outputMessages[0].parts[0]).toMatchObject({ type: 'tool_call', name: 'lookup' });
      expect(call.annotations).toEqual([]);
      // text only the detail has, found by the host
      expect(await webview.ask<{ spanIds: string[] }>('findText', { query: `hi ${HOSTILE}`.toUpperCase() })).toMatchObject({ spanIds: [callRow.spanId] });
    } finally {
      controller.dispose();
    }
  });

  it('shows a trace opened before it arrived, patches it, and shows a thumbs down without a reload', async () => {
    const traceId = '0123456789abcdef0123456789abcdef';
    const webview = recordingWebview();
    const controller = new TraceController({ webview, api: api(), traceId, reloadDelayMs: 0 });
    const events = new SseClient({ port: cli.httpPort, reconnect: true, onEvent: (e) => controller.onCollectorEvent(e) });
    try {
      expect((await controller.load()).status).toBe('not-found');
      webview.send({ kind: 'ready' });
      events.start();
      await until(() => events.connected, 10_000, 'event stream');
      await sendAgentTrace('gpt-4o', traceId);
      // no load() from here on: only the collector's change events bring the spans and the rating in
      await until(() => webview.store.size === 3, 10_000, 'live update');
      expect(controller.state.trace!.llmCallCount).toBe(1);
      const call = webview.store.spans().find((s) => s.model !== null)!;
      const outlines = () => (webview.posted.filter((m) => (m as { method?: string }).method === 'didChangeOutline') as { params: { json: string } }[]).map((m) => ({ params: parseOutlineMessage(m.params)! }));
      const before = outlines().length;
      const made = await webview.ask<AnnotationDto>('annotate', { spanId: call.spanId, annotation: { kind: 'feedback', label: 'down', explanation: 'wrong tool' }, replaces: [] });
      expect(made).toMatchObject({ kind: 'feedback', label: 'down', source: 'user', spanId: call.spanId });
      await until(() => (webview.store.get(call.spanId)?.annotationCounts?.feedback ?? 0) === 1, 10_000, 'the feedback patch');
      expect(outlines().slice(before).every((o) => o.params.partial)).toBe(true); // patched, never resent whole
      const detail = await webview.ask<SpanDetail>('spanDetail', { spanId: call.spanId });
      expect(detail.annotations.map((a) => [a.kind, a.label, a.explanation])).toEqual([['feedback', 'down', 'wrong tool']]);
      await until(() => controller.state.trace?.feedback.down === 1, 10_000, 'the trace counts the thumbs down');
    } finally {
      controller.dispose();
      events.close();
    }
  });

  it('feeds the dashboard from /api/stats and /api/dashboard/series, without the cost series it stands in for', async () => {
    await sendAgentTrace('gpt-4o-mini');
    const controller = new DashboardController({ webview: recordingWebview(), api: api(), range: '15m', reloadDelayMs: 0 });
    let s = await controller.load();
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && (s.stats?.calls ?? 0) < 1; ) {
      await new Promise((r) => setTimeout(r, 50));
      s = await controller.load();
    }
    controller.dispose();
    expect(s.status).toBe('ready');
    expect(s.seriesSource).toBe('api');
    expect(s.stats!.calls).toBeGreaterThanOrEqual(1);
    expect(s.stats!.byModel.map((m) => m.model)).toContain('gpt-4o-mini');
    expect(s.series).toBeNull();
    expect(s.charts!.bucketMs).toBe(60_000);
    expect(s.charts!.costBy.model.some((c) => c.key === 'gpt-4o-mini')).toBe(true);
    expect(s.charts!.totals.calls).toBe(s.stats!.calls);
    for (const b of s.charts!.buckets) {
      expect(b.start).toBeGreaterThanOrEqual(s.from);
      expect(b.end).toBeLessThanOrEqual(s.to);
    }
  });
});
