import { describe, expect, it } from 'vitest';
import { contentToParts, toMessage, toPart, toSystemParts, toToolDefinitions } from '../../../src/core/conventions/parts';

describe('message parts in every known shape → canonical parts', () => {
  it('Anthropic blocks', () => {
    expect(toPart({ type: 'thinking', thinking: 'hmm', signature: 'sig' })).toEqual({ type: 'reasoning', content: 'hmm' });
    expect(toPart({ type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } })).toEqual({ type: 'tool_call', id: 'toolu_1', name: 'f', arguments: { a: 1 } });
    expect(toPart({ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'part 1 ' }, { type: 'text', text: 'part 2' }] })).toEqual({
      type: 'tool_call_response',
      id: 'toolu_1',
      response: 'part 1 part 2',
    });
    expect(toPart({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } })).toEqual({ type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBO' });
    expect(toPart({ type: 'image', source: { type: 'url', url: 'https://x/a.jpg' } })).toEqual({ type: 'uri', modality: 'image', uri: 'https://x/a.jpg' });
    expect(toPart({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' } })).toEqual({ type: 'blob', modality: 'file', mime_type: 'application/pdf', content: 'JVBE' });
    expect(toPart({ type: 'redacted_thinking', data: 'xyz' })).toEqual({ type: 'redacted_thinking', data: 'xyz' });
  });

  it('OpenAI content parts', () => {
    expect(toPart({ type: 'input_audio', input_audio: { data: 'UklG', format: 'wav' } })).toEqual({ type: 'blob', modality: 'audio', mime_type: 'audio/wav', content: 'UklG' });
    expect(toPart({ type: 'file', file: { file_id: 'file-1' } })).toEqual({ type: 'file', file_id: 'file-1' });
    expect(toPart({ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } })).toEqual({ type: 'blob', modality: 'image', mime_type: 'image/jpeg', content: '/9j/' });
    expect(toPart({ type: 'refusal', refusal: 'I cannot.' })).toEqual({ type: 'refusal', content: 'I cannot.' });
    expect(toPart({ type: 'input_text', text: 'hi' })).toEqual({ type: 'text', content: 'hi' });
  });

  it('keeps what it does not know, and content-less text parts (capture off)', () => {
    expect(toPart({ type: 'hologram', frames: 3 })).toEqual({ type: 'hologram', frames: 3 });
    expect(toPart({ type: 'text' })).toEqual({ type: 'text' });
    expect(toPart(42)).toEqual({ type: 'unknown', value: 42 });
  });

  it('OpenAI messages: refusals, legacy function calls, tool results', () => {
    expect(toMessage({ role: 'assistant', content: null, refusal: 'No.' })).toEqual({ role: 'assistant', parts: [{ type: 'refusal', content: 'No.' }] });
    expect(toMessage({ role: 'assistant', content: null, function_call: { name: 'f', arguments: '{"x":1}' } })).toEqual({
      role: 'assistant',
      parts: [{ type: 'tool_call', id: null, name: 'f', arguments: { x: 1 } }],
    });
    expect(toMessage({ role: 'tool', tool_call_id: 'c', content: '{"ok":true}', name: 'f' })).toEqual({
      role: 'tool',
      parts: [{ type: 'tool_call_response', id: 'c', response: '{"ok":true}' }],
      name: 'f',
    });
    expect(toMessage('bare string')).toEqual({ role: 'user', parts: [{ type: 'text', content: 'bare string' }] });
    expect(toMessage(null)).toBeNull();
  });

  it('content, system instructions and tool definitions in their loose forms', () => {
    expect(contentToParts('')).toEqual([]);
    expect(contentToParts('[{"type":"text","text":"x"}]')).toEqual([{ type: 'text', content: 'x' }]);
    expect(contentToParts('[not json')).toEqual([{ type: 'text', content: '[not json' }]);
    expect(toSystemParts([{ type: 'text', text: 'A' }, 'B'])).toEqual([{ type: 'text', content: 'A' }, { type: 'text', content: 'B' }]);
    expect(toSystemParts('plain')).toEqual([{ type: 'text', content: 'plain' }]);
    expect(toToolDefinitions(['{"name":"a"}', { name: 'b' }, 'not json'])).toEqual([{ name: 'a' }, { name: 'b' }, 'not json']);
    expect(toToolDefinitions('{"not":"an array"}')).toEqual([]);
  });
});
