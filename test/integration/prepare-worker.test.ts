// The preparing worker thread (dist/prepare-worker.js, built by the global setup): it must
// prepare exactly what the collector's own thread would, report undecodable bodies as such,
// and a worker that dies must fail only the bodies it held, as retryable, and be replaced.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpDecodeError } from '../../src/capture/otlp';
import type { OtlpIngestRequest, ProxyCapture } from '../../src/capture/sink';
import { createAnalyzer } from '../../src/collector/analyzer';
import { Collector } from '../../src/collector/collector';
import { prepareOtlp, prepareProxyCapture } from '../../src/collector/prepare-otlp';
import { createPreparer, WorkerPreparer } from '../../src/collector/preparer';
import { post } from '../helpers/http-post';
import { startFakeOpenAI } from '../fakes/openai-fake';
import { startProxyHarness } from '../fakes/proxy-harness';
import { llmTrace } from '../unit/host/otlp-payload';

const WORKER = path.resolve(import.meta.dirname, '../../dist/prepare-worker.js');
let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(() => {
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: run npm run build`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-prepare-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A real capture: a streamed chat completion without usage through the proxy, from the fake OpenAI. */
async function proxyCapture(): Promise<ProxyCapture> {
  const fake = await startFakeOpenAI({ chat: { content: 'A streamed answer whose tokens are counted here.' } });
  const h = await startProxyHarness({ upstreams: { openai: fake.url } });
  try {
    const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Count me, please.' }] });
    const r = await post(h.port, '/proxy/openai/v1/chat/completions', Buffer.from(body), { headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    return await h.sink.nextCapture();
  } finally {
    await h.close();
    await fake.close();
  }
}

const jsonRequest = (body: string): OtlpIngestRequest => ({ signal: 'traces', encoding: 'json', body: Buffer.from(body) });

async function startWorker(script = WORKER): Promise<WorkerPreparer> {
  const p = await WorkerPreparer.start(script, { priceOverrides: [], storeContent: true });
  cleanups.push(() => p.close());
  return p;
}

describe('prepare worker', () => {
  it('prepares a body exactly as the collector thread does', async () => {
    const preparer = await startWorker();
    const bodies = [llmTrace({ tool: 'lookup_order', sessionId: 's-1' }).body, llmTrace({ model: 'claude-sonnet-4-5', error: true }).body];
    const { analyzer } = createAnalyzer([]);
    for (const body of bodies) {
      const inWorker = await preparer.prepare(jsonRequest(body));
      const here = prepareOtlp(jsonRequest(body), analyzer, true);
      expect(inWorker).toEqual(here);
      expect(inWorker.batch.spans.filter((s) => s.call !== null)).toHaveLength(1);
      expect(inWorker.batch.spans.find((s) => s.call)!.call!.costUsd).toBeGreaterThan(0);
    }
  });

  it('reports an undecodable body as an OtlpDecodeError with the decoder reason', async () => {
    const preparer = await startWorker();
    const bad = jsonRequest('{"resourceSpans": 5}');
    const err = await preparer.prepare(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtlpDecodeError);
    const { analyzer } = createAnalyzer([]);
    expect(() => prepareOtlp(bad, analyzer, true)).toThrow((err as Error).message);
  });

  it('starts its thread with the first body and stops it when bodies stop coming', async () => {
    const preparer = new WorkerPreparer(WORKER, { priceOverrides: [], storeContent: true }, { idleStopMs: 300 });
    cleanups.push(() => preparer.close());
    expect(preparer.started).toBe(false);
    const first = await preparer.prepare(jsonRequest(llmTrace().body));
    expect(first.batch.spans.length).toBeGreaterThan(0);
    expect(preparer.started).toBe(true);
    await expect.poll(() => preparer.started, { timeout: 10_000 }).toBe(false);
    // The next body starts another.
    expect((await preparer.prepare(jsonRequest(llmTrace().body))).batch.spans.length).toBeGreaterThan(0);
  });

  it('prepares a proxy capture there too, as the collector thread does', async () => {
    const preparer = await startWorker();
    const { analyzer } = createAnalyzer([]);
    const capture = await proxyCapture();
    expect(capture.call.outputTokens).toBeNull(); // a stream without usage: tokens are estimated
    expect(await preparer.prepareProxy(capture)).toEqual(prepareProxyCapture(capture, analyzer, true));
  });

  it('prepares on the collector thread, saying so once, when the worker cannot start', async () => {
    const warnings: string[] = [];
    const preparer = createPreparer(path.join(dir, 'no-such-worker.js'), createAnalyzer([]).analyzer, { priceOverrides: [], storeContent: true }, (m) => warnings.push(m));
    cleanups.push(() => preparer.close());
    for (let i = 0; i < 2; i++) expect((await preparer.prepare(jsonRequest(llmTrace().body))).batch.spans.length).toBeGreaterThan(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^preparing spans on the collector's thread: the worker did not start/);
  });

  it('fails a body whose reply cannot be read on this side, instead of leaving it in flight for ever', async () => {
    // A reply nested deeper than this thread's stack can read: structured clone drops it here
    // ('messageerror'), and with it the id it answered. Before, the body was never answered and
    // the write queue, seeing it still in flight, held every later commit open for 50 ms.
    const script = path.join(dir, 'deep-reply.js');
    fs.writeFileSync(script, "const { parentPort } = require('node:worker_threads');\n" +
      "parentPort.on('message', (t) => { let v = {}; for (let i = 0; i < 6000; i++) v = { v };\n" +
      "  parentPort.postMessage({ type: 'prepared', id: t.id, outcome: null, wire: v }); });\n" +
      "parentPort.postMessage({ type: 'ready' });\n");
    const preparer = await startWorker(script);
    const err = await preparer.prepare(jsonRequest(llmTrace().body)).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^a prepared batch could not be received/);
    expect(err).not.toBeInstanceOf(OtlpDecodeError);
    expect(preparer.inFlight).toBe(0);
  });

  it('fails the bodies a dead worker held as retryable and starts another for the next body', async () => {
    // A worker that says it is ready and dies on its first body.
    const script = path.join(dir, 'dies.js');
    fs.writeFileSync(script, "const { parentPort } = require('node:worker_threads');\n" +
      "parentPort.on('message', () => process.exit(3));\nparentPort.postMessage({ type: 'ready' });\n");
    const preparer = await startWorker(script);
    const body = llmTrace().body;
    const first = await preparer.prepare(jsonRequest(body)).catch((e: unknown) => e);
    expect(first).not.toBeInstanceOf(OtlpDecodeError);
    expect((first as Error).message).toMatch(/exit code 3/);
    // Answered only if a new worker was started: a message to the dead one would never come back.
    const second = await preparer.prepare(jsonRequest(body)).catch((e: unknown) => e);
    expect((second as Error).message).toMatch(/exit code 3/);
  });
});

describe('collector with and without the worker', () => {
  async function collector(prepareWorker: string | null, name: string, storeContent = true): Promise<Collector> {
    const c = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: path.join(dir, `${name}.db`), prepareWorker, storeContent });
    cleanups.push(() => c.stop());
    return c;
  }

  it('stores the same rows whichever thread prepares them', async () => {
    const withWorker = await collector(WORKER, 'worker');
    const without = await collector(null, 'inline');
    expect(withWorker.health().preparing).toBe('worker thread');
    expect(without.health().preparing).toBe('main thread');
    const bodies = [1, 2, 3].map((i) => llmTrace({ tool: 'search_kb', sessionId: `s-${i}`, startMs: 1_760_000_000_000 + i * 1000 }).body);
    for (const c of [withWorker, without]) {
      for (const body of bodies) {
        const res = await post(c.httpPort, '/v1/traces', Buffer.from(body), { headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(200);
      }
    }
    const rows = (c: Collector) => ({
      spans: c.store.db.prepare('SELECT trace_id, span_id, name, category, attributes, service_name FROM spans ORDER BY trace_id, span_id').all(),
      calls: c.store.db.prepare('SELECT trace_id, model, cost_usd, input_tokens, call FROM llm_calls ORDER BY trace_id').all(),
      traces: c.store.db.prepare('SELECT * FROM traces ORDER BY trace_id').all(),
    });
    const a = rows(withWorker);
    expect(a.calls).toHaveLength(3);
    expect(a).toEqual(rows(without));
  });

  it('answers 503 (retry later) when the worker dies, and keeps running', async () => {
    const script = path.join(dir, 'dies-too.js');
    fs.writeFileSync(script, "const { parentPort } = require('node:worker_threads');\n" +
      "parentPort.on('message', () => process.exit(4));\nparentPort.postMessage({ type: 'ready' });\n");
    const c = await collector(script, 'dies');
    const res = await post(c.httpPort, '/v1/traces', Buffer.from(llmTrace().body), { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(503);
    expect(res.body.toString()).toMatch(/retry later.*exit code 4/);
    const health = await fetch(`http://127.0.0.1:${c.httpPort}/api/health`);
    expect(health.status).toBe(200);
  });

  it('keeps message content out of the store when content storage is off', async () => {
    const c = await collector(WORKER, 'no-content', false);
    expect(c.health().preparing).toBe('worker thread');
    const { traceId, body } = llmTrace();
    const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: { attributes: object[] }[] }[] }[] };
    const messages = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'my secret question' }] }]);
    doc.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.attributes.push({ key: 'gen_ai.input.messages', value: { stringValue: messages } });
    const res = await post(c.httpPort, '/v1/traces', Buffer.from(JSON.stringify(doc)), { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const call = c.store.db.prepare('SELECT call, input_tokens FROM llm_calls WHERE trace_id = ?').get(traceId) as { call: string; input_tokens: number };
    expect(call.input_tokens).toBe(1000);
    const everything = JSON.stringify(c.store.db.prepare('SELECT attributes FROM spans WHERE trace_id = ?').all(traceId)) + call.call;
    expect(everything).not.toContain('secret');
    expect(c.store.queries.listTraces({ text: 'secret' }).traces).toHaveLength(0);
  });
});
