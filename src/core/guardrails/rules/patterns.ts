// Pattern rules kept as data (JSON in the repository, extended by the user's configuration):
// each entry is a regular expression with {placeholders} expanded from a lexicon of words, so a
// new phrasing or language is a data change, not a release.

import type { GuardrailSeverity } from '../types';

export interface PatternEntry {
  id: string;
  pattern: string;
  flags?: string;
  severity?: GuardrailSeverity;
  lang?: string;
  explanation?: string;
  /** `indirect`: only in tool results and retrieved documents. */
  scope?: 'any' | 'indirect';
  /** A hit whose matched text matches this (expanded the same way) is dropped. */
  negative?: string;
  /**
   * Literal text (lower case) of which every match contains at least one: the pattern runs only
   * on texts that contain one. Derived from a leading {placeholder} or word alternation when absent.
   */
  anchors?: string[];
  /** With `anchors`: how far (characters) a match may reach from its anchor; default 400. */
  window?: number;
}

export interface PatternData {
  version: number;
  lexicon: Record<string, string[]>;
  patterns: PatternEntry[];
}

export interface CompiledPattern {
  id: string;
  re: RegExp;
  severity: GuardrailSeverity;
  lang: string;
  explanation: string;
  scope: 'any' | 'indirect';
  negative: RegExp | null;
  /** Lower-case literals of which every match contains one; null: always run. */
  anchors: string[] | null;
  /** True when every match starts with one of the anchors (they came from its leading words). */
  startsWithAnchor: boolean;
  /** The same expression, sticky: tried at one position. */
  sticky: RegExp;
  /** How far a match may reach from an anchor found anywhere in it. */
  window: number;
}

/** How far (characters) a match may reach from an anchor found anywhere in it, unless the pattern says. */
const WINDOW = 400;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lexicon words are literal text with spaces standing for any separator, unless the entry is a raw regex (B, E, S, W). */
function alternation(words: string[], raw: boolean): string {
  if (raw) return words.join('|');
  // Longest first, so "do not follow" wins over "do".
  const sorted = [...new Set(words)].sort((a, b) => b.length - a.length);
  return sorted.map((w) => escapeRe(w).replace(/\\?\s+/g, '[\\s\\u00a0-]+').replace(/['’]/g, "['’]")).join('|');
}

const RAW_KEYS = new Set(['B', 'E', 'S', 'W']);

export function expandPattern(source: string, lexicon: Record<string, string[]>): string {
  return source.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const words = lexicon[name];
    if (!words) throw new Error(`unknown placeholder {${name}}`);
    return `(?:${alternation(words, RAW_KEYS.has(name))})`;
  });
}

export function mergeLexicons(base: Record<string, string[]>, extra: Record<string, string[]> | undefined): Record<string, string[]> {
  if (!extra) return base;
  const out: Record<string, string[]> = { ...base };
  for (const [k, words] of Object.entries(extra)) out[k] = [...(out[k] ?? []), ...words];
  return out;
}

export function compilePatterns(entries: PatternEntry[], lexicon: Record<string, string[]>, defaults: { explanation: string }): CompiledPattern[] {
  return entries.map((e, i) => {
    const flags = [...new Set(`giu${e.flags ?? ''}`.replace(/[^dgimsuvy]/g, ''))].join('').replace('v', '');
    let re: RegExp;
    let negative: RegExp | null = null;
    try {
      re = new RegExp(expandPattern(e.pattern, lexicon), flags);
      if (e.negative) negative = new RegExp(expandPattern(e.negative, lexicon), flags.replace('g', ''));
    } catch (err) {
      throw new Error(`pattern ${i} (${e.id}): ${(err as Error).message}`);
    }
    const derived = e.anchors ? null : deriveAnchors(e.pattern, lexicon);
    return {
      id: e.id,
      re,
      anchors: e.anchors?.map((a) => a.toLowerCase()) ?? derived,
      startsWithAnchor: !e.anchors && derived !== null,
      sticky: new RegExp(re.source, `${flags.replace('g', '')}y`),
      window: e.window ?? WINDOW,
      severity: e.severity ?? 'medium',
      lang: e.lang ?? 'any',
      explanation: e.explanation ?? defaults.explanation,
      scope: e.scope ?? 'any',
      negative,
    };
  });
}

