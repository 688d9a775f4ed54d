import { describe, expect, it } from 'vitest';
import { findOverride, overrideMatchesModel, parsePriceOverrides } from '../../../src/core/pricing';

describe('parsePriceOverrides', () => {
  it('accepts valid entries and keeps their order', () => {
    const { overrides, errors } = parsePriceOverrides([
      { model: 'gpt-4o', inputPerMTok: 2, outputPerMTok: 8 },
      { model: ' my-model-* ', provider: 'ollama', inputPerMTok: 0, outputPerMTok: 0, cacheReadPerMTok: 0, cacheWritePerMTok: 0 },
    ]);
    expect(errors).toEqual([]);
    expect(overrides).toEqual([
      { model: 'gpt-4o', inputPerMTok: 2, outputPerMTok: 8 },
      { model: 'my-model-*', provider: 'ollama', inputPerMTok: 0, outputPerMTok: 0, cacheReadPerMTok: 0, cacheWritePerMTok: 0 },
    ]);
  });

  it('treats an absent setting as no overrides', () => {
    expect(parsePriceOverrides(undefined)).toEqual({ overrides: [], errors: [] });
    expect(parsePriceOverrides(null)).toEqual({ overrides: [], errors: [] });
  });

  it('rejects a non-array with a message saying what is expected', () => {
    const { overrides, errors } = parsePriceOverrides({ model: 'gpt-4o' });
    expect(overrides).toEqual([]);
    expect(errors).toEqual(['priceOverrides must be an array of {model, inputPerMTok, outputPerMTok, …} entries, got an object']);
  });

  it('drops invalid entries, names the entry and field, and keeps the valid ones', () => {
    const { overrides, errors } = parsePriceOverrides(
      [
        { model: 'ok', inputPerMTok: 1, outputPerMTok: 1 },
        { model: '', inputPerMTok: 1, outputPerMTok: 1 },
        { model: 'neg', inputPerMTok: -1, outputPerMTok: 1 },
        { model: 'str', inputPerMTok: '2.5', outputPerMTok: 1 },
        { model: 'missing-output', inputPerMTok: 1 },
        { model: 'nan', inputPerMTok: 1, outputPerMTok: Number.NaN },
        { model: 'bad-cache', inputPerMTok: 1, outputPerMTok: 1, cacheReadPerMTok: null },
        { model: 'bad-provider', provider: 7, inputPerMTok: 1, outputPerMTok: 1 },
        'gpt-4o',
      ],
      'spyglass.priceOverrides',
    );
    expect(overrides.map((o) => o.model)).toEqual(['ok']);
    expect(errors).toEqual([
      'spyglass.priceOverrides[1].model must be a non-empty model name or glob (e.g. "gpt-4o*"), got ""',
      'spyglass.priceOverrides[2].inputPerMTok must be a non-negative number of USD per million tokens, got -1',
      'spyglass.priceOverrides[3].inputPerMTok must be a non-negative number of USD per million tokens, got "2.5"',
      'spyglass.priceOverrides[4].outputPerMTok must be a non-negative number of USD per million tokens, got nothing',
      'spyglass.priceOverrides[5].outputPerMTok must be a non-negative number of USD per million tokens, got NaN',
      'spyglass.priceOverrides[6].cacheReadPerMTok must be a non-negative number of USD per million tokens, got null',
      'spyglass.priceOverrides[7].provider must be a non-empty string when set, got 7',
      'spyglass.priceOverrides[8] must be an object, got "gpt-4o"',
    ]);
  });

  it('reports a misspelt field but keeps the otherwise valid entry', () => {
    const { overrides, errors } = parsePriceOverrides([{ model: 'm', inputPerMTok: 1, outputPerMTok: 2, cachedReadPerMTok: 0.1 }]);
    expect(overrides).toEqual([{ model: 'm', inputPerMTok: 1, outputPerMTok: 2 }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('priceOverrides[0] has an unknown field "cachedReadPerMTok"');
  });
});

describe('override matching', () => {
  it('matches exact names case-insensitively and globs with * anywhere', () => {
    expect(overrideMatchesModel('GPT-4o', 'gpt-4o')).toBe(true);
    expect(overrideMatchesModel('gpt-4o', 'gpt-4o-mini')).toBe(false);
    expect(overrideMatchesModel('gpt-4o*', 'gpt-4o-mini')).toBe(true);
    expect(overrideMatchesModel('*-instruct', 'llama-3-8b-instruct')).toBe(true);
    expect(overrideMatchesModel('a*b*c', 'axxbyyc')).toBe(true);
    expect(overrideMatchesModel('a*b*c', 'axxbyy')).toBe(false);
    expect(overrideMatchesModel('(x)+*', '(x)+1')).toBe(true);
    expect(overrideMatchesModel('(x)+*', 'xx1')).toBe(false);
  });

  it('picks the most specific: exact beats glob, provider-scoped beats unscoped, then list order', () => {
    const globAny = { model: 'gpt-*', inputPerMTok: 1, outputPerMTok: 1 };
    const globAzure = { model: 'gpt-*', provider: 'azure', inputPerMTok: 2, outputPerMTok: 2 };
    const exactAny = { model: 'gpt-4o', inputPerMTok: 3, outputPerMTok: 3 };
    const exactAzure = { model: 'gpt-4o', provider: 'az.ai.openai', inputPerMTok: 4, outputPerMTok: 4 };
    const all = [globAny, globAzure, exactAny, exactAzure];
    expect(findOverride(all, ['gpt-4o'], 'azure.ai.openai')).toBe(exactAzure);
    expect(findOverride(all, ['gpt-4o'], 'openai')).toBe(exactAny);
    expect(findOverride(all, ['gpt-4.1'], 'azure')).toBe(globAzure);
    expect(findOverride(all, ['gpt-4.1'], null)).toBe(globAny);
    expect(findOverride([globAny, { ...globAny, inputPerMTok: 9 }], ['gpt-5'], null)).toBe(globAny);
    expect(findOverride(all, ['claude-3'], 'anthropic')).toBeNull();
  });
});
