// The headless collector as a user runs it: `dist/cli.js serve`, fed by the real OpenTelemetry
// SDK exporters (HTTP protobuf, HTTP JSON, gRPC), read back through the JSON API.
import { context, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pricedCall } from '../../src/core/pricing';
import type { CollectorEvent, StatsDto, TraceDetail, TraceListPage } from '../../src/protocol/api';
import { CLI, getJson, startCli, type RunningCli } from '../helpers/cli-process';

let dir: string;
let cli: RunningCli;
let dbPath: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-cli-'));
  dbPath = path.join(dir, 'spyglass.db');
  cli = await startCli(['--db', dbPath]);
});

afterAll(async () => {
  await cli?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function sendTrace(exporter: SpanExporter, service: string, model: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer: Tracer = provider.getTracer('collector-cli-test');
  let traceId = '';
  {
    const root = tracer.startSpan('answer question');
    traceId = root.spanContext().traceId;
    // No context manager is registered in this test, so the parent is passed explicitly.
    const parent = trace.setSpan(context.active(), root);
    const llm = tracer.startSpan(`chat ${model}`, {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': model,
        'gen_ai.response.model': model,
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `What is the capital of France? (${service})` }] }]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: 'Paris.' }], finish_reason: 'stop' },
        ]),
      },
    }, parent);
    llm.end();
    const tool = tracer.startSpan('execute_tool lookup', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' } }, parent);
    tool.setStatus({ code: SpanStatusCode.ERROR, message: 'lookup failed' });
    tool.end();
    root.end();
  }
  await provider.forceFlush();
  await provider.shutdown();
  return traceId;
}

