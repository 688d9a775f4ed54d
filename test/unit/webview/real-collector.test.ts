// The panel controllers against the real headless collector (dist/cli.js serve), fed by the
// real OpenTelemetry SDK exporter: the contract the webviews are built on, end to end.
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/host/webview/api-client';
import { DashboardController } from '../../../src/host/webview/dashboard-controller';
import { CollectorEvents } from '../../../src/host/webview/event-stream';
import type { WebviewLike } from '../../../src/host/webview/panel-controller';
import { TraceController } from '../../../src/host/webview/trace-controller';
import { buildWaterfall } from '../../../src/core/span-tree';
import type { TracePanelState } from '../../../src/protocol/webview';
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

/** A webview that only records what the host posts. */
function recordingWebview(): WebviewLike & { posted: unknown[]; send(m: unknown): void } {
  const listeners = new Set<(m: unknown) => void>();
  const posted: unknown[] = [];
  return {
    posted,
    postMessage: (m) => {
      posted.push(JSON.parse(JSON.stringify(m)));
      return Promise.resolve(true);
    },
    onDidReceiveMessage: (l) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    send: (m) => listeners.forEach((l) => l(m)),
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
  it('loads a trace the SDK sent, with its LLM call in the canonical shape', async () => {
    const traceId = await sendAgentTrace('gpt-4o-mini');
    const webview = recordingWebview();
    const controller = new TraceController({ webview, api: new ApiClient(() => cli.base), traceId, reloadDelayMs: 0 });
    let state: TracePanelState = controller.state;
    // the collector writes in batches: poll until all three spans are stored
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      state = await controller.load();
      if (state.detail?.spans.length === 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.dispose();
    expect(state.status).toBe('ready');
    const spans = state.detail!.spans;
    expect(spans).toHaveLength(3);
    const layout = buildWaterfall(spans);
    expect(layout.rows[0].span.name).toBe(`agent ${HOSTILE}`);
    expect(layout.rows.map((r) => r.depth)).toEqual([0, 1, 1]);
    const call = spans.find((s) => s.llm)!;
    expect(call.llm!.requestModel).toBe('gpt-4o-mini');
    expect(call.llm!.inputTokens).toBe(1000);
    expect(call.llm!.inputMessages[0].parts[0]).toEqual({ type: 'text', content: `Hi ${HOSTILE}` });
    expect(call.llm!.outputMessages[0].parts[0]).toMatchObject({ type: 'tool_call', name: 'lookup' });
    expect(spans.find((s) => s.name === 'execute_tool lookup')!.status).toBe('error');
  });

  it('shows a trace opened before it arrived as soon as the collector reports it', async () => {
    const traceId = '0123456789abcdef0123456789abcdef';
    const webview = recordingWebview();
    const controller = new TraceController({ webview, api: new ApiClient(() => cli.base), traceId, reloadDelayMs: 0 });
    let connected = false;
    const events = new CollectorEvents({
      getBase: () => cli.base,
      onEvent: (e) => controller.onCollectorEvent(e),
      onConnected: () => (connected = true),
      retryMs: 50,
    });
    try {
      expect((await controller.load()).status).toBe('not-found');
      webview.send({ kind: 'ready' });
      events.start();
      await until(() => connected, 10_000, 'event stream');
      await sendAgentTrace('gpt-4o', traceId);
      // no load() from here on: only the collector's change event can bring the spans in
      await until(() => controller.state.detail?.spans.length === 3, 10_000, 'live update');
      const pushed = webview.posted.filter((m) => (m as { method?: string }).method === 'didChangeState') as { params: TracePanelState }[];
      expect(pushed.at(-1)!.params.status).toBe('ready');
      expect(pushed.at(-1)!.params.detail!.trace.llmCallCount).toBe(1);
    } finally {
      controller.dispose();
      await events.stop();
    }
  });

  it('feeds the dashboard from /api/stats and /api/stats/series', async () => {
    await sendAgentTrace('gpt-4o-mini');
    const controller = new DashboardController({ webview: recordingWebview(), api: new ApiClient(() => cli.base), range: '15m', reloadDelayMs: 0 });
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
    expect(s.series!.bucketMs).toBe(60_000);
    expect(s.series!.points.some((p) => p.model === 'gpt-4o-mini' && p.calls >= 1)).toBe(true);
    for (const p of s.series!.points) {
      expect(p.bucketStart).toBeGreaterThanOrEqual(s.from - s.bucketMs);
      expect(p.bucketStart).toBeLessThan(s.to);
    }
  });
});
