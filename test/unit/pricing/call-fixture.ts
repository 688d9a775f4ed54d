// Builds LlmCall values for pricing tests, and reads expected prices out of the price table.
import { findProvider, type ModelPrice } from '@pydantic/genai-prices';
import { emptyCall } from '../../../src/core/conventions/call';
import type { LlmCall } from '../../../src/core/model';

export function makeCall(overrides: Partial<LlmCall> = {}): LlmCall {
  return { ...emptyCall('genai'), provider: 'openai', requestModel: 'gpt-4o', inputTokens: 1000, outputTokens: 100, ...overrides };
}

/**
 * The table's price entry for a model, as in effect at `at` (entries with a start_date
 * constraint apply from that date on; the unconstrained first entry before).
 */
export function tableEntry(providerId: string, modelId: string, at: Date = new Date()): ModelPrice {
  const provider = findProvider({ providerId });
  if (!provider) throw new Error(`no provider ${providerId} in the table`);
  const model = provider.models.find((m) => m.id === modelId);
  if (!model) throw new Error(`no model ${modelId} in ${providerId}`);
  if (!Array.isArray(model.prices)) return model.prices;
  let chosen = model.prices[0]!.prices;
  for (const entry of model.prices) {
    const c = entry.constraint;
    if (c && c.type === 'start_date' && at >= new Date(c.start_date)) chosen = entry.prices;
  }
  return chosen;
}

/** A flat per-million-token price from an entry (fails the test if it is tiered or absent). */
export function flat(entry: ModelPrice, key: string): number {
  const value = entry[key];
  if (typeof value !== 'number') throw new Error(`expected a flat ${key} price, got ${JSON.stringify(value)}`);
  return value;
}
