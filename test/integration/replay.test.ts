// Replay end to end over real HTTP on 127.0.0.1: the real `openai` and `@anthropic-ai/sdk` clients
// call fake providers (strict: they refuse what the real APIs refuse) through the collector's
// proxy; OTLP captures arrive as an instrumented app sends them; then the request behind each
// call is read back and sent again through the collector's own proxy, and every replay is stored
// like a proxied call and linked to its original both ways.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Collector } from '../../src/collector/collector';
import type { ApiError, ReplayRequestDto, ReplayRunDto, ReplayStreamEvent, SpanDetail, TraceListPage } from '../../src/protocol/api';
import { anthropicHandler, startFakeAnthropic } from '../fakes/anthropic-fake';
import type { FakeServer } from '../fakes/fake-server';
import { geminiHandler, startFakeGemini } from '../fakes/gemini-fake';
import { openaiError, openaiHandler, startFakeOpenAI } from '../fakes/openai-fake';

let dir: string;
let collector: Collector;
let base: string;
let oai: FakeServer;
let ant: FakeServer;
let gem: FakeServer;
const env: Record<string, string | undefined> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-replay-'));
  [oai, ant, gem] = await Promise.all([startFakeOpenAI({ strict: true }), startFakeAnthropic({ strict: true }), startFakeGemini({ strict: true })]);
  collector = await Collector.start({
    httpPort: 0, grpcPort: null, dbPath: path.join(dir, 'spyglass.db'), analyses: false, replayEnv: env,
    // A route to a port nobody listens on: "upstream down".
    upstreams: { openai: oai.url, anthropic: ant.url, gemini: gem.url, down: 'http://127.0.0.1:9' },
  });
  base = `http://127.0.0.1:${collector.httpPort}`;
});

