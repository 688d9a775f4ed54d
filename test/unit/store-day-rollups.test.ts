// Ten-minute, day and prompt rollups: each row must stay the exact sum of the finer level's rows, each
// prompt row the sum of its calls (after writes, after pruning cuts into a day), and the window
// statistics and the cost series read through them must equal brute force over the calls.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addToHistogram, quantiles, type SparseHistogram } from '../../src/core/histogram';
import type { IngestSpan } from '../../src/core/model';
import { DAY_US, HOUR_US, MINUTE_US } from '../../src/store/rollups';
import { versionBefore } from '../../src/store/schema';
import { Store } from '../../src/store/store';
import { gridEdges } from '../helpers/grid-edges';
import { levelMismatch } from '../helpers/rollup-levels';
import { span } from '../helpers/spans';
import { testAnalyzer } from '../helpers/test-analyzer';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-days-'));
  store = new Store(path.join(dir, 'traces.db'), testAnalyzer);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Mid-day, mid-hour, mid-minute: the data starts and ends inside buckets of every level.
const T0 = 1_700_000_000_000_000 + 7 * HOUR_US + 17 * MINUTE_US + 123_456;
const MODELS = ['gpt-4o', 'claude', 'mini'];
const SPAN_US = 3.5 * DAY_US;

function calls(n: number, seed: number): IngestSpan[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, () => {
    const start = T0 + Math.floor(rnd() * SPAN_US);
    const prompt = Math.floor(rnd() * 4);
    return span({
      startUs: start,
      endUs: start + Math.floor(20_000 + rnd() * 3_000_000),
      resource: { 'service.name': rnd() < 0.5 ? 'svc-a' : 'svc-b' },
      attributes: {
        'gen_ai.request.model': MODELS[Math.floor(rnd() * MODELS.length)]!,
        'gen_ai.usage.input_tokens': Math.floor(rnd() * 1000),
        'gen_ai.usage.output_tokens': Math.floor(rnd() * 100),
        ...(prompt < 3 ? { 'gen_ai.prompt.name': `p${prompt}`, ...(prompt < 2 ? { 'gen_ai.prompt.version': `v${prompt}` } : {}) } : {}),
      },
    });
  });
}

function write(spans: IngestSpan[]): void {
  for (let i = 0; i < spans.length; i += 250) store.writer.write([{ spans: spans.slice(i, i + 250), logs: [] }]);
}

function dayRowsMismatch(db: Database.Database): unknown[] {
  return [
    ...levelMismatch(db, 'llm_rollup', 'minute_us', 'llm_rollup_10m', 'bucket_us', 10 * MINUTE_US),
    ...levelMismatch(db, 'llm_rollup_10m', 'bucket_us', 'llm_rollup_hour', 'hour_us', HOUR_US),
    ...levelMismatch(db, 'llm_rollup_hour', 'hour_us', 'llm_rollup_day', 'day_us', DAY_US),
  ];
}

/** Prompt rows of both levels against the calls. */
function promptRowsMismatch(db: Database.Database): unknown[] {
  const bad: unknown[] = [];
  for (const [table, us] of [['llm_prompt_hour', HOUR_US], ['llm_prompt_day', DAY_US]] as const) {
    const want = db.prepare(`SELECT start_us / ${us} * ${us} AS b, prompt_name, coalesce(prompt_version, '') AS v, count(*) AS calls, round(sum(cost_usd), 9) AS cost
      FROM llm_calls WHERE prompt_name IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`).all();
    const got = db.prepare(`SELECT bucket_us AS b, prompt_name, prompt_version AS v, calls, round(cost_usd, 9) AS cost FROM ${table} WHERE calls != 0 ORDER BY 1, 2, 3`).all();
    if (JSON.stringify(want) !== JSON.stringify(got)) bad.push({ table, want: want.length, got: got.length });
  }
  return bad;
}

function expectedStats(spans: IngestSpan[], fromMs: number, toMs: number) {
  const inside = spans.filter((s) => s.startUs >= fromMs * 1000 && s.startUs < toMs * 1000);
  const h: SparseHistogram = {};
  for (const s of inside) addToHistogram(h, (s.endUs - s.startUs) / 1000);
  const [p50, p95, p99] = quantiles(h, [0.5, 0.95, 0.99]);
  return { calls: inside.length, input: inside.reduce((n, s) => n + (s.attributes['gen_ai.usage.input_tokens'] as number), 0), latency: { p50, p95, p99 } };
}

