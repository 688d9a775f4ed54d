// OpenLLMetry (@traceloop/instrumentation-openai and -anthropic) producing real spans from the real
// openai / @anthropic-ai/sdk clients against local fake providers; the normalizer must read them.
// Current OpenLLMetry releases emit GenAI `gen_ai.input.messages` / `gen_ai.output.messages`.
import Anthropic, { APIPromise } from '@anthropic-ai/sdk';
import { AnthropicInstrumentation } from '@traceloop/instrumentation-anthropic';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/core/conventions';
import type { LlmCall } from '../../src/core/model';
import { messageReply, startFakeAnthropic } from '../fakes/anthropic-fake';
import { requestJson, type FakeServer } from '../fakes/fake-server';
import { chatReply, startFakeOpenAI } from '../fakes/openai-fake';
import { captureSpans, type SpanCapture } from '../helpers/capture-spans';

let capture: SpanCapture;
let openaiFake: FakeServer;
let anthropicFake: FakeServer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  capture = captureSpans();
  const oi = new OpenAIInstrumentation({ traceContent: true, enrichTokens: false });
  oi.setTracerProvider(capture.tracerProvider);
  oi.manuallyInstrument(OpenAI);
  const ai = new AnthropicInstrumentation({ traceContent: true });
  ai.setTracerProvider(capture.tracerProvider);
  // The instrumentation also wraps the legacy Text Completions class, which @anthropic-ai/sdk v1 no
  // longer has; give it a placeholder so it reaches the real Messages prototypes it patches.
  ai.manuallyInstrument({ APIPromise, Anthropic: { Completions: class {}, Messages: Anthropic.Messages, Beta: Anthropic.Beta } } as never);
  openaiFake = await startFakeOpenAI();
  anthropicFake = await startFakeAnthropic();
  openai = new OpenAI({ baseURL: `${openaiFake.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: anthropicFake.url, apiKey: 'sk-ant-test', maxRetries: 0 });
});

afterAll(async () => {
  await capture?.shutdown();
  await openaiFake?.close();
  await anthropicFake?.close();
});

beforeEach(() => capture.reset());

async function onlyCall(): Promise<LlmCall> {
  const [span] = await capture.waitForSpans(1);
  const call = normalizeSpan(span!, capture.logsFor(span!));
  expect(call).not.toBeNull();
  return call!;
}

describe('OpenLLMetry instrumentation → normalizer', () => {
  it('OpenAI chat: history with a tool call and its result, tools, parameters, usage', async () => {
    openaiFake.enqueue((req) => chatReply({ content: 'It is rainy in Paris.', usage: { prompt: 120, completion: 8 } }, requestJson(req)));
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'You are a weather bot.' },
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'rainy, 14C' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const call = await onlyCall();
    expect(call.operation).toBe('chat');
    expect(call.provider).toBe('openai');
    expect(call.requestModel).toBe('gpt-4o-mini');
    expect(call.responseModel).toBe('gpt-4o-mini');
    expect(call.responseId).toBe('chatcmpl-Bx7fake0000000000000000001');
    expect(call.params).toMatchObject({ temperature: 0.2, max_tokens: 50 });
    expect(call.inputTokens).toBe(120);
    expect(call.outputTokens).toBe(8);
    expect(call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a weather bot.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 14C' }] },
    ]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'It is rainy in Paris.' }], finish_reason: 'stop' }]);
    expect(call.finishReasons).toEqual(['stop']);
    expect(call.toolDefinitions).toHaveLength(1);
  });

  it('OpenAI chat answering with tool calls', async () => {
    openaiFake.enqueue((req) =>
      chatReply(
        { toolCalls: [{ id: 'call_a', name: 'get_weather', arguments: '{"city":"Oslo"}' }, { id: 'call_b', name: 'get_time', arguments: '{"tz":"CET"}' }], usage: { prompt: 30, completion: 20 } },
        requestJson(req),
      ),
    );
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather and time in Oslo?' }] });
    const call = await onlyCall();
    expect(call.outputMessages).toHaveLength(1);
    expect(call.outputMessages[0]!.parts).toEqual([
      { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: { city: 'Oslo' } },
      { type: 'tool_call', id: 'call_b', name: 'get_time', arguments: { tz: 'CET' } },
    ]);
    expect(call.finishReasons).toEqual(['tool_call']);
  });

  it('OpenAI streamed chat with usage', async () => {
    openaiFake.enqueue((req) => chatReply({ content: 'One two three four.', usage: { prompt: 11, completion: 5 } }, requestJson(req)));
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Count to four' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('One two three four.');
    const call = await onlyCall();
    expect(call.outputMessages.flatMap((m) => m.parts)).toEqual([{ type: 'text', content: 'One two three four.' }]);
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Count to four' }] }]);
    expect(call.finishReasons).toEqual(['stop']);
    // This instrumentation does not record the stream's usage chunk (only tiktoken estimates, off
    // here): no usage is reported, and the call says so rather than inventing it.
    expect(call.inputTokens).toBeNull();
    expect(call.outputTokens).toBeNull();
  });

  it('Anthropic message with cache tokens, system prompt and a tool use', async () => {
    anthropicFake.enqueue((req) =>
      messageReply(
        {
          content: [
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Bergen' } },
          ],
          usage: { input: 25, output: 40, cacheRead: 1800, cacheCreation: 200 },
        },
        requestJson(req),
      ),
    );
    await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 300,
      system: 'You are a meteorologist.',
      messages: [{ role: 'user', content: 'Weather in Bergen?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    const call = await onlyCall();
    expect(call.provider).toBe('anthropic');
    expect(call.requestModel).toBe('claude-sonnet-4-5');
    expect(call.systemInstructions).toEqual([{ type: 'text', content: 'You are a meteorologist.' }]);
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather in Bergen?' }] }]);
    expect(call.outputMessages).toHaveLength(1);
    expect(call.outputMessages[0]!.parts).toEqual([
      { type: 'text', content: 'Let me check.' },
      { type: 'tool_call', id: 'toolu_01', name: 'get_weather', arguments: { city: 'Bergen' } },
    ]);
    // Anthropic reports 25 uncached input tokens; the call counts all 2025.
    expect(call.inputTokens).toBe(2025);
    expect(call.cachedInputTokens).toBe(1800);
    expect(call.cacheWriteTokens).toBe(200);
    expect(call.outputTokens).toBe(40);
    expect(call.finishReasons).toEqual(['tool_call']);
  });

  it('Anthropic streamed message', async () => {
    anthropicFake.enqueue((req) => messageReply({ content: [{ type: 'text', text: 'Fjords and rain.' }], usage: { input: 12, output: 6 } }, requestJson(req)));
    const stream = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Describe Bergen' }] });
    let text = '';
    for await (const ev of stream) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
    expect(text).toBe('Fjords and rain.');
    const call = await onlyCall();
    expect(call.outputMessages.flatMap((m) => m.parts)).toEqual([{ type: 'text', content: 'Fjords and rain.' }]);
    expect(call.inputTokens).toBe(12);
    expect(call.outputTokens).toBe(6);
  });
});
