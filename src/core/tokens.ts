// Token counting for calls that report no usage, so they can still be priced (marked estimated).
//
// js-tiktoken's rank files are large strings (o200k ≈ 2.3 MB, cl100k ≈ 1.1 MB) of base64 tokens;
// only the two encodings we use are imported (the per-encoding ranks modules, so esbuild bundles
// just those). We only ever count, never encode or decode, so instead of js-tiktoken's maps (a
// Map of 200,000 string keys: ~85 MB of heap for o200k, and seconds to build) each encoding
// becomes a RankTable: the token bytes end to end, their ranks and an open-addressing hash index,
// in typed arrays: ~5 MB for o200k, built in ~0.1 s. A table is built the first time a text is
// counted with its encoding, on the thread counting it (the collector's preparing thread), and
// kept. Nothing loads them ahead: most calls report their usage and never need one.
// Keep this module out of webview bundles and the extension's activation path: import it where
// calls are priced (collector / store).

import cl100kBase from 'js-tiktoken/ranks/cl100k_base';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import type { ChatMessage, MessagePart } from './model';

export type TokenEncodingName = 'o200k_base' | 'cl100k_base';

interface RankFile {
  pat_str: string;
  bpe_ranks: string;
}

const RANKS: Record<TokenEncodingName, RankFile> = {
  o200k_base: o200kBase,
  cl100k_base: cl100kBase,
};

const BASE64 = new Int16Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  BASE64[c.charCodeAt(0)] = i;
});

/** FNV-1a over bytes[start, end). */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** An encoding's tokens (byte strings) and their ranks, looked up by bytes without allocating. */
export class RankTable {
  constructor(
    /** Every token's bytes, end to end. */
    private readonly bytes: Uint8Array,
    /** Token i is bytes[starts[i], starts[i + 1]). */
    private readonly starts: Uint32Array,
    private readonly ranks: Int32Array,
    /** Open addressing: token index + 1, 0 for an empty slot; length a power of two. */
    private readonly slots: Int32Array,
  ) {}

  get size(): number {
    return this.ranks.length;
  }

  /** The rank of the byte string bytes[start, end), or -1 when it is not a token. */
  rank(bytes: Uint8Array, start: number, end: number): number {
    const mask = this.slots.length - 1;
    const len = end - start;
    for (let slot = hashBytes(bytes, start, end) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) return -1;
      const t = entry - 1;
      const from = this.starts[t]!;
      if (this.starts[t + 1]! - from !== len) continue;
      let i = 0;
      while (i < len && this.bytes[from + i] === bytes[start + i]) i++;
      if (i === len) return this.ranks[t]!;
    }
  }
}

/**
 * Reads a ranks file's tokens into typed arrays: lines of `! <first rank> <base64 token> …`
 * (js-tiktoken's files hold all 200,000 on one line). Lines without that header are skipped.
 */
class RankTableBuilder {
  private count = 0;
  private used = 0;
  private rank = 0;
  private readonly bytes: Uint8Array;
  private readonly starts: Uint32Array;
  private readonly ranks: Int32Array;

  constructor(private readonly text: string) {
    // Upper bounds: 4 base64 characters are at most 3 bytes; tokens are fewer than separators.
    let separators = 0;
    for (let i = text.indexOf(' '); i >= 0; i = text.indexOf(' ', i + 1)) separators++;
    this.bytes = new Uint8Array(Math.ceil((text.length * 3) / 4));
    this.starts = new Uint32Array(separators + 2);
    this.ranks = new Int32Array(separators + 1);
  }

  readAll(): void {
    const text = this.text;
    for (let pos = 0; pos < text.length; ) {
      let lineEnd = text.indexOf('\n', pos);
      if (lineEnd < 0) lineEnd = text.length;
      const space = text.indexOf(' ', pos);
      if (space >= 0 && space < lineEnd) {
        let rankEnd = text.indexOf(' ', space + 1);
        if (rankEnd < 0 || rankEnd > lineEnd) rankEnd = lineEnd;
        this.rank = Number.parseInt(text.slice(space + 1, rankEnd), 10);
        for (let at = rankEnd + 1; at < lineEnd; ) {
          let tokenEnd = text.indexOf(' ', at);
          if (tokenEnd < 0 || tokenEnd > lineEnd) tokenEnd = lineEnd;
          if (tokenEnd > at) this.addToken(at, tokenEnd);
          at = tokenEnd + 1;
        }
      }
      pos = lineEnd + 1;
    }
  }

