import { describe, expect, it } from 'vitest';
import { findProvider, type ModelPrice } from '@pydantic/genai-prices';
import { priceCall, pricedCall } from '../../../src/core/pricing';
import { flat, makeCall, tableEntry } from './call-fixture';

const M = 1e6;
const AT = new Date('2026-11-22T12:00:00Z');

describe('priceCall against the maintained table', () => {
  it('bills OpenAI gpt-4o cached input at the cache-read price and only the rest at the input price', () => {
    const p = tableEntry('openai', 'gpt-4o', AT);
    const input = flat(p, 'input_mtok');
    const cacheRead = flat(p, 'cache_read_mtok');
    const output = flat(p, 'output_mtok');
    expect(cacheRead).toBeLessThan(input);

    const call = makeCall({
      provider: 'openai',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      inputTokens: 10_000,
      cachedInputTokens: 4_000,
      outputTokens: 500,
    });
    const result = priceCall(call, { at: AT });
    const expected = (6_000 * input + 4_000 * cacheRead + 500 * output) / M;
    expect(result.costUsd).toBeCloseTo(expected, 12);
    expect(result.costEstimated).toBe(false);
    expect(result.priceSource).toBe('genai-prices:openai/gpt-4o');
    // The Langfuse bug: cached tokens billed at the input price and again at the cache price.
    const doubleCounted = (10_000 * input + 4_000 * cacheRead + 500 * output) / M;
    expect(result.costUsd!).toBeLessThan(doubleCounted);
  });

  it('bills Anthropic Claude Sonnet cache reads and cache writes each at their own price', () => {
    const p = tableEntry('anthropic', 'claude-sonnet-4-0', AT);
    const [input, cacheRead, cacheWrite, output] = ['input_mtok', 'cache_read_mtok', 'cache_write_mtok', 'output_mtok'].map((k) => flat(p, k));
    expect(cacheWrite).toBeGreaterThan(input!);

    const call = makeCall({
      provider: 'anthropic',
      requestModel: 'claude-sonnet-4-20250514',
      inputTokens: 6_000, // 1,000 uncached + 3,000 read + 2,000 written
      cachedInputTokens: 3_000,
      cacheWriteTokens: 2_000,
      outputTokens: 400,
    });
    const result = priceCall(call, { at: AT });
    expect(result.costUsd).toBeCloseTo((1_000 * input! + 3_000 * cacheRead! + 2_000 * cacheWrite! + 400 * output!) / M, 12);
    expect(result.priceSource).toBe('genai-prices:anthropic/claude-sonnet-4-0');
  });

  it('bills reasoning tokens as output once (gpt-5 and o4-mini)', () => {
    for (const [modelId, callModel] of [
      ['gpt-5', 'gpt-5-2025-08-07'],
      ['o4-mini', 'o4-mini-2025-04-16'],
    ] as const) {
      const p = tableEntry('openai', modelId, AT);
      const call = makeCall({
        provider: 'openai',
        requestModel: callModel,
        inputTokens: 2_000,
        outputTokens: 3_000, // includes 2,500 reasoning tokens
        reasoningTokens: 2_500,
      });
      const result = priceCall(call, { at: AT });
      const expected = (2_000 * flat(p, 'input_mtok') + 3_000 * flat(p, 'output_mtok')) / M;
      expect(result.costUsd, modelId).toBeCloseTo(expected, 12);
      const reasoningAddedAgain = (2_000 * flat(p, 'input_mtok') + 5_500 * flat(p, 'output_mtok')) / M;
      expect(result.costUsd!).toBeLessThan(reasoningAddedAgain);
    }
  });

  it('applies a price that changed on a date by the time of the call (o3)', () => {
    const before = new Date('2025-05-01T00:00:00Z');
    const after = new Date('2025-07-01T00:00:00Z');
    const call = makeCall({ provider: 'openai', requestModel: 'o3', inputTokens: 1_000, outputTokens: 1_000 });
    const cost = (p: ModelPrice): number => (1_000 * flat(p, 'input_mtok') + 1_000 * flat(p, 'output_mtok')) / M;
    const early = priceCall(call, { at: before }).costUsd!;
    const late = priceCall(call, { at: after }).costUsd!;
    expect(early).toBeCloseTo(cost(tableEntry('openai', 'o3', before)), 12);
    expect(late).toBeCloseTo(cost(tableEntry('openai', 'o3', after)), 12);
    expect(early).not.toBeCloseTo(late, 9);
    // An invalid time is not a reason to leave a dated price unpriced: it means now.
    expect(priceCall(call, { at: new Date('not a date') }).costUsd).toBeCloseTo(cost(tableEntry('openai', 'o3', new Date())), 12);
  });

  it('bills Gemini cached tokens at the cache price, for every Google provider spelling', () => {
    const p = tableEntry('google', 'gemini-2.5-flash', AT);
    const expected = (7_000 * flat(p, 'input_mtok') + 5_000 * flat(p, 'cache_read_mtok') + 800 * flat(p, 'output_mtok')) / M;
    for (const provider of ['gcp.gemini', 'gcp.vertex_ai', 'google', 'gemini', 'google.generative-ai']) {
      const call = makeCall({
        provider,
        requestModel: 'gemini-2.5-flash',
        inputTokens: 12_000,
        cachedInputTokens: 5_000,
        outputTokens: 800,
      });
      const result = priceCall(call, { at: AT });
      expect(result.costUsd, provider).toBeCloseTo(expected, 12);
      expect(result.priceSource).toBe('genai-prices:google/gemini-2.5-flash');
      expect(result.costEstimated).toBe(false);
    }
  });

  it('applies tiered prices by prompt size (Claude Sonnet 4.5 above 200k input tokens)', () => {
    const provider = findProvider({ providerId: 'anthropic' })!;
    const prices = provider.models.find((m) => m.id === 'claude-sonnet-4-5')!.prices as ModelPrice;
    const tiered = prices.input_mtok as { base: number; tiers: { start: number; price: number }[] };
    const outTiered = prices.output_mtok as { base: number; tiers: { start: number; price: number }[] };
    const start = tiered.tiers[0]!.start;
    const small = makeCall({ provider: 'anthropic', requestModel: 'claude-sonnet-4-5-20250929', inputTokens: 1_000, outputTokens: 100 });
    const large = makeCall({ ...small, inputTokens: start + 1_000 });
    expect(priceCall(small, { at: AT }).costUsd).toBeCloseTo((1_000 * tiered.base + 100 * outTiered.base) / M, 12);
    expect(priceCall(large, { at: AT }).costUsd).toBeCloseTo(((start + 1_000) * tiered.tiers[0]!.price + 100 * outTiered.tiers[0]!.price) / M, 12);
  });

  it('maps provider spellings to the table: Azure, Bedrock, xAI, Mistral', () => {
    const azure = priceCall(makeCall({ provider: 'az.ai.openai', requestModel: 'gpt-4o' }), { at: AT });
    expect(azure.priceSource).toMatch(/^genai-prices:azure\//);
    expect(azure.costEstimated).toBe(false);
    expect(priceCall(makeCall({ provider: 'azure.ai.openai', requestModel: 'gpt-4o' }), { at: AT }).priceSource).toBe(azure.priceSource);

    const bedrock = priceCall(
      makeCall({ provider: 'aws.bedrock', requestModel: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0', inputTokens: 1_000, cachedInputTokens: 400, outputTokens: 100 }),
      { at: AT },
    );
    expect(bedrock.priceSource).toMatch(/^genai-prices:aws\//);
    expect(bedrock.costUsd).toBeGreaterThan(0);

    const grok = priceCall(makeCall({ provider: 'x_ai', requestModel: 'grok-3' }), { at: AT });
    expect(grok.priceSource).toBe('genai-prices:x-ai/grok-3');

    const mistral = priceCall(makeCall({ provider: 'mistral_ai', requestModel: 'mistral-large-latest' }), { at: AT });
    expect(mistral.priceSource).toMatch(/^genai-prices:mistral\//);
  });

  it('matches by model name alone when the provider is missing, and calls it a guess when the named provider is unknown', () => {
    const p = tableEntry('openai', 'gpt-4o', AT);
    const expected = (1_000 * flat(p, 'input_mtok') + 100 * flat(p, 'output_mtok')) / M;
    const noProvider = priceCall(makeCall({ provider: null, requestModel: 'gpt-4o' }), { at: AT });
    expect(noProvider.costUsd).toBeCloseTo(expected, 12);
    expect(noProvider.costEstimated).toBe(false);

    const gateway = priceCall(makeCall({ provider: 'acme-gateway', requestModel: 'openai/gpt-4o' }), { at: AT });
    expect(gateway.costUsd).toBeCloseTo(expected, 12);
    expect(gateway.costEstimated).toBe(true);
    expect(gateway.priceSource).toBe('genai-prices:openai/gpt-4o');
  });

  it('prefers the served model and falls back to the requested one', () => {
    const call = makeCall({ provider: 'azure', requestModel: 'my-deployment', responseModel: 'gpt-4o-mini-2024-07-18' });
    expect(priceCall(call, { at: AT }).priceSource).toMatch(/gpt-4o-mini/);
    const onlyRequested = makeCall({ provider: 'openai', requestModel: 'gpt-4o-mini', responseModel: 'not-a-known-model' });
    expect(priceCall(onlyRequested, { at: AT }).priceSource).toBe('genai-prices:openai/gpt-4o-mini');
  });

  it('returns null, not 0, for an unknown model', () => {
    for (const provider of [null, 'openai', 'acme']) {
      const result = priceCall(makeCall({ provider, requestModel: 'totally-unknown-model-xyz' }), { at: AT });
      expect(result).toEqual({ costUsd: null, costEstimated: false, priceSource: null });
    }
    expect(priceCall(makeCall({ requestModel: null, responseModel: null }), { at: AT }).costUsd).toBeNull();
  });

  it('prices local runtimes at 0', () => {
    for (const provider of ['ollama', 'ollama.chat', 'lmstudio', 'vllm']) {
      const result = priceCall(makeCall({ provider, requestModel: 'llama3.2:latest' }), { at: AT });
      expect(result, provider).toEqual({ costUsd: 0, costEstimated: false, priceSource: `free:${provider.split('.')[0]}` });
    }
    // Even a model name the table knows costs nothing when served by Ollama.
    expect(priceCall(makeCall({ provider: 'ollama', requestModel: 'gpt-oss:20b' }), { at: AT }).costUsd).toBe(0);
  });

  it('bills what the provider billed when partitions exceed the total (raw Anthropic usage)', () => {
    const p = tableEntry('anthropic', 'claude-sonnet-4-0', AT);
    // Raw Anthropic usage: input_tokens 50 excludes 3,000 cache reads.
    const call = makeCall({ provider: 'anthropic', requestModel: 'claude-sonnet-4-20250514', inputTokens: 50, cachedInputTokens: 3_000, outputTokens: 10 });
    const expected = (50 * flat(p, 'input_mtok') + 3_000 * flat(p, 'cache_read_mtok') + 10 * flat(p, 'output_mtok')) / M;
    expect(priceCall(call, { at: AT }).costUsd).toBeCloseTo(expected, 12);
  });
});

describe('overrides', () => {
  it('an override wins over the table, with cache reads at the input price unless given', () => {
    const call = makeCall({ provider: 'openai', requestModel: 'gpt-4o', inputTokens: 10_000, cachedInputTokens: 4_000, outputTokens: 500 });
    const plain = priceCall(call, { at: AT, overrides: [{ model: 'gpt-4o', inputPerMTok: 1, outputPerMTok: 2 }] });
    expect(plain.costUsd).toBeCloseTo((10_000 * 1 + 500 * 2) / M, 12);
    expect(plain.priceSource).toBe('override:gpt-4o');
    const withCache = priceCall(call, { at: AT, overrides: [{ model: 'gpt-4o', inputPerMTok: 1, outputPerMTok: 2, cacheReadPerMTok: 0.1 }] });
    expect(withCache.costUsd).toBeCloseTo((6_000 * 1 + 4_000 * 0.1 + 500 * 2) / M, 12);
    expect(withCache.costUsd).not.toBeCloseTo(priceCall(call, { at: AT }).costUsd!, 9);
  });

  it('a glob override prices models the table does not know, and an exact one beats a glob', () => {
    const call = makeCall({
      provider: 'acme',
      requestModel: 'my-finetune-7b-v3',
      inputTokens: 2_000,
      cacheWriteTokens: 500,
      outputTokens: 300,
    });
    expect(priceCall(call, { at: AT }).costUsd).toBeNull();
    const glob = { model: 'my-finetune-*', inputPerMTok: 0.5, outputPerMTok: 1.5, cacheWritePerMTok: 0.75 };
    const result = priceCall(call, { at: AT, overrides: [glob] });
    expect(result.costUsd).toBeCloseTo((1_500 * 0.5 + 500 * 0.75 + 300 * 1.5) / M, 12);
    expect(result.priceSource).toBe('override:my-finetune-*');

    const exact = { model: 'MY-FINETUNE-7B-V3', inputPerMTok: 9, outputPerMTok: 9 };
    expect(priceCall(call, { at: AT, overrides: [glob, exact] }).priceSource).toBe('override:MY-FINETUNE-7B-V3');
    // Glob characters other than * are literal.
    expect(priceCall(call, { at: AT, overrides: [{ model: 'my.finetune-*', inputPerMTok: 1, outputPerMTok: 1 }] }).costUsd).toBeNull();
  });

  it('a provider-scoped override applies only to that provider, in any spelling', () => {
    const override = { model: 'gpt-4o', provider: 'azure', inputPerMTok: 3, outputPerMTok: 4 };
    const azure = priceCall(makeCall({ provider: 'az.ai.openai', requestModel: 'gpt-4o' }), { at: AT, overrides: [override] });
    expect(azure.priceSource).toBe('override:azure/gpt-4o');
    expect(azure.costUsd).toBeCloseTo((1_000 * 3 + 100 * 4) / M, 12);
    const openai = priceCall(makeCall({ provider: 'openai', requestModel: 'gpt-4o' }), { at: AT, overrides: [override] });
    expect(openai.priceSource).toBe('genai-prices:openai/gpt-4o');
  });
});

describe('calls without usage', () => {
  const conversation = makeCall({
    provider: 'openai',
    requestModel: 'gpt-4o',
    inputTokens: null,
    outputTokens: null,
    systemInstructions: [{ type: 'text', content: 'You are a terse assistant.' }],
    inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'What is the capital of France? Answer in one word.' }] }],
    outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Paris.' }], finish_reason: 'stop' }],
  });

  it('are priced from js-tiktoken counts and marked estimated', () => {
    const priced = pricedCall(conversation, { at: AT });
    expect(priced.inputTokens).toBeGreaterThan(10);
    expect(priced.outputTokens).toBeGreaterThan(0);
    expect(priced.costEstimated).toBe(true);
    const p = tableEntry('openai', 'gpt-4o', AT);
    expect(priced.costUsd).toBeCloseTo((priced.inputTokens! * flat(p, 'input_mtok') + priced.outputTokens! * flat(p, 'output_mtok')) / M, 12);
    expect(priceCall(conversation, { at: AT })).toEqual({ costUsd: priced.costUsd, costEstimated: true, priceSource: 'genai-prices:openai/gpt-4o' });
    // The input call is left as it was.
    expect(conversation.inputTokens).toBeNull();
  });

  it('estimate only the side that is missing', () => {
    const priced = pricedCall({ ...conversation, inputTokens: 5_000 }, { at: AT });
    expect(priced.inputTokens).toBe(5_000);
    expect(priced.outputTokens).toBeGreaterThan(0);
    expect(priced.costEstimated).toBe(true);
  });

  it('with nothing to count stay unpriced', () => {
    const empty = makeCall({ inputTokens: null, outputTokens: null });
    expect(pricedCall(empty, { at: AT })).toMatchObject({ inputTokens: null, outputTokens: null, costUsd: null, costEstimated: false, priceSource: null });
  });

  it('keep their estimated counts flagged even when the model has no price', () => {
    const priced = pricedCall({ ...conversation, requestModel: 'unknown-model-q' }, { at: AT });
    expect(priced.costUsd).toBeNull();
    expect(priced.inputTokens).toBeGreaterThan(0);
    expect(priced.costEstimated).toBe(true);
  });

  it('a reported call passes through pricedCall with its counts untouched', () => {
    const call = makeCall({ inputTokens: 123, outputTokens: 45, cachedInputTokens: 20 });
    const priced = pricedCall(call, { at: AT });
    expect(priced).toMatchObject({ inputTokens: 123, outputTokens: 45, cachedInputTokens: 20, costEstimated: false, priceSource: 'genai-prices:openai/gpt-4o' });
  });
});

describe('failed calls the provider did not bill', () => {
  const failed = makeCall({
    provider: 'anthropic',
    requestModel: 'claude-sonnet-4-5',
    inputTokens: null,
    outputTokens: null,
    errorType: '429',
    inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'a long prompt that would cost something if billed '.repeat(50) }] }],
  });

  it('costs 0, is marked unbilled, and gets no estimated tokens', () => {
    expect(priceCall(failed, { at: AT })).toEqual({ costUsd: 0, costEstimated: false, priceSource: 'unbilled:failed' });
    const priced = pricedCall(failed, { at: AT });
    expect(priced.unbilled).toBe(true);
    expect(priced.inputTokens).toBeNull();
    expect(priced.outputTokens).toBeNull();
  });

  it('a failed call that reports usage is priced from it', () => {
    const billed = priceCall({ ...failed, inputTokens: 1000, outputTokens: 0 }, { at: AT });
    expect(billed.costUsd).toBeGreaterThan(0);
    expect(billed.priceSource).toMatch(/^genai-prices:anthropic\//);
  });
});
