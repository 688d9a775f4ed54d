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

/** The maps js-tiktoken's Tiktoken encodes with (set by its constructor; filled here, see below). */
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

function decodeBase64(text: string): Uint8Array {
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61 /* = */) len--;
  const out = new Uint8Array((len * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < len; i++) {
    acc = ((acc << 6) | BASE64[text.charCodeAt(i)]!) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** Adds one line of a ranks file (`! <first rank> <base64 token> <base64 token> …`) to the maps. */
function addRankLine(line: string, maps: TiktokenMaps): void {
  if (!line) return;
  const fields = line.split(' ');
  const first = Number.parseInt(fields[1]!, 10);
  for (let i = 2; i < fields.length; i++) {
    const bytes = decodeBase64(fields[i]!);
    const rank = first + i - 2;
    maps.rankMap.set(bytes.join(','), rank);
    maps.textMap.set(rank, bytes);
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
  for (const line of ranks.bpe_ranks.split('\n')) addRankLine(line, enc);
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
      const lines = ranks.bpe_ranks.split('\n');
      let i = 0;
      while (i < lines.length) {
        const sliceEnd = performance.now() + SLICE_MS;
        while (i < lines.length && performance.now() < sliceEnd) {
          // A ranks line holds many tokens; check the clock every few lines, not every token.
          for (let k = 0; k < 16 && i < lines.length; k++) addRankLine(lines[i++]!, enc);
        }
        if (encoders.has(name)) return; // a sync caller built it meanwhile
        if (i < lines.length) await yieldToEventLoop();
      }
      if (!encoders.has(name)) encoders.set(name, enc);
    })().finally(() => pending.delete(name));
    pending.set(name, promise);
  }
  return promise;
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

/** Exact token count of `text` (special-token strings in captured text count as plain text). */
function encodeLength(text: string, enc: Tiktoken): number {
  return enc.encode(text, [], []).length;
}

/**
 * Tokens in a plain text for `model`'s encoding. Exact up to 32,000 characters (about 15 ms of
 * work); beyond that a leading 32,000-character sample is counted and scaled by length.
 */
export function countTextTokens(text: string, model?: string | null): number {
  if (text.length === 0) return 0;
  const enc = encoder(encodingNameForModel(model));
  if (text.length <= EXACT_COUNT_MAX_CHARS) return encodeLength(text, enc);
  const sample = text.slice(0, EXACT_COUNT_MAX_CHARS);
  return Math.ceil((encodeLength(sample, enc) * text.length) / sample.length);
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