/** The series by its definition: each call counts in the bucket (on the grid of the width) its minute starts in. */
function expectedSeries(spans: IngestSpan[], from: number, to: number, bucketMs: number, model?: string) {
  const lo = Math.floor(from / 60_000) * MINUTE_US;
  const starts = gridEdges(from, to, bucketMs).slice(0, -1);
  const cells = new Map<string, { bucketStart: number; model: string; calls: number; inputTokens: number }>();
  for (const s of spans) {
    const m = Math.floor(s.startUs / MINUTE_US) * MINUTE_US;
    const name = s.attributes['gen_ai.request.model'] as string;
    if (m < lo || m >= to * 1000 || (model && name !== model)) continue;
    const bucketStart = starts.filter((e) => e <= Math.max(from, m / 1000)).at(-1)!;
    const key = `${bucketStart}|${name}`;
    const c = cells.get(key) ?? { bucketStart, model: name, calls: 0, inputTokens: 0 };
    c.calls += 1;
    c.inputTokens += s.attributes['gen_ai.usage.input_tokens'] as number;
    cells.set(key, c);
  }
  return [...cells.values()].sort((a, b) => a.bucketStart - b.bucketStart || a.model.localeCompare(b.model));
}

describe('day and prompt rollups', () => {
  it('stay the sums of their hours and calls, and answer windows and series exactly as the calls do', () => {
    const spans = calls(2500, 11);
    write(spans);
    expect(dayRowsMismatch(store.db)).toEqual([]);
    expect(promptRowsMismatch(store.db)).toEqual([]);
    expect(store.db.prepare('SELECT count(DISTINCT day_us) FROM llm_rollup_day').pluck().get()).toBeGreaterThanOrEqual(4);

    const t0 = T0 / 1000;
    const windows: [number, number][] = [
      [t0 - 1, t0 + 4 * 86_400_000], // everything
      [t0 + 3_600_000 * 5 + 1234, t0 + 3 * 86_400_000 + 987], // whole days inside, ragged edges at every level
      [t0 + 86_400_000 - 17, t0 + 2 * 86_400_000 + 17],
      [t0 + 10_000, t0 + 50 * 60_000 + 1], // minutes only
    ];
    for (const [from, to] of windows) {
      const s = store.queries.stats({ from, to });
      const e = expectedStats(spans, from, to);
      expect({ calls: s.calls, input: s.inputTokens, latency: s.latencyMs }).toEqual({ calls: e.calls, input: e.input, latency: e.latency });
      for (const bucketMs of [60_000, 37 * 60_000, 3_600_000, 5.6 * 3_600_000, 86_400_000]) {
        if ((to - from) / bucketMs > 2000) continue;
        for (const model of [undefined, 'claude']) {
          const got = store.queries.series({ from, to, bucketMs, model }).points.map((p) => ({ bucketStart: p.bucketStart, model: p.model, calls: p.calls, inputTokens: p.inputTokens }));
          expect(got).toEqual(expectedSeries(spans, from, to, bucketMs, model));
        }
      }
    }
  });

  it('follow pruning that cuts into a day, and clearing', () => {
    const spans = calls(1200, 5);
    write(spans);
    const cutMs = (T0 + DAY_US + 5 * HOUR_US + 25 * MINUTE_US) / 1000;
    store.prune({ olderThanMs: cutMs });
    expect(dayRowsMismatch(store.db)).toEqual([]);
    expect(promptRowsMismatch(store.db)).toEqual([]);
    expect(store.db.prepare('SELECT min(day_us) FROM llm_rollup_day').pluck().get()).toBe(Math.floor((cutMs * 1000) / DAY_US) * DAY_US);
    store.clear();
    for (const t of ['llm_rollup_10m', 'llm_rollup_day', 'llm_prompt_hour', 'llm_prompt_day']) expect(store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()).toBe(0);
  });

  it('are filled from the hours and the calls when an older database is opened', () => {
    write(calls(900, 3));
    const tables = ['llm_rollup_10m', 'llm_rollup_day', 'llm_prompt_hour', 'llm_prompt_day'];
    const before = tables.map((t) => store.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all());
    for (const t of tables) store.db.exec(`DROP TABLE ${t}`);
    store.db.pragma(`user_version = ${versionBefore('llm_rollup_day')}`);
    store.close();
    const reader = new Store(path.join(dir, 'traces.db'), null, { readonly: true });
    expect(reader.queries.stats().calls).toBe(900);
    reader.close();
    store = new Store(path.join(dir, 'traces.db'), testAnalyzer);
    const after = tables.map((t) => store.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all());
    expect(after.map((rows) => rows.length)).toEqual(before.map((rows) => rows.length));
    expect(dayRowsMismatch(store.db)).toEqual([]);
    expect(promptRowsMismatch(store.db)).toEqual([]);
  });
});
