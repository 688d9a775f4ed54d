import { describe, expect, it } from 'vitest';
import { DeltaTemplates } from '../../../src/capture/proxy/parsers/fast-delta';
import { openaiChatParser } from '../../../src/capture/proxy/parsers/openai-chat';
import { parseSse } from '../../../src/capture/proxy/sse';

const chunk = (content: string, extra: Record<string, unknown> = {}, choice: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o',
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null, ...choice }],
    usage: null,
    ...extra,
  });

describe('DeltaTemplates', () => {
  const make = () =>
    new DeltaTemplates<number>([
      { marker: '"delta":{"content":"', kind: 'string', value: true },
      { marker: '"obfuscation":"', kind: 'string', optional: true },
      { marker: '"seq":', kind: 'number', optional: true },
    ]);

  it('reads the text of events shaped like a learned one, with escapes and any unicode', () => {
    const t = make();
    t.learn(chunk('Hello'), 0);
    expect(t.match(chunk(' world'))).toBe(' world');
    expect(t.meta).toBe(0);
    expect(t.match(chunk('say "hi"\n\\ ✓ 😀'))).toBe('say "hi"\n\\ ✓ 😀');
    expect(t.match(chunk(''))).toBe('');
  });

  it('lets the holes vary (obfuscation padding, sequence numbers) but nothing else', () => {
    const t = make();
    t.learn(chunk('a', { obfuscation: 'xYz', seq: 1 }), 0);
    expect(t.match(chunk('b', { obfuscation: 'QQQQQQQQ', seq: 12345 }))).toBe('b');
    expect(t.match(chunk('b', { obfuscation: 'q', seq: 2 }, { finish_reason: 'stop' }))).toBeUndefined();
    expect(t.match(chunk('b', { obfuscation: 'q', seq: 2, usage: { prompt_tokens: 1 } }))).toBeUndefined();
    expect(t.match(chunk('b', { obfuscation: 'q', seq: 2 }).replace('"index":0', '"index":1'))).toBeUndefined();
    expect(t.match(chunk('b', { obfuscation: 'q', seq: 2 }) + ' ')).toBeUndefined();
    expect(t.match(chunk('b', { obfuscation: 'q' }))).toBeUndefined();
  });

  it('matches nothing before it has learned, and refuses broken strings', () => {
    const t = make();
    expect(t.match(chunk('x'))).toBeUndefined();
    t.learn(chunk('x'), 0);
    expect(t.match(chunk('x').replace('"content":"x"', '"content":"x'))).toBeUndefined();
  });
});

describe('chat stream fast path', () => {
  it('gives the same reassembly as a full parse, whatever the events carry', () => {
    const frames = [
      chunk('', {}, { delta: { role: 'assistant', content: '' } }),
      chunk('Hel'),
      chunk('lo'),
      chunk(' "quoted"'),
      JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }, logprobs: null, finish_reason: null }], usage: null }),
      chunk('!'),
      chunk('', {}, { delta: {}, finish_reason: 'tool_calls' }),
      JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [], usage: { prompt_tokens: 3, completion_tokens: 5 } }),
      '[DONE]',
    ].map((d) => `data: ${d}\n\n`);
    const r = openaiChatParser.parseEvents(parseSse(Buffer.from(frames.join(''))).events);
    expect(r.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello "quoted"!' }, { type: 'tool_call', id: 'c', name: 'f', arguments: {} }], finish_reason: 'tool_calls' },
    ]);
    expect(r.usage.outputTokens).toBe(5);
    expect(r.lastContentEnd).toBe(Buffer.byteLength(frames.slice(0, 6).join('')));
  });
});
