// System-prompt leakage: the output repeats a substantial run of the system instructions.
// Both sides become word shingles (8 words; each Han/kana character counts as a word); a leak is
// a run of consecutive shared shingles at least `minWords` long, so a generic phrase the two
// happen to share ("you are a helpful assistant") never counts.

import type { CallText, GuardrailHit } from '../types';
import { locate } from '../text';
import type { RuleContext } from './context';

const K = 8;
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}]+/gu;

interface Tokens {
  hashes: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  length: number;
}

function tokenize(text: string): Tokens {
  const hashes: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(text)) !== null) {
    const w = m[0].toLowerCase();
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
    hashes.push(h);
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  return { hashes: Int32Array.from(hashes), starts: Int32Array.from(starts), ends: Int32Array.from(ends), length: hashes.length };
}

function shingle(t: Tokens, i: number): number {
  let h = 17;
  for (let j = 0; j < K; j++) h = Math.imul(h, 0x5bd1e995) ^ t.hashes[i + j]!;
  return h;
}

export function leakageRule(texts: CallText[], ctx: RuleContext): GuardrailHit[] {
  const system = texts.filter((t) => t.origin === 'system');
  const outputs = texts.filter((t) => t.origin === 'assistant' || t.origin === 'tool_call');
  if (system.length === 0 || outputs.length === 0) return [];
  const minWords = ctx.config.leakage.minWords;
  const sysShingles = new Set<number>();
  let sysTokens = 0;
  for (const s of system) {
    const toks = tokenize(s.text);
    sysTokens += toks.length;
    for (let i = 0; i + K <= toks.length; i++) sysShingles.add(shingle(toks, i));
  }
  if (sysShingles.size === 0) return [];
  // A leak is `minWords` consecutive words, or for a short system prompt 40% of it (at least 12).
  const need = Math.max(K + 4, Math.min(minWords, Math.ceil(sysTokens * 0.4)));
  const out: GuardrailHit[] = [];
  for (const o of outputs) {
    const toks = tokenize(o.text);
    let runStart = -1;
    let runEnd = -1; // exclusive token index
    const flush = (): void => {
      if (runStart >= 0 && runEnd - runStart >= need) {
        const words = runEnd - runStart;
        out.push({
          rule: 'leakage.system-prompt',
          category: 'leakage',
          severity: words >= Math.max(need * 2, sysTokens * 0.5) ? 'high' : 'medium',
          location: locate(o, toks.starts[runStart]!, toks.ends[runEnd - 1]!),
          explanation: `The output repeats ${words} consecutive words of the system instructions (${Math.round((100 * words) / Math.max(1, sysTokens))}% of them)`,
        });
      }
      runStart = -1;
      runEnd = -1;
    };
    for (let i = 0; i + K <= toks.length; i++) {
      if (sysShingles.has(shingle(toks, i))) {
        if (runStart < 0 || i > runEnd) {
          flush();
          runStart = i;
        }
        runEnd = i + K;
      }
    }
    flush();
  }
  return out;
}
