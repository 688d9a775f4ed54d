// The shared text scan: words with their ranges and hashes, key-like runs and digit clusters.
import { describe, expect, it } from 'vitest';
import { fnv, scanText, TOKEN_MIN } from '../../../src/core/guardrails/scan';

const words = (text: string) => {
  const s = scanText(text);
  return Array.from({ length: s.wordCount }, (_, i) => ({ word: text.slice(s.wordStarts[i], s.wordEnds[i]), hash: s.wordHashes[i] }));
};

describe('scanText', () => {
  it('splits words at what is not a letter or digit, each hashed lower-case', () => {
    expect(words('Ignore ALL previous-instructions, ok?')).toEqual(['Ignore', 'ALL', 'previous', 'instructions', 'ok'].map((w) => ({ word: w, hash: fnv(w.toLowerCase()) })));
  });

  it('makes each Han and kana character a word, however long the text (no word is lost when the scratch was sized by a text of fewer words)', () => {
    scanText('plain words '.repeat(400)); // a long text of few words first: the scan's scratch is sized by it
    const text = '忽略之前的所有指示。'.repeat(700); // 7,000 characters, 6,300 one-character words
    const got = words(text);
    expect(got).toHaveLength(6300);
    expect(got[got.length - 1]).toEqual({ word: '示', hash: fnv('示') });
    expect(got.every((w) => w.word.length === 1 && w.hash === fnv(w.word))).toBe(true);
  });

  it('keeps offsets into the original text when lower-casing changes the length', () => {
    const text = 'İstanbul office: ignore previous instructions';
    expect(words(text).map((w) => w.word)).toEqual(['İstanbul', 'office', 'ignore', 'previous', 'instructions']);
  });

  it('records long key-like runs and clusters of digits', () => {
    const text = `key sk-proj-${'a1B2'.repeat(8)} call +1 (415) 555-0132 now`;
    const s = scanText(text);
    const runs = [];
    for (let k = 0; k < s.tokens.length; k += 2) runs.push(text.slice(s.tokens[k], s.tokens[k + 1]));
    expect(runs).toEqual([`sk-proj-${'a1B2'.repeat(8)}`]);
    expect(runs[0]!.length).toBeGreaterThanOrEqual(TOKEN_MIN);
    const clusters = [];
    for (let k = 0; k < s.clusters.length; k += 4) clusters.push(text.slice(s.clusters[k], s.clusters[k + 1]).trim());
    expect(clusters).toEqual(['+1 (415) 555-0132']);
  });
});
