// Provider parsers on wire data shaped like the real APIs', including the awkward cases the
// integration tests do not reach: parallel choices, partial streams, compatible servers' fields.

import { describe, expect, it } from 'vitest';
import { parserFor } from '../../../src/capture/proxy/parsers';
import { anthropicMessagesParser } from '../../../src/capture/proxy/parsers/anthropic-messages';
import { geminiParser } from '../../../src/capture/proxy/parsers/gemini';
import { operationFromPath } from '../../../src/capture/proxy/parsers/generic';
import { openaiChatParser } from '../../../src/capture/proxy/parsers/openai-chat';
import { openaiResponsesParser } from '../../../src/capture/proxy/parsers/openai-responses';
import { parseSse } from '../../../src/capture/proxy/sse';
import { messageFrames } from '../../fakes/anthropic-fake';
import { responsesFrames } from '../../fakes/openai-fake';

const events = (frames: string[]) => parseSse(Buffer.from(frames.join(''))).events;
const sse = (...objs: unknown[]) => objs.map((o) => `data: ${typeof o === 'string' ? o : JSON.stringify(o)}\n\n`);

describe('parserFor', () => {
  it('chooses by path, for any route name', () => {
    expect(parserFor('POST', '/v1/chat/completions').api).toBe('openai.chat_completions');
    expect(parserFor('POST', '/openai/deployments/gpt4o/chat/completions').api).toBe('openai.chat_completions');
    expect(parserFor('POST', '/api/v1/chat/completions/').api).toBe('openai.chat_completions');
    expect(parserFor('POST', '/v1/responses').api).toBe('openai.responses');
    expect(parserFor('POST', '/v1/embeddings').api).toBe('openai.embeddings');
    expect(parserFor('POST', '/v1/messages').api).toBe('anthropic.messages');
    expect(parserFor('POST', '/v1/threads/thread_abc/messages').api).toBe('generic');
    expect(parserFor('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent').api).toBe('gemini.generate_content');
    expect(parserFor('POST', '/v1beta/models/text-embedding-004:embedContent').operation).toBe('embeddings');
    expect(parserFor('GET', '/v1/chat/completions').api).toBe('generic');
  });

  it('names generic operations from the path, without versions or ids', () => {
    expect(operationFromPath('/v1/models')).toBe('models');
    expect(operationFromPath('/v1/completions')).toBe('text_completion');
    expect(operationFromPath('/v1/messages/count_tokens')).toBe('messages.count_tokens');
    expect(operationFromPath('/v1/files/file-abc123def456/content')).toBe('files.content');
    expect(operationFromPath('/api/chat')).toBe('chat');
    expect(operationFromPath('/api/generate')).toBe('text_completion');
    expect(operationFromPath('/')).toBe('request');
  });
});

describe('OpenAI chat', () => {
  it('maps a request with images, tool calls and tool results to canonical messages', () => {
    const r = openaiChatParser.parseRequest(
      {
        model: 'gpt-4o',
        n: 2,
        stop: 'END',
        max_completion_tokens: 100,
        messages: [
          { role: 'developer', content: 'Be terse.' },
          { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"at":"img"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
        ],
      },
      '/v1/chat/completions',
    );
    expect(r.params).toEqual({ choice_count: 2, stop_sequences: ['END'], max_tokens: 100 });
    expect(r.inputMessages).toEqual([
      { role: 'developer', parts: [{ type: 'text', content: 'Be terse.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'What is this?' }, { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'AAAA' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'look', arguments: { at: 'img' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'a cat' }] },
    ]);
  });

  it('reassembles parallel choices and reasoning_content from an OpenAI-compatible stream', () => {
    const base = { id: 'c1', object: 'chat.completion.chunk', model: 'deepseek-reasoner' };
    const r = openaiChatParser.parseEvents(
      events(
        sse(
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: 'Think' } }] },
          { ...base, choices: [{ index: 1, delta: { role: 'assistant', content: 'B1' } }] },
          { ...base, choices: [{ index: 0, delta: { content: 'A1' } }] },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }, { index: 1, delta: { content: ' B2' }, finish_reason: 'length' }] },
          { ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 7, prompt_cache_hit_tokens: 4 } },
          '[DONE]',
        ),
      ),
    );
    expect(r.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'reasoning', content: 'Think' }, { type: 'text', content: 'A1' }], finish_reason: 'stop' },
      { role: 'assistant', parts: [{ type: 'text', content: 'B1 B2' }], finish_reason: 'length' },
    ]);
    expect(r.finishReasons).toEqual(['stop', 'length']);
    expect(r.usage).toMatchObject({ inputTokens: 9, outputTokens: 7, cachedInputTokens: 4 });
    expect(r.warnings).toEqual([]);
  });

  it('warns on unparseable events and on a stream without [DONE], keeping what it could read', () => {
    const r = openaiChatParser.parseEvents(events(sse({ id: 'x', choices: [{ index: 0, delta: { content: 'ok' } }] }, '{"broken')));
    expect(r.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'ok' }]);
    expect(r.warnings).toEqual(['malformed SSE: 1 event(s) with unparseable JSON data (first at event #1)', 'stream ended without data: [DONE]']);
    expect(r.usage.inputTokens).toBeNull();
  });

  it('reports an error chunk inside a stream', () => {
    const r = openaiChatParser.parseEvents(events(sse({ error: { message: 'The server had an error', type: 'server_error' } })));
    expect(r.error).toEqual({ type: 'server_error', message: 'The server had an error' });
  });

  it('first and last content events are the ones that carried content', () => {
    const frames = sse(
      { id: 'x', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
      { id: 'x', choices: [{ index: 0, delta: { content: 'Hi' } }] },
      { id: 'x', choices: [{ index: 0, delta: { content: '!' } }] },
      { id: 'x', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      '[DONE]',
    );
    const r = openaiChatParser.parseEvents(events(frames));
    expect(r.firstContentEnd).toBe(Buffer.byteLength(frames.slice(0, 2).join('')));
    expect(r.lastContentEnd).toBe(Buffer.byteLength(frames.slice(0, 3).join('')));
  });
});

