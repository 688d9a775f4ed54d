import { describe, expect, it } from 'vitest';
import { categorizeSpan, normalizeSpan } from '../../../src/core/conventions';
import { event, log, span } from './build';

// Shapes follow the OpenTelemetry GenAI semantic conventions (gen-ai-spans.md, gen-ai-events.md,
// the JSON schemas of gen_ai.input.messages / gen_ai.output.messages).
const INPUT = JSON.stringify([
  { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
  { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_VSPygqKTWdrhaFErNvMV18Yl', name: 'get_weather', arguments: { location: 'Paris' } }] },
  { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_VSPygqKTWdrhaFErNvMV18Yl', response: 'rainy, 57°F' }] },
]);
const OUTPUT = JSON.stringify([
  { role: 'assistant', parts: [{ type: 'text', content: 'The weather in Paris is currently rainy with a temperature of 57°F.' }], finish_reason: 'stop' },
]);

describe('OpenTelemetry GenAI (current)', () => {
  it('reads a chat span with JSON-string messages, parameters and usage', () => {
    const call = normalizeSpan(
      span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.response.id': 'chatcmpl-123',
        'gen_ai.request.temperature': 0.2,
        'gen_ai.request.max_tokens': 200,
        'gen_ai.request.top_p': 0.9,
        'gen_ai.request.top_k': 40,
        'gen_ai.request.seed': 7,
        'gen_ai.request.stop_sequences': ['END'],
        'gen_ai.request.frequency_penalty': 0.1,
        'gen_ai.request.presence_penalty': 0.3,
        'gen_ai.request.choice.count': 1,
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 30,
        'gen_ai.usage.cache_read.input_tokens': 100,
        'gen_ai.usage.reasoning.output_tokens': 10,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.conversation.id': 'conv-5',
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You are a helpful bot' }]),
        'gen_ai.tool.definitions': JSON.stringify([{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }]),
        'gen_ai.input.messages': INPUT,
        'gen_ai.output.messages': OUTPUT,
      }),
      [],
    );
    expect(call).not.toBeNull();
    expect(call!.convention).toBe('genai');
    expect(call!.operation).toBe('chat');
    expect(call!.provider).toBe('openai');
    expect(call!.requestModel).toBe('gpt-4o');
    expect(call!.responseModel).toBe('gpt-4o-2024-08-06');
    expect(call!.responseId).toBe('chatcmpl-123');
    expect(call!.params).toEqual({
      temperature: 0.2,
      max_tokens: 200,
      top_p: 0.9,
      top_k: 40,
      seed: 7,
      stop_sequences: ['END'],
      frequency_penalty: 0.1,
      presence_penalty: 0.3,
      choice_count: 1,
    });
    expect(call!.inputTokens).toBe(120);
    expect(call!.cachedInputTokens).toBe(100);
    expect(call!.outputTokens).toBe(30);
    expect(call!.reasoningTokens).toBe(10);
    expect(call!.finishReasons).toEqual(['stop']);
    expect(call!.conversationId).toBe('conv-5');
    expect(call!.systemInstructions).toEqual([{ type: 'text', content: 'You are a helpful bot' }]);
    expect(call!.toolDefinitions).toEqual([{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }]);
    expect(call!.inputMessages).toEqual(JSON.parse(INPUT));
    expect(call!.outputMessages).toEqual(JSON.parse(OUTPUT));
    expect(categorizeSpan(span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }))).toBe('llm');
  });

  it('accepts structured (kvlist) message values and parses string tool arguments', () => {
    const call = normalizeSpan(
      span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'm',
        'gen_ai.output.messages': [
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'f', arguments: '{"a":1}' }, { type: 'tool_call', id: 'c2', name: 'g', arguments: 'not json' }], finish_reason: 'tool_calls' },
        ],
      }),
      [],
    );
    expect(call!.outputMessages[0]!.parts).toEqual([
      { type: 'tool_call', id: 'c1', name: 'f', arguments: { a: 1 } },
      { type: 'tool_call', id: 'c2', name: 'g', arguments: 'not json' },
    ]);
    expect(call!.finishReasons).toEqual(['tool_calls']);
  });

  it('keeps tool results given with the older `result` key and unknown part types', () => {
    const call = normalizeSpan(
      span({
        'gen_ai.request.model': 'm',
        'gen_ai.input.messages': JSON.stringify([
          { role: 'tool', parts: [{ type: 'tool_call_response', id: 'x', result: 'ok' }] },
          { role: 'user', parts: [{ type: 'video_frame', frame: 3 }, { type: 'uri', modality: 'image', uri: 'https://x/y.png' }] },
        ]),
      }),
      [],
    );
    expect(call!.inputMessages[0]!.parts[0]).toEqual({ type: 'tool_call_response', id: 'x', response: 'ok' });
    expect(call!.inputMessages[1]!.parts).toEqual([
      { type: 'video_frame', frame: 3 },
      { type: 'uri', modality: 'image', uri: 'https://x/y.png' },
    ]);
  });

  it('reads messages from gen_ai.client.inference.operation.details log records, joining per-item outputs in order', () => {
    const s = span({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4.1', 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 7 });
    const logs = [
      log('gen_ai.client.inference.operation.details', null, {
        'gen_ai.provider.name': 'openai',
        'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }],
      }, 10),
      log('gen_ai.client.inference.operation.details', null, {
        'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'reasoning', content: 'thinking' }], finish_reason: 'stop' }],
      }, 20),
      log('gen_ai.client.inference.operation.details', null, {
        'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: 'hello' }], finish_reason: 'stop' }],
      }, 30),
    ];
    const call = normalizeSpan(s, logs)!;
    expect(call.convention).toBe('genai');
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    // One record per streamed output item: the items of the turn are joined into one message.
    expect(call.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'reasoning', content: 'thinking' }, { type: 'text', content: 'hello' }], finish_reason: 'stop' },
    ]);
    expect(call.inputTokens).toBe(5);
    expect(call.outputTokens).toBe(7);
  });

  it('reads the details event as a span event, and its scalars when the span lacks them', () => {
    const s = span({}, {
      events: [
        event('gen_ai.client.inference.operation.details', {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'claude-sonnet-4',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.system_instructions': [{ type: 'text', content: 'be terse' }],
          'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"q"}]}]',
          'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"a"}],"finish_reason":"end_turn"}]',
        }),
      ],
    });
    const call = normalizeSpan(s, [])!;
    expect(call.requestModel).toBe('claude-sonnet-4');
    expect(call.provider).toBe('anthropic');
    expect(call.systemInstructions).toEqual([{ type: 'text', content: 'be terse' }]);
    expect(call.outputMessages[0]!.finish_reason).toBe('end_turn');
    expect(call.finishReasons).toEqual(['end_turn']);
  });

  it('converts time_to_first_chunk (seconds) to ttftMs and takes the prompt name', () => {
    const call = normalizeSpan(span({ 'gen_ai.request.model': 'm', 'gen_ai.response.time_to_first_chunk': 0.25, 'gen_ai.prompt.name': 'analyze-code' }), [])!;
    expect(call.ttftMs).toBe(250);
    expect(call.promptName).toBe('analyze-code');
  });

  it('reads embeddings as an embedding call', () => {
    const s = span({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.usage.input_tokens': 8 });
    const call = normalizeSpan(s, [])!;
    expect(call.operation).toBe('embeddings');
    expect(call.inputTokens).toBe(8);
    expect(call.outputTokens).toBeNull();
    expect(categorizeSpan(s)).toBe('embedding');
  });

  it('does not treat agent and tool spans as calls, even with usage', () => {
    const agent = span({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'helper', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 500 });
    expect(normalizeSpan(agent, [])).toBeNull();
    expect(categorizeSpan(agent)).toBe('agent');
    const tool = span({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather' });
    expect(normalizeSpan(tool, [])).toBeNull();
    expect(categorizeSpan(tool)).toBe('tool');
  });

  it('takes the error type from error.type, or from the exception event of an errored span', () => {
    expect(normalizeSpan(span({ 'gen_ai.request.model': 'm', 'error.type': 'rate_limit' }), [])!.errorType).toBe('rate_limit');
    const s = span({ 'gen_ai.request.model': 'm' }, { statusCode: 2, events: [event('exception', { 'exception.type': 'APIConnectionError', 'exception.message': 'boom' })] });
    expect(normalizeSpan(s, [])!.errorType).toBe('APIConnectionError');
    expect(normalizeSpan(span({ 'gen_ai.request.model': 'm' }), [])!.errorType).toBeNull();
  });

  it('is not fooled by malformed values', () => {
    const call = normalizeSpan(
      span({
        'gen_ai.request.model': 'm',
        'gen_ai.input.messages': '[{"role": "user", "parts": [', // truncated JSON
        'gen_ai.output.messages': 42,
        'gen_ai.usage.input_tokens': 'twelve',
        'gen_ai.usage.output_tokens': -3,
        'gen_ai.response.finish_reasons': 'stop',
      }),
      [],
    )!;
    expect(call.inputMessages).toEqual([]);
    expect(call.inputTokens).toBeNull();
    expect(call.outputTokens).toBeNull();
    expect(call.finishReasons).toEqual(['stop']);
  });

  it('returns null for spans that are not model calls', () => {
    expect(normalizeSpan(span({ 'http.request.method': 'GET', 'url.full': 'http://x/' }), [])).toBeNull();
    expect(categorizeSpan(span({ 'http.request.method': 'GET', 'url.full': 'http://x/' }))).toBe('http');
    expect(categorizeSpan(span({ 'db.system': 'sqlite' }))).toBe('other');
  });
});