  private addToken(start: number, end: number): void {
    const text = this.text;
    while (end > start && text.charCodeAt(end - 1) === 61 /* = */) end--;
    this.starts[this.count] = this.used;
    this.ranks[this.count] = this.rank++;
    this.count++;
    let acc = 0;
    let bits = 0;
    for (let i = start; i < end; i++) {
      acc = ((acc << 6) | BASE64[text.charCodeAt(i)]!) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        this.bytes[this.used++] = (acc >> bits) & 0xff;
      }
    }
  }

  finish(): RankTable {
    const n = this.count;
    const starts = this.starts.slice(0, n + 1);
    starts[n] = this.used;
    const bytes = this.bytes.slice(0, this.used);
    let size = 1;
    while (size < n * 2) size <<= 1;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let t = 0; t < n; t++) {
      let slot = hashBytes(bytes, starts[t]!, starts[t + 1]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = t + 1;
    }
    return new RankTable(bytes, starts, this.ranks.slice(0, n), slots);
  }
}

const tables = new Map<TokenEncodingName, RankTable>();

/** The encoding's table, built the first time it is asked for (~0.1 s) and kept. */
function table(name: TokenEncodingName): RankTable {
  let t = tables.get(name);
  if (!t) {
    const builder = new RankTableBuilder(RANKS[name].bpe_ranks);
    builder.readAll();
    t = builder.finish();
    tables.set(name, t);
  }
  return t;
}

/** Whether this encoding's table has been built (by a count with it). */
export function isEncodingLoaded(name: TokenEncodingName): boolean {
  return tables.has(name);
}

// Models that use o200k_base: GPT-4o, GPT-4.1, GPT-4.5, GPT-5, the o-series, gpt-oss, codex.
const O200K_MODEL = /^(?:ft:)?(?:chatgpt-4o|gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o[1-9](?:$|[-.])|codex|computer-use)/;

/**
 * The tiktoken encoding to count `model`'s tokens with.
 *
 * o200k_base for GPT-4o/4.1/4.5/5, the o-series and gpt-oss; cl100k_base for older OpenAI models
 * (GPT-4, GPT-3.5, embeddings) and for every non-OpenAI or unknown model. cl100k is the default
 * because it is close to Llama 3's tokenizer (a cl100k superset) and errs high rather than low
 * for Claude and Gemini, whose tokenizers are not public: an estimated cost should not flatter.
 * A provider prefix (`openai/gpt-4o`, `azure/…`) is ignored.
 */
export function encodingNameForModel(model: string | null | undefined): TokenEncodingName {
  if (!model) return 'cl100k_base';
  const bare = model.trim().toLowerCase().split('/').pop() ?? '';
  return O200K_MODEL.test(bare) ? 'o200k_base' : 'cl100k_base';
}

// Above this size a text is counted from a sample and scaled: captured text can be megabytes and
// pure-JS BPE on it would stall the pricing pass for an estimate that does not need to be exact.
const EXACT_COUNT_MAX_CHARS = 32_000;

// Counting is BPE over the pieces the encoding's pattern splits a text into (words with their
// leading space, numbers, punctuation runs, whitespace). Captured prompts repeat the same few
// thousand pieces over and over, so each short piece's token count is kept per encoding: a text
// then costs one regex pass and a map lookup per piece instead of js-tiktoken's UTF-8 encoding,
// byte-string keys and merges per piece (and its per-call regex construction).
const PIECE_CACHE_MAX = 50_000;
const PIECE_CACHE_MAX_CHARS = 40;

interface PieceCounter {
  pattern: RegExp;
  ranks: RankTable;
  pieces: Map<string, number>;
}

const counters = new Map<TokenEncodingName, PieceCounter>();
const utf8 = new TextEncoder();

function pieceCounter(name: TokenEncodingName): PieceCounter {
  let counter = counters.get(name);
  if (counter === undefined) {
    counter = { pattern: new RegExp(RANKS[name].pat_str, 'gu'), ranks: table(name), pieces: new Map() };
    counters.set(name, counter);
  }
  return counter;
}

/**
 * Tokens of one piece by byte-pair merging: repeatedly join the adjacent pair whose joined bytes
 * have the lowest rank (the leftmost on a tie) until no adjacent pair has a rank. Each resulting
 * part with a rank is one token (a single byte always is).
 */
export function bytePairTokenCount(bytes: Uint8Array, ranks: RankTable): number {
  if (bytes.length <= 1) return bytes.length;
  if (ranks.rank(bytes, 0, bytes.length) >= 0) return 1;
  // starts[i] is where part i begins; part i ends where part i + 1 begins (the last at bytes.length).
  const starts: number[] = [];
  for (let i = 0; i <= bytes.length; i++) starts.push(i);
  while (starts.length > 2) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 2 < starts.length; i++) {
      const rank = ranks.rank(bytes, starts[i]!, starts[i + 2]!);
      if (rank >= 0 && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) break;
    starts.splice(best + 1, 1);
  }
  let tokens = 0;
  for (let i = 0; i + 1 < starts.length; i++) if (ranks.rank(bytes, starts[i]!, starts[i + 1]!) >= 0) tokens++;
  return tokens;
}

