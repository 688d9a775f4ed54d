// Faults: an unreachable or silent upstream, an upstream that breaks mid-stream, a malformed
// stream, a client that leaves, a failing store, unknown routes. The client always gets a clear
// answer, the call is always recorded, and the server keeps serving.

import http from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server';
import { chatCompletionFrames, openaiHandler, startFakeOpenAI } from '../fakes/openai-fake';
import { startProxyHarness, type ProxyHarness } from '../fakes/proxy-harness';
import { rawRequest } from '../fakes/raw-http';
import { namedPort } from '../helpers/ports';

let fake: FakeServer;
let h: ProxyHarness;
let deadPort: number;


beforeAll(async () => {
  fake = await startFakeOpenAI();
  deadPort = await namedPort();
  h = await startProxyHarness({
    upstreams: { oai: fake.url, dead: `http://127.0.0.1:${deadPort}` },
    timeoutMs: 300,
    maxRecordedBodyBytes: 2048,
  });
});
afterAll(async () => {
  await h.close();
  await fake.close();
});

const client = (route = 'oai') => new OpenAI({ apiKey: 'sk-test', baseURL: `${h.base(route)}/v1`, maxRetries: 0 });
const chatBody = (extra: object = {}) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...extra });

describe('proxy faults', () => {
  it('answers 502 with an OpenAI-style error the SDK shows when the upstream is unreachable, and records it', async () => {
    const err = await client('dead')
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(502);
    expect(e.message).toContain('could not reach upstream "dead"');
    expect(e.type).toBe('spyglass_proxy_error');
    expect(e.code).toBe('upstream_unreachable');
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('error');
    expect(c.httpStatus).toBe(502);
    expect(c.call.errorType).toBe('upstream_unreachable');
    expect(c.call.requestModel).toBe('gpt-4o-mini');
    expect(c.call.inputMessages).toHaveLength(1);
    expect(c.span.statusCode).toBe(2);
  });

  it('answers 504 when the upstream does not answer in time, and records it', async () => {
    fake.enqueue({ type: 'hang' });
    const r = await rawRequest(`${h.base('oai')}/v1/chat/completions`, { body: chatBody(), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(504);
    const body = JSON.parse(r.body.toString()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('upstream_timeout');
    expect(body.error.message).toContain('did not answer within 300 ms');
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('error');
    expect(c.httpStatus).toBe(504);
    expect(c.call.errorType).toBe('upstream_timeout');
  });

  it('cuts the client stream when the upstream goes silent mid-stream, recording what arrived', async () => {
    const frames = chatCompletionFrames({ content: 'one two three four' }).slice(0, 3);
    fake.enqueue({ type: 'stream', frames, end: 'hang' });
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(text).toBe('one two');
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('error');
    expect(c.call.errorType).toBe('upstream_timeout');
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'one two' }]);
  });

  it('cuts the client stream when the upstream drops the connection mid-stream', async () => {
    const frames = chatCompletionFrames({ content: 'alpha beta gamma' }).slice(0, 2);
    fake.enqueue({ type: 'stream', frames, end: 'destroy' });
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const err = await (async () => {
      for await (const _ of stream) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('error');
    expect(c.call.errorType).toBe('upstream_disconnected');
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'alpha' }]);
  });

  it('passes a malformed SSE stream through as is and records it with a parse warning', async () => {
    const good = chatCompletionFrames({ content: 'Hi' });
    const frames = [good[0]!, good[1]!, 'data: {"id": "chatcmpl-x", "choices": [\n\n', 'this is not SSE\n\n', good.at(-1)!];
    fake.enqueue({ type: 'stream', frames });
    const r = await rawRequest(`${h.base('oai')}/v1/chat/completions`, { body: chatBody({ stream: true }), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(frames.join(''));
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('ok');
    expect(c.warnings.some((w) => w.includes('malformed SSE: 1 event(s) with unparseable JSON'))).toBe(true);
    expect(c.warnings.some((w) => w.includes('line(s) that are not SSE fields'))).toBe(true);
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'Hi' }]);
    expect(c.responseBody).toBe(frames.join(''));
  });

  it('records a client that leaves before the upstream answers as cancelled and aborts the upstream request', async () => {
    fake.enqueue({ type: 'hang' });
    const aborted = fake.abortedCount;
    const controller = new AbortController();
    const pending = fetch(`${h.base('oai')}/v1/chat/completions`, { method: 'POST', body: chatBody(), signal: controller.signal }).catch((e: unknown) => e);
    await fake.waitForRequests(fake.requests.length + 1);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('cancelled');
    expect(c.httpStatus).toBeNull();
    await fake.waitForAbortedResponses(aborted + 1);
  });

  it('stores bodies up to the cap, with a warning, while the client gets everything', async () => {
    const long = 'x'.repeat(5000);
    fake.enqueue({ type: 'json', body: { id: 'c', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: long }, finish_reason: 'stop' }] } });
    const r = await rawRequest(`${h.base('oai')}/v1/chat/completions`, { body: chatBody({ note: 'y'.repeat(3000) }), headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(r.body.toString()).choices[0].message.content).toBe(long);
    const c = await h.sink.nextCapture();
    expect(c.responseBody.length).toBe(2048);
    expect(c.request.body.length).toBe(2048);
    expect(c.warnings.some((w) => w.startsWith('response body of'))).toBe(true);
    expect(c.warnings.some((w) => w.startsWith('request body of'))).toBe(true);
    // Parsing still saw the whole response.
    expect((c.call.outputMessages[0]!.parts[0] as { content: string }).content).toBe(long);
  });

  it('answers 404 with the known names for an unknown upstream', async () => {
    const r = await rawRequest(`${h.base('nope')}/v1/chat/completions`, { body: chatBody() });
    expect(r.status).toBe(404);
    const body = JSON.parse(r.body.toString()) as { error: { code: string; known: string[]; message: string } };
    expect(body.error.code).toBe('unknown_upstream');
    expect(body.error.known).toEqual(['anthropic', 'dead', 'gemini', 'oai', 'openai']);
    expect(body.error.message).toContain('--upstream nope=');
  });

  it('keeps serving when the store rejects a recording', async () => {
    h.sink.failWith = new Error('disk full');
    try {
      const r = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
      expect(r.choices[0]!.message.content).toBe('Hello from the fake.');
      await h.proxy.flush();
      expect(h.recordErrors.map((e) => e.message)).toContain('disk full');
    } finally {
      h.sink.failWith = null;
    }
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Again' }] });
    const c = await h.sink.nextCapture();
    expect((c.call.inputMessages[0]!.parts[0] as { content: string }).content).toBe('Again');
  });

  it('forwards a chunked request body and an upstream HTML error page unchanged', async () => {
    fake.enqueue({ type: 'raw', status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body>Bad gateway</body></html>' });
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${h.base('oai')}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // Written in pieces without a content-length: sent chunked.
      req.write('{"model":"gpt-4o-mini",');
      req.write('"messages":[{"role":"user","content":"Hi"}]}');
      req.end();
    });
    expect(res).toEqual({ status: 502, body: '<html><body>Bad gateway</body></html>' });
    expect(fake.lastRequest.body.toString()).toBe('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}');
    expect(fake.lastRequest.headers['transfer-encoding']).toBe('chunked');
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('error');
    expect(c.call.errorType).toBe('502');
    expect(c.responseBody).toBe('<html><body>Bad gateway</body></html>');
    expect(c.call.requestModel).toBe('gpt-4o-mini');
    fake.setHandler(openaiHandler());
  });
});
