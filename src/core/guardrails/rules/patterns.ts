// Pattern rules kept as data (JSON in the repository, extended by the user's configuration):
// each entry is a regular expression with {placeholders} expanded from a lexicon of words, so a
// new phrasing or language is a data change, not a release.

import type { GuardrailSeverity } from '../types';
import { fnv, scanOf, type TextScan } from '../scan';

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

/** Literal words at the start of an alternative, separated as a pattern writes word gaps. */
const PHRASE = /^[\p{L}\p{N}]+(?:(?: |\{S\}|\\s\+?|['’-]|\['’\])[\p{L}\p{N}]+)*/u;

/** The words a pattern must start with, when it visibly starts with a placeholder or a plain word alternation. */
function deriveAnchors(source: string, lexicon: Record<string, string[]>): string[] | null {
  if (splitTopLevel(source).length > 1) return null;
  const rest = source.replace(/^(?:\{B\})?/, '');
  const placeholder = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest) ?? /^\(\?:\{([A-Za-z_][A-Za-z0-9_]*)\}\)(?![?*+]|\{\d)/.exec(rest);
  if (placeholder && !RAW_KEYS.has(placeholder[1]!)) return lexicon[placeholder[1]!]?.map((w) => w.toLowerCase()) ?? null;
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
  // The words must end where the literal does ("jailbreak(?:ed)?" would be another word in the text).
  const wordEnds = (rest: string): boolean => rest === '' || /^(?: |\{[SE]\}|\\s|\[ |\[\\s|['’-]|\\[.\-'])/.test(rest);
  const phrases: string[] = [];
  for (const alt of alternatives) {
    // The longest run of literal words the alternative starts with, backed off to where a word ends.
    let phrase = PHRASE.exec(alt)?.[0];
    while (phrase && !wordEnds(alt.slice(phrase.length))) phrase = /^(.*)(?: |\{S\}|\\s\+?|['’-]|\['’\])[\p{L}\p{N}]+$/u.exec(phrase)?.[1];
    if (!phrase) return null;
    phrases.push(phrase.replace(/\{S\}|\\s\+?|\['’\]/g, ' ').toLowerCase());
  }
  return phrases;
}

/** Where to try a pattern: from a position (sticky, the pattern starts with its anchor) or over a range. */
export interface Attempt {
  pattern: CompiledPattern;
  start: number;
  end: number;
  sticky: boolean;
}


/**
 * An anchor's words as the text scan splits them (letters and digits), when its first word
 * is written in a script with spaces between words; null otherwise (it is then searched as a substring).
 */
function anchorWords(anchor: string): string[] | null {
  const words = anchor.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
  if (words.length === 0 || !/^[\p{L}\p{N}]/u.test(anchor)) return null;
  // Only the leading words in scripts the scan splits at spaces; the rest is not checked.
  const kept: string[] = [];
  for (const w of words) {
    if (!/^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}]+$/u.test(w)) break;
    kept.push(w);
  }
  return kept.length > 0 ? kept : null;
}

interface WordAnchor {
  words: string[];
  hashes: number[];
  list: number;
  p: CompiledPattern;
  /** The pattern's number among every list's patterns. */
  slot: number;
  /** The match starts at the anchor: the pattern is tried there only. */
  sticky: boolean;
}

interface SubstringAnchor {
  anchor: string;
  list: number;
  p: CompiledPattern;
  slot: number;
}

/**
 * Which patterns of several lists to try where in a text, from one pass over its words (the
 * shared text scan): a pattern that starts with its anchor is tried only where the anchor's words
 * stand; one whose anchor may sit anywhere in a match is tried in a window around it; one without
 * anchors over the whole text. Most texts hold few anchors, so most patterns never run at all.
 */
export class AnchorIndex {
  private readonly byFirst = new Map<number, WordAnchor[]>();
  /** One bit per low 16 bits of a first word's hash: most words are turned away by one array read. */
  private readonly bloom = new Uint8Array(8192);
  private readonly substrings: SubstringAnchor[] = [];
  /** The substring anchors by their first character, and one class of those characters: one pass finds every anchor. */
  private readonly substringsByFirst = new Map<number, number[]>();
  private readonly firstChars: RegExp | null;
  private readonly always: CompiledPattern[][];
  /**
   * Per pattern (by slot), what one text's pass has found so far: valid while its stamp is the
   * pass's number, so nothing is allocated or cleared per text. The start of its last sticky
   * attempt, and the windows around its anchors.
   */
  private readonly stamp: Int32Array;
  private readonly lastSticky: Int32Array;
  private readonly spans: number[][];
  private pass = 0;

  constructor(private readonly lists: CompiledPattern[][]) {
    this.always = lists.map(() => []);
    let slots = 0;
    lists.forEach((patterns, list) => {
      for (const p of patterns) {
        const slot = slots++;
        if (p.anchors === null || p.anchors.length === 0) {
          this.always[list]!.push(p);
          continue;
        }
        for (const a of new Set(p.anchors)) {
          const words = anchorWords(a);
          if (!words) {
            this.substrings.push({ anchor: a, list, p, slot });
            continue;
          }
          const hashes = words.map(fnv);
          const first = hashes[0]!;
          const entries = this.byFirst.get(first) ?? [];
          if (!entries.some((e) => e.p === p && e.words.join(' ') === words.join(' '))) entries.push({ words, hashes, list, p, slot, sticky: p.startsWithAnchor });
          this.byFirst.set(first, entries);
          this.bloom[(first & 0xffff) >>> 3]! |= 1 << (first & 7);
        }
      }
    });
    this.substrings.forEach((o, k) => {
      const c = o.anchor.charCodeAt(0);
      const list = this.substringsByFirst.get(c) ?? [];
      list.push(k);
      this.substringsByFirst.set(c, list);
    });
    this.stamp = new Int32Array(slots);
    this.lastSticky = new Int32Array(slots);
    this.spans = Array.from({ length: slots }, () => []);
    const firsts = [...this.substringsByFirst.keys()];
    this.firstChars = firsts.length === 0 ? null : new RegExp(`[${firsts.map((c) => `\\u${c.toString(16).padStart(4, '0')}`).join('')}]`, 'g');
  }

  /** The attempts of list `list` for a text (computed for every list at once, once per text). */
  attempts(text: string, list: number): Attempt[] {
    const scan = scanOf(text);
    let all = scan.memo.get(this) as Attempt[][] | undefined;
    if (all === undefined) {
      all = this.collect(scan);
      scan.memo.set(this, all);
    }
    return all[list]!;
  }

  private collect(scan: TextScan): Attempt[][] {
    const { text, lower } = scan;
    const n = text.length;
    // Offsets would not agree with the lower-case text, or a long s (ſ), which the patterns'
    // case-insensitive matching reads as an s and lower-casing keeps, may hide an anchor's
    // word: try everything everywhere.
    if (!scan.sameLength || (!scan.ascii && lower.includes('\u017f'))) return this.lists.map((patterns) => patterns.map((pattern) => ({ pattern, start: 0, end: n, sticky: false })));
    const out: Attempt[][] = this.always.map((ps) => ps.map((pattern) => ({ pattern, start: 0, end: n, sticky: false })));
    if (this.pass === 0x7fffffff) {
      this.pass = 0;
      this.stamp.fill(0);
    }
    const pass = ++this.pass;
    const { stamp, lastSticky, spans } = this;
    // The patterns with windows, per list in the order their first anchor was found (the order attempts are reported in).
    const windowed: Array<Array<{ p: CompiledPattern; slot: number }>> = this.lists.map(() => []);
    // Spans are merged once all are known: a pattern's anchors are not found in the order they stand.
    const addWindow = (list: number, p: CompiledPattern, slot: number, at: number): void => {
      if (stamp[slot] !== pass) {
        stamp[slot] = pass;
        lastSticky[slot] = -1;
        spans[slot]!.length = 0;
      }
      const w = spans[slot]!;
      const from = Math.max(0, at - p.window);
      const to = Math.min(n, at + p.window);
      const last = w.length - 2;
      if (last < 0) windowed[list]!.push({ p, slot });
      // Found in text order (most are), a span that reaches the last one merges with it now.
      else if (from >= w[last]! && from <= w[last + 1]!) {
        if (to > w[last + 1]!) w[last + 1] = to;
        return;
      }
      w.push(from, to);
    };
    const { wordCount, wordStarts, wordHashes } = scan;
    for (let i = 0; i < wordCount; i++) {
      const h = wordHashes[i]!;
      if ((this.bloom[(h & 0xffff) >>> 3]! & (1 << (h & 7))) === 0) continue;
      const entries = this.byFirst.get(h);
      if (!entries) continue;
      const start = wordStarts[i]!;
      for (const e of entries) {
        if (!this.wordsAt(scan, i, e)) continue;
        if (e.sticky) {
          const slot = e.slot;
          if (stamp[slot] !== pass) {
            stamp[slot] = pass;
            spans[slot]!.length = 0;
          } else if (lastSticky[slot] === start) continue;
          lastSticky[slot] = start;
          out[e.list]!.push({ pattern: e.p, start, end: n, sticky: true });
        } else addWindow(e.list, e.p, e.slot, start);
      }
    }
    // Every substring anchor in one pass over the text (not one search per anchor): where a
    // character some anchor starts with stands, the anchors starting with it are compared.
    const first = this.firstChars;
    if (first !== null) {
      first.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = first.exec(lower)) !== null) {
        const i = m.index;
        for (const k of this.substringsByFirst.get(lower.charCodeAt(i))!) {
          const o = this.substrings[k]!;
          if (lower.startsWith(o.anchor, i)) addWindow(o.list, o.p, o.slot, i);
        }
      }
    }
    windowed.forEach((patterns, list) => {
      for (const { p: pattern, slot } of patterns) {
        const w = spans[slot]!;
        let sorted = true;
        for (let k = 2; k < w.length && sorted; k += 2) sorted = w[k]! >= w[k - 2]!;
        // Else sorted by start (a stable sort of the [start, end] pairs by their index).
        const order = sorted ? null : Array.from({ length: w.length / 2 }, (_, k) => k).sort((a, b) => w[2 * a]! - w[2 * b]!);
        const at = (k: number): number => (order === null ? 2 * k : 2 * order[k]!);
        let curStart = w[at(0)]!;
        let curEnd = w[at(0) + 1]!;
        for (let k = 1; k < w.length / 2; k++) {
          const s0 = w[at(k)]!;
          const s1 = w[at(k) + 1]!;
          if (s0 <= curEnd) curEnd = Math.max(curEnd, s1);
          else {
            out[list]!.push({ pattern, start: curStart, end: curEnd, sticky: false });
            curStart = s0;
            curEnd = s1;
          }
        }
        out[list]!.push({ pattern, start: curStart, end: curEnd, sticky: false });
      }
    });
    return out;
  }

  /** Whether the anchor's words stand at word `i` and after it, each a whole word. */
  private wordsAt(scan: TextScan, i: number, e: WordAnchor): boolean {
    const { words, hashes } = e;
    if (i + words.length > scan.wordCount) return false;
    for (let k = 0; k < words.length; k++) {
      const w = words[k]!;
      const s = scan.wordStarts[i + k]!;
      if (scan.wordHashes[i + k] !== hashes[k] || scan.wordEnds[i + k]! - s !== w.length || !scan.lower.startsWith(w, s)) return false;
    }
    return true;
  }
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
