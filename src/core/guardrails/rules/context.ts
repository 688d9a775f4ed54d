// Small helpers the pattern rules share: the words around a match, and the rule context.

import type { GuardrailLibs } from '../libs';
import type { ResolvedGuardrailConfig } from '../config';

export interface RuleContext {
  libs: GuardrailLibs;
  config: ResolvedGuardrailConfig;
}

/** Up to `n` characters before `start`, lower-cased. */
export function before(text: string, start: number, n = 24): string {
  return text.slice(Math.max(0, start - n), start).toLowerCase();
}

/** Up to `n` characters after `end`, lower-cased. */
export function after(text: string, end: number, n = 24): string {
  return text.slice(end, end + n).toLowerCase();
}

/** A global regex's matches as [start, end, match]. */
export function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) re.lastIndex++;
    yield m;
  }
}

/** Characters of key-like tokens (base64, base64url, hex, dotted JWTs). */
const TOKEN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/=.') TOKEN_CHAR[c.charCodeAt(0)] = 1;

/** Runs of at least `n` token characters, as [start, end]: one pass, no backtracking (this runs on every text). */
export function longTokens(text: string, n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c < 128 && TOKEN_CHAR[c] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= n) out.push([start, i]);
      start = -1;
    }
  }
  return out;
}
