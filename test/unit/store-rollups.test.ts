// Hour rollups: each hour row must stay the exact sum of its minute rows (after writes, after
// pruning, after the migration that creates them), and window statistics read through them
// must equal the answer computed from the calls themselves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addToHistogram, quantiles, type SparseHistogram } from '../../src/core/histogram';
import type { IngestSpan } from '../../src/core/model';
import { HOUR_US, MINUTE_US } from '../../src/store/rollups';
import { Store } from '../../src/store/store';
import { levelMismatch } from '../helpers/rollup-levels';
import { span } from '../helpers/spans';
import { testAnalyzer } from '../helpers/test-analyzer';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-rollups-'));
  store = new Store(path.join(dir, 'traces.db'), testAnalyzer);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Not on an hour boundary, so the data starts and ends inside hours.
const T0 = 1_700_000_000_000_000 + 17 * MINUTE_US + 123_456;
const MODELS = ['gpt-4o', 'claude', 'mini'];

/** Deterministic calls spread over about five hours, several per minute, three models, two services. */
function calls(n: number, seed = 1): IngestSpan[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, (_, i) => {
    const start = T0 + Math.floor(i * (5 * HOUR_US / n) + rnd() * 20_000_000);
    return span({
      startUs: start,
      endUs: start + Math.floor(20_000 + rnd() * 3_000_000),
      resource: { 'service.name': rnd() < 0.5 ? 'svc-a' : 'svc-b' },
      attributes: {
        'gen_ai.request.model': MODELS[Math.floor(rnd() * MODELS.length)]!,
        'gen_ai.usage.input_tokens': Math.floor(rnd() * 1000),
        'gen_ai.usage.output_tokens': Math.floor(rnd() * 100),
      },
    });
  });
}

function expected(spans: IngestSpan[], fromMs: number, toMs: number, model?: string) {
  const inside = spans.filter((s) => s.startUs >= fromMs * 1000 && s.startUs < toMs * 1000 && (!model || s.attributes['gen_ai.request.model'] === model));
  const h: SparseHistogram = {};
  for (const s of inside) addToHistogram(h, (s.endUs - s.startUs) / 1000);
  const [p50, p95, p99] = quantiles(h, [0.5, 0.95, 0.99]);
  const input = inside.reduce((n, s) => n + (s.attributes['gen_ai.usage.input_tokens'] as number), 0);
  const output = inside.reduce((n, s) => n + (s.attributes['gen_ai.usage.output_tokens'] as number), 0);
  return { calls: inside.length, input, output, cost: (input + output) * 1e-6, latency: { p50, p95, p99 } };
}

/** Every hour row against the sum of its minute rows. */
const hourRowsMismatch = (db: Database.Database): unknown[] => levelMismatch(db, 'llm_rollup', 'minute_us', 'llm_rollup_hour', 'hour_us', HOUR_US);

function roundReals(rows: unknown[]): unknown[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(12)) : v])));
}

describe('hour rollups', () => {
  it('answer any window exactly as the calls do, with or without a model filter', () => {
    const spans = calls(1500);
    for (let i = 0; i < spans.length; i += 200) store.writer.write([{ spans: spans.slice(i, i + 200), logs: [] }]);
    expect(hourRowsMismatch(store.db)).toEqual([]);
    expect(store.db.prepare('SELECT count(*) FROM llm_rollup_hour').pluck().get()).toBeGreaterThan(10);

    const firstMs = T0 / 1000;
    const windows: [number, number][] = [
      [firstMs - 1, firstMs + 6 * 3_600_000], // everything
      [firstMs + 1_234_567, firstMs + 3 * 3_600_000 + 987], // whole hours inside, ragged edges
      [firstMs + 30_500, firstMs + 40 * 60_000 + 1], // minutes only
      [firstMs + 5_000, firstMs + 45_000], // inside one minute: calls only
      [firstMs + 3_600_000 - 17, firstMs + 2 * 3_600_000 + 17],
    ];
    for (const [from, to] of windows) {
      for (const model of [undefined, 'claude']) {
        const s = store.queries.stats({ from, to, model });
        const e = expected(spans, from, to, model);
        expect({ calls: s.calls, input: s.inputTokens, output: s.outputTokens, latency: s.latencyMs }).toEqual({
          calls: e.calls, input: e.input, output: e.output, latency: e.latency,
        });
        expect(s.costUsd).toBeCloseTo(e.cost, 9);
      }
    }
    const all = store.queries.stats();
    expect(all.calls).toBe(1500);
    expect(all.byModel.map((m) => m.model).sort()).toEqual([...MODELS].sort());
  });

  it('stay the sum of their minutes after pruning cuts into an hour, and after clearing', () => {
    const spans = calls(600, 7);
    store.writer.write([{ spans, logs: [] }]);
    const cutMs = (T0 + 2 * HOUR_US + 25 * MINUTE_US) / 1000;
    const pruned = store.prune({ olderThanMs: cutMs });
    expect(pruned).toBe(spans.filter((s) => s.startUs < cutMs * 1000).length);
    expect(hourRowsMismatch(store.db)).toEqual([]);
    const firstHour = store.db.prepare('SELECT min(hour_us) FROM llm_rollup_hour').pluck().get() as number;
    expect(firstHour).toBe(Math.floor((cutMs * 1000) / HOUR_US) * HOUR_US);
    const later = spans.filter((s) => s.startUs >= cutMs * 1000 + MINUTE_US);
    const fromMs = Math.ceil((cutMs * 1000) / MINUTE_US + 1) * (MINUTE_US / 1000);
    expect(store.queries.stats({ from: fromMs, to: fromMs + 10 * 3_600_000 }).calls).toBe(later.filter((s) => s.startUs >= fromMs * 1000).length);
    store.clear();
    expect(store.db.prepare('SELECT count(*) FROM llm_rollup_hour').pluck().get()).toBe(0);
  });

  it('are filled from the minute rows when an older database is opened, and not needed to read one', () => {
    const spans = calls(900, 3);
    store.writer.write([{ spans, logs: [] }]);
    const before = store.db.prepare('SELECT * FROM llm_rollup_hour ORDER BY 1, 2, 3, 4').all();
    store.db.exec('DROP TABLE llm_rollup_hour');
    store.db.pragma('user_version = 1');
    store.close();
    // A reader (another window) may open the file before its owner has migrated it.
    const reader = new Store(path.join(dir, 'traces.db'), null, { readonly: true });
    expect(reader.queries.stats().calls).toBe(900);
    reader.close();
    store = new Store(path.join(dir, 'traces.db'), testAnalyzer);
    expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(2);
    // Schema 16 counts the minutes again from the calls, in time order rather than arrival order:
    // sums of fractions may differ in their last bits.
    expect(roundReals(store.db.prepare('SELECT * FROM llm_rollup_hour ORDER BY 1, 2, 3, 4').all())).toEqual(roundReals(before));
    expect(store.queries.stats().calls).toBe(900);
  });
});
