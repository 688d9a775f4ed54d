// One pass over a text that every rule family shares: its lower-case form, its words (with a
// hash each, for the pattern anchors and the leakage shingles), runs of key-like characters (for
// secrets and encoded payloads) and clusters of digits (for card, SSN, phone and IP numbers).
// The rules then look only where these say something can be; most of a text is none of it.

export interface TextScan {
  text: string;
  /** `text.toLowerCase()`; offsets agree with `text` only when `sameLength`. */
  lower: string;
  sameLength: boolean;
  ascii: boolean;
  /**
   * Words: runs of letters and digits, each Han or kana character a word of its own; as
   * UTF-16 start and end in `text` and an FNV-1a hash of the lower-case word.
   */
  wordCount: number;
  wordStarts: Int32Array;
  wordEnds: Int32Array;
  /** 30-bit hashes (see `fnv`). */
  wordHashes: Int32Array;
  /** Runs of at least 16 key-like characters (base64, base64url, hex, dotted JWTs, `~`): start, end pairs. */
  tokens: number[];
  /** Runs of digits and the characters numbers are written with (` +().-` and no-break space) holding at least 4 digits: start, end, digit count, dot count. */
  clusters: number[];
  /** What rules derive from the scan, by the object that derived it (an anchor index, …). */
  memo: Map<object, unknown>;
}

/** Runs of key-like characters shorter than this are not recorded. */
export const TOKEN_MIN = 16;
const CLUSTER_MIN_DIGITS = 4;

const WORD = 1;
const TOKEN = 2;
const CLUSTER = 4;
const DIGIT = 8;
const SINGLE = 16; // a word on its own (Han, kana)

const ASCII = new Uint8Array(128);
for (let c = 48; c < 58; c++) ASCII[c] = WORD | TOKEN | CLUSTER | DIGIT;
for (let c = 65; c < 91; c++) ASCII[c] = WORD | TOKEN;
for (let c = 97; c < 123; c++) ASCII[c] = WORD | TOKEN;
for (const ch of '_+/=.-~') ASCII[ch.charCodeAt(0)] |= TOKEN;
for (const ch of ' +().-') ASCII[ch.charCodeAt(0)] |= CLUSTER;

// Marks are not word characters: a combining accent or an Indic vowel sign splits a word, as it
// always has for the leakage shingles (anchors are written composed, so they are unaffected).
const LETTER = /^[\p{L}\p{N}]$/u;
const SINGLE_SCRIPT = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;
/** Classes of BMP characters above ASCII, filled on first sight (0: not yet classified). */
const BMP = new Uint8Array(65536);
const UNCLASSIFIED = 128;

function classify(ch: string): number {
  if (!LETTER.test(ch)) return 0;
  return SINGLE_SCRIPT.test(ch) ? WORD | SINGLE : WORD;
}

function bmpClass(c: number): number {
  let k = BMP[c]!;
  if (k === 0) {
    k = c === 0xa0 ? CLUSTER : classify(String.fromCharCode(c));
    BMP[c] = k | UNCLASSIFIED;
    return k;
  }
  return k & ~UNCLASSIFIED;
}

/**
 * FNV-1a of lower-case code units, kept to 30 bits so that it stays a small integer (no boxed
 * numbers in maps and sets): the hash the pattern anchors and the leakage shingles use.
 */
export function fnv(s: string): number {
  let h = FNV_START;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h & HASH_MASK;
}
const FNV_START = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
export const HASH_MASK = 0x3fffffff;

/** Scratch for the words of the text being scanned, in three regions of `cap` (starts, ends, hashes). */
let scratch = new Int32Array(3 * 1024);

/**
 * Each scan's words are kept in a slice of a shared arena, not in arrays of their own: a typed
 * array of more than a few words gets its own off-heap store, and allocating and collecting those
 * was most of a scan's time. A full arena is left to the scans that still use it and a new one
 * started; only a text of very many words gets a buffer of its own.
 */
const ARENA = 1 << 18; // Int32 entries: 1 MB, about a hundred 4 KB texts
let arena = new Int32Array(ARENA);
let arenaUsed = 0;

function slice(n: number): Int32Array {
  if (n > ARENA / 8) return new Int32Array(n);
  if (arenaUsed + n > ARENA) {
    arena = new Int32Array(ARENA);
    arenaUsed = 0;
  }
  const v = arena.subarray(arenaUsed, arenaUsed + n);
  arenaUsed += n;
  return v;
}