describe('headless collector (dist/cli.js serve)', () => {
  const traces: Record<string, string> = {};

  it('stores traces from the SDK exporters over HTTP protobuf, HTTP JSON and gRPC', async () => {
    traces.proto = await sendTrace(new ProtoExporter({ url: `${cli.base}/v1/traces` }), 'svc-proto', 'gpt-4o');
    traces.json = await sendTrace(new JsonExporter({ url: `${cli.base}/v1/traces` }), 'svc-json', 'gpt-4o-mini');
    traces.grpc = await sendTrace(new GrpcExporter({ url: `http://127.0.0.1:${cli.grpcPort}` }), 'svc-grpc', 'gpt-4o');
    // Answers are sent only after the data is committed, so it is readable right away.
    const page = await getJson<TraceListPage>(`${cli.base}/api/traces`);
    expect(page.traces.map((t) => t.traceId).sort()).toEqual(Object.values(traces).sort());
    for (const t of page.traces) {
      expect(t).toMatchObject({ spanCount: 3, llmCallCount: 1, inputTokens: 1200, outputTokens: 300, status: 'error', rootName: 'answer question' });
    }
  });

  it('returns the normalized LLM call with tokens, messages and the table price', async () => {
    const detail = await getJson<TraceDetail>(`${cli.base}/api/traces/${traces.proto}`);
    const llm = detail.spans.find((s) => s.llm)!;
    expect(llm.category).toBe('llm');
    expect(llm.llm).toMatchObject({
      provider: 'openai',
      requestModel: 'gpt-4o',
      inputTokens: 1200,
      outputTokens: 300,
      finishReasons: ['stop'],
      inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'What is the capital of France? (svc-proto)' }] }],
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Paris.' }] }],
      costEstimated: false,
    });
    const expected = pricedCall({ ...llm.llm!, convention: 'genai' } as never).costUsd!;
    expect(expected).toBeGreaterThan(0);
    expect(llm.llm!.costUsd).toBeCloseTo(expected, 12);
    expect(detail.trace.costUsd).toBeCloseTo(expected, 12);
    const tool = detail.spans.find((s) => s.name === 'execute_tool lookup')!;
    expect(tool).toMatchObject({ category: 'tool', status: 'error', statusMessage: 'lookup failed', llm: null });
    expect(tool.parentSpanId).toBe(detail.spans.find((s) => s.name === 'answer question')!.spanId);
  });

  it('filters the trace list by service, model and text', async () => {
    const ids = async (q: string) => (await getJson<TraceListPage>(`${cli.base}/api/traces?${q}`)).traces.map((t) => t.traceId);
    expect(await ids('service=svc-json')).toEqual([traces.json]);
    expect((await ids('model=gpt-4o')).sort()).toEqual([traces.proto, traces.grpc].sort());
    expect(await ids('text=capital%20svc-grpc')).toEqual([traces.grpc]);
    expect(await ids('text=nothing-like-this')).toEqual([]);
    const bad = await fetch(`${cli.base}/api/traces?limit=abc`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid limit' });
  });

  it('stores a re-delivered export once', async () => {
    const body = JSON.stringify({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'retry-app' } }] },
        scopeSpans: [{ scope: { name: 'manual' }, spans: [{
          traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'retried',
          kind: 1, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000500000000',
        }] }],
      }],
    });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${cli.base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(200);
    }
    const detail = await getJson<TraceDetail>(`${cli.base}/api/traces/5b8efff798038103d269b633813fc60c`);
    expect(detail.trace.spanCount).toBe(1);
    expect(detail.spans).toHaveLength(1);
  });

  it('aggregates stats and exposes Prometheus metrics', async () => {
    const stats = await getJson<StatsDto>(`${cli.base}/api/stats`);
    expect(stats.calls).toBe(3);
    expect(stats.inputTokens).toBe(3600);
    expect(stats.byModel.map((m) => m.model).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(stats.latencyMs.p50).not.toBeNull();
    const metrics = await (await fetch(`${cli.base}/metrics`)).text();
    const gpt4oCalls = metrics
      .split('\n')
      .filter((l) => l.startsWith('spyglass_llm_calls_total{') && l.includes('model="gpt-4o"'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    expect(gpt4oCalls).toBe(2);
    expect(metrics).toContain('spyglass_llm_call_duration_seconds_bucket');
    expect(metrics).not.toContain(traces.proto);
  });

  it('streams change events to a live view', async () => {
    // A collector of its own: no earlier write may still have an event on its way.
    const live = await startCli(['--db', path.join(dir, 'live.db')]);
    const ctrl = new AbortController();
    const res = await fetch(`${live.base}/api/events`, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    const events: CollectorEvent[] = [];
    let buffer = '';
    const next = async (): Promise<CollectorEvent> => {
      for (;;) {
        const idx = buffer.indexOf('\n\n');
        if (idx >= 0) {
          const chunk = buffer.slice(0, idx);
          buffer = buffer.slice(idx + 2);
          return JSON.parse(chunk.replace(/^data: /, '')) as CollectorEvent;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('event stream ended');
        buffer += new TextDecoder().decode(value);
      }
    };
    events.push(await next());
    expect(events[0]).toMatchObject({ type: 'hello', httpPort: live.httpPort });
    const id = await sendTrace(new ProtoExporter({ url: `${live.base}/v1/traces` }), 'svc-live', 'gpt-4o');
    // The SDK exports each span on its own and events are coalesced per 100 ms, so the three
    // spans may come as one event or several; together they must announce all of it.
    let spans = 0;
    let llmCalls = 0;
    const ids = new Set<string>();
    while (spans < 3) {
      const changed = await next();
      expect(changed.type).toBe('traces-changed');
      if (changed.type !== 'traces-changed') break;
      spans += changed.spans;
      llmCalls += changed.llmCalls;
      changed.traceIds.forEach((t) => ids.add(t));
    }
    expect({ spans, llmCalls }).toEqual({ spans: 3, llmCalls: 1 });
    expect([...ids]).toEqual([id]);
    ctrl.abort();
    await live.stop();
  });

  it('lets another process read the database while the collector runs', () => {
    const script = `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new D(${JSON.stringify(dbPath)}, { readonly: true, fileMustExist: true });
      process.stdout.write(String(db.prepare('SELECT count(*) FROM traces').pluck().get()));`;
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(Number(out.stdout)).toBe(4);
  });

  it('exports OTLP JSON that imports into another database unchanged', async () => {
    const exported = await (await fetch(`${cli.base}/api/export?traceId=${traces.json}`)).text();
    const file = path.join(dir, 'export.json');
    fs.writeFileSync(file, exported);
    const other = path.join(dir, 'other.db');
    const out = execFileSync(process.execPath, [CLI, 'import', file, '--db', other], { encoding: 'utf8' });
    expect(out).toContain('imported 3 spans');
    const back = execFileSync(process.execPath, [CLI, 'export', '--db', other], { encoding: 'utf8' });
    expect(JSON.parse(back)).toEqual(JSON.parse(exported));
  });

  it('answers garbage with a clear error and keeps running', async () => {
    const res = await fetch(`${cli.base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans": [' });
    expect(res.status).toBe(400);
    const health = await getJson<{ ok: boolean; app: string }>(`${cli.base}/api/health`);
    // The CLI's bundle finds its preparing worker beside it (dist/prepare-worker.js).
    expect(health).toMatchObject({ ok: true, app: 'spyglass', preparing: 'worker thread' });
    // A DNS-rebinding page reaches 127.0.0.1 under a foreign Host name; fetch() cannot forge Host, http.get can.
    const foreign = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port: cli.httpPort, path: '/api/health', headers: { host: 'evil.example:4318' } }, resolve).on('error', reject),
    );
    foreign.resume();
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CLI arguments', () => {
  it('refuses a port that is taken, saying so', async () => {
    const again = spawnSync(process.execPath, [CLI, 'serve', '--port', String(cli.httpPort), '--grpc-port', 'none', '--db', path.join(dir, 'x.db')], { encoding: 'utf8' });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`port ${cli.httpPort} is already in use`);
  });

  it('rejects a malformed --upstream', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--upstream', 'nourl'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--upstream expects NAME=URL');
  });
});

describe('forwarding to an upstream OTLP backend', () => {
  it('forwards what arrives over HTTP and gRPC, still storing it locally', async () => {
    const received: { path: string; type: string; bytes: number }[] = [];
    let notify: () => void = () => undefined;
    const upstream = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', type: String(req.headers['content-type']), bytes: Buffer.concat(chunks).length });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        notify();
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as { port: number }).port;
    const fwd = await startCli(['--db', path.join(dir, 'fwd.db'), '--forward', `http://127.0.0.1:${port}`]);
    try {
      const arrived = (n: number) =>
        new Promise<void>((resolve) => {
          notify = () => received.length >= n && resolve();
          notify();
        });
      const a = await sendTrace(new JsonExporter({ url: `${fwd.base}/v1/traces` }), 'fwd-http', 'gpt-4o');
      const b = await sendTrace(new GrpcExporter({ url: `http://127.0.0.1:${fwd.grpcPort}` }), 'fwd-grpc', 'gpt-4o');
      // SimpleSpanProcessor exports each of the 3 spans of a trace on its own.
      await arrived(6);
      expect(received.map((r) => r.path)).toEqual(Array(6).fill('/v1/traces'));
      expect(received.slice(0, 3).every((r) => r.type.includes('application/json'))).toBe(true);
      expect(received.slice(3).every((r) => r.type.includes('application/x-protobuf'))).toBe(true);
      const page = await getJson<TraceListPage>(`${fwd.base}/api/traces`);
      expect(page.traces.map((t) => t.traceId).sort()).toEqual([a, b].sort());
    } finally {
      await fwd.stop();
      upstream.close();
    }
  });
});
