// System-prompt leakage: the output repeats a substantial run of the system instructions.
// Both sides become word shingles (8 words of the shared text scan; each Han/kana character counts
// as a word); a leak is a run of consecutive shared shingles at least `minWords` long, so a
// generic phrase the two happen to share ("you are a helpful assistant") never counts.

import type { CallText, GuardrailHit } from '../types';
import { locate } from '../text';
import type { RuleContext } from './context';
import { HASH_MASK, scanOf } from '../scan';

const K = 8;

function shingle(hashes: Int32Array, i: number): number {
  let h = 17;
  for (let j = 0; j < K; j++) h = Math.imul(h, 0x5bd1e995) ^ hashes[i + j]!;
  return h & HASH_MASK;
}

/**
 * The system instructions' shingles as an open-addressed table of typed integers (each stored
 * plus one, 0 is empty): no allocation per shingle and a probe or two per output word, where a
 * Set of numbers boxes and hashes each.
 */
interface SystemShingles {
  table: Int32Array;
  size: number;
  tokens: number;
}

/** Shingles of the system instructions most recently seen: an application sends the same ones with every call. */
const systems = new Map<string, SystemShingles>();

function has(s: SystemShingles, h: number): boolean {
  const mask = s.table.length - 1;
  for (let k = h & mask; ; k = (k + 1) & mask) {
    const v = s.table[k]!;
    if (v === 0) return false;
    if (v === h + 1) return true;
  }
}

function add(s: SystemShingles, h: number): void {
  const mask = s.table.length - 1;
  for (let k = h & mask; ; k = (k + 1) & mask) {
    const v = s.table[k]!;
    if (v === h + 1) return;
    if (v === 0) {
      s.table[k] = h + 1;
      s.size++;
      return;
    }
  }
}

function systemShingles(texts: CallText[]): SystemShingles {
  const key = texts.length === 1 ? texts[0]!.text : texts.map((t) => t.text).join('\u0000');
  let s = systems.get(key);
  if (s === undefined) {
    const scans = texts.map((t) => scanOf(t.text));
    const tokens = scans.reduce((a, x) => a + x.wordCount, 0);
    // At most half full, so probes stay short.
    let cap = 16;
    while (cap < 2 * tokens) cap *= 2;
    s = { table: new Int32Array(cap), size: 0, tokens };
    for (const { wordHashes, wordCount } of scans) for (let i = 0; i + K <= wordCount; i++) add(s, shingle(wordHashes, i));
    if (systems.size >= 8) systems.delete(systems.keys().next().value!);
    systems.set(key, s);
  }
  return s;
}

export function leakageRule(texts: CallText[], ctx: RuleContext): GuardrailHit[] {
  const system = texts.filter((t) => t.origin === 'system');
  const outputs = texts.filter((t) => t.origin === 'assistant' || t.origin === 'tool_call');
  if (system.length === 0 || outputs.length === 0) return [];
  const minWords = ctx.config.leakage.minWords;
  const sysShingles = systemShingles(system);
  const sysTokens = sysShingles.tokens;
  if (sysShingles.size === 0) return [];
  // A leak is `minWords` consecutive words, or for a short system prompt 40% of it (at least 12).
  const need = Math.max(K + 4, Math.min(minWords, Math.ceil(sysTokens * 0.4)));
  const out: GuardrailHit[] = [];
  for (const o of outputs) {
    const toks = scanOf(o.text);
    let runStart = -1;
    let runEnd = -1; // exclusive token index
    const flush = (): void => {
      if (runStart >= 0 && runEnd - runStart >= need) {
        const words = runEnd - runStart;
        out.push({
          rule: 'leakage.system-prompt',
          category: 'leakage',
          severity: words >= Math.max(need * 2, sysTokens * 0.5) ? 'high' : 'medium',
          location: locate(o, toks.wordStarts[runStart]!, toks.wordEnds[runEnd - 1]!),
          explanation: `The output repeats ${words} consecutive words of the system instructions (${Math.round((100 * words) / Math.max(1, sysTokens))}% of them)`,
        });
      }
      runStart = -1;
      runEnd = -1;
    };
    for (let i = 0; i + K <= toks.wordCount; i++) {
      if (has(sysShingles, shingle(toks.wordHashes, i))) {
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