export function scanText(text: string): TextScan {
  const lower = text.toLowerCase();
  const sameLength = lower.length === text.length;
  // Lower-casing that changes the length (a dotted İ) would shift offsets: words are then
  // read from the original text and lower-cased one by one.
  const src = sameLength ? lower : text;
  const n = src.length;
  // At most one word per character (Han and kana characters are words of one).
  const cap = n + 1;
  if (scratch.length < 3 * cap) scratch = new Int32Array(3 * cap);
  const w = scratch;
  let words = 0;
  const tokens: number[] = [];
  const clusters: number[] = [];
  let ascii = true;
  let wordStart = -1;
  let hash = FNV_START;
  let tokenStart = -1;
  let clusterStart = -1;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= n; i++) {
    // Past the end: a character of no class, which ends whatever run is open.
    const c = i < n ? src.charCodeAt(i) : 0;
    let cls: number;
    let width = 1;
    if (c < 128) cls = ASCII[c]!;
    else {
      ascii = false;
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
        // A character outside the BMP: classified as a whole, both halves go with it.
        cls = classify(src.slice(i, i + 2));
        width = 2;
      } else if (c >= 0xdc00 && c < 0xe000) cls = 0;
      else cls = bmpClass(c);
    }
    if ((cls & WORD) === 0 || (cls & SINGLE) !== 0) {
      // A word ends here (a Han or kana character ends the one before it and is one itself).
      if (wordStart >= 0) {
        w[words] = wordStart;
        w[cap + words] = i;
        w[2 * cap + words] = sameLength ? hash & HASH_MASK : fnv(text.slice(wordStart, i).toLowerCase());
        words++;
        wordStart = -1;
      }
      if (cls & SINGLE) {
        hash = FNV_START;
        for (let k = 0; k < width; k++) hash = Math.imul(hash ^ src.charCodeAt(i + k), FNV_PRIME);
        w[words] = i;
        w[cap + words] = i + width;
        w[2 * cap + words] = sameLength ? hash & HASH_MASK : fnv(text.slice(i, i + width).toLowerCase());
        words++;
      }
    } else {
      if (wordStart < 0) {
        wordStart = i;
        hash = FNV_START;
      }
      hash = Math.imul(hash ^ c, FNV_PRIME);
      if (width === 2) hash = Math.imul(hash ^ src.charCodeAt(i + 1), FNV_PRIME);
    }
    if (cls & TOKEN) {
      if (tokenStart < 0) tokenStart = i;
    } else if (tokenStart >= 0) {
      if (i - tokenStart >= TOKEN_MIN) tokens.push(tokenStart, i);
      tokenStart = -1;
    }
    if (cls & CLUSTER) {
      if (clusterStart < 0) {
        clusterStart = i;
        digits = 0;
        dots = 0;
      }
      if (cls & DIGIT) digits++;
      else if (c === 46) dots++;
    } else if (clusterStart >= 0) {
      if (digits >= CLUSTER_MIN_DIGITS) clusters.push(clusterStart, i, digits, dots);
      clusterStart = -1;
    }
    i += width - 1;
    // More lower-case ASCII letters after one: the word and the key-like run go on, a cluster
    // stays ended, so there is nothing to do but hash them (most of a text is such runs).
    if (c >= 97 && c <= 122) {
      while (i + 1 < n) {
        const d = src.charCodeAt(i + 1);
        if (d < 97 || d > 122) break;
        hash = Math.imul(hash ^ d, FNV_PRIME);
        i++;
      }
    }
  }
  const wordStarts = slice(words);
  const wordEnds = slice(words);
  const wordHashes = slice(words);
  for (let k = 0; k < words; k++) {
    wordStarts[k] = w[k]!;
    wordEnds[k] = w[cap + k]!;
    wordHashes[k] = w[2 * cap + k]!;
  }
  // A huge text's scratch is not kept for the ordinary ones (12 bytes a character).
  if (scratch.length > 3 * 65536) scratch = new Int32Array(3 * 1024);
  return { text, lower, sameLength, ascii, wordCount: words, wordStarts, wordEnds, wordHashes, tokens, clusters, memo: new Map() };
}

/** Texts scanned most recently: the families of one call (and the next call of a conversation) read the same texts. */
const recent = new Map<string, TextScan>();
const RECENT = 32;

export function scanOf(text: string): TextScan {
  let s = recent.get(text);
  if (s === undefined) {
    s = scanText(text);
    if (recent.size >= RECENT) recent.delete(recent.keys().next().value!);
    recent.set(text, s);
  }
  return s;
}

/** Key-like runs of at least `min` characters (min ≥ TOKEN_MIN), as [start, end]. */
export function longTokens(text: string, min: number): Array<[number, number]> {
  const t = scanOf(text).tokens;
  const out: Array<[number, number]> = [];
  for (let k = 0; k < t.length; k += 2) if (t[k + 1]! - t[k]! >= min) out.push([t[k]!, t[k + 1]!]);
  return out;
}