afterAll(async () => {
  await collector?.stop();
  await Promise.all([oai?.close(), ant?.close(), gem?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const k of Object.keys(env)) delete env[k];
  oai.setHandler(openaiHandler({ strict: true, chat: { content: 'Oslo is colder.' } }));
  ant.setHandler(anthropicHandler({ strict: true }));
  gem.setHandler(geminiHandler({ strict: true }));
});

async function getJson<T>(p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(base + p);
  return { status: res.status, body: (await res.json()) as T };
}

async function replay<T = ReplayRunDto>(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/api/replay`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

/** The LLM call of the newest trace whose root has this name, once stored. */
async function lastCall(model: string): Promise<SpanDetail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = (await getJson<TraceListPage>(`/api/traces?model=${encodeURIComponent(model)}&limit=1`)).body;
    const t = page.traces[0];
    if (t) {
      const detail = (await getJson<{ spans: SpanDetail[] }>(`/api/traces/${t.traceId}`)).body;
      const s = detail.spans.find((x) => x.llm);
      if (s) return s;
    }
    if (Date.now() > deadline) throw new Error(`no call of ${model} stored`);
    await new Promise((r) => setImmediate(r));
  }
}

const toolTurns: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Weather in Paris and Oslo?' },
  { role: 'assistant', content: null, tool_calls: [
    { id: 'call_P', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    { id: 'call_O', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
  ] },
  { role: 'tool', tool_call_id: 'call_P', content: '21°C' },
  { role: 'tool', tool_call_id: 'call_O', content: '9°C' },
  { role: 'user', content: 'Which is colder?' },
];
const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

describe('replaying a proxied call', () => {
  let original: SpanDetail;
  let sentBody: string;

  beforeAll(async () => {
    const client = new OpenAI({ apiKey: 'sk-app-key', baseURL: `${base}/proxy/openai/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: toolTurns, tools, stream: true, stream_options: { include_usage: true }, temperature: 0.2 });
    for await (const _ of stream) void _;
    sentBody = oai.lastRequest.body.toString();
    original = await lastCall('gpt-4o-mini');
  });

  it('answers the exact request as sent, without the credential', async () => {
    const { status, body } = await getJson<ReplayRequestDto>(`/api/traces/${original.traceId}/spans/${original.spanId}/request`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ provider: 'openai', upstream: 'openai', api: 'openai.chat_completions', method: 'POST', path: '/v1/chat/completions', exact: true, credentialHeaders: ['authorization'] });
    expect(body.body).toBe(sentBody);
    expect(JSON.stringify(body)).not.toContain('sk-app-key');
    expect(body.headers['content-type']).toBe('application/json');
    expect(body.headers.authorization).toBeUndefined();
  });

  it('sends it again with the key of the request, records it streamed, and links both ways', async () => {
    const before = oai.requests.length;
    const { status, body } = await replay({ traceId: original.traceId, spanId: original.spanId }, { authorization: 'Bearer sk-replay-key' });
    expect(status).toBe(200);
    expect(body.replays).toHaveLength(1);
    const r = body.replays[0]!;
    expect(r).toMatchObject({ httpStatus: 200 });
    expect(r.error).toBeUndefined();
    expect(oai.requests.length).toBe(before + 1);
    expect(oai.lastRequest.body.toString()).toBe(sentBody);
    expect(oai.lastRequest.headers.authorization).toBe('Bearer sk-replay-key');
    expect(oai.lastRequest.headers['x-spyglass-replay']).toBeUndefined();
    expect(oai.lastRequest.headers.traceparent).toBeUndefined();

    const span = (await getJson<SpanDetail>(`/api/traces/${r.traceId}/spans/${r.spanId}`)).body;
    expect(r.traceId).not.toBe(original.traceId);
    expect(span.llm!.replayOf).toEqual({ traceId: original.traceId, spanId: original.spanId });
    expect(span.llm!.outputMessages[0]!.parts[0]).toEqual({ type: 'text', content: 'Oslo is colder.' });
    expect(span.llm!.ttftMs).not.toBeNull();
    expect(span.llm!.inputTokens).toBe(12);
    expect(span.llm!.costUsd).toBeGreaterThan(0);
    expect(span.links).toEqual([{ traceId: original.traceId, spanId: original.spanId, attributes: { 'spyglass.link.type': 'replay_of' } }]);
    const exchange = (await getJson<ReplayRequestDto>(`/api/traces/${r.traceId}/spans/${r.spanId}/request`)).body;
    expect(exchange.headers['x-spyglass-replay']).toBeUndefined();
    expect(JSON.stringify(exchange)).not.toContain('sk-replay-key');

    const orig = (await getJson<SpanDetail>(`/api/traces/${original.traceId}/spans/${original.spanId}`)).body;
    expect(orig.llm!.replays).toEqual([expect.objectContaining({ traceId: r.traceId, spanId: r.spanId, model: 'gpt-4o-mini', httpStatus: 200 })]);
    expect(orig.annotations.find((a) => a.kind === 'replay')?.attributes.traceId).toBe(r.traceId);
  });

  it('sends an edited body N times; only the model changed; each is its own trace', async () => {
    env.OPENAI_API_KEY = 'sk-from-env';
    const before = oai.requests.length;
    const { body } = await replay({ traceId: original.traceId, spanId: original.spanId, model: 'gpt-4.1-mini', count: 3 });
    expect(body.replays.map((r) => r.httpStatus)).toEqual([200, 200, 200]);
    expect(new Set(body.replays.map((r) => r.traceId)).size).toBe(3);
    const sent = oai.requests.slice(before).map((q) => JSON.parse(q.body.toString()));
    expect(sent).toHaveLength(3);
    for (const b of sent) expect(b).toEqual({ ...JSON.parse(sentBody), model: 'gpt-4.1-mini' });
    expect(oai.lastRequest.headers.authorization).toBe('Bearer sk-from-env');

    const edited = { ...JSON.parse(sentBody), messages: [{ role: 'user', content: 'Say hi' }] };
    const one = await replay({ traceId: original.traceId, spanId: original.spanId, body: edited });
    expect(one.body.replays[0]!.httpStatus).toBe(200);
    expect(JSON.parse(oai.lastRequest.body.toString()).messages).toEqual([{ role: 'user', content: 'Say hi' }]);
    const orig = (await getJson<SpanDetail>(`/api/traces/${original.traceId}/spans/${original.spanId}`)).body;
    expect(orig.llm!.replays!.map((x) => x.model)).toEqual(['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4.1-mini', 'gpt-4.1-mini', 'gpt-4o-mini']);
  });

  it('without a key anywhere: 400 naming what is missing and how to set it; nothing sent', async () => {
    const before = oai.requests.length;
    const { status, body } = await replay<ApiError>({ traceId: original.traceId, spanId: original.spanId });
    expect(status).toBe(400);
    expect(body.error).toBe('missing credentials');
    expect(body.detail).toContain('OPENAI_API_KEY');
    expect(body.detail).toContain('Authorization');
    expect(oai.requests.length).toBe(before);
  });

  it('an upstream 4xx or 5xx, and an upstream that is down, are recorded replays with their error', async () => {
    env.OPENAI_API_KEY = 'sk-from-env';
    oai.enqueue(openaiError(500, 'The server had an error while processing your request.'));
    const five = (await replay({ traceId: original.traceId, spanId: original.spanId })).body.replays[0]!;
    expect(five.httpStatus).toBe(500);
    expect(five.error).toContain('server had an error');
    const bad = (await replay({ traceId: original.traceId, spanId: original.spanId, body: '{"model":"gpt-4o-mini","messages":[{"role":"tool","tool_call_id":"nope","content":"x"}]}' })).body.replays[0]!;
    expect(bad.httpStatus).toBe(400);
    expect(bad.error).toContain("role 'tool' must be a response");
    const down = (await replay({ traceId: original.traceId, spanId: original.spanId, upstream: 'down' })).body.replays[0]!;
    expect(down.httpStatus).toBe(502);
    expect(down.error).toContain('could not reach');
    const stored = (await getJson<SpanDetail>(`/api/traces/${down.traceId}/spans/${down.spanId}`)).body;
    expect(stored.status).toBe('error');
    expect(stored.llm!.replayOf!.spanId).toBe(original.spanId);
  });

  it('checks what it is asked: unknown upstream, bad count, unknown span, wrong content type, cross-site', async () => {
    env.OPENAI_API_KEY = 'sk';
    const ids = { traceId: original.traceId, spanId: original.spanId };
    expect((await replay<ApiError>({ ...ids, upstream: 'nowhere' })).body.detail).toMatch(/no upstream named "nowhere"/);
    expect((await replay<ApiError>({ ...ids, count: 21 })).status).toBe(400);
    expect((await replay<ApiError>({ ...ids, count: 0 })).status).toBe(400);
    expect((await replay<ApiError>({ ...ids, spanId: '0123456789abcdef' })).status).toBe(404);
    expect((await replay<ApiError>({ traceId: 'zz', spanId: 'x' })).status).toBe(400);
    const before = oai.requests.length;
    const plain = await fetch(`${base}/api/replay`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(ids) });
    expect(plain.status).toBe(415);
    const evil = await fetch(`${base}/api/replay`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: JSON.stringify(ids) });
    expect(evil.status).toBe(403);
    const site = await fetch(`${base}/api/replay`, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, body: JSON.stringify(ids) });
    expect(site.status).toBe(403);
    expect(oai.requests.length).toBe(before);
  });

  it('streams its progress as server-sent events when asked', async () => {
    env.OPENAI_API_KEY = 'sk';
    const res = await fetch(`${base}/api/replay`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ traceId: original.traceId, spanId: original.spanId, count: 2 }) });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = (await res.text()).split('\n\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as ReplayStreamEvent);
    const started = events.filter((e) => e.type === 'started');
    expect(started).toHaveLength(2);
    const text = events.filter((e): e is Extract<ReplayStreamEvent, { type: 'text' }> => e.type === 'text' && e.index === 0).map((e) => e.text).join('');
    expect(text).toBe('Oslo is colder.');
    const end = events.at(-1)!;
    expect(end.type).toBe('end');
    expect((end as Extract<ReplayStreamEvent, { type: 'end' }>).replays.map((r) => r.traceId)).toEqual(started.map((s) => (s as { traceId: string }).traceId));
  });
});

