// Lookups in the maintained price table (@pydantic/genai-prices, bundled data; never fetched).
// The table does the billing arithmetic: each token kind at its own price (cache reads, cache
// writes, the rest of the input), tiered prices by prompt size, and prices that change by date.

import { calcPrice, type Provider, type Usage } from '@pydantic/genai-prices';
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

/**
 * Spellings of a model name worth trying, most literal first: as given, without a path prefix
 * (`models/gemini-2.5-flash`, `openai/gpt-4o`), without a Bedrock wrapper, without a Vertex
 * `@version` suffix.
 */
export function modelNameVariants(model: string): string[] {
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

// Finding a model in the table scans providers and models (most of the ~90 µs a lookup takes);
// the arithmetic on one known model is about a third of that. So the match for each
// (provider, model name) is kept, misses included, and later calls price against just that model.
const MATCH_CACHE_MAX = 5000;
const matchCache = new Map<string, Provider | null>();

function calc(usage: Usage, model: string, providerId: string | undefined, at: Date): TablePrice | null {
  const key = `${providerId ?? ''}\u0000${model.toLowerCase()}`;
  const known = matchCache.get(key);
  if (known === null) return null;
  try {
    const options = known ? { provider: known, timestamp: at } : providerId ? { providerId, timestamp: at } : { timestamp: at };
    const result = calcPrice(usage, model, options);
    if (known === undefined) {
      if (matchCache.size >= MATCH_CACHE_MAX) matchCache.clear();
      matchCache.set(key, result ? { ...result.provider, models: [result.model] } : null);
    }
    if (!result || !Number.isFinite(result.total_price)) return null;
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
  const u = tableUsage(usage);
  for (const model of models) {
    for (const variant of modelNameVariants(model)) {
      const price = calc(u, variant, providerId, at);
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
  const u = tableUsage(usage);
  for (const model of models) {
    for (const variant of modelNameVariants(model)) {
      const price = calc(u, variant, undefined, at);
      if (price) return price;
    }
  }
  return null;
}
