// The client must see byte-identical responses through the proxy and directly: same status,
// same headers (but the per-connection ones), same body bytes — compressed bodies included —
// and, with the real SDKs, the same parsed chunks.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../fakes/anthropic-fake';
import type { FakeReply, FakeServer } from '../fakes/fake-server';
import { startFakeGemini } from '../fakes/gemini-fake';
import { chatCompletionFrames, openaiError, startFakeOpenAI } from '../fakes/openai-fake';
import { startProxyHarness, type ProxyHarness } from '../fakes/proxy-harness';
import { rawRequest, stableHeaders } from '../fakes/raw-http';

let openai: FakeServer;
let anthropic: FakeServer;
let gemini: FakeServer;
let h: ProxyHarness;

beforeAll(async () => {
  [openai, anthropic, gemini] = await Promise.all([startFakeOpenAI({ delayMs: 1 }), startFakeAnthropic({ delayMs: 1 }), startFakeGemini({ delayMs: 1 })]);
  h = await startProxyHarness({ upstreams: { openai: openai.url, anthropic: anthropic.url, gemini: gemini.url } });
});
afterAll(async () => {
  await h.close();
  await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
});

interface Case {
  name: string;
  fake: () => FakeServer;
  route: string;
  path: string;
  body: string;
  headers?: Record<string, string>;
  reply?: FakeReply;
}

const chat = (extra: object) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi  there ✓' }], ...extra });

const cases: Case[] = [
  { name: 'chat completion JSON', fake: () => openai, route: 'openai', path: '/v1/chat/completions', body: chat({}) },
  { name: 'chat completion SSE with usage', fake: () => openai, route: 'openai', path: '/v1/chat/completions', body: chat({ stream: true, stream_options: { include_usage: true } }) },
  { name: 'Responses API SSE', fake: () => openai, route: 'openai', path: '/v1/responses', body: JSON.stringify({ model: 'gpt-4.1-mini', input: 'Hi', stream: true }) },
  { name: 'OpenAI 429 error', fake: () => openai, route: 'openai', path: '/v1/chat/completions', body: chat({}), reply: openaiError(429, 'Rate limit reached') },
  {
    name: 'gzip-compressed SSE',
    fake: () => openai,
    route: 'openai',
    path: '/v1/chat/completions',
    body: chat({ stream: true }),
    headers: { 'accept-encoding': 'gzip' },
    reply: { type: 'stream', gzip: true, frames: chatCompletionFrames({ content: 'compressed words stream here' }), delayMs: 1 },
  },
  {
    name: 'gzip-compressed JSON',
    fake: () => openai,
    route: 'openai',
    path: '/v1/embeddings',
    body: JSON.stringify({ model: 'text-embedding-3-small', input: 'x' }),
    reply: { type: 'json', gzip: true, body: { object: 'list', data: [], model: 'text-embedding-3-small', usage: { prompt_tokens: 1, total_tokens: 1 } } },
  },
  { name: 'Anthropic SSE', fake: () => anthropic, route: 'anthropic', path: '/v1/messages', body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'Hi' }] }) },
  { name: 'Gemini SSE', fake: () => gemini, route: 'gemini', path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=k', body: '{"contents":[{"parts":[{"text":"Hi"}]}]}' },
];

describe('byte-identical responses through the proxy', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-x', ...c.headers };
      if (c.reply) c.fake().enqueue(c.reply);
      const direct = await rawRequest(`${c.fake().url}${c.path}`, { body: c.body, headers });
      const directRequest = c.fake().lastRequest;
      if (c.reply) c.fake().enqueue(c.reply);
      const proxied = await rawRequest(`${h.base(c.route)}${c.path}`, { body: c.body, headers });
      const proxiedRequest = c.fake().lastRequest;
      expect(proxied.status).toBe(direct.status);
      expect(proxied.body.equals(direct.body)).toBe(true);
      expect(stableHeaders(proxied.rawHeaders)).toEqual(stableHeaders(direct.rawHeaders));
      // And the upstream saw the same request: body bytes, path and headers (but Host).
      expect(proxiedRequest.body.equals(directRequest.body)).toBe(true);
      expect(proxiedRequest.url).toBe(directRequest.url);
      const strip = (raw: string[]) => stableHeaders(raw).filter((l) => !l.startsWith('host:'));
      expect(strip(proxiedRequest.rawHeaders)).toEqual(strip(directRequest.rawHeaders));
      const capture = await h.sink.nextCapture();
      expect(capture.httpStatus).toBe(direct.status);
      if (c.reply?.type === 'stream' && c.reply.gzip) {
        // The recording holds the decoded text although the client got gzip.
        expect(capture.responseBody).toContain('data: [DONE]');
        expect((capture.call.outputMessages[0]!.parts[0] as { content: string }).content).toBe('compressed words stream here');
      }
    });
  }

  it('gives the real SDKs the same parsed chunks through the proxy as directly', async () => {
    const collect = async (baseURL: string) => {
      const client = new OpenAI({ apiKey: 'sk-x', baseURL, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }] });
      const chunks: unknown[] = [];
      for await (const ch of stream) chunks.push(ch);
      return chunks;
    };
    const direct = await collect(`${openai.url}/v1`);
    expect(await collect(`${h.base('openai')}/v1`)).toEqual(direct);

    const collectAnthropic = async (baseURL: string) => {
      const client = new Anthropic({ apiKey: 'sk-x', baseURL, maxRetries: 0 });
      const events: unknown[] = [];
      const stream = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
      for await (const ev of stream) events.push(ev);
      return events;
    };
    const directA = await collectAnthropic(anthropic.url);
    expect(await collectAnthropic(h.base('anthropic'))).toEqual(directA);
    await h.sink.take(2);
  });
});
