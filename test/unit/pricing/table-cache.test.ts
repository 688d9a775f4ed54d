// The price-table cache must never change a figure: cached matches and compiled arithmetic give
// exactly (bit for bit) what @pydantic/genai-prices' calcPrice gives, cold and warm, on both
// sides of a dated price change, for every model of every provider in the table.
import { beforeEach, describe, expect, it } from 'vitest';
import { calcPrice, findProvider, type Provider, type Usage } from '@pydantic/genai-prices';
import { pricedCall } from '../../../src/core/pricing';
import { clearPriceTableCache, priceFromModelName, priceFromProvider, priceTableCacheSize } from '../../../src/core/pricing/table';
import type { TokenUsage } from '../../../src/core/pricing/usage';
import { makeCall } from './call-fixture';

// Every provider in the bundled table (genai-prices 0.1.8). A provider missing here only loses coverage.
const PROVIDER_IDS = [
  'anthropic', 'arcee', 'avian', 'aws', 'azure', 'baseten', 'cerebras', 'cloudflare', 'cohere', 'cursor', 'deepseek',
  'doubleword', 'fireworks', 'github-copilot', 'google', 'groq', 'huggingface_cerebras', 'huggingface_fireworks-ai',
  'huggingface_groq', 'huggingface_hyperbolic', 'huggingface_nebius', 'huggingface_novita', 'huggingface_nscale',
  'huggingface_ovhcloud', 'huggingface_publicai', 'huggingface_sambanova', 'huggingface_together', 'minimax', 'mistral',
  'modal', 'moonshotai', 'novita', 'openai', 'openrouter', 'ovhcloud', 'perplexity', 'quicksilverpro', 'together',
  'typesafe', 'voyageai', 'x-ai', 'zai', 'zhipuai',
];