describe('OpenAI Responses', () => {
  it('maps input items: messages, function calls and their outputs', () => {
    const r = openaiResponsesParser.parseRequest(
      {
        model: 'gpt-4.1',
        instructions: 'Sys',
        max_output_tokens: 50,
        conversation: 'conv_123',
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] },
          { type: 'function_call', call_id: 'call_9', name: 'w', arguments: '{"c":"x"}' },
          { type: 'function_call_output', call_id: 'call_9', output: 'sunny' },
        ],
      },
      '/v1/responses',
    );
    expect(r.systemInstructions).toEqual([{ type: 'text', content: 'Sys' }]);
    expect(r.params).toEqual({ max_tokens: 50 });
    expect(r.conversationId).toBe('conv_123');
    expect(r.inputMessages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_9', name: 'w', arguments: { c: 'x' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_9', response: 'sunny' }] },
    ]);
  });

  it('rebuilds the output from deltas when the stream stops before response.completed', () => {
    const frames = responsesFrames({ text: 'one two three four' });
    const cut = frames.slice(0, frames.findIndex((f) => f.includes('output_text.done')));
    const r = openaiResponsesParser.parseEvents(events(cut));
    expect(r.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'one two three four' }] }]);
    expect(r.warnings).toEqual(['stream ended without response.completed']);
    expect(r.responseId).toBe('resp_68fake00000000000000000000000001');
  });

  it('reads an incomplete response as finish reason length, and an error event', () => {
    const r = openaiResponsesParser.parseEvents(events(responsesFrames({ text: 'cut', status: 'incomplete' })));
    expect(r.finishReasons).toEqual(['length']);
    const e = openaiResponsesParser.parseEvents(events([`event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message: 'boom', sequence_number: 1 })}\n\n`]));
    expect(e.error).toEqual({ type: 'server_error', message: 'boom' });
  });
});

describe('Anthropic messages', () => {
  it('keeps message_start input usage when message_delta carries only output_tokens', () => {
    const frames = messageFrames({ content: [{ type: 'text', text: 'Hi' }], usage: { input: 10, output: 3, cacheRead: 5 } }).map((f) =>
      f.startsWith('event: message_delta') ? f.replace(/"usage":\{[^}]*\}/, '"usage":{"output_tokens":3}') : f,
    );
    const r = anthropicMessagesParser.parseEvents(events(frames));
    expect(r.usage).toEqual({ inputTokens: 15, outputTokens: 3, cachedInputTokens: 5, cacheWriteTokens: 0, reasoningTokens: null });
  });

  it('keeps unknown blocks (redacted thinking) and reads an error body', () => {
    const r = anthropicMessagesParser.parseJson({
      id: 'msg_1',
      model: 'claude-opus-4-5',
      content: [{ type: 'redacted_thinking', data: 'xyz' }, { type: 'text', text: 'Done' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, output_tokens: 2 },
    });
    expect(r.outputMessages[0]!.parts).toEqual([{ type: 'redacted_thinking', data: 'xyz' }, { type: 'text', content: 'Done' }]);
    const e = anthropicMessagesParser.parseJson({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
    expect(e.error).toEqual({ type: 'rate_limit_error', message: 'slow down' });
  });

  it('warns on a stream without message_stop', () => {
    const frames = messageFrames({ content: [{ type: 'text', text: 'partial' }] }).slice(0, 4);
    const r = anthropicMessagesParser.parseEvents(events(frames));
    expect(r.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'partial' }]);
    expect(r.warnings).toEqual(['stream ended without message_stop']);
  });
});

describe('Gemini', () => {
  it('merges streamed text per candidate, keeps function calls, and takes the last usage', () => {
    const chunk = (parts: unknown[], extra: object = {}) => ({ candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 1 }, modelVersion: 'models/gemini-2.5-pro' });
    const last = { ...chunk([{ functionCall: { name: 'f', args: { a: 1 } } }], { finishReason: 'STOP' }), usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 6, thoughtsTokenCount: 2, toolUsePromptTokenCount: 3 } };
    const r = geminiParser.parseEvents(events(sse(chunk([{ text: 'Hel' }]), chunk([{ text: 'lo' }]), last)));
    expect(r.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello' }, { type: 'tool_call', id: null, name: 'f', arguments: { a: 1 } }], finish_reason: 'STOP' },
    ]);
    expect(r.usage).toEqual({ inputTokens: 7, outputTokens: 8, cachedInputTokens: null, cacheWriteTokens: null, reasoningTokens: 2 });
    expect(r.responseModel).toBe('gemini-2.5-pro');
  });

  it('reads the model from the path and generationConfig as parameters', () => {
    const r = geminiParser.parseRequest({ contents: [], generationConfig: { topK: 40, stopSequences: ['x'], candidateCount: 1 } }, '/v1beta/models/gemini-2.0-flash:generateContent');
    expect(r.requestModel).toBe('gemini-2.0-flash');
    expect(r.stream).toBe(false);
    expect(r.params).toEqual({ top_k: 40, stop_sequences: ['x'], choice_count: 1 });
  });
});
