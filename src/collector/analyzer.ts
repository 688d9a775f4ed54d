// The production analyzer: the convention normalizer, the price table (with the user's
// overrides) and the search text, as the store's writer needs them.

import { analyzeSpan } from '../core/conventions';
import { messagesToText } from '../core/conventions/text';
import { parsePriceOverrides, pricedCall } from '../core/pricing';
import type { Analyzer } from '../store/analyzer';

export function createAnalyzer(rawOverrides: unknown): { analyzer: Analyzer; warnings: string[] } {
  const { overrides, errors } = parsePriceOverrides(rawOverrides ?? []);
  const analyzer: Analyzer = {
    analyze: analyzeSpan,
    price: (call, startUs) => {
      // pricedCall also fills in token counts it had to estimate, so the stored call shows them.
      const priced = pricedCall(call, { overrides, at: new Date(startUs / 1000) });
      return { costUsd: priced.costUsd, costEstimated: priced.costEstimated, call: priced };
    },
    searchText: (span, call) => {
      const parts = [span.name];
      if (call) {
        if (call.requestModel) parts.push(call.requestModel);
        parts.push(messagesToText([{ role: 'system', parts: call.systemInstructions }, ...call.inputMessages, ...call.outputMessages]));
      }
      return parts.join('\n');
    },
  };
  return { analyzer, warnings: errors };
}
