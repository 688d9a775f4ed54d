import { describe, expect, it } from 'vitest';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import type { ChatMessage } from '../../src/core/model';
import {
  countTextTokens,
  encodingNameForModel,
  estimateOutputTokens,
  estimateTokens,
  isEncodingLoaded,
} from '../../src/core/tokens';

const SAMPLE = [
  'Hello, world! The quick brown fox jumps over the lazy dog.',
  'Ünïcödé — 漢字かな交じり文 — Ελληνικά — emoji 🎉🚀👍🏽 — русский текст',
  'function add(a: number, b: number): number {\n  return a + b; // 42\n}\n\t\t  \n',
  'Special-token strings in captured text: <|endoftext|> <|im_start|>system<|im_end|>',
  '{"tool":"get_weather","arguments":{"city":"Zürich","unit":"celsius"}}',
  '   leading spaces, 1234567890, 3.14159, https://example.com/a?b=c&d=e#f',
].join('\n');

// js-tiktoken's own constructor takes seconds for o200k: build the reference once.
let referenceO200k: Tiktoken | undefined;
function reference(name: 'o200k_base' | 'cl100k_base'): Tiktoken {
  if (name === 'cl100k_base') return new Tiktoken(cl100kBase);
  referenceO200k ??= new Tiktoken(o200kBase);
  return referenceO200k;
}

describe('encodingNameForModel', () => {
  it('uses o200k_base for GPT-4o, 4.1, 5 and the o-series', () => {
    for (const m of ['gpt-4o', 'gpt-4o-mini-2024-07-18', 'gpt-4.1-nano', 'gpt-5', 'gpt-5-mini', 'o1', 'o3-mini', 'o4-mini', 'openai/gpt-4o', 'chatgpt-4o-latest', 'gpt-oss-120b']) {
      expect(encodingNameForModel(m), m).toBe('o200k_base');
    }
  });

  it('uses cl100k_base for older OpenAI models and as the default for others', () => {
    for (const m of ['gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo', 'text-embedding-3-small', 'claude-sonnet-4-5', 'gemini-2.5-flash', 'llama3.2', 'omni-model', null, undefined, '']) {
      expect(encodingNameForModel(m), String(m)).toBe('cl100k_base');
    }
  });
});

