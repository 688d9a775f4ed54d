// Lookups in the maintained price table (@pydantic/genai-prices, bundled data; never fetched).
// The table does the billing arithmetic: each token kind at its own price (cache reads, cache
// writes, the rest of the input), tiered prices by prompt size, and prices that change by date.

import { calcPrice, type ModelInfo, type ModelPrice, type Provider, type Usage } from '@pydantic/genai-prices';
import { compileTablePrice, type CompiledPrice } from './table-arithmetic';
import type { TokenUsage } from './usage';

export interface TablePrice {
  costUsd: number;
  /** The table's provider id (`openai`, `anthropic`, `google`, `aws`, `azure`, …). */
  providerId: string;
  /** The table's model id the name matched (`gpt-4o` for `gpt-4o-2024-08-06`). */
  modelId: string;
}

function tableUsage(usage: TokenUsage): Usage {
  // The table takes partitions exactly as the canonical model does: cache_read/cache_write are
  // parts of input_tokens, output_reasoning_tokens part of output_tokens. It bills each part once,
  // at its own price where the model has one and at the parent's price otherwise.
  const result: Usage = { input_tokens: usage.input, output_tokens: usage.output };
  if (usage.cacheRead > 0) result.cache_read_tokens = usage.cacheRead;
  if (usage.cacheWrite > 0) result.cache_write_tokens = usage.cacheWrite;
  if (usage.reasoning > 0) result.output_reasoning_tokens = usage.reasoning;
  return result;
}

// Bedrock ids wrap a vendor's model name: `us.anthropic.claude-3-5-sonnet-20240620-v1:0`.
const BEDROCK_ID =
  /^(?:[a-z]{2,6}\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|moonshot|google)\.(.+?)(?:-v\d+(?::\d+)?)?$/i;

function computeVariants(model: string): string[] {
  const variants = [model.trim()];
  const add = (v: string | undefined): void => {
    if (v && !variants.includes(v)) variants.push(v);
  };
  const tail = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : undefined;
  add(tail);
  for (const name of [...variants]) {
    add(BEDROCK_ID.exec(name)?.[1]);
  }
  for (const name of [...variants]) {
    if (name.includes('@')) add(name.slice(0, name.indexOf('@')));
  }
  return variants.filter((v) => v.length > 0);
}

// Model names repeat from call to call; their spellings are worked out once.
const VARIANTS_MAX = 2000;
const variantsCache = new Map<string, readonly string[]>();

/**
 * Spellings of a model name worth trying, most literal first: as given, without a path prefix
 * (`models/gemini-2.5-flash`, `openai/gpt-4o`), without a Bedrock wrapper, without a Vertex
 * `@version` suffix.
 */
export function modelNameVariants(model: string): string[] {
  return [...cachedVariants(model)];
}

function cachedVariants(model: string): readonly string[] {
  let v = variantsCache.get(model);
  if (!v) {
    v = computeVariants(model);
    if (variantsCache.size >= VARIANTS_MAX) variantsCache.clear();
    variantsCache.set(model, v);
  }
  return v;
}

/**
 * A stretch of time over which the table charges one price for a model: prices change on dates
 * (start_date constraints), so a price found for one call holds for every call in its window.
 */
interface PriceWindow {
  from: number;
  to: number;
  price: ModelPrice;
  /** Our own arithmetic for this price, or null when only the table's may be trusted with it. */
  compiled: CompiledPrice | null;
}

/** What a (provider, model name) resolved to in the table. */
interface TableMatch {
  /** The provider narrowed to the one model, so a cache miss on time skips the table scan. */
  provider: Provider;
  providerId: string;
  modelId: string;
  /** Null when the price depends on the time of day (DeepSeek off-peak): every call asks the table. */
  windows: PriceWindow[] | null;
}

// Finding a model in the table scans providers and models; validating its price units and doing
// the arithmetic costs as much again. So each (provider, model name)'s match is kept, misses
// included, and each price window's arithmetic is compiled once: a repeated call of the same
// model in the same window is a map lookup and a few multiplications.
const MATCH_CACHE_MAX = 5000;
const WINDOWS_PER_MATCH_MAX = 8;
const matchCache = new Map<string, Map<string, TableMatch | null>>();
let matchCount = 0;

