// The price table's billing arithmetic for one price entry, compiled once so that pricing a call
// is a few multiplications instead of the table's per-call unit resolution and validation.
//
// It must give exactly the table's figures (test/unit/pricing/table-arithmetic.test.ts compares
// them bit for bit over the whole table). The table bills each reported usage kind's "leaf"
// (its count minus the counts of the more specific kinds that have their own price) at its own
// price, adds the input-side, output-side and other terms separately in the entry's key order, and
// sums the three. We only ever report five kinds — input, output, cache reads, cache writes,
// reasoning — and none of the table's other units is an ancestor of them, so every other priced
// unit (audio, images, web searches, 1-hour cache writes, …) has a leaf of 0 and adds nothing;
// `requests_kcount` is the exception, billed once per call.

import type { ModelPrice } from '@pydantic/genai-prices';
import type { TokenUsage } from './usage';

/** The cost in USD of a call's usage, or null where the table would reject the usage. */
export type CompiledPrice = (usage: TokenUsage) => number | null;

type Leaf = 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'reasoning' | 'request';
type Side = 'input' | 'output' | 'other';

const UNITS: Readonly<Record<string, { leaf: Leaf; side: Side; per: number }>> = {
  input_mtok: { leaf: 'input', side: 'input', per: 1e6 },
  cache_read_mtok: { leaf: 'cacheRead', side: 'input', per: 1e6 },
  cache_write_mtok: { leaf: 'cacheWrite', side: 'input', per: 1e6 },
  output_mtok: { leaf: 'output', side: 'output', per: 1e6 },
  output_reasoning_mtok: { leaf: 'reasoning', side: 'output', per: 1e6 },
  requests_kcount: { leaf: 'request', side: 'other', per: 1e3 },
};

interface Tiered {
  base: number;
  /** Ascending by start, as the table sorts them. */
  tiers: Array<{ start: number; price: number }>;
}

interface Term {
  leaf: Leaf;
  side: Side;
  per: number;
  price: number | Tiered;
}

function tiered(value: unknown): Tiered | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { base?: unknown; tiers?: unknown };
  if (typeof v.base !== 'number' || !Array.isArray(v.tiers)) return null;
  const tiers: Tiered['tiers'] = [];
  for (const t of v.tiers as unknown[]) {
    const tier = t as { start?: unknown; price?: unknown };
    if (typeof tier.start !== 'number' || typeof tier.price !== 'number') return null;
    tiers.push({ start: tier.start, price: tier.price });
  }
  return { base: v.base, tiers: tiers.sort((a, b) => a.start - b.start) };
}

/**
 * Compiles an entry the table has already accepted (priced a call with it), or returns null when
 * the entry needs the table's own handling: Groq's Whisper models bill audio seconds with a
 * minimum, and a value we do not recognise is left to the table.
 */
export function compileTablePrice(price: ModelPrice, providerId: string, modelId: string): CompiledPrice | null {
  if (providerId === 'groq' && modelId.startsWith('whisper-large-v3')) return null;
  const terms: Term[] = [];
  const priced = new Set<Leaf>();
  for (const [key, value] of Object.entries(price)) {
    if (value === undefined) continue;
    const unit = UNITS[key];
    if (!unit) continue; // a unit we never report: its leaf is 0
    const p = typeof value === 'number' ? value : tiered(value);
    if (p === null) return null;
    terms.push({ ...unit, price: p });
    priced.add(unit.leaf);
  }
  const cacheReadPriced = priced.has('cacheRead');
  const cacheWritePriced = priced.has('cacheWrite');
  const reasoningPriced = priced.has('reasoning');

  return (u: TokenUsage): number | null => {
    const input = u.input - (cacheReadPriced ? u.cacheRead : 0) - (cacheWritePriced ? u.cacheWrite : 0);
    const output = u.output - (reasoningPriced ? u.reasoning : 0);
    let inSide = 0;
    let outSide = 0;
    let other = 0;
    for (const term of terms) {
      let count: number;
      switch (term.leaf) {
        case 'input': count = input; break;
        case 'output': count = output; break;
        case 'cacheRead': count = u.cacheRead; break;
        case 'cacheWrite': count = u.cacheWrite; break;
        case 'reasoning': count = u.reasoning; break;
        case 'request': count = 1; break;
      }
      // The table refuses usage whose parts exceed their whole.
      if (count < 0) return null;
      let amount: number;
      if (typeof term.price === 'number') {
        amount = (term.price * count) / term.per;
      } else if (count <= 0) {
        amount = 0;
      } else {
        // Tiers are chosen by the whole prompt's size, whichever kind is being billed.
        let rate = term.price.base;
        for (const tier of term.price.tiers) if (u.input > tier.start) rate = tier.price;
        amount = (((rate * count) / 1e6) * 1e6) / term.per;
      }
      if (term.side === 'input') inSide += amount;
      else if (term.side === 'output') outSide += amount;
      else other += amount;
    }
    return inSide + outSide + other;
  };
}
