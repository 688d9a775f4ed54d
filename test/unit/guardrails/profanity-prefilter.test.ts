// The profanity prefilter judges a plain word of an ASCII text by the shared scan's hash of it,
// and every other chunk character by character: both ways must pick the same lines.
import { describe, expect, it } from 'vitest';
import { loadGuardrailLibs, profanityIn } from '../../../src/core/guardrails';
import { candidateLines } from '../../../src/core/guardrails/rules/profanity-words';
import { fnv } from '../../../src/core/guardrails/scan';

/** A small deterministic generator, so a failure names its text. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ROOTS = ['fuck', 'shit', 'bitch', 'cunt', 'asshole', 'dick', 'whore', 'nigger', 'retard', 'twat', 'double penetration', 'jerk off', 'bullshit', 'cum'];
const CLEAN = ['the', 'a', 'analysis', 'Dick', 'Cheney', 'Penistone', 'Scunthorpe', 'class', 'assess', 'cocktail', 'title', 'grape', 'therapist', 'Uranus', 'double', 'pass', 'I', 'b', 'x', '2024', '455', 'an al', 'texan al'];

function asciiText(next: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
  const dress = (w: string): string => {
    const r = next();
    if (r < 0.1) return `${w},`;
    if (r < 0.2) return `"${w}."`;
    if (r < 0.25) return `${w}!`; // '!' is leetspeak for i: not plain punctuation
    if (r < 0.3) return w.replace(/i/g, '1').replace(/o/g, '0');
    if (r < 0.35) return w.replace(/([a-z])/, '$1$1$1$1');
    if (r < 0.4) return `${w}-${pick(CLEAN)}`;
    if (r < 0.45) return `(${w})`;
    if (r < 0.5) return `${w}'s`;
    if (r < 0.55) return w.toUpperCase();
    if (r < 0.6) return `${w}ing`;
    if (r < 0.65) return `--`;
    return w;
  };
  let s = '';
  const n = 10 + Math.floor(next() * 60);
  for (let i = 0; i < n; i++) s += dress(next() < 0.2 ? pick(ROOTS) : pick(CLEAN)) + pick([' ', ' ', ' ', '  ', '\n', '\t', ' \n']);
  return s;
}

describe('profanity prefilter', () => {
  it('picks the same lines word by word (ASCII) as character by character (the same text made non-ASCII)', async () => {
    const libs = await loadGuardrailLibs();
    const next = rng(7);
    let found = 0;
    for (let i = 0; i < 400; i++) {
      const t = asciiText(next);
      const fast = [...candidateLines(t, libs)].sort((a, b) => a - b);
      // A last line with a non-ASCII letter sends every chunk down the character-by-character path.
      const slow = [...candidateLines(`${t}\n\u00e9`, libs)].sort((a, b) => a - b);
      expect(fast, t).toEqual(slow);
      found += fast.length;
    }
    expect(found).toBeGreaterThan(200);
  });

  it('tells apart two words that share a slot of the remembered judgements', async () => {
    const libs = await loadGuardrailLibs();
    const slot = (w: string): number => fnv(w) & 0x3fff;
    // A clean made-up word in the same slot as "shit", judged first: "shit" must not reuse its verdict.
    let clean = '';
    for (let k = 0; clean === ''; k++) {
      const w = `zq${k.toString(36).replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}`;
      if (slot(w) === slot('shit') && w !== 'shit') clean = w;
    }
    expect(candidateLines(clean, libs).size).toBe(0);
    expect([...candidateLines(`${clean}\nshit`, libs)]).toEqual([1]);
    expect([...candidateLines(`shit\n${clean}`, libs)]).toEqual([0]);
  });

  it('finds letters spelled out after a digit or a non-ASCII letter, as the full expression does', async () => {
    const libs = await loadGuardrailLibs();
    expect(profanityIn('room 5f u c k', libs).map((p) => p.word)).toEqual(['fuck']);
    // Three letters: the only middle one decides.
    expect(profanityIn('room 5c u m', libs).map((p) => p.word)).toEqual(['cum']);
    expect(profanityIn('room \u00e9f.a.g', libs).map((p) => p.word)).toEqual(['fag']);
    expect(profanityIn('x c u m', libs)).toEqual([]);
    expect(profanityIn('this is a test', libs)).toEqual([]);
    expect(profanityIn('is a b c', libs)).toEqual([]);
  });
});
