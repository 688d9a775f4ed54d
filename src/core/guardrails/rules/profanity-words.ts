// Which lines of a text may hold profanity, decided word by word before obscenity reads them.
// Each word is squeezed the way obscenity's transformers would see it (lower case, leetspeak
// resolved, marks inside the word dropped, runs of a letter cut to two) and judged by the
// obscenity data set's own patterns; the judgement is remembered per squeezed word, because
// texts are made of the same few thousand words over and over.

import type { GuardrailLibs } from '../libs';

interface Prefilter {
  /** Each pattern's longest literal piece, in one alternation: a word without one cannot match. */
  pieces: RegExp;
  /** The whole patterns, tried on a word that contains a piece. */
  re: RegExp;
  whitelist: string[];
  /** The first words of patterns that run across a space ("double penetra"): such a word is tried with the next. */
  spacedHeads: string[];
}

const prefilters = new WeakMap<GuardrailLibs, Prefilter>();

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'i', '€': 'e' };
/** Look-alike letters from other scripts that people use to get past word lists. */
const CONFUSABLE: Record<string, string> = { а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', к: 'k', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', ο: 'o', ν: 'v', α: 'a', ι: 'i', κ: 'k', τ: 't' };

/**
 * Lower case, leetspeak resolved, marks inside words dropped ("f.u.c.k"), runs of a letter cut
 * to two ("fuuuuck"): roughly what obscenity's transformers do, cheaply, for the prefilter.
 * Whitespace stays, so words stay apart.
 */
export function squeeze(text: string): string {
  const plain = /[^\x00-\x7f]/.test(text)
    ? text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[аеорсухкіјѕԁɡονακιτ]/g, (c) => CONFUSABLE[c]!)
    : text;
  return plain
    .toLowerCase()
    .replace(/[013457@$!|€]/g, (c) => LEET[c]!)
    .replace(/[^a-z*?\s]+/g, '')
    .replace(/([a-z])\1{2,}/g, '$1$1');
}

/** What an ASCII character becomes when squeezed: a code, or 0 when it is dropped. */
const SQUEEZE = new Uint16Array(128);
for (let c = 97; c < 123; c++) SQUEEZE[c] = c;
for (let c = 65; c < 91; c++) SQUEEZE[c] = c + 32;
SQUEEZE[42] = 42; // *
SQUEEZE[63] = 63; // ?
for (const [k, v] of Object.entries(LEET)) if (k.charCodeAt(0) < 128) SQUEEZE[k.charCodeAt(0)] = v.charCodeAt(0);

/** Letters and the symbols leetspeak writes letters with; a chunk without one is a number. */
const LETTERLIKE = /[\p{L}@$!|*?€]/u;

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11;

/** The obscenity patterns as regular expressions over squeezed words. */
export function prefilterFor(libs: GuardrailLibs): Prefilter {
  let p = prefilters.get(libs);
  if (p) return p;
  const built = libs.obscenity.englishDataset.build();
  type N = { kind: number; chars?: number[]; childNode?: N };
  const esc = (c: number): string => String.fromCharCode(c).replace(/[^a-z0-9]/g, '\\$&');
  const node = (n: N): string => {
    if (n.kind === 2) return n.chars!.map((c) => `${esc(c)}{1,2}`).join('');
    if (n.kind === 1) return '[a-z*?]{1,2}';
    if (n.kind === 0) return `(?:${node(n.childNode!)})?`;
    return '';
  };
  const alts: string[] = [];
  const pieces = new Set<string>();
  for (const t of built.blacklistedTerms) {
    const pat = t.pattern as unknown as { nodes: N[]; requireWordBoundaryAtStart: boolean; requireWordBoundaryAtEnd: boolean };
    alts.push(`${pat.requireWordBoundaryAtStart ? '(?<![a-z])' : ''}${pat.nodes.map(node).join('')}${pat.requireWordBoundaryAtEnd ? '(?![a-z])' : ''}`);
    // Squeezing keeps at most two of a letter, so the piece does too.
    const literal = pat.nodes.filter((n) => n.kind === 2).map((n) => String.fromCharCode(...n.chars!).replace(/(.)\1{2,}/g, '$1$1'));
    const piece = literal.sort((a, b) => b.length - a.length)[0] ?? '';
    pieces.add(piece);
  }
  pieces.delete('');
  p = {
    pieces: new RegExp([...pieces].sort((a, b) => b.length - a.length).map((x) => x.replace(/[^a-z0-9]/g, '\\$&')).join('|')),
    re: new RegExp(alts.join('|')),
    whitelist: (built.whitelistedTerms ?? []).map((w) => w.toLowerCase()),
    spacedHeads: [...pieces].filter((x) => x.includes(' ')).map((x) => x.slice(0, x.indexOf(' '))),
  };
  prefilters.set(libs, p);
  return p;
}

