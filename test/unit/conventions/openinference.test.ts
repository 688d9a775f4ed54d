import { describe, expect, it } from 'vitest';
import { categorizeSpan, normalizeSpan } from '../../../src/core/conventions';
import { span } from './build';

// OpenInference semantic conventions (Arize Phoenix), flattened message attributes.
const LLM_SPAN = {
  'openinference.span.kind': 'LLM',
  'llm.provider': 'openai',
  'llm.system': 'openai',
  'llm.model_name': 'gpt-4o-2024-08-06',
  'llm.invocation_parameters': '{"model":"gpt-4o","temperature":0.1,"max_completion_tokens":64,"stop":["\\n\\n"],"n":1}',
  'input.value': '{"model":"gpt-4o","messages":[{"role":"user","content":"ignored: indexed messages win"}]}',
  'input.mime_type': 'application/json',
  'output.value': '{"id":"chatcmpl-9","model":"gpt-4o-2024-08-06","choices":[]}',
  'output.mime_type': 'application/json',
  'llm.input_messages.0.message.role': 'system',
  'llm.input_messages.0.message.content': 'Be brief.',
  'llm.input_messages.1.message.role': 'user',
  'llm.input_messages.1.message.contents.0.message_content.type': 'text',
  'llm.input_messages.1.message.contents.0.message_content.text': 'What is this?',
  'llm.input_messages.1.message.contents.1.message_content.type': 'image',
  'llm.input_messages.1.message.contents.1.message_content.image.image.url': 'https://example.com/cat.png',
  'llm.input_messages.2.message.role': 'assistant',
  'llm.input_messages.2.message.tool_calls.0.tool_call.id': 'call_1',
  'llm.input_messages.2.message.tool_calls.0.tool_call.function.name': 'describe',
  'llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments': '{"detail":"high"}',
  'llm.input_messages.3.message.role': 'tool',
  'llm.input_messages.3.message.tool_call_id': 'call_1',
  'llm.input_messages.3.message.content': 'a cat',
  'llm.output_messages.0.message.role': 'assistant',
  'llm.output_messages.0.message.content': 'A cat.',
  'llm.finish_reason': 'stop',
  'llm.token_count.prompt': 200,
  'llm.token_count.completion': 40,
  'llm.token_count.total': 240,
  'llm.token_count.prompt_details.cache_read': 128,
  'llm.token_count.completion_details.reasoning': 16,
  'llm.tools.0.tool.json_schema': '{"type":"function","function":{"name":"describe","parameters":{"type":"object"}}}',
  'session.id': 'session-1',
  'llm.prompt_template.template': 'Describe {thing}',
  'llm.prompt_template.version': 'v4',
  'llm.prompt_template.variables': '{"thing":"cat"}',
};

describe('OpenInference', () => {
  it('reads flattened messages, contents, tool calls, usage and context', () => {
    const call = normalizeSpan(span(LLM_SPAN), [])!;
    expect(call.convention).toBe('openinference');
    expect(call.provider).toBe('openai');
    expect(call.requestModel).toBe('gpt-4o');
    expect(call.responseModel).toBe('gpt-4o-2024-08-06');
    expect(call.responseId).toBe('chatcmpl-9');
    expect(call.params).toMatchObject({ temperature: 0.1, max_tokens: 64, stop_sequences: ['\n\n'], choice_count: 1 });
    expect(call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'What is this?' }, { type: 'uri', modality: 'image', uri: 'https://example.com/cat.png' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'describe', arguments: { detail: 'high' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'a cat' }] },
    ]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'A cat.' }], finish_reason: 'stop' }]);
    expect(call.finishReasons).toEqual(['stop']);
    expect(call.inputTokens).toBe(200);
    expect(call.cachedInputTokens).toBe(128);
    expect(call.outputTokens).toBe(40);
    expect(call.reasoningTokens).toBe(16);
    expect(call.toolDefinitions).toEqual([{ type: 'function', function: { name: 'describe', parameters: { type: 'object' } } }]);
    expect(call.conversationId).toBe('session-1');
    expect(call.promptVersion).toBe('v4');
  });

  it('falls back on input.value / output.value JSON bodies when messages are not flattened', () => {
    const call = normalizeSpan(
      span({
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'claude-3-5-sonnet-20241022',
        'llm.provider': 'anthropic',
        'input.mime_type': 'application/json',
        'input.value': JSON.stringify({ model: 'claude-3-5-sonnet-20241022', max_tokens: 100, system: 'Be kind.', messages: [{ role: 'user', content: 'hi' }] }),
        'output.mime_type': 'application/json',
        'output.value': JSON.stringify({
          id: 'msg_01',
          type: 'message',
          role: 'assistant',
          model: 'claude-3-5-sonnet-20241022',
          content: [{ type: 'text', text: 'hello' }, { type: 'tool_use', id: 'toolu_1', name: 'wave', input: { times: 2 } }],
          stop_reason: 'tool_use',
          usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 90, cache_creation_input_tokens: 0 },
        }),
      }),
      [],
    )!;
    expect(call.systemInstructions).toEqual([{ type: 'text', content: 'Be kind.' }]);
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    expect(call.outputMessages).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'hello' }, { type: 'tool_call', id: 'toolu_1', name: 'wave', arguments: { times: 2 } }],
        finish_reason: 'tool_use',
      },
    ]);
    expect(call.responseId).toBe('msg_01');
    expect(call.inputTokens).toBe(100);
    expect(call.cachedInputTokens).toBe(90);
    expect(call.params).toMatchObject({ max_tokens: 100 });
  });

  it('uses plain-text input/output values as one message each', () => {
    const call = normalizeSpan(span({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'llama3', 'input.value': 'Tell me a joke', 'output.value': 'No.' }), [])!;
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Tell me a joke' }] }]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'No.' }] }]);
  });

  it('reads embedding spans', () => {
    const s = span({
      'openinference.span.kind': 'EMBEDDING',
      'embedding.model_name': 'text-embedding-3-small',
      'embedding.embeddings.0.embedding.text': 'alpha',
      'embedding.embeddings.1.embedding.text': 'beta',
      'llm.token_count.prompt': 2,
    });
    const call = normalizeSpan(s, [])!;
    expect(call.operation).toBe('embeddings');
    expect(call.requestModel).toBe('text-embedding-3-small');
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'alpha' }, { type: 'text', content: 'beta' }] }]);
    expect(call.inputTokens).toBe(2);
    expect(categorizeSpan(s)).toBe('embedding');
  });

  it('categorises the other span kinds and does not call them LLM calls', () => {
    for (const [kind, cat] of [
      ['CHAIN', 'chain'],
      ['TOOL', 'tool'],
      ['AGENT', 'agent'],
      ['RETRIEVER', 'retriever'],
      ['RERANKER', 'retriever'],
      ['GUARDRAIL', 'other'],
    ] as const) {
      const s = span({ 'openinference.span.kind': kind, 'input.value': 'x', 'llm.token_count.prompt': 5 });
      expect(normalizeSpan(s, [])).toBeNull();
      expect(categorizeSpan(s)).toBe(cat);
    }
    expect(categorizeSpan(span(LLM_SPAN))).toBe('llm');
  });
});
