// The Vercel AI SDK (`ai` with @ai-sdk/openai) pointed at the recording proxy: chat completions
// and the Responses API, streamed and not, with tools and an abort.

import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server';
import { chatReply, openaiHandler, startFakeOpenAI } from '../fakes/openai-fake';
import { startProxyHarness, type ProxyHarness } from '../fakes/proxy-harness';

let fake: FakeServer;
let h: ProxyHarness;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  h = await startProxyHarness({ upstreams: { openai: fake.url } });
});
afterAll(async () => {
  await h.close();
  await fake.close();
});
beforeEach(() => {
  fake.setHandler(openaiHandler());
});

const provider = () => createOpenAI({ apiKey: 'sk-vercel-secret', baseURL: `${h.base('openai')}/v1` });

describe('Vercel AI SDK through the proxy', () => {
  it('generateText over chat completions', async () => {
    fake.setHandler((req) => chatReply({ content: 'Bonjour!', usage: { prompt: 9, completion: 3 } }, JSON.parse(req.body.toString())));
    const r = await generateText({ model: provider().chat('gpt-4o-mini'), system: 'Speak French.', prompt: 'Say hello' });
    expect(r.text).toBe('Bonjour!');
    expect(r.usage.inputTokens).toBe(9);
    const c = await h.sink.nextCapture();
    expect(c.call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Speak French.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Say hello' }] },
    ]);
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'Bonjour!' }]);
    expect(c.call).toMatchObject({ inputTokens: 9, outputTokens: 3 });
    expect(JSON.stringify(c)).not.toContain('sk-vercel-secret');
  });

  it('streamText with a tool call over chat completions', async () => {
    fake.setHandler((req) =>
      chatReply(
        { toolCalls: [{ id: 'call_v1', name: 'weather', arguments: '{"city":"Rome"}' }], usage: { prompt: 30, completion: 12 } },
        JSON.parse(req.body.toString()),
        { delayMs: 1 },
      ),
    );
    const result = streamText({
      model: provider().chat('gpt-4o-mini'),
      prompt: 'Weather in Rome?',
      tools: {
        weather: tool({ description: 'Get the weather', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }) }),
      },
    });
    const calls = await result.toolCalls;
    expect(calls.map((t) => [t.toolName, t.input])).toEqual([['weather', { city: 'Rome' }]]);
    expect((await result.usage).outputTokens).toBe(12);
    const c = await h.sink.nextCapture();
    // The AI SDK asks for include_usage on streams; the usage chunk was recorded.
    expect(JSON.parse(c.request.body).stream_options).toEqual({ include_usage: true });
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'tool_call', id: 'call_v1', name: 'weather', arguments: { city: 'Rome' } }]);
    expect(c.call).toMatchObject({ inputTokens: 30, outputTokens: 12, finishReasons: ['tool_calls'] });
    expect(c.call.toolDefinitions).toHaveLength(1);
    expect(c.call.ttftMs).not.toBeNull();
  });

  it('streamText over the Responses API (the provider default)', async () => {
    const result = streamText({ model: provider()('gpt-4.1-mini'), prompt: 'Hi' });
    expect(await result.text).toBe('Hello from the fake.');
    const c = await h.sink.nextCapture();
    expect(c.span.attributes['spyglass.proxy.api']).toBe('openai.responses');
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'Hello from the fake.' }]);
    expect(c.call).toMatchObject({ inputTokens: 20, outputTokens: 6 });
  });

  it('records an aborted streamText as cancelled', async () => {
    const words = Array.from({ length: 300 }, (_, i) => `t${i}`).join(' ');
    fake.setHandler((req) => chatReply({ content: words }, JSON.parse(req.body.toString()), { delayMs: 5 }));
    const aborted = fake.abortedCount;
    const controller = new AbortController();
    const result = streamText({ model: provider().chat('gpt-4o-mini'), prompt: 'Count', abortSignal: controller.signal });
    let seen = '';
    try {
      for await (const part of result.textStream) {
        seen += part;
        if (seen.length > 20) controller.abort();
      }
    } catch {
      // An aborted stream may end by throwing; either way the proxy must see the client leave.
    }
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('cancelled');
    const recorded = (c.call.outputMessages[0]!.parts[0] as { content: string }).content;
    expect(recorded.length).toBeGreaterThan(20);
    expect(recorded.length).toBeLessThan(words.length);
    await fake.waitForAbortedResponses(aborted + 1);
  });
});
