import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../../src/core/conventions';
import { completeness, emptyCall, fillGaps } from '../../../src/core/conventions/call';
import { log, span } from './build';

describe('choosing among conventions', () => {
  it('keeps the most complete reading and fills its gaps from the others', () => {
    // OpenInference messages, GenAI-deprecated scalars the OpenInference attributes lack.
    const call = normalizeSpan(
      span({
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o',
        'llm.input_messages.0.message.role': 'user',
        'llm.input_messages.0.message.content': 'hi',
        'llm.output_messages.0.message.role': 'assistant',
        'llm.output_messages.0.message.content': 'hello',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.id': 'resp-1',
        'gen_ai.conversation.id': 'conv-1',
        'gen_ai.usage.input_tokens': 3,
        'gen_ai.usage.output_tokens': 1,
      }),
      [],
    )!;
    expect(call.convention).toBe('openinference');
    expect(call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'hello' }]);
    expect(call.responseId).toBe('resp-1');
    expect(call.conversationId).toBe('conv-1');
    expect(call.provider).toBe('openai');
    expect(call.inputTokens).toBe(3);
    expect(call.outputTokens).toBe(1);
  });

  it('prefers per-message events over bare scalars for a GenAI span with deprecated events', () => {
    const call = normalizeSpan(
      span({ 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 2 }),
      [log('gen_ai.user.message', { content: 'yo' }), log('gen_ai.choice', { index: 0, finish_reason: 'stop', message: { content: 'hey' } })],
    )!;
    expect(call.convention).toBe('genai-deprecated');
    expect(call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'hey' }]);
    expect(call.inputTokens).toBe(2);
  });

  it('moves token counts as a group and never mixes inconsistent subsets', () => {
    const base = { ...emptyCall('genai'), inputTokens: 100, outputTokens: 10 };
    const other = { ...emptyCall('openllmetry'), inputTokens: 1100, outputTokens: 10, cachedInputTokens: 1000 };
    const agreeing = { ...emptyCall('openllmetry'), inputTokens: 100, outputTokens: 10, cachedInputTokens: 60, reasoningTokens: 4 };
    expect(fillGaps(base, [other]).cachedInputTokens).toBeNull();
    expect(fillGaps(base, [agreeing])).toMatchObject({ inputTokens: 100, cachedInputTokens: 60, reasoningTokens: 4 });
    const empty = emptyCall('genai');
    expect(fillGaps(empty, [other])).toMatchObject({ inputTokens: 1100, outputTokens: 10, cachedInputTokens: 1000 });
  });

  it('scores messages above scalars', () => {
    const withMessages = { ...emptyCall('genai'), inputMessages: [{ role: 'user', parts: [] }] };
    const withScalars = { ...emptyCall('genai'), requestModel: 'm', provider: 'p' };
    expect(completeness(withMessages)).toBeGreaterThan(completeness(withScalars));
  });

  it('survives a reader that throws on hostile input and keeps the others', () => {
    // A throwing getter, read only by the OpenInference reader (non-enumerable, so copies skip it),
    // stands in for any unexpected failure inside one reader.
    const attrs: Record<string, unknown> = { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 5 };
    Object.defineProperty(attrs, 'llm.invocation_parameters', { enumerable: false, get: () => { throw new Error('boom'); } });
    attrs['openinference.span.kind'] = 'LLM';
    const call = normalizeSpan(span(attrs as never), []);
    expect(call).not.toBeNull();
    expect(call!.convention).toBe('genai');
    expect(call!.inputTokens).toBe(5);
  });

  it('takes session and prompt attributes set beside any convention', () => {
    const call = normalizeSpan(
      span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'session.id': 's-1', 'langfuse.prompt.name': 'triage', 'langfuse.prompt.version': 4 }),
      [],
    )!;
    expect(call).toMatchObject({ conversationId: 's-1', promptName: 'triage', promptVersion: '4' });
  });

  it('returns null for a span no convention claims', () => {
    expect(normalizeSpan(span({ foo: 'bar' }), [])).toBeNull();
    expect(normalizeSpan(span({}), [log('some.other.event', { x: 1 })])).toBeNull();
  });
});