/** How many (provider, model name) matches and price windows are cached (for tests). */
export function priceTableCacheSize(): { matches: number; windows: number } {
  let windows = 0;
  for (const byModel of matchCache.values()) for (const m of byModel.values()) windows += m?.windows?.length ?? 0;
  return { matches: matchCount, windows };
}

/** Forgets every cached match (for tests). */
export function clearPriceTableCache(): void {
  matchCache.clear();
  matchCount = 0;
}

function remember(providerKey: string, model: string, match: TableMatch | null): void {
  if (matchCount >= MATCH_CACHE_MAX) clearPriceTableCache();
  let byModel = matchCache.get(providerKey);
  if (!byModel) {
    byModel = new Map();
    matchCache.set(providerKey, byModel);
  }
  byModel.set(model, match);
  matchCount++;
}

/**
 * The stretch of time around `t` over which the table picks the same price for `model`, or null
 * when the choice depends on the time of day. The table picks by start_date constraints only, so
 * its choice can only change at one of their start dates.
 */
function windowAround(model: ModelInfo, t: number): { from: number; to: number } | null {
  if (!Array.isArray(model.prices)) return { from: -Infinity, to: Infinity };
  let from = -Infinity;
  let to = Infinity;
  for (const entry of model.prices) {
    const c = entry.constraint;
    if (c === undefined) continue;
    if (c.type !== 'start_date') return null;
    const start = new Date(c.start_date).getTime();
    if (Number.isNaN(start)) return null;
    if (start <= t) from = Math.max(from, start);
    else to = Math.min(to, start);
  }
  return { from, to };
}

function addWindow(match: TableMatch, model: ModelInfo, price: ModelPrice, t: number): void {
  if (!match.windows) return;
  const span = windowAround(model, t);
  if (!span) {
    match.windows = null;
    return;
  }
  if (match.windows.length >= WINDOWS_PER_MATCH_MAX) match.windows.shift();
  match.windows.push({ ...span, price, compiled: compileTablePrice(price, match.providerId, match.modelId) });
}

function calc(usage: TokenUsage, model: string, providerId: string | undefined, at: Date): TablePrice | null {
  const providerKey = providerId ?? '';
  const known = matchCache.get(providerKey)?.get(model);
  if (known === null) return null;
  const t = at.getTime();
  if (known?.windows) {
    for (const w of known.windows) {
      if (t >= w.from && t < w.to && w.compiled) {
        const cost = w.compiled(usage);
        return cost === null ? null : { costUsd: cost, providerId: known.providerId, modelId: known.modelId };
      }
    }
  }
  try {
    const options = known ? { provider: known.provider, timestamp: at } : providerId ? { providerId, timestamp: at } : { timestamp: at };
    const result = calcPrice(tableUsage(usage), model, options);
    let match: TableMatch | null | undefined = known;
    if (match === undefined) {
      match = result
        ? { provider: { ...result.provider, models: [result.model] }, providerId: result.provider.id, modelId: result.model.id, windows: [] }
        : null;
      remember(providerKey, model, match);
    }
    if (!result || !Number.isFinite(result.total_price)) return null;
    if (match && !match.windows?.some((w) => t >= w.from && t < w.to)) addWindow(match, result.model, result.model_price, t);
    return { costUsd: result.total_price, providerId: result.provider.id, modelId: result.model.id };
  } catch {
    // The table rejects usage it finds inconsistent; an unpriceable call is not worth failing.
    return null;
  }
}

/**
 * Prices `usage` for the first of `models` the table knows, looking in provider `providerId` only
 * (its fallbacks included: Azure falls back to OpenAI's models). Null when none matches.
 */
export function priceFromProvider(usage: TokenUsage, models: readonly string[], providerId: string, at: Date): TablePrice | null {
  for (const model of models) {
    for (const variant of cachedVariants(model)) {
      const price = calc(usage, variant, providerId, at);
      if (price) return price;
    }
  }
  return null;
}

/**
 * Prices `usage` for the first of `models` the table knows, finding the provider from the model
 * name alone (`gpt-*` → OpenAI, `claude*` → Anthropic, `gemini*` → Google, …). Null when none matches.
 */
export function priceFromModelName(usage: TokenUsage, models: readonly string[], at: Date): TablePrice | null {
  for (const model of models) {
    for (const variant of cachedVariants(model)) {
      const price = calc(usage, variant, undefined, at);
      if (price) return price;
    }
  }
  return null;
}
