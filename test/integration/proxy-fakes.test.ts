// The fake providers must speak the real wire formats: here the real npm clients talk to them
// directly (no proxy) and must understand every answer, stream, tool call and error.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server';
import { anthropicError, startFakeAnthropic } from '../fakes/anthropic-fake';
import { startFakeGemini } from '../fakes/gemini-fake';
import { chatReply, openaiError, startFakeOpenAI } from '../fakes/openai-fake';

let openaiFake: FakeServer;
let anthropicFake: FakeServer;
let geminiFake: FakeServer;

beforeAll(async () => {
  [openaiFake, anthropicFake, geminiFake] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini()]);
});
afterAll(async () => {
  await Promise.all([openaiFake.close(), anthropicFake.close(), geminiFake.close()]);
});

describe('fake OpenAI with the real openai client', () => {
  const client = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${openaiFake.url}/v1`, maxRetries: 0 });

  it('answers a chat completion and records the request', async () => {
    const r = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(r.choices[0]!.message.content).toBe('Hello from the fake.');
    expect(r.usage?.prompt_tokens).toBe(12);
    expect(openaiFake.lastRequest.headers.authorization).toBe('Bearer sk-test');
    expect(JSON.parse(openaiFake.lastRequest.body.toString()).messages[0].content).toBe('Hi');
  });

  it('streams tool-call fragments and the include_usage chunk', async () => {
    openaiFake.enqueue((req) =>
      chatReply(
        { toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' }], usage: { prompt: 30, completion: 18, cached: 10 } },
        JSON.parse(req.body.toString()),
      ),
    );
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta;
      args += d?.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(JSON.parse(args)).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(finish).toBe('tool_calls');
    expect(usage?.prompt_tokens_details?.cached_tokens).toBe(10);
  });

  it('streams the Responses API events the SDK accumulates', async () => {
    const stream = client().responses.stream({ model: 'gpt-4.1-mini', input: 'Hi' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Hello from the fake.');
    expect(final.usage?.input_tokens).toBe(20);
  });

  it('returns base64 embeddings the SDK decodes', async () => {
    const r = await client().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'bb'] });
    expect(r.data).toHaveLength(2);
    expect(r.data[0]!.embedding).toHaveLength(8);
  });

  it('gives errors the SDK maps to its error classes', async () => {
    openaiFake.enqueue(openaiError(429, 'Rate limit reached for gpt-4o-mini'));
    const err = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('rate_limit_exceeded');
  });
});

describe('fake Anthropic with the real @anthropic-ai/sdk client', () => {
  const client = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: anthropicFake.url, maxRetries: 0 });

  it('streams thinking, text and tool_use blocks with usage from message_start and message_delta', async () => {
    anthropicFake.setHandler((await import('../fakes/anthropic-fake')).anthropicHandler({
      message: {
        content: [
          { type: 'thinking', thinking: 'Let me think.' },
          { type: 'text', text: 'Checking the weather.' },
          { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
        ],
        usage: { input: 5, output: 40, cacheRead: 100, cacheCreation: 20 },
      },
    }));
    const stream = client().messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'Weather?' }] });
    const msg = await stream.finalMessage();
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
    expect((msg.content[2] as Anthropic.ToolUseBlock).input).toEqual({ city: 'Paris' });
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.usage.cache_read_input_tokens).toBe(100);
    expect(msg.usage.output_tokens).toBe(40);
    const h = anthropicFake.lastRequest.headers;
    // SDK 1.x sends the key as a bearer token; older ones used x-api-key.
    expect(h['x-api-key'] ?? h.authorization).toMatch(/sk-ant-test/);
  });

  it('maps error bodies to the SDK error classes', async () => {
    anthropicFake.enqueue(anthropicError(529, 'Overloaded'));
    const err = await client()
      .messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  });
});

describe('fake Gemini over fetch', () => {
  it('answers generateContent and streams SSE with \\r\\n\\r\\n separators', async () => {
    const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    const r = await fetch(`${geminiFake.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-test' },
      body,
    });
    const json = (await r.json()) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
    expect(json.candidates[0]!.content.parts[0]!.text).toBe('Hello from the fake.');
    const s = await fetch(`${geminiFake.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=AIza-test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await s.text();
    expect(text.split('\r\n\r\n').filter(Boolean).length).toBeGreaterThan(1);
    const missingKey = await fetch(`${geminiFake.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: 'POST', body });
    expect(missingKey.status).toBe(403);
  });
});
