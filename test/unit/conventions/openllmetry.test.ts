import { describe, expect, it } from 'vitest';
import { categorizeSpan, normalizeSpan } from '../../../src/core/conventions';
import { span } from './build';

// OpenLLMetry (traceloop-sdk, Python opentelemetry-instrumentation-openai/anthropic before the move
// to gen_ai.input.messages): indexed prompt/completion attributes.
const OPENAI_SPAN = {
  'llm.request.type': 'chat',
  'gen_ai.system': 'OpenAI',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.response.model': 'gpt-4o-2024-08-06',
  'gen_ai.response.id': 'chatcmpl-AbC',
  'gen_ai.request.temperature': 0.7,
  'gen_ai.request.max_tokens': 256,
  'llm.is_streaming': false,
  'gen_ai.prompt.0.role': 'system',
  'gen_ai.prompt.0.content': 'You are a weather bot.',
  'gen_ai.prompt.1.role': 'user',
  'gen_ai.prompt.1.content': JSON.stringify([
    { type: 'text', text: 'What is in this picture, and the weather in Paris?' },
    { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
  ]),
  'gen_ai.prompt.2.role': 'assistant',
  'gen_ai.prompt.2.tool_calls.0.id': 'call_1',
  'gen_ai.prompt.2.tool_calls.0.name': 'get_weather',
  'gen_ai.prompt.2.tool_calls.0.arguments': '{"city": "Paris"}',
  'gen_ai.prompt.3.role': 'tool',
  'gen_ai.prompt.3.content': 'rainy, 14C',
  'gen_ai.prompt.3.tool_call_id': 'call_1',
  'gen_ai.completion.0.role': 'assistant',
  'gen_ai.completion.0.finish_reason': 'stop',
  'gen_ai.completion.0.content': 'A cat. Paris is rainy.',
  'llm.request.functions.0.name': 'get_weather',
  'llm.request.functions.0.description': 'Weather for a city',
  'llm.request.functions.0.parameters': '{"type":"object","properties":{"city":{"type":"string"}}}',
  'gen_ai.usage.prompt_tokens': 120,
  'gen_ai.usage.completion_tokens': 9,
  'gen_ai.usage.cache_read_input_tokens': 64,
  'llm.usage.total_tokens': 129,
  'traceloop.association.properties.session_id': 'sess-42',
  'traceloop.association.properties.user_id': 'u1',
  'traceloop.prompt.key': 'weather-bot',
  'traceloop.prompt.version': 3,
  'traceloop.workflow.name': 'ask',
};

describe('OpenLLMetry / Traceloop', () => {
  it('reads indexed prompts and completions with tool calls, images and tool results', () => {
    const call = normalizeSpan(span(OPENAI_SPAN), [])!;
    expect(call.convention).toBe('openllmetry');
    expect(call.operation).toBe('chat');
    expect(call.provider).toBe('OpenAI');
    expect(call.requestModel).toBe('gpt-4o');
    expect(call.responseId).toBe('chatcmpl-AbC');
    expect(call.params).toMatchObject({ temperature: 0.7, max_tokens: 256 });
    expect(call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a weather bot.' }] },
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'What is in this picture, and the weather in Paris?' },
          { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0KGgo=' },
        ],
      },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 14C' }] },
    ]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'A cat. Paris is rainy.' }], finish_reason: 'stop' }]);
    expect(call.finishReasons).toEqual(['stop']);
    expect(call.toolDefinitions).toEqual([
      { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    ]);
    expect(call.inputTokens).toBe(120);
    expect(call.cachedInputTokens).toBe(64);
    expect(call.outputTokens).toBe(9);
    expect(call.conversationId).toBe('sess-42');
    expect(call.promptName).toBe('weather-bot');
    expect(call.promptVersion).toBe('3');
  });

  it('reads completion tool calls and legacy function calls', () => {
    const call = normalizeSpan(
      span({
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': '[1, 2] is not a list of parts',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.finish_reason': 'tool_calls',
        'gen_ai.completion.0.tool_calls.0.id': 'call_a',
        'gen_ai.completion.0.tool_calls.0.name': 'lookup',
        'gen_ai.completion.0.tool_calls.0.arguments': '{"q":"x"}',
        'gen_ai.completion.0.tool_calls.1.id': 'call_b',
        'gen_ai.completion.0.tool_calls.1.name': 'broken',
        'gen_ai.completion.0.tool_calls.1.arguments': '{"q":',
        'gen_ai.completion.1.role': 'assistant',
        'gen_ai.completion.1.function_call.name': 'legacy',
        'gen_ai.completion.1.function_call.arguments': '{}',
      }),
      [],
    )!;
    expect(call.inputMessages[0]!.parts).toEqual([{ type: 'text', content: '[1, 2] is not a list of parts' }]);
    expect(call.outputMessages[0]!.parts).toEqual([
      { type: 'tool_call', id: 'call_a', name: 'lookup', arguments: { q: 'x' } },
      { type: 'tool_call', id: 'call_b', name: 'broken', arguments: '{"q":' },
    ]);
    expect(call.outputMessages[1]!.parts).toEqual([{ type: 'tool_call', id: null, name: 'legacy', arguments: {} }]);
    expect(call.finishReasons).toEqual(['tool_calls']);
  });

  it('maps llm.request.type to the operation', () => {
    const call = normalizeSpan(span({ 'llm.request.type': 'embedding', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.usage.prompt_tokens': 4 }), [])!;
    expect(call.operation).toBe('embeddings');
    const completion = normalizeSpan(span({ 'llm.request.type': 'completion', 'gen_ai.request.model': 'gpt-3.5-turbo-instruct', 'gen_ai.prompt.0.content': 'Say hi' }), [])!;
    expect(completion.operation).toBe('text_completion');
    expect(completion.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Say hi' }] }]);
  });

  it('treats workflow, task, agent and tool spans as structure, not calls', () => {
    const wf = span({ 'traceloop.span.kind': 'workflow', 'traceloop.entity.name': 'ask', 'traceloop.entity.input': '{"q":1}' });
    expect(normalizeSpan(wf, [])).toBeNull();
    expect(categorizeSpan(wf)).toBe('chain');
    expect(categorizeSpan(span({ 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'search' }))).toBe('tool');
    expect(categorizeSpan(span({ 'traceloop.span.kind': 'agent' }))).toBe('agent');
  });

  it('adds Traceloop context to a span that carries current GenAI messages (newer OpenLLMetry)', () => {
    const call = normalizeSpan(
      span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hey"}]}]',
        'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"hello"}],"finish_reason":"stop"}]',
        'gen_ai.usage.input_tokens': 3,
        'gen_ai.usage.output_tokens': 2,
        'traceloop.association.properties.thread_id': 'thread-9',
        'traceloop.prompt.key': 'greeter',
        'traceloop.prompt.version_name': 'v2',
      }),
      [],
    )!;
    expect(call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'hello' }]);
    expect(call.conversationId).toBe('thread-9');
    expect(call.promptName).toBe('greeter');
    expect(call.promptVersion).toBe('v2');
    expect(call.inputTokens).toBe(3);
  });
});
