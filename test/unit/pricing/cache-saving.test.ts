import { describe, expect, it } from 'vitest';
import { cacheReadSavingPerToken, parsePriceOverrides, priceCall } from '../../../src/core/pricing';
import { flat, makeCall, tableEntry } from './call-fixture';

const AT = new Date('2026-11-22T12:00:00Z');

describe('cacheReadSavingPerToken', () => {
  it('is the input price less the cache-read price from the table', () => {
    const p = tableEntry('openai', 'gpt-4o', AT);
    const saving = cacheReadSavingPerToken('gpt-4o', 'openai', { at: AT });
    expect(saving).toBeCloseTo((flat(p, 'input_mtok') - flat(p, 'cache_read_mtok')) / 1e6, 15);
    // The same as two priced calls that differ only in what was cached.
    const base = { provider: 'openai', requestModel: 'gpt-4o', inputTokens: 10_000, outputTokens: 10 };
    const uncached = priceCall(makeCall(base), { at: AT }).costUsd!;
    const cached = priceCall(makeCall({ ...base, cachedInputTokens: 4_000 }), { at: AT }).costUsd!;
    expect(4_000 * saving).toBeCloseTo(uncached - cached, 12);
  });

  it('follows a user override, and is 0 for free runtimes and unknown models', () => {
    const { overrides } = parsePriceOverrides([{ model: 'my-model', inputPerMTok: 3, cacheReadPerMTok: 0.5, outputPerMTok: 10 }]);
    expect(cacheReadSavingPerToken('my-model', null, { overrides })).toBeCloseTo(2.5e-6, 15);
    expect(cacheReadSavingPerToken('llama3', 'ollama')).toBe(0);
    expect(cacheReadSavingPerToken('no-such-model-xyz', null)).toBe(0);
  });
});