/** Exact token count of `text` (special-token strings in captured text count as plain text). */
function encodeLength(text: string, name: TokenEncodingName): number {
  const { pattern, ranks, pieces } = pieceCounter(name);
  pattern.lastIndex = 0;
  let total = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const piece = m[0];
    if (piece === '') {
      pattern.lastIndex++;
      continue;
    }
    let n = pieces.get(piece);
    if (n === undefined) {
      n = bytePairTokenCount(utf8.encode(piece), ranks);
      if (piece.length <= PIECE_CACHE_MAX_CHARS) {
        if (pieces.size >= PIECE_CACHE_MAX) pieces.clear();
        pieces.set(piece, n);
      }
    }
    total += n;
  }
  return total;
}

/**
 * Tokens in a plain text for `model`'s encoding. Exact up to 32,000 characters (about 15 ms of
 * work); beyond that a leading 32,000-character sample is counted and scaled by length.
 */
export function countTextTokens(text: string, model?: string | null): number {
  if (text.length === 0) return 0;
  const name = encodingNameForModel(model);
  if (text.length <= EXACT_COUNT_MAX_CHARS) return encodeLength(text, name);
  const sample = text.slice(0, EXACT_COUNT_MAX_CHARS);
  return Math.ceil((encodeLength(sample, name) * text.length) / sample.length);
}

// OpenAI's documented chat framing: every message costs 3 tokens around its content, a name 1,
// and the reply is primed with 3 more. Other providers frame differently but similarly small.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const TOKENS_REPLY_PRIMING = 3;
// An image of unknown size: GPT-4o's cost for a 1024×1024 image at high detail (85 + 4 × 170).
const TOKENS_PER_IMAGE = 765;

function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/** The text a part contributes to the token count (media parts are counted separately). */
function partText(part: MessagePart): string {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return typeof part.content === 'string' ? part.content : stringifyValue(part.content);
    case 'tool_call':
      return `${stringifyValue(part.name)} ${stringifyValue(part.arguments)}`;
    case 'tool_call_response':
      return stringifyValue(part.response);
    case 'blob':
    case 'uri':
    case 'file':
      return '';
    default: {
      const { type: _type, ...rest } = part;
      return stringifyValue(rest);
    }
  }
}

function isMediaPart(part: MessagePart): boolean {
  return part.type === 'blob' || part.type === 'uri' || part.type === 'file';
}

/** Tokens of a list of parts: their text joined, plus a fixed estimate per image/file. */
export function countPartsTokens(parts: readonly MessagePart[], model?: string | null): number {
  let media = 0;
  const texts: string[] = [];
  for (const part of parts) {
    if (isMediaPart(part)) media += TOKENS_PER_IMAGE;
    else {
      const text = partText(part);
      if (text) texts.push(text);
    }
  }
  return countTextTokens(texts.join('\n'), model) + media;
}

function isChatMessageArray(value: readonly ChatMessage[] | readonly MessagePart[]): value is readonly ChatMessage[] {
  return value.length > 0 && 'parts' in value[0]! && Array.isArray((value[0] as ChatMessage).parts);
}

/**
 * Estimated tokens of a prompt or a text, counted with the encoding for `model`.
 *
 * - a string: its tokens;
 * - chat messages (canonical GenAI shape): content tokens plus OpenAI's chat framing (3 per
 *   message, 1 per name, 3 to prime the reply), i.e. what a prompt of these messages is billed;
 * - message parts (e.g. system instructions): their content tokens.
 *
 * Images and files of unknown size count a fixed 765 tokens each.
 */
export function estimateTokens(input: string | readonly ChatMessage[] | readonly MessagePart[], model?: string | null): number {
  if (typeof input === 'string') return countTextTokens(input, model);
  if (input.length === 0) return 0;
  if (!isChatMessageArray(input)) return countPartsTokens(input as readonly MessagePart[], model);
  let total = TOKENS_REPLY_PRIMING;
  for (const message of input) {
    total += TOKENS_PER_MESSAGE + countPartsTokens(message.parts ?? [], model);
    if (message.name) total += TOKENS_PER_NAME;
  }
  return total;
}

/** Estimated tokens of a completion: its content only (no framing is billed on output). */
export function estimateOutputTokens(messages: readonly ChatMessage[], model?: string | null): number {
  let total = 0;
  for (const message of messages) total += countPartsTokens(message.parts ?? [], model);
  return total;
}
