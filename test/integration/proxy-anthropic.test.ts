// The real @anthropic-ai/sdk client through the recording proxy to a fake Anthropic API.

import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicError, anthropicHandler, messageReply, startFakeAnthropic } from '../fakes/anthropic-fake';
import type { FakeServer } from '../fakes/fake-server';
import { startProxyHarness, type ProxyHarness } from '../fakes/proxy-harness';

let fake: FakeServer;
let h: ProxyHarness;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  // Overrides the built-in "anthropic" route, as `--upstream anthropic=<url>` does.
  h = await startProxyHarness({ upstreams: { anthropic: fake.url } });
});
afterAll(async () => {
  await h.close();
  await fake.close();
});
beforeEach(() => {
  fake.setHandler(anthropicHandler());
});

const client = () => new Anthropic({ apiKey: 'sk-ant-secret-key', baseURL: h.base('anthropic'), maxRetries: 0 });

describe('Anthropic Messages through the proxy', () => {
  it('streams thinking, text and a tool call; records usage with cache tokens counted in the input', async () => {
    fake.setHandler((req) =>
      messageReply(
        {
          content: [
            { type: 'thinking', thinking: 'The user asks about weather; call the tool.' },
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris', days: 3 } },
          ],
          usage: { input: 12, output: 77, cacheRead: 1800, cacheCreation: 200 },
        },
        JSON.parse(req.body.toString()),
        { firstDelayMs: 25, delayMs: 1 },
      ),
    );
    const stream = client().messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      system: [{ type: 'text', text: 'You are a weather bot.', cache_control: { type: 'ephemeral' } }],
      thinking: { type: 'enabled', budget_tokens: 512 },
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_00', name: 'get_weather', input: { city: 'Lyon' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_00', content: 'Sunny' }] },
      ],
    });
    const msg = await stream.finalMessage();
    expect((msg.content[2] as Anthropic.ToolUseBlock).input).toEqual({ city: 'Paris', days: 3 });
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('ok');
    expect(c.warnings).toEqual([]);
    expect(c.call.provider).toBe('anthropic');
    expect(c.call.systemInstructions).toEqual([{ type: 'text', content: 'You are a weather bot.' }]);
    expect(c.call.inputMessages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'toolu_00', name: 'get_weather', arguments: { city: 'Lyon' } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 'toolu_00', response: 'Sunny' }] },
    ]);
    expect(c.call.outputMessages).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'The user asks about weather; call the tool.' },
          { type: 'text', content: 'Let me check.' },
          { type: 'tool_call', id: 'toolu_01A', name: 'get_weather', arguments: { city: 'Paris', days: 3 } },
        ],
        finish_reason: 'tool_use',
      },
    ]);
    // Anthropic's input_tokens exclude the cache; canonical input includes reads and writes.
    expect(c.call).toMatchObject({ inputTokens: 2012, outputTokens: 77, cachedInputTokens: 1800, cacheWriteTokens: 200, finishReasons: ['tool_use'] });
    expect(c.call.params).toMatchObject({ max_tokens: 1024 });
    expect(c.call.toolDefinitions).toHaveLength(1);
    expect(c.call.ttftMs).toBeGreaterThanOrEqual(24);
    expect(c.span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(1800);
    expect(c.request.headers.authorization ?? c.request.headers['x-api-key']).toBe('[redacted]');
    expect(JSON.stringify(c)).not.toContain('sk-ant-secret-key');
  });

  it('records a non-streamed message', async () => {
    const r = await client().messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    expect(r.content[0]).toEqual({ type: 'text', text: 'Hello from the fake.' });
    const c = await h.sink.nextCapture();
    expect(c.call).toMatchObject({ requestModel: 'claude-haiku-4-5', responseModel: 'claude-haiku-4-5', inputTokens: 14, outputTokens: 6, finishReasons: ['end_turn'] });
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'Hello from the fake.' }]);
  });

  it('passes an overloaded error through: the SDK sees a 529 with the same message', async () => {
    fake.setHandler(() => anthropicError(529, 'Overloaded'));
    const err = await client()
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    const e = err as InstanceType<typeof Anthropic.APIError>;
    expect(e.status).toBe(529);
    expect(e.message).toContain('Overloaded');
    expect(e.requestID).toBe('req_011CFakeFake0001');
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('error');
    expect(c.httpStatus).toBe(529);
    expect(c.call.errorType).toBe('overloaded_error');
  });

  it('records an error event inside a 200 stream as an error, with the text that arrived', async () => {
    fake.setHandler((req) =>
      messageReply(
        { content: [{ type: 'text', text: 'one two three four five six' }], errorAfterDeltas: { after: 3, type: 'overloaded_error', message: 'Overloaded' } },
        JSON.parse(req.body.toString()),
      ),
    );
    const stream = client().messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Count' }] });
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const c = await h.sink.nextCapture();
    expect(c.httpStatus).toBe(200);
    expect(c.outcome).toBe('error');
    expect(c.call.errorType).toBe('overloaded_error');
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'one two three' }]);
  });

  it('records count_tokens as a generic call', async () => {
    const r = await client().messages.countTokens({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(r.input_tokens).toBeGreaterThan(0);
    const c = await h.sink.nextCapture();
    expect(c.call.operation).toBe('messages.count_tokens');
    expect(c.span.attributes['spyglass.proxy.api']).toBe('generic');
  });
});
