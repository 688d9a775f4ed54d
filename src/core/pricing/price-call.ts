// The price of one LLM call. Pure: no I/O; the price table is bundled data.

import type { LlmCall, PricedCall } from '../model';
import { withEstimatedTokens } from './estimate';
import { findOverride, type PriceOverride } from './overrides';
import { resolveProvider } from './providers';
import { priceFromModelName, priceFromProvider } from './table';
import { usageOf, type TokenUsage } from './usage';

export interface PriceCallOptions {
  /** User prices (validated with parsePriceOverrides); they win over the table. */
  overrides?: readonly PriceOverride[];
  /**
   * When the call was made: some table prices changed on a date or differ by time of day
   * (DeepSeek off-peak). Pass the span's start time; defaults to now.
   */
  at?: Date;
}

export interface CallPrice {
  /** USD, or null when the model is unknown or nothing about the call's tokens is known. Never a made-up 0. */
  costUsd: number | null;
  /**
   * True when the tokens were counted by us (the call reported no usage) or the price is a
   * guess (the named provider has no price for the model, so another provider's price for the
   * same model name was used). False whenever costUsd is null.
   */
  costEstimated: boolean;
  /**
   * Where the price came from: `genai-prices:<provider>/<model>` (the table's ids),
   * `override:<model pattern>` or `override:<provider>/<model pattern>`, `free:<runtime>` for
   * local runtimes (Ollama, LM Studio, llama.cpp, vLLM), `unbilled:failed` for a failed call with no
   * usage reported (see isUnbilled). Null when unpriced.
   */
  priceSource: string | null;
}

/** A priced call plus where its price came from. Assignable to PricedCall. */
export interface PricedCallWithSource extends PricedCall {
  priceSource: string | null;
}

const UNPRICED: CallPrice = { costUsd: null, costEstimated: false, priceSource: null };
const UNBILLED: CallPrice = { costUsd: 0, costEstimated: false, priceSource: 'unbilled:failed' };

/**
 * A call that failed (a 429, a 5xx, a refused request) and for which the provider reported no
 * usage was not billed: it costs 0, and is not priced from an estimate of its input.
 */
export function isUnbilled(call: LlmCall): boolean {
  return call.errorType !== null && call.inputTokens === null && call.outputTokens === null;
}

/** The model names to price by: the served model first (it is dated and exact), then the requested one. */
type PricedNames = Pick<LlmCall, 'provider' | 'requestModel' | 'responseModel'>;

function modelNames(call: PricedNames): string[] {
  const names: string[] = [];
  for (const m of [call.responseModel, call.requestModel]) {
    const name = m?.trim();
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

function overrideCost(usage: TokenUsage, o: PriceOverride): number {
  const uncached = Math.max(0, usage.input - usage.cacheRead - usage.cacheWrite);
  const perToken =
    uncached * o.inputPerMTok +
    usage.cacheRead * (o.cacheReadPerMTok ?? o.inputPerMTok) +
    usage.cacheWrite * (o.cacheWritePerMTok ?? o.inputPerMTok) +
    usage.output * o.outputPerMTok;
  return perToken / 1e6;
}

function priceWithUsage(call: PricedNames, usage: TokenUsage | null, tokensEstimated: boolean, opts: PriceCallOptions): CallPrice {
  const models = modelNames(call);
  const override = models.length > 0 ? findOverride(opts.overrides ?? [], models, call.provider) : null;
  if (override) {
    if (!usage) return UNPRICED;
    const source = override.provider ? `override:${override.provider}/${override.model}` : `override:${override.model}`;
    return { costUsd: overrideCost(usage, override), costEstimated: tokensEstimated, priceSource: source };
  }
  const provider = resolveProvider(call.provider);
  if (provider.kind === 'free') return { costUsd: 0, costEstimated: false, priceSource: `free:${provider.id}` };
  if (!usage || models.length === 0) return UNPRICED;
  const at = opts.at && !Number.isNaN(opts.at.getTime()) ? opts.at : new Date();
  let price = provider.kind === 'table' ? priceFromProvider(usage, models, provider.id, at) : null;
  let guessed = false;
  if (!price) {
    price = priceFromModelName(usage, models, at);
    // With no provider named, the model name is all there is and a match is the price; with one
    // named but unpriced for this model (or unknown to us), another provider's price is a guess.
    const named = call.provider !== null && call.provider.trim() !== '' && provider.kind !== 'framework';
    guessed = price !== null && named && !(provider.kind === 'table' && provider.id === price.providerId);
  }
  if (!price) return UNPRICED;
  return {
    costUsd: price.costUsd,
    costEstimated: tokensEstimated || guessed,
    priceSource: `genai-prices:${price.providerId}/${price.modelId}`,
  };
}

/**
 * Prices one LLM call as its provider bills it.
 *
 * Token semantics are the canonical ones (src/core/model.ts): `inputTokens` includes cache reads
 * (`cachedInputTokens`) and cache writes (`cacheWriteTokens`); `outputTokens` includes
 * `reasoningTokens`. Cache reads are billed at the cache-read price, cache writes at the
 * cache-write price, only the rest of the input at the input price (cached tokens are never
 * counted twice); reasoning tokens are billed as output, once.
 *
 * Order: a matching user override; then free local runtimes (Ollama → 0); then the price table
 * for the call's provider (any spelling: `az.ai.openai`, `gcp.vertex_ai`, `aws.bedrock`,
 * `openai.chat`, …); then the table by model name alone. Unknown model → costUsd null.
 * A call that reports no usage is priced from js-tiktoken counts of its messages and marked
 * estimated (use pricedCall to also keep those counts).
 */
export function priceCall(call: LlmCall, opts: PriceCallOptions = {}): CallPrice {
  if (isUnbilled(call)) return UNBILLED;
  const { call: filled, tokensEstimated } = withEstimatedTokens(call);
  return priceWithUsage(filled, usageOf(filled), tokensEstimated, opts);
}

/**
 * The call, priced, ready to store: missing token counts filled in with estimates (flagged by
 * costEstimated), plus costUsd and priceSource. The input call is not modified.
 */
export function pricedCall(call: LlmCall, opts: PriceCallOptions = {}): PricedCallWithSource {
  // Counting tokens for a call that was never billed would put them in totals for nothing.
  if (isUnbilled(call)) return { ...call, ...UNBILLED, unbilled: true };
  const { call: filled, tokensEstimated } = withEstimatedTokens(call);
  const price = priceWithUsage(filled, usageOf(filled), tokensEstimated, opts);
  // When the cost is unknown, costEstimated must still say the stored counts are ours.
  return { ...filled, ...price, costEstimated: price.costEstimated || tokensEstimated };
}

const PER = 1_000_000;

/**
 * USD one cached input token of `model` saved: its input price less its cache-read price, from
 * the same overrides and table that price the calls (0 for free runtimes and unknown models).
 */
export function cacheReadSavingPerToken(model: string, provider: string | null, opts: PriceCallOptions = {}): number {
  const names = { provider, requestModel: model, responseModel: null };
  const usage = (cacheRead: number) => ({ input: PER, output: 0, cacheRead, cacheWrite: 0, reasoning: 0 });
  const full = priceWithUsage(names, usage(0), false, opts).costUsd;
  const cached = priceWithUsage(names, usage(PER), false, opts).costUsd;
  return full !== null && cached !== null && full > cached ? (full - cached) / PER : 0;
}