/** The words a pattern must start with, when it visibly starts with a placeholder or a plain word alternation. */
function deriveAnchors(source: string, lexicon: Record<string, string[]>): string[] | null {
  if (hasTopLevelAlternative(source)) return null;
  const rest = source.replace(/^(?:\{B\})?/, '');
  const placeholder = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest) ?? /^\(\?:\{([A-Za-z_][A-Za-z0-9_]*)\}\)(?![?*+]|\{\d)/.exec(rest);
  if (placeholder && !RAW_KEYS.has(placeholder[1]!)) return lexicon[placeholder[1]!]?.map((w) => w.toLowerCase().split(/\s+/)[0]!.replace(/['’].*$/, '')) ?? null;
  // A leading group of alternatives that each start with a literal word: those words.
  if (!rest.startsWith('(?:')) return null;
  let depth = 0;
  let end = -1;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) {
      end = i;
      break;
    }
  }
  if (end < 0 || /^[?*+]|^\{\d/.test(rest.slice(end + 1))) return null;
  const alternatives = splitTopLevel(rest.slice(3, end));
  const firstWords = alternatives.map((alt) => /^[\p{L}\p{N}]+/u.exec(alt)?.[0]);
  // The word must end where the literal does ("jailbreak(?:ed)?" would be another word in the text).
  const wordEnds = (rest: string): boolean => rest === '' || /^(?: |\{[SE]\}|\\s|\[ |\[\\s|['’-]|\\[.\-'])/.test(rest);
  if (firstWords.some((w, i) => !w || !wordEnds(alternatives[i]!.slice(w.length)))) return null;
  return firstWords.map((w) => w!.toLowerCase());
  return null;
}

/** Where to try a pattern: from a position (sticky, the pattern starts with its anchor) or over a range. */
export interface Attempt {
  pattern: CompiledPattern;
  start: number;
  end: number;
  sticky: boolean;
}


/** Lower-cased texts most recently scanned (several rule families read the same texts). */
const lowerCache = new Map<string, string>();

function lowerOf(text: string): string {
  let lower = lowerCache.get(text);
  if (lower === undefined) {
    lower = text.toLowerCase();
    if (lowerCache.size >= 16) lowerCache.delete(lowerCache.keys().next().value!);
    lowerCache.set(text, lower);
  }
  return lower;
}

const ASCII_WORD = new Uint8Array(128);
for (let c = 48; c < 58; c++) ASCII_WORD[c] = 1;
for (let c = 97; c < 123; c++) ASCII_WORD[c] = 1;
for (let c = 65; c < 91; c++) ASCII_WORD[c] = 1;
const LETTER = /[\p{L}\p{N}\p{M}]/u;

function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return ASCII_WORD[c] === 1;
  if (c >= 0xd800 && c < 0xdc00) return LETTER.test(text.slice(i, i + 2));
  if (c >= 0xdc00 && c < 0xe000) return i > 0 && isWordChar(text, i - 1);
  return LETTER.test(text[i]!);
}

/** FNV-1a of a run of a string: words are looked up by hash, so scanning allocates nothing. */
function hashRange(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Which patterns to try where in a text, from one pass over its words: a pattern that starts with
 * its anchor word is tried only at that word; one whose anchor may sit anywhere in a match is tried
 * in a window around it; one without anchors over the whole text. Most texts contain few anchors,
 * so most patterns never run at all.
 */
export function patternTrigger(patterns: CompiledPattern[]): (text: string) => Attempt[] {
  const wordAnchors = new Map<number, Array<{ word: string; p: CompiledPattern; sticky: boolean }>>();
  const otherAnchors: Array<{ anchor: string; p: CompiledPattern; ascii: boolean }> = [];
  const always: CompiledPattern[] = [];
  for (const p of patterns) {
    if (p.anchors === null || p.anchors.length === 0) {
      always.push(p);
      continue;
    }
    for (const a of new Set(p.anchors)) {
      const first = /^[\p{L}\p{N}]+/u.exec(a)?.[0];
      // A whole leading word of a Latin/Cyrillic/Greek anchor is looked up by word; anything else by substring.
      if (first && /^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}]+$/u.test(first)) {
        const key = hashRange(first, 0, first.length);
        const list = wordAnchors.get(key) ?? [];
        list.push({ word: first, p, sticky: p.startsWithAnchor && first === a.replace(/['’].*$/, '') });
        wordAnchors.set(key, list);
      } else otherAnchors.push({ anchor: a, p, ascii: !/[^\x00-\x7f]/.test(a) });
    }
  }
  return (text) => {
    const lower = lowerOf(text);
    // Lower-casing that changes the length (a dotted İ) would shift offsets: try everything then.
    if (lower.length !== text.length) return patterns.map((pattern) => ({ pattern, start: 0, end: text.length, sticky: false }));
    const attempts: Attempt[] = always.map((pattern) => ({ pattern, start: 0, end: text.length, sticky: false }));
    const windows = new Map<CompiledPattern, Array<[number, number]>>();
    const addWindow = (p: CompiledPattern, at: number): void => {
      const list = windows.get(p) ?? [];
      const s = Math.max(0, at - p.window);
      const e = Math.min(text.length, at + p.window);
      const last = list[list.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else list.push([s, e]);
      windows.set(p, list);
    };
    const n = lower.length;
    let i = 0;
    while (i < n) {
      if (!isWordChar(lower, i)) {
        i++;
        continue;
      }
      const start = i;
      while (i < n && isWordChar(lower, i)) i++;
      const hits = wordAnchors.get(hashRange(lower, start, i));
      if (!hits) continue;
      for (const h of hits) {
        if (h.word.length !== i - start || !lower.startsWith(h.word, start)) continue;
        if (h.sticky) attempts.push({ pattern: h.p, start, end: text.length, sticky: true });
        else addWindow(h.p, start);
      }
    }
    const ascii = !/[^\x00-\x7f]/.test(lower);
    for (const o of otherAnchors) {
      if (ascii && o.ascii === false) continue;
      let i = lower.indexOf(o.anchor);
      while (i >= 0) {
        addWindow(o.p, i);
        i = lower.indexOf(o.anchor, i + Math.max(1, o.p.window));
      }
    }
    for (const [pattern, list] of windows) for (const [start, end] of list) attempts.push({ pattern, start, end, sticky: false });
    return attempts;
  };
}

export interface PatternMatch {
  pattern: CompiledPattern;
  index: number;
  match: string;
}

/** The matches of the attempts; a sticky attempt matches only where it starts. */
export function runAttempts(text: string, attempts: Attempt[]): PatternMatch[] {
  const out: PatternMatch[] = [];
  for (const a of attempts) {
    if (a.sticky) {
      const re = a.pattern.sticky;
      re.lastIndex = a.start;
      const m = re.exec(text);
      if (m) out.push({ pattern: a.pattern, index: m.index, match: m[0] });
      continue;
    }
    const re = a.pattern.re;
    const subject = a.end < text.length ? text.slice(0, a.end) : text;
    re.lastIndex = a.start;
    let m: RegExpExecArray | null;
    while ((m = re.exec(subject)) !== null) {
      if (m[0].length === 0) re.lastIndex++;
      out.push({ pattern: a.pattern, index: m.index, match: m[0] });
    }
  }
  return out;
}

function splitTopLevel(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(source.slice(from, i));
      from = i + 1;
    }
  }
  out.push(source.slice(from));
  return out;
}

function hasTopLevelAlternative(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}
