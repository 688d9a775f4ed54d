import { describe, expect, it } from 'vitest';
import { callToText, messagesToText, systemText } from '../../../src/core/conventions';
import type { ChatMessage } from '../../../src/core/model';

const MESSAGES: ChatMessage[] = [
  { role: 'user', parts: [{ type: 'text', content: 'Find flights to Oslo' }, { type: 'blob', modality: 'image', content: 'AAAA' }] },
  { role: 'assistant', parts: [{ type: 'reasoning', content: 'need the search tool' }, { type: 'tool_call', id: '1', name: 'search_flights', arguments: { to: 'OSL' } }] },
  { role: 'tool', parts: [{ type: 'tool_call_response', id: '1', response: { flights: ['SK123'] } }] },
  { role: 'assistant', parts: [{ type: 'text', content: 'SK123 leaves at 9.' }, { type: 'uri', modality: 'image', uri: 'https://x/map.png' }] },
];

describe('messagesToText', () => {
  it('joins what was said, tool names, arguments and results, skipping binary content', () => {
    expect(messagesToText(MESSAGES)).toBe(
      ['Find flights to Oslo', 'need the search tool', 'search_flights {"to":"OSL"}', '{"flights":["SK123"]}', 'SK123 leaves at 9.', 'https://x/map.png'].join('\n'),
    );
    expect(messagesToText([])).toBe('');
  });

  it('indexes a whole call and finds its system prompt wherever it is', () => {
    const call = { systemInstructions: [], inputMessages: [{ role: 'system', parts: [{ type: 'text', content: 'You are a travel agent.' }] }, ...MESSAGES], outputMessages: [] };
    expect(systemText(call)).toBe('You are a travel agent.');
    expect(systemText({ systemInstructions: [{ type: 'text', content: 'Separate.' }], inputMessages: [] })).toBe('Separate.');
    expect(callToText({ ...call, outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Bye' }] }] })).toMatch(/^You are a travel agent\.\nFind flights.*\nBye$/s);
  });
});