const USAGES: TokenUsage[] = [
  { input: 1_234, output: 567, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
  { input: 10_000, output: 800, cacheRead: 4_000, cacheWrite: 0, reasoning: 0 },
  { input: 9_000, output: 1_500, cacheRead: 3_000, cacheWrite: 2_000, reasoning: 700 },
  { input: 300_000, output: 20_000, cacheRead: 100_000, cacheWrite: 50_000, reasoning: 5_000 }, // above every tier start
  { input: 42, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, // an embeddings call
  { input: 100, output: 10, cacheRead: 150, cacheWrite: 0, reasoning: 0 }, // parts exceed the whole: the table refuses
];

// Before and after the dated changes in the table (2025-06 … 2027-01), and DeepSeek peak / off-peak hours.
const TIMES = ['2024-06-01T03:00:00Z', '2026-08-20T02:00:00Z', '2026-11-23T20:00:00Z', '2027-03-01T12:00:00Z'].map(
  (s) => new Date(s),
);

function tableUsage(u: TokenUsage): Usage {
  const r: Usage = { input_tokens: u.input, output_tokens: u.output };
  if (u.cacheRead > 0) r.cache_read_tokens = u.cacheRead;
  if (u.cacheWrite > 0) r.cache_write_tokens = u.cacheWrite;
  if (u.reasoning > 0) r.output_reasoning_tokens = u.reasoning;
  return r;
}

/** What the table itself says, with no cache of ours involved. */
function direct(u: TokenUsage, model: string, providerId: string | undefined, at: Date): { costUsd: number; modelId: string } | null {
  try {
    const r = calcPrice(tableUsage(u), model, providerId ? { providerId, timestamp: at } : { timestamp: at });
    return r && Number.isFinite(r.total_price) ? { costUsd: r.total_price, modelId: r.model.id } : null;
  } catch {
    return null;
  }
}

function providers(): Provider[] {
  return PROVIDER_IDS.map((id) => {
    const p = findProvider({ providerId: id });
    if (!p || p.id !== id) throw new Error(`provider ${id} is not in the table`);
    return p;
  });
}

beforeEach(() => clearPriceTableCache());

describe('price table cache', () => {
  it('gives exactly the table figures for every model, usage and time, cold and warm', () => {
    let compared = 0;
    let priced = 0;
    const mismatches: string[] = [];
    for (const provider of providers()) {
      for (const model of provider.models) {
        const expected = TIMES.map((at) => USAGES.map((usage) => direct(usage, model.id, provider.id, at)));
        for (const pass of ['cold', 'warm']) {
          TIMES.forEach((at, t) => {
            USAGES.forEach((usage, u) => {
              const want = expected[t]![u]!;
              const got = priceFromProvider(usage, [model.id], provider.id, at);
              const same = want === null ? got === null : got !== null && got.costUsd === want.costUsd && got.modelId === want.modelId;
              if (!same) mismatches.push(`${provider.id}/${model.id} ${pass} ${at.toISOString()} ${JSON.stringify(usage)}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
              if (want !== null) priced++;
              compared++;
            });
          });
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(compared).toBeGreaterThan(75_000);
    expect(priced).toBeGreaterThan(compared / 2);
  });

  it('gives exactly the table figures when matching by model name alone', () => {
    for (const name of ['gpt-4o-mini-2024-07-18', 'claude-sonnet-4-5-20250929', 'gemini-2.5-flash', 'o3', 'deepseek-chat', 'mistral-large-latest']) {
      for (const pass of [1, 2]) {
        for (const at of TIMES) {
          for (const usage of USAGES) {
            const expected = direct(usage, name, undefined, at);
            const got = priceFromModelName(usage, [name], at);
            expect(got?.costUsd ?? null, `${name} ${pass} ${at.toISOString()}`).toBe(expected?.costUsd ?? null);
          }
        }
      }
    }
  });

  it('applies a dated price change on both sides of the date with the cache warm (o3, 2025-06-10)', () => {
    const usage: TokenUsage = { input: 1_000_000, output: 1_000_000, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    const before = new Date('2025-06-09T23:59:59.999Z');
    const changed = new Date('2025-06-10T00:00:00.000Z');
    const later = new Date('2025-09-01T00:00:00Z');
    // o3's table price: $10 in / $40 out per million tokens, then $2 / $8 from 2025-06-10.
    const sequence: Array<[Date, number]> = [[later, 10], [before, 50], [changed, 10], [before, 50], [later, 10], [new Date('2025-01-01T00:00:00Z'), 50]];
    for (const [at, cost] of sequence) {
      expect(priceFromProvider(usage, ['o3'], 'openai', at)?.costUsd, at.toISOString()).toBeCloseTo(cost, 9);
    }
    // One match, one window each side of the date.
    expect(priceTableCacheSize()).toEqual({ matches: 1, windows: 2 });
  });

  it('asks the table on every call where the price depends on the time of day (DeepSeek off-peak)', () => {
    const usage: TokenUsage = { input: 1_000_000, output: 1_000_000, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    const peak = new Date('2025-03-01T12:00:00Z');
    const offPeak = new Date('2025-03-01T18:00:00Z');
    const costs = [peak, offPeak, peak, offPeak].map((at) => priceFromProvider(usage, ['deepseek-chat'], 'deepseek', at)!.costUsd);
    expect(costs[0]).toBeCloseTo(0.27 + 1.1, 9);
    expect(costs[1]).toBeCloseTo(0.135 + 0.55, 9);
    expect(costs[2]).toBe(costs[0]);
    expect(costs[3]).toBe(costs[1]);
    expect(priceTableCacheSize()).toEqual({ matches: 1, windows: 0 });
  });

  it('honours an override added for a model whose table price is cached', () => {
    const at = new Date('2026-11-23T12:00:00Z');
    const call = makeCall({ provider: 'openai', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', inputTokens: 1_000_000, outputTokens: 1_000_000 });
    const table = pricedCall(call, { at });
    expect(table.priceSource).toBe('genai-prices:openai/gpt-4o-mini');
    expect(pricedCall(call, { at }).costUsd).toBe(table.costUsd);
    const overrides = [{ model: 'gpt-4o-mini*', inputPerMTok: 1, outputPerMTok: 2 }];
    const overridden = pricedCall(call, { at, overrides });
    expect(overridden.priceSource).toBe('override:gpt-4o-mini*');
    expect(overridden.costUsd).toBeCloseTo(3, 12);
    // An exact name added later beats the glob; without overrides the table price is back.
    const exact = pricedCall(call, { at, overrides: [...overrides, { model: 'gpt-4o-mini-2024-07-18', inputPerMTok: 5, outputPerMTok: 5 }] });
    expect(exact.costUsd).toBeCloseTo(10, 12);
    expect(pricedCall(call, { at }).costUsd).toBe(table.costUsd);
  });

  it('stays bounded however many distinct model names arrive', () => {
    const usage: TokenUsage = { input: 10, output: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    const at = new Date('2026-11-23T12:00:00Z');
    for (let i = 0; i < 12_000; i++) priceFromProvider(usage, [`gpt-4o-mini-custom-${i}`], 'openai', at);
    expect(priceTableCacheSize().matches).toBeLessThanOrEqual(5_000);
    // Still correct after being emptied and refilled.
    expect(priceFromProvider(usage, ['gpt-4o-mini'], 'openai', at)?.costUsd).toBe(direct(usage, 'gpt-4o-mini', 'openai', at)!.costUsd);
  });
});
