// OpenInference (@arizeai/openinference-instrumentation-openai) producing real spans from the real
// openai client against the local fake provider; the normalizer must read them.
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import * as openaiModule from 'openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { categorizeSpan, normalizeSpan } from '../../src/core/conventions';
import type { LlmCall } from '../../src/core/model';
import { requestJson, type FakeServer } from '../fakes/fake-server';
import { chatReply, startFakeOpenAI } from '../fakes/openai-fake';
import { captureSpans, type SpanCapture } from '../helpers/capture-spans';

let capture: SpanCapture;
let fake: FakeServer;
let openai: OpenAI;

beforeAll(async () => {
  capture = captureSpans();
  const inst = new OpenAIInstrumentation({ tracerProvider: capture.tracerProvider });
  // It patches `module.OpenAI`, i.e. the module's exports, though its typing names the class.
  inst.manuallyInstrument(openaiModule as unknown as typeof OpenAI);
  fake = await startFakeOpenAI();
  openai = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});

afterAll(async () => {
  await capture?.shutdown();
  await fake?.close();
});

beforeEach(() => capture.reset());

async function onlyCall(): Promise<LlmCall> {
  const [span] = await capture.waitForSpans(1);
  expect(categorizeSpan(span!)).toMatch(/^(llm|embedding)$/);
  const call = normalizeSpan(span!, capture.logsFor(span!));
  expect(call).not.toBeNull();
  expect(call!.convention).toBe('openinference');
  return call!;
}

describe('OpenInference instrumentation → normalizer', () => {
  it('chat with history, image content, tool result, cached and reasoning usage', async () => {
    fake.enqueue((req) => chatReply({ content: 'A red bicycle.', usage: { prompt: 1500, completion: 30, cached: 1024, reasoning: 12 } }, requestJson(req)));
    await openai.chat.completions.create({
      model: 'gpt-4o',
      temperature: 0.5,
      seed: 42,
      messages: [
        { role: 'system', content: 'Describe images.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/bike.png' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_z', type: 'function', function: { name: 'zoom', arguments: '{"factor":2}' } }] },
        { role: 'tool', tool_call_id: 'call_z', content: 'zoomed' },
      ],
      tools: [{ type: 'function', function: { name: 'zoom', parameters: { type: 'object' } } }],
    });
    const call = await onlyCall();
    expect(call.provider).toBe('openai');
    expect(call.requestModel).toBe('gpt-4o');
    expect(call.params).toMatchObject({ temperature: 0.5, seed: 42 });
    expect(call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Describe images.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'What is this?' }, { type: 'uri', modality: 'image', uri: 'https://example.com/bike.png' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_z', name: 'zoom', arguments: { factor: 2 } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_z', response: 'zoomed' }] },
    ]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'A red bicycle.' }], finish_reason: 'stop' }]);
    expect(call.finishReasons).toEqual(['stop']);
    expect(call.inputTokens).toBe(1500);
    expect(call.cachedInputTokens).toBe(1024);
    expect(call.outputTokens).toBe(30);
    expect(call.reasoningTokens).toBe(12);
    expect(call.responseId).toBe('chatcmpl-Bx7fake0000000000000000001');
    expect(call.toolDefinitions).toEqual([{ type: 'function', function: { name: 'zoom', parameters: { type: 'object' } } }]);
  });

  it('chat answering with a tool call', async () => {
    fake.enqueue((req) => chatReply({ toolCalls: [{ id: 'call_q', name: 'search', arguments: '{"q":"bikes"}' }], usage: { prompt: 20, completion: 9 } }, requestJson(req)));
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Find bikes' }] });
    const call = await onlyCall();
    expect(call.outputMessages[0]!.parts).toEqual([{ type: 'tool_call', id: 'call_q', name: 'search', arguments: { q: 'bikes' } }]);
    expect(call.finishReasons).toEqual(['tool_calls']);
    expect(call.inputTokens).toBe(20);
    expect(call.outputTokens).toBe(9);
  });

  it('streamed chat with usage', async () => {
    fake.enqueue((req) => chatReply({ content: 'Streaming works.', usage: { prompt: 7, completion: 3 } }, requestJson(req)));
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Say it' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Streaming works.');
    const call = await onlyCall();
    expect(call.outputMessages.flatMap((m) => m.parts)).toEqual([{ type: 'text', content: 'Streaming works.' }]);
    expect(call.finishReasons).toEqual(['stop']);
    // The instrumentation keeps no usage from the stream's usage chunk: none is invented.
    expect(call.inputTokens).toBeNull();
    expect(call.outputTokens).toBeNull();
  });

  it('embeddings', async () => {
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    const call = await onlyCall();
    expect(call.operation).toBe('embeddings');
    expect(call.requestModel).toBe('text-embedding-3-small');
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'alpha' }, { type: 'text', content: 'beta' }] }]);
    expect(call.inputTokens).toBeNull(); // not recorded by this instrumentation for embeddings
    expect(call.outputMessages).toEqual([]);
  });
});
