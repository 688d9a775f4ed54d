// Which lines of a text may hold profanity, decided word by word before obscenity reads them.
// Each word is squeezed the way obscenity's transformers would see it (lower case, leetspeak
// resolved, marks inside the word dropped, runs of a letter cut to two) and judged by the
// obscenity data set's own patterns; the judgement is remembered per squeezed word, because
// texts are made of the same few thousand words over and over.

import type { GuardrailLibs } from '../libs';
import { scanOf, type TextScan } from '../scan';

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

function judgedBuf(p: Prefilter, hash: number, len: number): boolean {
  if (len > LONGEST_REMEMBERED) return judge(p, bufString(0, len));
  for (let v: Verdict | null | undefined = verdicts.get(hash); v; v = v.next) if (sameWord(v.word, len)) return v.bad;
  const word = bufString(0, len);
  const bad = judge(p, word);
  if (verdicts.size >= VERDICTS) verdicts.clear();
  verdicts.set(hash, { word, bad, next: verdicts.get(hash) ?? null });
  return bad;
}

/** One pass of `candidateLines`: the lines found so far, and the squeezed word before the current one. */
interface Pass {
  p: Prefilter;
  lines: Set<number>;
  line: number;
  /** The squeezed word before this one and the one whitespace character after it, for patterns across a space. */
  prev: string | null;
}

/**
 * Punctuation squeezing drops (ASCII, not a letter, digit, whitespace or a symbol leetspeak or
 * obscenity reads): around a word it changes nothing, so "word," squeezes as "word" does.
 */
const DROPPED = new Uint8Array(128);
for (let c = 33; c < 127; c++) if (SQUEEZE[c] === 0 && !/[A-Za-z0-9]/.test(String.fromCharCode(c))) DROPPED[c] = 1;

/** What a plain word squeezes to and how it is judged, by the word as the text scan hashes it. */
interface WordVerdict {
  /** The lower-case word as it stands in the text. */
  word: string;
  /** The word squeezed: has letters (a number alone is not judged). */
  judged: boolean;
  bad: boolean;
  /** Ends with the first word of a pattern across a space. */
  head: boolean;
  squeezed: string;
}
/** Direct-mapped by the low bits of the word's hash: a few thousand words in use at a time. */
const WORD_SLOTS = 1 << 14;
const wordVerdicts: Array<WordVerdict | undefined> = new Array(WORD_SLOTS);

function wordVerdict(p: Prefilter, scan: TextScan, k: number): WordVerdict {
  const s = scan.wordStarts[k]!;
  const e = scan.wordEnds[k]!;
  const slot = scan.wordHashes[k]! & (WORD_SLOTS - 1);
  const v = wordVerdicts[slot];
  if (v !== undefined && v.word.length === e - s && scan.lower.startsWith(v.word, s)) return v;
  const fresh = judgeWord(p, scan.lower, s, e);
  // A long run (a base64 blob) is not kept.
  if (e - s <= LONGEST_REMEMBERED) wordVerdicts[slot] = fresh;
  return fresh;
}

function judgeWord(p: Prefilter, lower: string, s: number, e: number): WordVerdict {
  const { len, letters } = squeezeAscii(lower, s, e);
  const judged = len > 0 && letters;
  return {
    word: lower.slice(s, e),
    judged,
    bad: judged && judgedBuf(p, fnvBuf(len), len),
    head: judged && spacedHead(p, len),
    squeezed: bufString(0, len),
  };
}

/**
 * The indices of the lines (split at '\n') that hold a word the obscenity patterns match once
 * squeezed: the lines obscenity itself has to read. In an ASCII text, a chunk between whitespace
 * that is one word of the shared text scan with only dropped punctuation around it is judged by
 * that word, from the scan's hash, without reading its characters again; the other chunks
 * (leetspeak symbols, words joined by punctuation, other scripts) are squeezed character by character.
 */