describe('tokenizers', () => {
  // Runs first in this file's process, so no table is built yet.
  it('builds an encoding table lazily, on its first count, and only that one', () => {
    expect(isEncodingLoaded('o200k_base')).toBe(false);
    expect(isEncodingLoaded('cl100k_base')).toBe(false);
    expect(countTextTokens('Hello there', 'gpt-4o')).toBe(2);
    expect(isEncodingLoaded('o200k_base')).toBe(true);
    expect(isEncodingLoaded('cl100k_base')).toBe(false);
    expect(countTextTokens('', 'gpt-4')).toBe(0); // an empty text needs no table
    expect(isEncodingLoaded('cl100k_base')).toBe(false);
  });

  it('count exactly as js-tiktoken built by its own constructor', () => {
    for (const [name, model] of [
      ['o200k_base', 'gpt-4o'],
      ['cl100k_base', 'gpt-4'],
    ] as const) {
      const ref = reference(name);
      expect(countTextTokens(SAMPLE, model), name).toBe(ref.encode(SAMPLE, [], []).length);
      for (const line of SAMPLE.split('\n')) expect(countTextTokens(line, model), line).toBe(ref.encode(line, [], []).length);
    }
    expect(isEncodingLoaded('cl100k_base')).toBe(true);
  });

  it('count exactly as js-tiktoken on varied texts, with the piece cache cold and warm', () => {
    // Seeded so a failure can be replayed; the alphabet mixes what splits pieces differently:
    // cases and contractions, digit runs, punctuation, CRLF and whitespace runs, accents, CJK,
    // emoji with modifiers, right-to-left text, a lone surrogate, special-token strings.
    const atoms = [
      'the', ' The', ' THE', 'tHe', "'s", "'LL", "'ve", ' don\'t', 'HelloWorld', 'camelCaseName', ' supercalifragilistic',
      ' qxzjvwk', ' zyxwvutsrq', '0', '12', '123456789', ' 3.14159', '!', '?!', '...', ' --', '/', '//', '{"a":1}', '()',
      ' ', '  ', '     ', '\t', '\n', '\r\n', '\n\n\n', ' \n ', 'é', 'Zürich', ' naïve', '漢字', 'かな', '한국어', 'Ελληνικά',
      'русский', '🎉', '👍🏽', '🇨🇭', 'مرحبا', '\ud800', '<|endoftext|>', '<|im_start|>', 'https://example.com/a?b=c',
    ];
    let state = 12345;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const texts: string[] = [];
    for (let t = 0; t < 300; t++) {
      let s = '';
      const len = 1 + next(40);
      for (let i = 0; i < len; i++) s += atoms[next(atoms.length)]!;
      texts.push(s);
    }
    for (const [name, model] of [
      ['cl100k_base', 'gpt-4'],
      ['o200k_base', 'gpt-4o'],
    ] as const) {
      const ref = reference(name);
      for (const pass of ['cold', 'warm']) {
        const mismatches = texts.filter((s) => countTextTokens(s, model) !== ref.encode(s, [], []).length);
        expect(mismatches.slice(0, 3), `${name} ${pass}`).toEqual([]);
      }
    }
  });

  it('counts special-token strings in captured text as plain text instead of throwing', () => {
    expect(countTextTokens('<|endoftext|>', 'gpt-4o')).toBeGreaterThan(1);
  });

  it('estimates very long texts from a sample, close to the exact count', () => {
    const long = `${SAMPLE}\n`.repeat(400); // ≈ 130,000 characters
    const exact = reference('o200k_base').encode(long, [], []).length;
    const estimate = countTextTokens(long, 'gpt-4o');
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.05);
  });
});

describe('estimateTokens', () => {
  const question: ChatMessage = { role: 'user', parts: [{ type: 'text', content: 'What is the capital of France?' }] };

  it('counts a text', () => {
    expect(estimateTokens('What is the capital of France?', 'gpt-4o')).toBe(countTextTokens('What is the capital of France?', 'gpt-4o'));
    expect(estimateTokens('', 'gpt-4o')).toBe(0);
  });

  it('adds chat framing per message, per name and for the reply', () => {
    const content = countTextTokens('What is the capital of France?', 'gpt-4o');
    expect(estimateTokens([question], 'gpt-4o')).toBe(content + 3 + 3);
    expect(estimateTokens([{ ...question, name: 'alice' }, question], 'gpt-4o')).toBe(2 * content + 2 * 3 + 1 + 3);
    expect(estimateTokens([], 'gpt-4o')).toBe(0);
  });

  it('counts parts of every kind: tool calls and responses, reasoning, images, unknown parts', () => {
    const parts: ChatMessage['parts'] = [
      { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
      { type: 'tool_call_response', id: 'call_1', response: { temperature: 21 } },
      { type: 'reasoning', content: 'The user wants the weather.' },
      { type: 'custom_part', payload: 'something new' },
    ];
    const withoutImage = estimateTokens(parts, 'gpt-4o');
    expect(withoutImage).toBeGreaterThan(countTextTokens('get_weather', 'gpt-4o'));
    const withImage = estimateTokens([...parts, { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0KGgo=' }], 'gpt-4o');
    expect(withImage - withoutImage).toBe(765);
  });

  it('output estimates carry no framing', () => {
    const answer: ChatMessage = { role: 'assistant', parts: [{ type: 'text', content: 'Paris.' }] };
    expect(estimateOutputTokens([answer], 'gpt-4o')).toBe(countTextTokens('Paris.', 'gpt-4o'));
  });
});
