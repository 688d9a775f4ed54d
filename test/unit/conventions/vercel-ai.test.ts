import { describe, expect, it } from 'vitest';
import { categorizeSpan, normalizeSpan } from '../../../src/core/conventions';
import { event, span } from './build';

// Vercel AI SDK telemetry (ai-sdk.dev/docs/ai-sdk-core/telemetry), attribute names as set by ai@6.
const PROMPT = [
  { role: 'system', content: 'You answer with one word.' },
  { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
  { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' } }] },
  { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'weather', output: { type: 'json', value: { sky: 'rain' } } }] },
];

const INNER = {
  'operation.name': 'ai.generateText.doGenerate my-fn',
  'ai.operationId': 'ai.generateText.doGenerate',
  'ai.model.provider': 'openai.chat',
  'ai.model.id': 'gpt-4o-mini',
  'ai.settings.maxRetries': 2,
  'ai.settings.temperature': 0.3,
  'ai.settings.maxOutputTokens': 100,
  'ai.telemetry.functionId': 'my-fn',
  'ai.telemetry.metadata.sessionId': 'chat-77',
  'ai.telemetry.metadata.promptName': 'weather',
  'ai.telemetry.metadata.promptVersion': '2',
  'ai.prompt.messages': JSON.stringify(PROMPT),
  'ai.prompt.tools': ['{"type":"function","name":"weather","inputSchema":{"type":"object"}}'],
  'ai.prompt.toolChoice': '{"type":"auto"}',
  'gen_ai.system': 'openai.chat',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.request.temperature': 0.3,
  'gen_ai.request.max_tokens': 100,
  'ai.response.finishReason': 'tool-calls',
  'ai.response.text': 'Checking',
  'ai.response.toolCalls': '[{"toolCallId":"call_2","toolName":"weather","input":"{\\"city\\":\\"Lyon\\"}"}]',
  'ai.response.id': 'chatcmpl-xyz',
  'ai.response.model': 'gpt-4o-mini-2024-07-18',
  'ai.response.timestamp': '2025-01-01T00:00:00.000Z',
  'ai.usage.inputTokens': 300,
  'ai.usage.inputTokenDetails.noCacheTokens': 44,
  'ai.usage.inputTokenDetails.cacheReadTokens': 256,
  'ai.usage.outputTokens': 20,
  'ai.usage.outputTokenDetails.textTokens': 12,
  'ai.usage.outputTokenDetails.reasoningTokens': 8,
  'ai.usage.totalTokens': 320,
  'ai.usage.cachedInputTokens': 256,
  'ai.usage.reasoningTokens': 8,
  'gen_ai.response.finish_reasons': ['tool-calls'],
  'gen_ai.response.id': 'chatcmpl-xyz',
  'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
  'gen_ai.usage.input_tokens': 300,
  'gen_ai.usage.output_tokens': 20,
};

