// The Vercel AI SDK (`ai` with @ai-sdk/openai and @ai-sdk/anthropic) with experimental_telemetry,
// producing real spans against local fake providers; the normalizer must read them, count only
// the inner provider calls, and keep the tool loop, cache usage and time to first chunk.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { embed, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { categorizeSpan, normalizeSpan } from '../../src/core/conventions';
import type { IngestSpan, LlmCall } from '../../src/core/model';
import { messageReply, startFakeAnthropic } from '../fakes/anthropic-fake';
import { requestJson, type FakeServer } from '../fakes/fake-server';
import { chatReply, startFakeOpenAI } from '../fakes/openai-fake';
import { captureSpans, type SpanCapture } from '../helpers/capture-spans';

let capture: SpanCapture;
let openaiFake: FakeServer;
let anthropicFake: FakeServer;

beforeAll(async () => {
  capture = captureSpans();
  openaiFake = await startFakeOpenAI();
  anthropicFake = await startFakeAnthropic({ firstDelayMs: 30 });
});

afterAll(async () => {
  await capture?.shutdown();
  await openaiFake?.close();
  await anthropicFake?.close();
});

beforeEach(() => capture.reset());

function telemetry() {
  return { isEnabled: true, tracer: capture.tracerProvider.getTracer('ai'), functionId: 'weather-bot', metadata: { sessionId: 'sess-vercel', promptName: 'weather', promptVersion: '3' } };
}

function calls(spans: IngestSpan[]): Array<{ span: IngestSpan; call: LlmCall }> {
  return spans.map((span) => ({ span, call: normalizeSpan(span, []) })).filter((x): x is { span: IngestSpan; call: LlmCall } => x.call !== null);
}

describe('Vercel AI SDK telemetry → normalizer', () => {
  it('generateText with a tool loop: one call per step, the outer span is not a call', async () => {
    const openai = createOpenAI({ baseURL: `${openaiFake.url}/v1`, apiKey: 'sk-test' });
    openaiFake.enqueue(
      (req) => chatReply({ toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }], usage: { prompt: 50, completion: 10, cached: 32 } }, requestJson(req)),
      (req) => chatReply({ content: 'Rainy in Paris.', usage: { prompt: 70, completion: 4 } }, requestJson(req)),
    );
    const result = await generateText({
      model: openai.chat('gpt-4o-mini'),
      system: 'Be brief.',
      prompt: 'Weather in Paris?',
      temperature: 0.1,
      tools: {
        weather: tool({ description: 'Weather for a city', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }), execute: async ({ city }) => ({ city, sky: 'rain' }) }),
      },
      stopWhen: stepCountIs(3),
      experimental_telemetry: telemetry(),
    });
    expect(result.text).toBe('Rainy in Paris.');

    const spans = await capture.waitForSpans(4);
    const outer = spans.find((s) => s.name === 'ai.generateText')!;
    expect(normalizeSpan(outer, [])).toBeNull();
    expect(categorizeSpan(outer)).toBe('chain');
    expect(categorizeSpan(spans.find((s) => s.name === 'ai.toolCall')!)).toBe('tool');

    const found = calls(spans).map((x) => x.call);
    expect(found).toHaveLength(2);
    const [first, second] = found.sort((a, b) => (a.inputTokens ?? 0) - (b.inputTokens ?? 0));
    for (const c of [first!, second!]) {
      expect(c.convention).toBe('vercel-ai');
      expect(c.provider).toBe('openai');
      expect(c.requestModel).toBe('gpt-4o-mini');
      expect(c.params).toMatchObject({ temperature: 0.1 });
      expect(c.conversationId).toBe('sess-vercel');
      expect(c.promptName).toBe('weather');
      expect(c.promptVersion).toBe('3');
      expect(c.toolDefinitions).toHaveLength(1);
    }
    expect(first!.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
    ]);
    expect(first!.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'weather', arguments: { city: 'Paris' } }], finish_reason: 'tool-calls' },
    ]);
    expect(first).toMatchObject({ inputTokens: 50, cachedInputTokens: 32, outputTokens: 10, finishReasons: ['tool-calls'] });
    expect(second!.inputMessages.slice(2)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: { city: 'Paris', sky: 'rain' } }] },
    ]);
    expect(second!.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Rainy in Paris.' }], finish_reason: 'stop' }]);
    expect(second).toMatchObject({ inputTokens: 70, outputTokens: 4 });
    // The outer span reports 120 input tokens for the same work: summing calls must not add it again.
    expect(found.reduce((n, c) => n + (c.inputTokens ?? 0), 0)).toBe(120);
  });

  it('streamText with Anthropic: time to first chunk and cache usage counted once', async () => {
    const anthropic = createAnthropic({ baseURL: `${anthropicFake.url}/v1`, apiKey: 'sk-ant-test' });
    anthropicFake.enqueue((req) => messageReply({ content: [{ type: 'text', text: 'Hej från fejken.' }], usage: { input: 10, output: 6, cacheRead: 900, cacheCreation: 50 } }, requestJson(req), { firstDelayMs: 30 }));
    const stream = streamText({ model: anthropic('claude-sonnet-4-5'), system: 'Swedish only.', prompt: 'Say hi', maxOutputTokens: 64, experimental_telemetry: telemetry() });
    let text = '';
    for await (const t of stream.textStream) text += t;
    expect(text).toBe('Hej från fejken.');
    const spans = await capture.waitForSpans(2);
    const found = calls(spans);
    expect(found).toHaveLength(1);
    const { span, call } = found[0]!;
    expect(span.name).toBe('ai.streamText.doStream');
    expect(call.provider).toBe('anthropic');
    expect(call.requestModel).toBe('claude-sonnet-4-5');
    expect(call.params).toMatchObject({ max_tokens: 64 });
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Hej från fejken.' }], finish_reason: 'stop' }]);
    expect(call).toMatchObject({ inputTokens: 960, cachedInputTokens: 900, cacheWriteTokens: 50, outputTokens: 6 });
    expect(call.ttftMs).toBeGreaterThanOrEqual(25);
    expect(call.ttftMs).toBeLessThan((span.endUs - span.startUs) / 1000 + 1);
  });

  it('embed: the doEmbed span is an embedding call', async () => {
    const openai = createOpenAI({ baseURL: `${openaiFake.url}/v1`, apiKey: 'sk-test' });
    await embed({ model: openai.embedding('text-embedding-3-small'), value: 'sunny day', experimental_telemetry: telemetry() });
    const spans = await capture.waitForSpans(2);
    const found = calls(spans);
    expect(found).toHaveLength(1);
    expect(categorizeSpan(found[0]!.span)).toBe('embedding');
    expect(found[0]!.call).toMatchObject({ operation: 'embeddings', requestModel: 'text-embedding-3-small', provider: 'openai' });
    expect(found[0]!.call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'sunny day' }] }]);
    expect(found[0]!.call.inputTokens).toBeGreaterThan(0);
  });
});