/** An instrumented app's LLM call (GenAI conventions, content captured) over OTLP/JSON. */
async function otlpCall(attrs: Record<string, string | number>): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const attributes = Object.entries(attrs).map(([key, v]) => ({ key, value: typeof v === 'number' ? { doubleValue: v } : { stringValue: v } }));
  const res = await fetch(`${base}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent-app' } }] }, scopeSpans: [{ scope: { name: 'opentelemetry.instrumentation.genai' }, spans: [{
      traceId: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex'), spanId: Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex'),
      name: `chat ${attrs['gen_ai.request.model']}`, kind: 3, startTimeUnixNano: String(now - 900_000_000n), endTimeUnixNano: String(now), attributes, status: { code: 2, message: 'bad answer' },
    }] }] }] }),
  });
  expect(res.status).toBe(200);
}

const genaiMessages = JSON.stringify([
  { role: 'user', parts: [{ type: 'text', content: 'Book a table for two' }] },
  { role: 'assistant', parts: [{ type: 'tool_call', id: 'toolu_01A', name: 'find_table', arguments: { people: 2 } }] },
  { role: 'tool', parts: [{ type: 'tool_call_response', id: 'toolu_01A', response: { table: 7 } }] },
]);
const genaiTools = JSON.stringify([{ type: 'function', name: 'find_table', description: 'Finds a free table', parameters: { type: 'object', properties: { people: { type: 'integer' } } } }]);

describe('replaying a call captured over OTLP (rebuilt)', () => {
  it('Anthropic: the rebuilt request passes the strict fake, through the real SDK too, and the replay is linked', async () => {
    await otlpCall({
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-haiku-4-5',
      'gen_ai.request.max_tokens': 300, 'gen_ai.request.temperature': 0.1,
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You book restaurants.' }]),
      'gen_ai.input.messages': genaiMessages, 'gen_ai.tool.definitions': genaiTools,
    });
    const original = await lastCall('claude-haiku-4-5');
    const req = (await getJson<ReplayRequestDto>(`/api/traces/${original.traceId}/spans/${original.spanId}/request`)).body;
    expect(req).toMatchObject({ exact: false, api: 'anthropic.messages', upstream: 'anthropic', path: '/v1/messages', credentialHeaders: [] });
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({ model: 'claude-haiku-4-5', max_tokens: 300, temperature: 0.1, system: 'You book restaurants.', stream: true });

    // The real SDK accepts the body as it is and the strict fake takes it.
    const sdk = new Anthropic({ apiKey: 'sk-ant-test', baseURL: ant.url, maxRetries: 0 });
    const stream = await sdk.messages.create(body as Anthropic.MessageCreateParamsStreaming);
    let streamed = '';
    for await (const e of stream) if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') streamed += e.delta.text;
    expect(streamed).toBe('Hello from the fake.');

    expect((await replay<ApiError>({ traceId: original.traceId, spanId: original.spanId })).body.detail).toContain('ANTHROPIC_API_KEY');
    env.ANTHROPIC_API_KEY = 'sk-ant-env';
    const r = (await replay({ traceId: original.traceId, spanId: original.spanId })).body.replays[0]!;
    expect(r).toMatchObject({ httpStatus: 200 });
    expect(ant.lastRequest.headers['x-api-key']).toBe('sk-ant-env');
    expect(ant.lastRequest.headers['anthropic-version']).toBe('2023-06-01');
    const replayed = (await getJson<SpanDetail>(`/api/traces/${r.traceId}/spans/${r.spanId}`)).body;
    expect(replayed.llm!.convention).toBe('proxy');
    expect(replayed.llm!.inputMessages.map((m) => m.parts.map((p) => p.type))).toEqual([['text'], ['tool_call'], ['tool_call_response']]);
    expect(replayed.llm!.replayOf).toEqual({ traceId: original.traceId, spanId: original.spanId });
  });

  it('Gemini and OpenAI: rebuilt calls pass their strict fakes; an unknown provider needs an upstream named', async () => {
    await otlpCall({ 'gen_ai.operation.name': 'generate_content', 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-2.5-flash', 'gen_ai.input.messages': genaiMessages, 'gen_ai.tool.definitions': genaiTools });
    const g = await lastCall('gemini-2.5-flash');
    env.GEMINI_API_KEY = 'AIza-test';
    const gr = (await replay({ traceId: g.traceId, spanId: g.spanId })).body.replays[0]!;
    expect(gr.httpStatus).toBe(200);
    expect(gem.lastRequest.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(gem.lastRequest.headers['x-goog-api-key']).toBe('AIza-test');

    await otlpCall({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'my-gateway', 'gen_ai.request.model': 'local-llama', 'gen_ai.input.messages': genaiMessages });
    const l = await lastCall('local-llama');
    const req = (await getJson<ReplayRequestDto>(`/api/traces/${l.traceId}/spans/${l.spanId}/request`)).body;
    expect(req.api).toBe('openai.chat_completions');
    expect(req.notes[0]).toMatch(/did not say which API/);
    const none = await replay<ApiError>({ traceId: l.traceId, spanId: l.spanId });
    expect(none.status).toBe(400);
    expect(none.body.detail).toMatch(/no upstream named "my-gateway"/);
    env.OPENAI_API_KEY = 'sk';
    const lr = (await replay({ traceId: l.traceId, spanId: l.spanId, upstream: 'openai' })).body.replays[0]!;
    expect(lr.httpStatus).toBe(200);
    expect(JSON.parse(oai.lastRequest.body.toString()).messages[2]).toEqual({ role: 'tool', tool_call_id: 'toolu_01A', content: '{"table":7}' });
  });

  it('a call with no captured content cannot be rebuilt: 422 saying how to capture it', async () => {
    await otlpCall({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-no-content' });
    const c = await lastCall('gpt-no-content');
    const { status, body } = await getJson<ApiError>(`/api/traces/${c.traceId}/spans/${c.spanId}/request`);
    expect(status).toBe(422);
    expect(body.detail).toContain('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT');
  });
});