describe('Vercel AI SDK', () => {
  it('reads the inner doGenerate span as the call, in preference to its gen_ai.* reading', () => {
    const call = normalizeSpan(span(INNER, { name: 'ai.generateText.doGenerate' }), [])!;
    expect(call.convention).toBe('vercel-ai');
    expect(call.provider).toBe('openai');
    expect(call.requestModel).toBe('gpt-4o-mini');
    expect(call.responseModel).toBe('gpt-4o-mini-2024-07-18');
    expect(call.responseId).toBe('chatcmpl-xyz');
    expect(call.params).toEqual({ temperature: 0.3, max_tokens: 100 });
    expect(call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You answer with one word.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: { sky: 'rain' } }] },
    ]);
    expect(call.outputMessages).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'Checking' }, { type: 'tool_call', id: 'call_2', name: 'weather', arguments: { city: 'Lyon' } }],
        finish_reason: 'tool-calls',
      },
    ]);
    expect(call.finishReasons).toEqual(['tool-calls']);
    expect(call.inputTokens).toBe(300);
    expect(call.cachedInputTokens).toBe(256);
    expect(call.outputTokens).toBe(20);
    expect(call.reasoningTokens).toBe(8);
    expect(call.toolDefinitions).toEqual([{ type: 'function', name: 'weather', inputSchema: { type: 'object' } }]);
    expect(call.conversationId).toBe('chat-77');
    expect(call.promptName).toBe('weather');
    expect(call.promptVersion).toBe('2');
  });

  it('does not count the outer span (it repeats the step usage)', () => {
    const outer = span(
      {
        'operation.name': 'ai.generateText my-fn',
        'ai.operationId': 'ai.generateText',
        'ai.model.provider': 'openai.chat',
        'ai.model.id': 'gpt-4o-mini',
        'ai.prompt': '{"system":"x","prompt":"y"}',
        'ai.response.text': 'done',
        'ai.usage.inputTokens': 300,
        'ai.usage.outputTokens': 20,
      },
      { name: 'ai.generateText' },
    );
    expect(normalizeSpan(outer, [])).toBeNull();
    expect(categorizeSpan(outer)).toBe('chain');
    expect(categorizeSpan(span(INNER, { name: 'ai.generateText.doGenerate' }))).toBe('llm');
    expect(categorizeSpan(span({ 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'weather' }, { name: 'ai.toolCall' }))).toBe('tool');
  });

  it('reads streaming spans: time to first chunk, reasoning, v4 token names', () => {
    const s = span(
      {
        'ai.operationId': 'ai.streamText.doStream',
        'ai.model.provider': 'anthropic.messages',
        'ai.model.id': 'claude-3-7-sonnet-20250219',
        'ai.prompt.messages': '[{"role":"user","content":[{"type":"text","text":"Think."}]}]',
        'ai.response.msToFirstChunk': 412.5,
        'ai.response.reasoning': 'Let me think',
        'ai.response.text': 'Done.',
        'ai.response.finishReason': 'stop',
        'ai.usage.promptTokens': 10,
        'ai.usage.completionTokens': 30,
        'ai.response.providerMetadata': '{"anthropic":{"cacheCreationInputTokens":100,"cacheReadInputTokens":900}}',
      },
      { name: 'ai.streamText.doStream', events: [event('ai.stream.firstChunk', { 'ai.response.msToFirstChunk': 412.5 })] },
    );
    const call = normalizeSpan(s, [])!;
    expect(call.provider).toBe('anthropic');
    expect(call.ttftMs).toBe(412.5);
    expect(call.outputMessages[0]!.parts).toEqual([{ type: 'reasoning', content: 'Let me think' }, { type: 'text', content: 'Done.' }]);
    // Anthropic's raw input_tokens (10) exclude the cache; the call's input includes it.
    expect(call.inputTokens).toBe(1010);
    expect(call.cachedInputTokens).toBe(900);
    expect(call.cacheWriteTokens).toBe(100);
    expect(call.outputTokens).toBe(30);
  });

  it('reads v4 tool calls (args) and tool results (result)', () => {
    const call = normalizeSpan(
      span({
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'openai.chat',
        'ai.model.id': 'gpt-4o',
        'ai.prompt.messages': JSON.stringify([
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c', toolName: 't', args: { a: 1 } }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c', toolName: 't', result: 'fine' }] },
          { role: 'user', content: [{ type: 'image', image: 'https://x/cat.png' }, { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf' }] },
        ]),
        'ai.response.toolCalls': '[{"toolCallId":"d","toolName":"t","args":"{\\"b\\":2}"}]',
      }),
      [],
    )!;
    expect(call.inputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 't', arguments: { a: 1 } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c', response: 'fine' }] },
      {
        role: 'user',
        parts: [
          { type: 'uri', modality: 'image', uri: 'https://x/cat.png' },
          { type: 'blob', modality: 'file', mime_type: 'application/pdf', content: 'JVBERi0=' },
        ],
      },
    ]);
    expect(call.outputMessages[0]!.parts).toEqual([{ type: 'tool_call', id: 'd', name: 't', arguments: { b: 2 } }]);
  });

  it('reads doEmbed spans as embedding calls', () => {
    const s = span({
      'ai.operationId': 'ai.embedMany.doEmbed',
      'ai.model.provider': 'openai.embedding',
      'ai.model.id': 'text-embedding-3-small',
      'ai.values': ['"sunny day"', '"rainy day"'],
      'ai.usage.tokens': 6,
    });
    const call = normalizeSpan(s, [])!;
    expect(call.operation).toBe('embeddings');
    expect(call.inputTokens).toBe(6);
    expect(call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'sunny day' }, { type: 'text', content: 'rainy day' }] }]);
    expect(categorizeSpan(s)).toBe('embedding');
    expect(normalizeSpan(span({ 'ai.operationId': 'ai.embedMany', 'ai.model.id': 'text-embedding-3-small', 'ai.usage.tokens': 6 }), [])).toBeNull();
  });
});
