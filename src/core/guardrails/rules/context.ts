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

/**
 * A global regex's matches that start inside the given ranges, each range read with the whole text
 * before it and `after` characters past it, so lookarounds see what is there. For patterns whose
 * every match lies inside one such range (found by a cheaper scan), this is `matches` without
 * reading the rest of the text.
 */
export function* matchesWithin(re: RegExp, text: string, ranges: Iterable<readonly [number, number]>, after = 0): Generator<RegExpExecArray> {
  for (const [from, to] of ranges) {
    const end = to + after;
    const subject = end < text.length ? text.slice(0, end) : text;
    re.lastIndex = from;
    let m: RegExpExecArray | null;
    while ((m = re.exec(subject)) !== null) {
      if (m[0].length === 0) re.lastIndex++;
      yield m;
    }
  }
}
