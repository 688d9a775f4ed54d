// The baselines read from the hour rollups against the same hours summed the plain way (each
// histogram parsed as JSON, merged with core/histogram and its median taken by core quantiles),
// and the hand-read histogram text against JSON.parse.
import { beforeEach, describe, expect, it } from 'vitest';
import { mergeHistogram, quantiles, type SparseHistogram } from '../../../src/core/histogram';
import { BaselineReader } from '../../../src/store/alert-baselines';
import { storedHistogramPairs } from '../../../src/store/histogram-sum';
import { HOUR_US } from '../../../src/store/rollups';
import type { Store } from '../../../src/store/store';
import { useTempStore } from '../../helpers/temp-store';
import { span } from '../../helpers/spans';

const temp = useTempStore('alert-baselines');
let store: Store;
beforeEach(() => {
  store = temp.store;
});

function rand(seed: number) {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe('histogramPairs', () => {
  it('reads what JSON.parse reads, by hand for the stored form and through JSON.parse for any other', () => {
    const rnd = rand(5);
    for (let i = 0; i < 200; i++) {
      const h: Record<number, number> = {};
      for (let k = Math.floor(rnd() * 50); k > 0; k--) h[Math.floor(rnd() * 1200)] = 1 + Math.floor(rnd() * 10_000);
      const text = JSON.stringify(h);
      const pairs = storedHistogramPairs(text);
      expect(Object.fromEntries(Array.from({ length: pairs.length / 2 }, (_, k) => [pairs[2 * k], pairs[2 * k + 1]]))).toEqual(JSON.parse(text));
    }
    expect(storedHistogramPairs('{}')).toEqual([]);
    expect(storedHistogramPairs('{ "3": 2.5, "7": 1 }')).toEqual([3, 2.5, 7, 1]);
    expect(() => storedHistogramPairs('{"3":2')).toThrow();
    expect(() => storedHistogramPairs('{"3":2}x')).toThrow();
  });
});

describe('BaselineReader', () => {
  it('gives each model and service the figures of the same hour on previous days and of the hours before, as the plain sum of the rollups', () => {
    const rnd = rand(8);
    const now = 1_764_000_000_000_000;
    const hourNow = Math.floor(now / HOUR_US) * HOUR_US;
    const spans = Array.from({ length: 5000 }, () => {
      const start = Math.floor(hourNow - rnd() * 8 * 24 * HOUR_US);
      return span({
        startUs: start, endUs: start + Math.floor(1000 * (20 + rnd() * rnd() * 9000)),
        resource: { 'service.name': ['a', 'b', 'c'][Math.floor(rnd() * 3)]! },
        attributes: { 'gen_ai.request.model': ['m1', 'm2'][Math.floor(rnd() * 2)]!, 'gen_ai.usage.input_tokens': Math.floor(rnd() * 900), 'gen_ai.usage.output_tokens': Math.floor(rnd() * 90) },
      });
    });
    for (let i = 0; i < spans.length; i += 500) store.writer.write([{ spans: spans.slice(i, i + 500), logs: [] }]);
    const got = new BaselineReader(store.db).read(hourNow);
    type Row = { hour_us: number; service: string; model: string; calls: number; cost_usd: number; tokens: number; latency_hist: string };
    const rows = store.db.prepare('SELECT hour_us, service_name AS service, model, calls, cost_usd, input_tokens + output_tokens AS tokens, latency_hist FROM llm_rollup_hour').all() as Row[];
    const seasonal = new Set(Array.from({ length: 7 }, (_, k) => hourNow - (k + 1) * 24 * HOUR_US));
    const recent = new Set(Array.from({ length: 6 }, (_, k) => hourNow - (k + 1) * HOUR_US));
    expect(got.hours).toEqual(new Set([...seasonal, ...recent]));
    let compared = 0;
    for (const [key, pick] of [['m\u0000m1', (r: Row) => r.model === 'm1'], ['s\u0000b', (r: Row) => r.service === 'b']] as const) {
      for (const [which, hours] of [['seasonal', seasonal], ['recent', recent]] as const) {
        const byHour = new Map<number, { calls: number; cost: number; tokens: number; h: SparseHistogram }>();
        for (const r of rows) {
          if (!hours.has(r.hour_us) || !pick(r)) continue;
          let a = byHour.get(r.hour_us);
          if (!a) byHour.set(r.hour_us, (a = { calls: 0, cost: 0, tokens: 0, h: {} }));
          a.calls += r.calls;
          a.cost += r.cost_usd;
          a.tokens += r.tokens;
          mergeHistogram(a.h, JSON.parse(r.latency_hist) as SparseHistogram);
        }
        const want = [...byHour.values()].filter((a) => a.calls >= 3);
        const sort = (xs: number[]) => [...xs].sort((x, y) => x - y);
        const s = got.scopes.get(key)![which];
        expect(sort(s.latency)).toEqual(sort(want.map((a) => quantiles(a.h, [0.5])[0]!)));
        expect(sort(s.costPerCall)).toEqual(sort(want.map((a) => a.cost / a.calls)));
        expect(sort(s.tokensPerCall)).toEqual(sort(want.map((a) => a.tokens / a.calls)));
        expect(sort(s.callRate)).toEqual(sort([...byHour.values()].map((a) => (a.calls * 5 * 60_000) / 3_600_000)));
        compared += want.length;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });
});
