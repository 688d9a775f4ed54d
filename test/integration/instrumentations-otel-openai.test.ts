// @opentelemetry/instrumentation-openai (the OpenTelemetry contrib instrumentation) producing real
// spans and log records from the real openai client against the local fake provider. Chat
// Completions use the deprecated GenAI forms (gen_ai.system, one log record per message); the
// Responses API uses the current form (gen_ai.client.inference.operation.details log records).
import { metrics } from '@opentelemetry/api';
import type { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { categorizeSpan, normalizeSpan } from '../../src/core/conventions';
import type { LlmCall } from '../../src/core/model';
import { requestJson, type FakeServer } from '../fakes/fake-server';
import { chatReply, responsesReply, startFakeOpenAI } from '../fakes/openai-fake';
import { captureSpans, type SpanCapture } from '../helpers/capture-spans';

let capture: SpanCapture;
let fake: FakeServer;
let openai: OpenAI;

beforeAll(async () => {
  capture = captureSpans();
  const inst = new OpenAIInstrumentation({ captureMessageContent: true });
  inst.setTracerProvider(capture.tracerProvider);
  inst.setLoggerProvider(capture.loggerProvider);
  inst.setMeterProvider(metrics.getMeterProvider());
  // This instrumentation has no manual API; vitest's loader bypasses its require hook, so apply
  // its own module patch to the openai exports directly.
  const defs = ([] as InstrumentationNodeModuleDefinition[]).concat((inst as unknown as { init(): InstrumentationNodeModuleDefinition[] }).init());
  for (const d of defs) d.patch?.({ OpenAI });
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
  const call = normalizeSpan(span!, capture.logsFor(span!));
  expect(call).not.toBeNull();
  return call!;
}

describe('@opentelemetry/instrumentation-openai → normalizer', () => {
  it('chat: per-message log records with tool calls, tool results and choices', async () => {
    fake.enqueue((req) => chatReply({ toolCalls: [{ id: 'call_t', name: 'get_time', arguments: '{"tz":"UTC"}' }], usage: { prompt: 44, completion: 11 } }, requestJson(req)));
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      temperature: 0,
      max_tokens: 64,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'Answer with tools.' },
        { role: 'user', content: 'Weather, then time?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] },
        { role: 'tool', tool_call_id: 'call_w', content: 'sunny' },
      ],
    });
    const call = await onlyCall();
    expect(call.convention).toBe('genai-deprecated');
    expect(call.provider).toBe('openai');
    expect(call.requestModel).toBe('gpt-4o-mini');
    expect(call.responseId).toBe('chatcmpl-Bx7fake0000000000000000001');
    expect(call.params).toMatchObject({ temperature: 0, max_tokens: 64, stop_sequences: ['END'] });
    expect(call.inputTokens).toBe(44);
    expect(call.outputTokens).toBe(11);
    expect(call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Answer with tools.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather, then time?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_w', name: 'get_weather', arguments: { city: 'Rome' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_w', response: 'sunny' }] },
    ]);
    expect(call.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_t', name: 'get_time', arguments: { tz: 'UTC' } }], finish_reason: 'tool_calls' },
    ]);
    expect(call.finishReasons).toEqual(['tool_calls']);
  });

  it('streamed chat with the usage chunk', async () => {
    fake.enqueue((req) => chatReply({ content: 'Ciao!', usage: { prompt: 9, completion: 2 } }, requestJson(req)));
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Greet me in Italian' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Ciao!');
    const call = await onlyCall();
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Ciao!' }], finish_reason: 'stop' }]);
    expect(call.inputTokens).toBe(9);
    expect(call.outputTokens).toBe(2);
  });

  it('Responses API: inference.operation.details records, reasoning, text and a function call', async () => {
    const script = { text: 'Here you go.', reasoningSummary: 'Need the lookup tool.', functionCalls: [{ id: 'call_r', name: 'lookup', arguments: '{"id":7}' }], usage: { prompt: 30, completion: 12 } };
    fake.enqueue((req) => responsesReply(script, requestJson(req)));
    await openai.responses.create({ model: 'gpt-4.1', instructions: 'Be precise.', input: 'Find item 7' });
    const call = await onlyCall();
    expect(call.convention).toBe('genai');
    expect(call.provider).toBe('openai');
    expect(call.systemInstructions).toEqual([{ type: 'text', content: 'Be precise.' }]);
    expect(call.inputMessages.at(-1)).toEqual({ role: 'user', parts: [{ type: 'text', content: 'Find item 7' }] });
    expect(call.outputMessages).toHaveLength(1);
    expect(call.outputMessages[0]!.parts).toEqual([
      { type: 'reasoning', content: 'Need the lookup tool.' },
      { type: 'text', content: 'Here you go.' },
      { type: 'tool_call', id: 'call_r', name: 'lookup', arguments: { id: 7 } },
    ]);
    expect(call.inputTokens).toBe(30);
    expect(call.outputTokens).toBe(12);

    // Streamed, the instrumentation emits one record per output item; the call reads as one turn.
    capture.reset();
    fake.enqueue((req) => responsesReply(script, requestJson(req)));
    const stream = await openai.responses.create({ model: 'gpt-4.1', input: 'Find item 7', stream: true });
    for await (const ev of stream) void ev;
    const streamed = await onlyCall();
    expect(streamed.outputMessages).toHaveLength(1);
    expect(streamed.outputMessages[0]!.parts).toEqual(call.outputMessages[0]!.parts);
    expect(streamed.inputTokens).toBe(30);
  });

  it('embeddings', async () => {
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'abc' });
    const [span] = await capture.waitForSpans(1);
    expect(categorizeSpan(span!)).toBe('embedding');
    const call = normalizeSpan(span!, [])!;
    expect(call.operation).toBe('embeddings');
    expect(call.requestModel).toBe('text-embedding-3-small');
    expect(call.inputTokens).toBeGreaterThan(0);
  });
});
