// The dashboard's top tables against brute force over the same random calls in a real store:
// narrow and wide ranges (read by time, or along the cost and duration indexes), filters, empty ranges.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../../src/collector/analyzer';
import { DashboardQueries } from '../../../src/store/dashboard-queries';
import { Store } from '../../../src/store/store';
import { span } from '../../helpers/spans';

let dir: string;
let store: Store;
const T0 = 1_764_000_000_000;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-dash-'));
  store = new Store(path.join(dir, 'd.db'), createAnalyzer([]).analyzer);
  let x = 5;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const spans = Array.from({ length: 2000 }, () => {
    const start = Math.floor((T0 + rnd() * 48 * 3_600_000) * 1000);
    return span({
      startUs: start, endUs: start + Math.floor(1000 * (10 + rnd() * 9000)),
      resource: { 'service.name': ['a', 'b', 'c'][Math.floor(rnd() * 3)]! },
      attributes: {
        'gen_ai.request.model': ['gpt-4o', 'gpt-4o-mini'][Math.floor(rnd() * 2)]!,
        'gen_ai.usage.input_tokens': Math.floor(rnd() * 5000), 'gen_ai.usage.output_tokens': Math.floor(rnd() * 500),
        'gen_ai.prompt.name': `p${Math.floor(rnd() * 4)}`, 'gen_ai.prompt.version': 'v1',
      },
    });
  });
  store.writer.write([{ spans, logs: [] }]);
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Row = { trace_id: string; service_name: string; model: string; start_us: number; duration_us: number; cost_usd: number; prompt_name: string };

describe('DashboardQueries.tops', () => {
  it('equals brute force for narrow, wide and empty ranges, with and without filters', () => {
    const rows = store.db.prepare('SELECT trace_id, service_name, model, start_us, duration_us, cost_usd, prompt_name FROM llm_calls').all() as Row[];
    const q = new DashboardQueries(store.db);
    for (const [from, to] of [[T0, T0 + 3_600_000], [T0, T0 + 48 * 3_600_000], [T0 + 10 * 3_600_000, T0 + 30 * 3_600_000], [T0 - 10, T0 - 5]]) {
      for (const filter of [{}, { service: 'b' }, { model: 'gpt-4o', prompt: 'p2' }, { model: 'gpt-4o' }, { model: 'gpt-4o-mini' }, { prompt: 'p2' }] as { service?: string; model?: string; prompt?: string }[]) {
        const inside = rows.filter((r) => r.start_us >= from * 1000 && r.start_us < to * 1000 && (!('service' in filter) || r.service_name === filter.service)
          && (!filter.model || r.model === filter.model) && (!filter.prompt || r.prompt_name === filter.prompt));
        const got = q.tops({ from, to, ...filter });
        const byCost = [...inside].sort((a, b) => b.cost_usd - a.cost_usd).slice(0, 10);
        expect(got.costliestCalls.map((c) => c.costUsd)).toEqual(byCost.map((r) => r.cost_usd));
        const byDur = [...inside].sort((a, b) => b.duration_us - a.duration_us).slice(0, 10);
        expect(got.slowestCalls.map((c) => c.durationMs)).toEqual(byDur.map((r) => r.duration_us / 1000));
        const prompts = new Map<string, { cost: number; calls: number; top: Row }>();
        for (const r of inside) {
          const p = prompts.get(r.prompt_name) ?? { cost: 0, calls: 0, top: r };
          p.cost += r.cost_usd;
          p.calls += 1;
          if (r.cost_usd > p.top.cost_usd) p.top = r;
          prompts.set(r.prompt_name, p);
        }
        for (const g of got.costliestPrompts) {
          const want = prompts.get(g.key.split('@')[0]!)!;
          expect(g.calls).toBe(want.calls);
          expect(g.costUsd).toBeCloseTo(want.cost, 9);
          expect(g.traceId).toBe(want.top.trace_id);
        }
        expect(got.costliestPrompts.length).toBe(prompts.size);
        // Each service with its calls of the filter (model, prompt) and its costliest call among them.
        for (const g of got.costliestServices) {
          const mine = inside.filter((r) => (r.service_name || '(no service)') === g.key);
          expect(g.calls).toBe(mine.length);
          expect(g.costUsd).toBeCloseTo(mine.reduce((sum, r) => sum + r.cost_usd, 0), 9);
          expect(g.traceId).toBe(mine.reduce((a, b) => (b.cost_usd > a.cost_usd ? b : a)).trace_id);
        }
        expect(got.costliestServices.length).toBe(new Set(inside.map((r) => r.service_name)).size);
      }
    }
  });
});
