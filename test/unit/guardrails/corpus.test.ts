// The labelled corpus (test/fixtures/guardrails): precision and recall of every category, on the
// part the rules were tuned on and on the held-out parts, at least 0.9 each.
import { describe, expect, it } from 'vitest';
import { runGuardrails } from '../../../src/core/guardrails';
import { loadCorpus, score, type Split } from '../../fixtures/guardrails/corpus';

describe.each(['tuned', 'heldout', 'fresh'] as Split[])('guardrail corpus (%s)', (split) => {
  it('covers every category with positives and hard negatives', () => {
    const cases = loadCorpus(split);
    for (const cat of ['pii', 'secret', 'injection', 'leakage', 'toxicity', 'refusal', 'format', 'truncation']) {
      expect(cases.filter((c) => c.category === cat && c.label === 1).length, cat).toBeGreaterThanOrEqual(3);
      expect(cases.filter((c) => c.category === cat && c.label === 0).length, cat).toBeGreaterThanOrEqual(3);
    }
  });
  it('reaches precision and recall of 0.9 in every category', async () => {
    const scores = await score(loadCorpus(split), (c) => runGuardrails(c));
    for (const s of scores) {
      expect({ category: s.category, precision: s.precision >= 0.9, recall: s.recall >= 0.9, misses: s.misses }).toEqual({ category: s.category, precision: true, recall: true, misses: s.misses });
    }
  });
});
