// Token counting for calls that report no usage, so they can still be priced (marked estimated).
//
// js-tiktoken's rank tables are large strings (o200k ≈ 2.3 MB, cl100k ≈ 1.1 MB). Only the two
// encodings we use are imported, through 'js-tiktoken/lite' and the per-encoding ranks modules, so
// esbuild bundles just those. Turning a table into a tokenizer is the expensive part: js-tiktoken's
// constructor takes about 2 s for o200k on one core, all in one synchronous block, which would
// stall a collector sharing its thread with the capture server. So the tables are decoded here,
// at about 2.5 times that speed, and either all at once on first sync use or in slices of a few
// milliseconds that yield to the event loop (loadEncoding). Each encoding is built once and kept.
// Keep this module out of webview bundles and the extension's activation path: import it where
// calls are priced (collector / store).

import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import type { ChatMessage, MessagePart } from './model';

export type TokenEncodingName = 'o200k_base' | 'cl100k_base';

interface RankFile {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

const RANKS: Record<TokenEncodingName, RankFile> = {
  o200k_base: o200kBase,
  cl100k_base: cl100kBase,
};

/** The map js-tiktoken's Tiktoken encodes with: token bytes joined by ',' → rank. */
interface TiktokenMaps {
  rankMap: Map<string, number>;
  textMap: Map<number, Uint8Array>;
}

const encoders = new Map<TokenEncodingName, Tiktoken>();
const pending = new Map<TokenEncodingName, Promise<void>>();

const BASE64 = new Int16Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  BASE64[c.charCodeAt(0)] = i;
});

/** The rank-map key of a base64 token (its bytes in decimal, joined by ','), without allocating the bytes. */
function rankKey(text: string, start: number, end: number): string {
  while (end > start && text.charCodeAt(end - 1) === 61 /* = */) end--;
  let key = '';
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    acc = ((acc << 6) | BASE64[text.charCodeAt(i)]!) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      key = key === '' ? String((acc >> bits) & 0xff) : `${key},${(acc >> bits) & 0xff}`;
    }
  }
  return key;
}

/**
 * A ranks file's tokens: lines of `! <first rank> <base64 token> <base64 token> …` (js-tiktoken's
 * files hold all 200,000 on one line), read a batch at a time into the rank map. Only the rank map
 * is filled: counting never decodes, and the decode map would double the memory and the work.
 */
class RankReader {
  private pos = 0;
  private lineEnd = -1;
  private rank = 0;

  constructor(
    private readonly text: string,
    private readonly rankMap: Map<string, number>,
  ) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  /** Adds up to `max` tokens; returns how many were added. */
  read(max: number): number {
    const text = this.text;
    let added = 0;
    while (added < max && this.pos < text.length) {
      if (this.pos > this.lineEnd) {
        // A new line: `! <first rank> ` then its tokens. Lines without that header are skipped.
        let end = text.indexOf('\n', this.pos);
        if (end < 0) end = text.length;
        this.lineEnd = end;
        const space = text.indexOf(' ', this.pos);
        if (space < 0 || space >= end) {
          this.pos = end + 1;
          continue;
        }
        let rankEnd = text.indexOf(' ', space + 1);
        if (rankEnd < 0 || rankEnd > end) rankEnd = end;
        this.rank = Number.parseInt(text.slice(space + 1, rankEnd), 10);
        this.pos = rankEnd + 1;
        continue;
      }
      let tokenEnd = text.indexOf(' ', this.pos);
      if (tokenEnd < 0 || tokenEnd > this.lineEnd) tokenEnd = this.lineEnd;
      if (tokenEnd > this.pos) {
        this.rankMap.set(rankKey(text, this.pos, tokenEnd), this.rank++);
        added++;
      }
      this.pos = tokenEnd + 1;
    }
    return added;
  }
}

/**
 * An empty tokenizer whose rank maps we fill ourselves, or null if this js-tiktoken does not
 * keep them where we expect (then the library's own, slower constructor is used).
 */
function emptyTiktoken(ranks: RankFile): (Tiktoken & TiktokenMaps) | null {
  const enc = new Tiktoken({ ...ranks, bpe_ranks: '' }) as Tiktoken & Partial<TiktokenMaps>;
  const ok = enc.rankMap instanceof Map && enc.textMap instanceof Map && enc.rankMap.size === 0 && enc.textMap.size === 0;
  return ok ? (enc as Tiktoken & TiktokenMaps) : null;
}