export function candidateLines(text: string, libs: GuardrailLibs): Set<number> {
  const pass: Pass = { p: prefilterFor(libs), lines: new Set(), line: 0, prev: null };
  const scan = scanOf(text);
  const byWord = scan.ascii;
  const { wordCount, wordStarts, wordEnds } = scan;
  const n = text.length;
  let k = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === 10) pass.line++;
      // The patterns across words want one space between them.
      if (c !== 32 || (i + 1 < n && isSpace(text.charCodeAt(i + 1)))) pass.prev = null;
      i++;
      continue;
    }
    if (byWord) {
      while (k < wordCount && wordStarts[k]! < i) k++;
      const ws = k < wordCount ? wordStarts[k]! : n;
      let j = i;
      while (j < ws && DROPPED[text.charCodeAt(j)] === 1) j++;
      if (j < ws) {
        // Nothing but dropped punctuation up to whitespace or the end: squeezes to nothing.
        if (j === n || isSpace(text.charCodeAt(j))) {
          pass.prev = null;
          i = j;
          continue;
        }
      } else if (k < wordCount) {
        let m = wordEnds[k]!;
        while (m < n && DROPPED[text.charCodeAt(m)] === 1) m++;
        if (m === n || isSpace(text.charCodeAt(m))) {
          const v = wordVerdict(pass.p, scan, k);
          if (v.judged) {
            if (v.bad || (pass.prev !== null && judge(pass.p, `${pass.prev} ${v.squeezed}`))) pass.lines.add(pass.line);
            pass.prev = v.head ? v.squeezed : null;
          } else pass.prev = null;
          i = m;
          k++;
          continue;
        }
      }
    }
    i = chunk(pass, text, i);
  }
  return pass.lines;
}

/** Squeezes the ASCII characters from..to of `text` into `buf`: their count there, and whether one is not a digit. */
function squeezeAscii(text: string, from: number, to: number): { len: number; letters: boolean } {
  let len = 0;
  let letters = false;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i);
    const s = SQUEEZE[d]!;
    if (s === 0) continue;
    if (d > 57 || d < 48) letters = true;
    len = append(len, s);
  }
  return { len, letters };
}

/** Appends a squeezed character to the `len` in `buf`, cutting runs of a letter to two: the new length. */
function append(len: number, s: number): number {
  if (len >= 2 && s >= 97 && buf[len - 1] === s && buf[len - 2] === s) return len;
  if (len === buf.length) {
    const grown = new Uint16Array(2 * len);
    grown.set(buf);
    buf = grown;
  }
  buf[len] = s;
  return len + 1;
}

/** One chunk between whitespace from `start`, squeezed character by character and judged: where it ends. */
function chunk(pass: Pass, text: string, start: number): number {
  const { p } = pass;
  const n = text.length;
  let i = start;
  // Squeezed here while it is ASCII (in the same pass that finds its end), else as a whole by squeeze().
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
    const was = len;
    len = append(len, s);
    if (len !== was) hash = Math.imul(hash ^ s, 0x01000193);
  }
  let bad = false;
  const words: string[] | null = ascii ? null : LETTERLIKE.test(text.slice(start, i)) ? squeeze(text.slice(start, i)).split(/[ \n\t\r\f\v]+/).filter((w) => w !== '') : [];
  if (ascii) {
    if (len > 0 && letters) {
      bad = judgedBuf(p, hash & 0x3fffffff, len) || (pass.prev !== null && judge(p, `${pass.prev} ${bufString(0, len)}`));
      pass.prev = spacedHead(p, len) ? bufString(0, len) : null;
    } else pass.prev = null;
  } else {
    if (words!.length === 0) pass.prev = null;
    for (const w of words!) {
      if (bad) break;
      if (buf.length < w.length) buf = new Uint16Array(2 * w.length);
      for (let k = 0; k < w.length; k++) buf[k] = w.charCodeAt(k);
      bad = judgedBuf(p, fnvBuf(w.length), w.length) || (pass.prev !== null && judge(p, `${pass.prev} ${w}`));
      pass.prev = spacedHead(p, w.length) ? w : null;
    }
  }
  if (bad) pass.lines.add(pass.line);
  return i;
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
