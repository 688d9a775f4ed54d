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
