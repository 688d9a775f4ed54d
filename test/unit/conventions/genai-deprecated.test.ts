import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../../src/core/conventions';
import { event, log, span } from './build';

// Deprecated GenAI forms: gen_ai.system, prompt/completion token names, and one event per message
// (gen-ai-events.md before v1.37), emitted either as log records or as span events.
const SPAN_ATTRS = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.system': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
  'gen_ai.usage.prompt_tokens': 40,
  'gen_ai.usage.completion_tokens': 12,
  'gen_ai.response.finish_reasons': ['tool_calls'],
};

describe('OpenTelemetry GenAI (deprecated forms)', () => {
  it('reads per-message log records, tool calls and tool results included', () => {
    const logs = [
      log('gen_ai.system.message', { content: 'You are terse.' }, { 'gen_ai.system': 'openai' }, 10),
      log('gen_ai.user.message', { content: 'Weather in Paris?' }, {}, 10),
      log('gen_ai.assistant.message', { tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, {}, 10),
      log('gen_ai.tool.message', { id: 'call_1', content: 'rainy' }, {}, 10),
      log('gen_ai.choice', { index: 0, finish_reason: 'tool_calls', message: { tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }] } }, {}, 20),
    ];
    const call = normalizeSpan(span(SPAN_ATTRS), logs)!;
    expect(call.convention).toBe('genai-deprecated');
    expect(call.provider).toBe('openai');
    expect(call.inputTokens).toBe(40);
    expect(call.outputTokens).toBe(12);
    expect(call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy' }] },
    ]);
    expect(call.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_2', name: 'get_time', arguments: {} }], finish_reason: 'tool_calls' },
    ]);
    expect(call.finishReasons).toEqual(['tool_calls']);
  });

  it('reads the event name from the event.name attribute when the record has no event_name', () => {
    const logs = [
      log(null, { content: 'hello' }, { 'event.name': 'gen_ai.user.message' }),
      log(null, { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hi!' } }, { 'event.name': 'gen_ai.choice' }),
    ];
    const call = normalizeSpan(span(SPAN_ATTRS), logs)!;
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hello' }] }]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'hi!' }], finish_reason: 'stop' }]);
  });

  it('orders several choices by index and keeps log order for equal timestamps', () => {
    const logs = [
      log('gen_ai.user.message', { content: 'first' }, {}, 5),
      log('gen_ai.user.message', { content: 'second' }, {}, 5),
      log('gen_ai.choice', { index: 1, finish_reason: 'length', message: { content: 'B' } }, {}, 9),
      log('gen_ai.choice', { index: 0, finish_reason: 'stop', message: { content: 'A' } }, {}, 9),
    ];
    const call = normalizeSpan(span(SPAN_ATTRS), logs)!;
    expect(call.inputMessages.map((m) => (m.parts[0] as { content: string }).content)).toEqual(['first', 'second']);
    expect(call.outputMessages.map((m) => [(m.parts[0] as { content: string }).content, m.finish_reason])).toEqual([
      ['A', 'stop'],
      ['B', 'length'],
    ]);
  });

  it('reads per-message span events (attributes as the body)', () => {
    const s = span(SPAN_ATTRS, {
      events: [
        event('gen_ai.user.message', { content: 'ping', 'gen_ai.system': 'openai' }),
        event('gen_ai.choice', { index: 0, finish_reason: 'stop', message: '{"role":"assistant","content":"pong"}' }),
      ],
    });
    const call = normalizeSpan(s, [])!;
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'ping' }] }]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'pong' }], finish_reason: 'stop' }]);
  });

  it('reads the older gen_ai.content.prompt / gen_ai.content.completion events', () => {
    const s = span(SPAN_ATTRS, {
      events: [
        event('gen_ai.content.prompt', { 'gen_ai.prompt': '[{"role":"user","content":"2+2?"}]' }),
        event('gen_ai.content.completion', { 'gen_ai.completion': '[{"role":"assistant","content":"4"}]' }),
      ],
    });
    const call = normalizeSpan(s, [])!;
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: '2+2?' }] }]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: '4' }] }]);
  });

  it('keeps the span when content capture was off (events without content)', () => {
    const logs = [log('gen_ai.user.message', {}), log('gen_ai.choice', { index: 0, finish_reason: 'stop', message: {} })];
    const call = normalizeSpan(span(SPAN_ATTRS), logs)!;
    expect(call.requestModel).toBe('gpt-4o-mini');
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [] }]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [], finish_reason: 'stop' }]);
  });
});