function buildNow(name: TokenEncodingName): Tiktoken {
  const ranks = RANKS[name];
  const enc = emptyTiktoken(ranks);
  if (!enc) return new Tiktoken(ranks);
  new RankReader(ranks.bpe_ranks, enc.rankMap).read(Number.POSITIVE_INFINITY);
  return enc;
}

function encoder(name: TokenEncodingName): Tiktoken {
  let enc = encoders.get(name);
  if (!enc) {
    enc = buildNow(name);
    encoders.set(name, enc);
  }
  return enc;
}

const SLICE_MS = 8;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Builds an encoding without blocking the event loop for more than a few milliseconds at a time
 * (about 1 s of work in total for o200k, spread over slices). Resolves at once when it is built.
 * Sync counting works without this, but then builds the encoding in one blocking go.
 */
export function loadEncoding(name: TokenEncodingName): Promise<void> {
  if (encoders.has(name)) return Promise.resolve();
  let promise = pending.get(name);
  if (!promise) {
    promise = (async () => {
      const ranks = RANKS[name];
      const enc = emptyTiktoken(ranks);
      if (!enc) {
        encoders.set(name, new Tiktoken(ranks));
        return;
      }
      const reader = new RankReader(ranks.bpe_ranks, enc.rankMap);
      while (!reader.done) {
        const sliceEnd = performance.now() + SLICE_MS;
        // Checking the clock every token would cost more than the tokens; every 512 is ≈ 2 ms.
        while (!reader.done && performance.now() < sliceEnd) reader.read(512);
        if (encoders.has(name)) return; // a sync caller built it meanwhile
        if (!reader.done) await yieldToEventLoop();
      }
      if (!encoders.has(name)) encoders.set(name, enc);
    })().finally(() => pending.delete(name));
    pending.set(name, promise);
  }
  return promise;
}

/**
 * Builds both encodings in the background, one after the other, in event-loop-friendly slices
 * (about 3 s of spread-out work on one core). Call once when the collector starts so that the first
 * call without usage does not build one in a single blocking go.
 */
export async function preloadEncodings(): Promise<void> {
  await loadEncoding('o200k_base');
  await loadEncoding('cl100k_base');
}

/** Whether counting with this encoding is ready without building it. */
export function isEncodingLoaded(name: TokenEncodingName): boolean {
  return encoders.has(name);
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
  rankMap: Map<string, number>;
  pieces: Map<string, number>;
}

const counters = new Map<TokenEncodingName, PieceCounter | null>();
const utf8 = new TextEncoder();

function pieceCounter(name: TokenEncodingName, enc: Tiktoken): PieceCounter | null {
  let counter = counters.get(name);
  if (counter === undefined) {
    const rankMap = (enc as Tiktoken & Partial<TiktokenMaps>).rankMap;
    counter = rankMap instanceof Map && rankMap.size > 0 ? { pattern: new RegExp(RANKS[name].pat_str, 'gu'), rankMap, pieces: new Map() } : null;
    counters.set(name, counter);
  }
  return counter;
}

/**
 * Tokens of one piece by byte-pair merging: repeatedly join the adjacent pair whose joined bytes
 * have the lowest rank (the leftmost on a tie) until no adjacent pair has a rank. Each resulting
 * part with a rank is one token (a single byte always is).
 */
export function bytePairTokenCount(bytes: Uint8Array, ranks: ReadonlyMap<string, number>): number {
  if (bytes.length <= 1) return bytes.length;
  if (ranks.has(bytes.join(','))) return 1;
  // starts[i] is where part i begins; part i ends where part i + 1 begins (the last at bytes.length).
  const starts: number[] = [];
  for (let i = 0; i <= bytes.length; i++) starts.push(i);
  const key = (from: number, to: number): string => bytes.subarray(from, to).join(',');
  while (starts.length > 2) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 2 < starts.length; i++) {
      const rank = ranks.get(key(starts[i]!, starts[i + 2]!));
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) break;
    starts.splice(best + 1, 1);
  }
  let tokens = 0;
  for (let i = 0; i + 1 < starts.length; i++) if (ranks.has(key(starts[i]!, starts[i + 1]!))) tokens++;
  return tokens;
}

/** Exact token count of `text` (special-token strings in captured text count as plain text). */
function encodeLength(text: string, name: TokenEncodingName): number {
  const enc = encoder(name);
  const counter = pieceCounter(name, enc);
  if (!counter) return enc.encode(text, [], []).length;
  const { pattern, rankMap, pieces } = counter;
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
      n = bytePairTokenCount(utf8.encode(piece), rankMap);
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