function judge(p: Prefilter, word: string): boolean {
  if (!p.pieces.test(word) || !p.re.test(word)) return false;
  return !p.whitelist.some((w) => w.length > 3 && !w.includes(' ') && word.includes(w));
}

/** Judgements by squeezed word, chained by hash; cleared when full (a few hundred KB at most). */
interface Verdict {
  word: string;
  bad: boolean;
  next: Verdict | null;
}
const verdicts = new Map<number, Verdict>();
const VERDICTS = 8192;
/** Longer words (a base64 blob squeezed) are judged without being remembered. */
const LONGEST_REMEMBERED = 40;

let buf = new Uint16Array(256);

function sameWord(w: string, len: number): boolean {
  if (w.length !== len) return false;
  for (let k = 0; k < len; k++) if (w.charCodeAt(k) !== buf[k]) return false;
  return true;
}

function bufString(from: number, to: number): string {
  let s = '';
  for (let k = from; k < to; k++) s += String.fromCharCode(buf[k]!);
  return s;
}

function judged(p: Prefilter, hash: number, len: number): boolean {
  if (len > LONGEST_REMEMBERED) return judge(p, bufString(0, len));
  for (let v: Verdict | null | undefined = verdicts.get(hash); v; v = v.next) if (sameWord(v.word, len)) return v.bad;
  const word = bufString(0, len);
  const bad = judge(p, word);
  if (verdicts.size >= VERDICTS) verdicts.clear();
  verdicts.set(hash, { word, bad, next: verdicts.get(hash) ?? null });
  return bad;
}

/**
 * The indices of the lines (split at '\n') that hold a word the obscenity patterns match once
 * squeezed: the lines obscenity itself has to read.
 */
export function candidateLines(text: string, libs: GuardrailLibs): Set<number> {
  const p = prefilterFor(libs);
  const lines = new Set<number>();
  const n = text.length;
  let line = 0;
  // The squeezed word before this one and the one whitespace character after it, for patterns across a space.
  let prev: string | null = null;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === 10) line++;
      // The patterns across words want one space between them.
      if (c !== 32 || (i + 1 < n && isSpace(text.charCodeAt(i + 1)))) prev = null;
      i++;
      continue;
    }
    // A chunk between whitespace: squeezed here while it is ASCII (in the same pass that finds
    // its end), else as a whole by squeeze().
    const start = i;
    let ascii = true;
    let len = 0;
    let hash = 0x811c9dc5 | 0;
    // A chunk of digits alone is a number, not leetspeak (see toxicity.ts).
    let letters = false;
    for (; i < n; i++) {
      const d = text.charCodeAt(i);
      if (d >= 128) {
        ascii = false;
        while (i < n && !isSpace(text.charCodeAt(i))) i++;
        break;
      }
      const s = SQUEEZE[d]!;
      if (s === 0) {
        if (isSpace(d)) break;
        continue;
      }
      if (d > 57 || d < 48) letters = true;
      // Runs of a letter cut to two.
      if (len >= 2 && s >= 97 && buf[len - 1] === s && buf[len - 2] === s) continue;
      if (len === buf.length) {
        const grown = new Uint16Array(2 * len);
        grown.set(buf);
        buf = grown;
      }
      buf[len++] = s;
      hash = Math.imul(hash ^ s, 0x01000193);
    }
    let bad = false;
    const words: string[] | null = ascii ? null : LETTERLIKE.test(text.slice(start, i)) ? squeeze(text.slice(start, i)).split(/[ \n\t\r\f\v]+/).filter((w) => w !== '') : [];
    if (ascii) {
      if (len > 0 && letters) {
        bad = judged(p, hash & 0x3fffffff, len) || (prev !== null && judge(p, `${prev} ${bufString(0, len)}`));
        prev = spacedHead(p, len) ? bufString(0, len) : null;
      } else prev = null;
    } else {
      if (words!.length === 0) prev = null;
      for (const w of words!) {
        if (bad) break;
        if (buf.length < w.length) buf = new Uint16Array(2 * w.length);
        for (let k = 0; k < w.length; k++) buf[k] = w.charCodeAt(k);
        bad = judged(p, fnvBuf(w.length), w.length) || (prev !== null && judge(p, `${prev} ${w}`));
        prev = spacedHead(p, w.length) ? w : null;
      }
    }
    if (bad) lines.add(line);
  }
  return lines;
}

/** Whether the word in `buf` ends with the first word of a pattern that runs across a space. */
function spacedHead(p: Prefilter, len: number): boolean {
  for (const h of p.spacedHeads) {
    if (h.length > len) continue;
    let k = 0;
    while (k < h.length && buf[len - h.length + k] === h.charCodeAt(k)) k++;
    if (k === h.length) return true;
  }
  return false;
}

function fnvBuf(len: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let k = 0; k < len; k++) hash = Math.imul(hash ^ buf[k]!, 0x01000193);
  return hash & 0x3fffffff;
}
