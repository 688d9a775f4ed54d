import { describe, expect, it } from 'vitest';
import { categorizeSpan, normalizeSpan } from '../../../src/core/conventions';
import { span } from './build';

// Logfire (pydantic/logfire, logfire/_internal/integrations/llm_providers): provider bodies as JSON
// attributes next to gen_ai.* scalars; Pydantic AI spans with an `events` JSON array.
describe('Logfire', () => {
  it('reads an OpenAI chat span from request_data / response_data', () => {
    const call = normalizeSpan(
      span(
        {
          'logfire.msg_template': 'Chat Completion with {request_data[model]!r}',
          'logfire.msg': "Chat Completion with 'gpt-4o'",
          'logfire.span_type': 'span',
          'logfire.tags': ['LLM'],
          async: false,
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 1300,
          'gen_ai.usage.output_tokens': 9,
          request_data: JSON.stringify({
            model: 'gpt-4o',
            temperature: 0,
            messages: [
              { role: 'system', content: 'Be brief.' },
              { role: 'user', content: 'Weather?' },
            ],
            tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
          }),
          response_data: JSON.stringify({
            message: {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
            },
            usage: { prompt_tokens: 1300, completion_tokens: 9, total_tokens: 1309, prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 0 } },
          }),
        },
        { name: 'Chat Completion with {request_data[model]!r}' },
      ),
      [],
    )!;
    expect(call.convention).toBe('logfire');
    expect(call.provider).toBe('openai');
    expect(call.params).toEqual({ temperature: 0 });
    expect(call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather?' }] },
    ]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_9', name: 'get_weather', arguments: { city: 'Oslo' } }] }]);
    expect(call.toolDefinitions).toEqual([{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }]);
    expect(call.inputTokens).toBe(1300);
    expect(call.cachedInputTokens).toBe(1024);
    expect(call.outputTokens).toBe(9);
    expect(call.reasoningTokens).toBe(0);
  });

  it('reads an Anthropic span: cache figures from response_data, wrapped tool arguments unwrapped', () => {
    const call = normalizeSpan(
      span({
        'logfire.msg': "Message with 'claude-3-5-sonnet-latest'",
        'logfire.span_type': 'span',
        'gen_ai.system': 'anthropic',
        'gen_ai.request.model': 'claude-3-5-sonnet-latest',
        'gen_ai.usage.input_tokens': 20,
        'gen_ai.usage.output_tokens': 15,
        'gen_ai.response.finish_reasons': ['tool_use'],
        request_data: JSON.stringify({ model: 'claude-3-5-sonnet-latest', max_tokens: 1000, system: 'You are a geographer.', messages: [{ role: 'user', content: 'Where?' }] }),
        response_data: JSON.stringify({
          message: { role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'toolu_1', function: { arguments: '{"input":{"place":"Oslo"}}', name: 'locate' } }] },
          usage: { input_tokens: 20, output_tokens: 15, cache_read_input_tokens: 2000, cache_creation_input_tokens: 30 },
        }),
      }),
      [],
    )!;
    expect(call.provider).toBe('anthropic');
    expect(call.systemInstructions).toEqual([{ type: 'text', content: 'You are a geographer.' }]);
    expect(call.outputMessages).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'Let me look.' }, { type: 'tool_call', id: 'toolu_1', name: 'locate', arguments: { place: 'Oslo' } }],
        finish_reason: 'tool_use',
      },
    ]);
    expect(call.inputTokens).toBe(2050);
    expect(call.cachedInputTokens).toBe(2000);
    expect(call.cacheWriteTokens).toBe(30);
  });

  it('reads a streamed response (combined_chunk_content)', () => {
    const call = normalizeSpan(
      span({
        'logfire.span_type': 'span',
        'logfire.msg': "streaming response from 'gpt-4o' took 1.20s",
        'gen_ai.request.model': 'gpt-4o',
        request_data: '{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"count"}]}',
        response_data: '{"combined_chunk_content":"1 2 3","chunk_count":3}',
      }),
      [],
    )!;
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: '1 2 3' }] }]);
    expect(call.params).toMatchObject({ stream: true });
  });

  it('reads Pydantic AI chat spans with an events array', () => {
    const call = normalizeSpan(
      span(
        {
          'gen_ai.operation.name': 'chat',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 50,
          'gen_ai.usage.output_tokens': 8,
          'logfire.span_type': 'span',
          'logfire.msg': 'chat gpt-4o',
          model_request_parameters: '{"function_tools":[],"allow_text_output":true}',
          events: JSON.stringify([
            { content: 'Be concise.', role: 'system', 'gen_ai.system': 'openai', 'event.name': 'gen_ai.system.message' },
            { content: 'Where is the Eiffel tower?', role: 'user', 'gen_ai.message.index': 0, 'event.name': 'gen_ai.user.message' },
            { index: 0, message: { role: 'assistant', content: 'Paris.' }, 'gen_ai.system': 'openai', 'event.name': 'gen_ai.choice' },
          ]),
        },
        { name: 'chat gpt-4o' },
      ),
      [],
    )!;
    expect(call.convention).toBe('logfire');
    expect(call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be concise.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Where is the Eiffel tower?' }] },
    ]);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Paris.' }] }]);
    expect(call.inputTokens).toBe(50);
  });

  it('does not count a Pydantic AI agent run (its usage totals its calls)', () => {
    const run = span({
      'logfire.span_type': 'span',
      'logfire.msg': 'my_agent run',
      agent_name: 'my_agent',
      model_name: 'gpt-4o',
      'gen_ai.usage.input_tokens': 500,
      'gen_ai.usage.output_tokens': 80,
      final_result: 'Paris.',
    });
    expect(normalizeSpan(run, [])).toBeNull();
    expect(categorizeSpan(run)).toBe('agent');
  });

  it('ignores plain Logfire spans and logs', () => {
    expect(normalizeSpan(span({ 'logfire.span_type': 'log', 'logfire.msg': 'hello', 'logfire.level_num': 9 }), [])).toBeNull();
  });
});
