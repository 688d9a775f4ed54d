// The dashboard's series read from a real store, against brute force over the stored calls:
// filters (service, model, prompt version) apply to every series; users, sessions and features
// come from span attributes or the trace; refusals from guardrail annotations; the HTTP route
// answers over real HTTP and refuses bad parameters with a JSON error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../../src/collector/analyzer';
import { Collector } from '../../../src/collector/collector';
import { cacheReadSavingPerToken } from '../../../src/core/pricing';
import type { DashboardSeries } from '../../../src/protocol/dashboard';
import { SeriesBuilder } from '../../../src/core/dashboard/series';
import { bucketOf, bucketValue } from '../../../src/core/histogram';
import { DashboardSeriesReader } from '../../../src/store/dashboard-series';
import { SCHEMA_VERSION, versionBefore } from '../../../src/store/schema';
import { Store } from '../../../src/store/store';
import { gridEdges } from '../../helpers/grid-edges';
import { span } from '../../helpers/spans';

let dir: string;
let store: Store;
const T0 = 1_764_000_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const refused = new Set<string>();

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-dash-series-'));
  store = new Store(path.join(dir, 'd.db'), createAnalyzer([]).analyzer);
  let x = 11;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const spans = Array.from({ length: 1500 }, (_, i) => {
    const start = Math.floor((T0 + rnd() * 6 * HOUR) * 1000);
    const input = 100 + Math.floor(rnd() * 5000);
    const attrs: Record<string, string | number> = {
      'gen_ai.request.model': pick(['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet-20241022']),
      'gen_ai.system': 'openai',
      'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': Math.floor(rnd() * 800),
    };
    // Some calls name no prompt: the cost-by-prompt series has a '(no prompt)' stack.
    if (rnd() < 0.85) Object.assign(attrs, { 'gen_ai.prompt.name': pick(['greet', 'summarize']), 'gen_ai.prompt.version': pick(['1', '2']) });
    if (rnd() < 0.5) attrs['gen_ai.usage.cache_read_input_tokens'] = Math.floor(rnd() * input);
    if (rnd() < 0.6) attrs['user.id'] = pick(['alice', 'bob', 'carol']);
    if (rnd() < 0.6) attrs['session.id'] = pick(['s-1', 's-2']);
    if (rnd() < 0.4) attrs['app.feature'] = pick(['search', 'chat']);
    else if (rnd() < 0.3) attrs['ai.telemetry.functionId'] = 'autocomplete';
    if (rnd() < 0.5) attrs['gen_ai.response.time_to_first_chunk'] = rnd() * 2;
    return span({
      startUs: start, endUs: start + Math.floor(1000 * (2000 + rnd() * 9000)) + (i % 7),
      statusCode: rnd() < 0.1 ? 2 : 0,
      resource: { 'service.name': pick(['api', 'worker']) },
      attributes: attrs,
    });
  });
  store.writer.write([{ spans, logs: [] }]);
  const annotations = spans.filter(() => rnd() < 0.1).map((s) => {
    refused.add(`${s.traceId}:${s.spanId}`);
    return {
      traceId: s.traceId, spanId: s.spanId, source: 'rule:guardrails', atUs: s.startUs, origin: null,
      kind: 'guardrail' as const, name: 'refusal', label: 'refusal', score: null, explanation: null, location: null,
      attributes: { category: 'refusal', severity: 'low' },
    };
  });
  // A guardrail hit of another category is not a refusal.
  const other = spans[3]!;
  annotations.push({ ...annotations[0]!, traceId: other.traceId, spanId: other.spanId, name: 'pii', label: 'pii', attributes: { category: 'pii', severity: 'high' } });
  store.writer.writePrepared([{ resources: [], spans: [], logs: [], annotations: [], ops: [{ op: 'add', annotations }] }]);
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Row {
  trace_id: string; span_id: string; service_name: string; model: string; provider: string | null; start_us: number; duration_us: number;
  cost_usd: number | null; prompt_name: string; prompt_version: string; is_error: number; ttft_ms: number | null;
  input_tokens: number; output_tokens: number; cached_input_tokens: number | null; attributes: string;
  user_id: string | null; session_id: string | null; feature: string | null;
}

function brute(rows: Row[], s: DashboardSeries) {
  const inside = rows.filter((r) => r.start_us >= s.from * 1000 && r.start_us < s.to * 1000);
  expect(s.totals.calls).toBe(inside.length);
  expect(s.totals.errors).toBe(inside.filter((r) => r.is_error === 1).length);
  expect(s.totals.refusals).toBe(inside.filter((r) => refused.has(`${r.trace_id}:${r.span_id}`)).length);
  expect(s.totals.costUsd).toBeCloseTo(inside.reduce((a, r) => a + (r.cost_usd ?? 0), 0), 9);
  const edges = gridEdges(s.from, s.to, s.bucketMs);
  expect(s.buckets.map((b) => [b.start, b.end])).toEqual(edges.slice(1).map((e, k) => [edges[k], e]));
  s.buckets.forEach((b, k) => {
    const mine = inside.filter((r) => r.start_us >= edges[k]! * 1000 && r.start_us < edges[k + 1]! * 1000);
    expect(b.calls).toBe(mine.length);
    const saved = mine.reduce((a, r) => a + (r.cached_input_tokens ?? 0) * cacheReadSavingPerToken(r.model, r.provider, { at: new Date(b.start) }), 0);
    expect(b.cacheSavingsUsd).toBeCloseTo(saved, 12);
    const lat = mine.map((r) => r.duration_us / 1000).sort((p, q) => p - q);
    // The stats' log histogram: the middle of the bucket holding the exact nearest-rank value, within 1% of it.
    const exact = lat.length ? lat[Math.ceil(0.95 * lat.length) - 1]! : null;
    expect(b.latencyMs.p95).toBe(exact === null ? null : bucketValue(bucketOf(exact)));
    if (exact !== null) expect(Math.abs(b.latencyMs.p95! - exact) / exact).toBeLessThanOrEqual(0.01);
  });
  const attr = (r: Row, k: string) => (JSON.parse(r.attributes) as Record<string, unknown>)[k] as string | undefined;
  const groups = (key: (r: Row) => string | undefined) => {
    const m = new Map<string, number>();
    for (const r of inside) {
      const k = key(r);
      if (k) m.set(k, (m.get(k) ?? 0) + (r.cost_usd ?? 0));
    }
    return m;
  };
  for (const [by, key] of [
    ['user', (r: Row) => attr(r, 'user.id')],
    ['session', (r: Row) => attr(r, 'session.id')],
    ['feature', (r: Row) => attr(r, 'app.feature') ?? attr(r, 'ai.telemetry.functionId')],
  ] as const) {
    const want = groups(key);
    expect(new Map(s.spendBy[by].map((g) => [g.key, g.costUsd])).size).toBe(want.size);
    for (const g of s.spendBy[by]) expect(g.costUsd).toBeCloseTo(want.get(g.key)!, 9);
  }
  const ttft = inside.filter((r) => r.ttft_ms !== null).length;
  expect(s.ttftHistogram.reduce((a, b) => a + b.count, 0)).toBe(ttft);
}

/**
 * Ranges whose buckets the rollups serve whole (hours on the hour, days), cut at minute, ten-minute
 * and hour edges, below a minute, past the stored calls, and empty; widths that do not divide ten
 * minutes (7, 41 min, 25 min + 7 ms) or an hour, and a week (grid from a Monday).
 */
const RANGES: [number, number, number][] = [
  [T0, T0 + 6 * HOUR, HOUR], [T0 + 1234, T0 + HOUR + 999, 300_000], [T0 - 10, T0 - 5, 1],
  [T0 - 7 * 60_000, T0 + 6 * HOUR + 3 * 60_000, 25 * 60_000 + 7], [T0 - DAY, T0 + DAY, DAY / 4], [T0 + 17 * 60_000 + 30_000, T0 + 4 * HOUR + 250, 41 * 60_000],
  [T0 + 10 * DAY, T0 + 11 * DAY, HOUR], [T0 + 2 * HOUR + 1, T0 + 2 * HOUR + 59_999, 10_000],
  [T0 + 3 * 60_000 + 17, T0 + 5 * HOUR + 11 * 60_000 + 999, 30 * 60_000], [T0 - 3 * DAY - 5, T0 + 4 * DAY, 7 * DAY], [T0 + 1, T0 + 6 * HOUR, 7 * 60_000],
  [T0 + 20 * 60_000 + 1, T0 + 20 * 60_000 + 2, 600_000],
];

/** The series the builder makes from every stored call one by one: what the rollup path must equal. */
function reference(rows: Row[], q: { from: number; to: number; bucketMs: number }): DashboardSeries {
  const b = new SeriesBuilder(q.from, q.to, q.bucketMs, { savingPerCachedToken: (m, p, at) => cacheReadSavingPerToken(m, p, { at: new Date(at) }) });
  for (const r of rows) {
    b.add({
      startMs: r.start_us / 1000, traceId: r.trace_id, model: r.model, provider: r.provider, service: r.service_name,
      prompt: r.prompt_name === null ? null : r.prompt_version ? `${r.prompt_name}@${r.prompt_version}` : r.prompt_name,
      user: r.user_id, session: r.session_id, feature: r.feature, durationMs: r.duration_us / 1000, ttftMs: r.ttft_ms,
      inputTokens: r.input_tokens, outputTokens: r.output_tokens, cachedInputTokens: r.cached_input_tokens, costUsd: r.cost_usd,
      isError: r.is_error === 1, refused: refused.has(`${r.trace_id}:${r.span_id}`),
    });
  }
  return b.build();
}

/** Equal, sums of fractions to 9 digits (rollups add them in another order). */
function expectSameSeries(got: unknown, want: unknown, at = 'series'): void {
  if (typeof want === 'number' && typeof got === 'number' && !Number.isInteger(want)) {
    expect(Math.abs(got - want), at).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
  } else if (want !== null && typeof want === 'object') {
    expect(typeof got, at).toBe('object');
    const keys = Object.keys(want as object);
    expect(Object.keys(got as object).sort(), at).toEqual(keys.sort());
    for (const k of keys) expectSameSeries((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], `${at}.${k}`);
  } else expect(got, at).toEqual(want);
}

describe('DashboardSeriesReader', () => {
  const all = () => store.db.prepare(`SELECT c.trace_id, s.span_id, c.service_name, c.model, c.provider, c.start_us, c.duration_us, c.cost_usd, c.prompt_name,
    c.prompt_version, c.is_error, c.ttft_ms, c.input_tokens, c.output_tokens, c.cached_input_tokens, s.attributes, c.user_id, c.session_id, c.feature
    FROM llm_calls c JOIN spans s ON s.id = c.span_row`).all() as Row[];

  it('equals brute force over ranges and filters, the prompt-version filter on every series', () => {
    const rows = all();
    expect(rows.some((r) => (r.cached_input_tokens ?? 0) > 0)).toBe(true);
    const reader = new DashboardSeriesReader(store.db);
    for (const [from, to, bucketMs] of RANGES) {
      for (const filter of [{}, { service: 'api' }, { model: 'gpt-4o', prompt: 'greet@2' }, { prompt: 'summarize' }, { model: 'gpt-4o-mini' }]) {
        const keep = rows.filter((r) => (!filter.service || r.service_name === filter.service) && (!filter.model || r.model === filter.model)
          && (!filter.prompt || `${r.prompt_name}@${r.prompt_version}` === filter.prompt || r.prompt_name === filter.prompt));
        const s = reader.series({ from, to, bucketMs, ...filter });
        brute(keep, s);
        expectSameSeries(s, reference(keep, { from, to, bucketMs }));
      }
    }
    const s = reader.series({ from: T0, to: T0 + 6 * HOUR, bucketMs: HOUR });
    expect(s.totals.cacheSavingsUsd).toBeGreaterThan(0);
    expect(s.costBy.prompt.map((p) => p.key).sort()).toEqual(['(no prompt)', 'greet@1', 'greet@2', 'summarize@1', 'summarize@2']);
    expect(s.spendBy.feature.map((f) => f.key)).toContain('autocomplete');
  });

  it("gives a call its trace's user and session when its own span names none, whichever arrives first", () => {
    const traceId = 'ab'.repeat(16);
    const at = Math.floor((T0 + 7 * HOUR) * 1000);
    const call = (spanId: string, startUs: number) => span({
      traceId, spanId, parentSpanId: 'r'.repeat(16), startUs, endUs: startUs + 2_000_000,
      attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.system': 'openai', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 },
    });
    store.writer.write([{ spans: [call('c'.repeat(16), at)], logs: [] }]);
    store.writer.write([{ spans: [span({ traceId, spanId: 'r'.repeat(16), startUs: at - 1000, endUs: at + 9_000_000, attributes: { 'user.id': 'dave', 'session.id': 's-dave' } })], logs: [] }]);
    store.writer.write([{ spans: [call('d'.repeat(16), at + 3_000_000)], logs: [] }]);
    const s = new DashboardSeriesReader(store.db).series({ from: T0 + 7 * HOUR - 60_000, to: T0 + 8 * HOUR, bucketMs: HOUR });
    expect(s.totals.calls).toBe(2);
    expect(s.spendBy.user).toEqual([{ key: 'dave', calls: 2, costUsd: s.totals.costUsd, traceId }]);
    expect(s.spendBy.session.map((g) => [g.key, g.calls])).toEqual([['s-dave', 2]]);
  });

  it('keeps a call on a minute edge out of a range that starts a fraction of a millisecond after it', () => {
    const edgeUs = (T0 + 9 * HOUR) * 1000;
    store.writer.write([{ spans: [span({ startUs: edgeUs, endUs: edgeUs + 1_000_000, attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.system': 'openai' } })], logs: [] }]);
    const reader = new DashboardSeriesReader(store.db);
    const count = (from: number) => reader.series({ from, to: T0 + 10 * HOUR, bucketMs: 600_000 }).totals.calls;
    expect(count(edgeUs / 1000)).toBe(1);
    expect(count(edgeUs / 1000 + 0.0004)).toBe(0);
    expect(count(edgeUs / 1000 - 0.0004)).toBe(1);
  });

  it('fills the attribution and the series rollups of a store written before them', () => {
    const file = path.join(dir, 'd.db');
    const reader = () => new DashboardSeriesReader(store.db);
    const want = RANGES.map(([from, to, bucketMs]) => reader().series({ from, to, bucketMs }));
    store.db.exec(`UPDATE llm_calls SET user_id = NULL, session_id = NULL, feature = NULL;
      UPDATE llm_rollup SET weighted_ms = 0, weight = 0, gen_output = 0, gen_ms = 0, ttft_bins = '{}', tpot_bins = '{}';
      DROP TABLE llm_prompt_minute; DROP TABLE llm_prompt_10m;`);
    store.db.pragma(`user_version = ${versionBefore('backfillCallAttribution')}`);
    store.close();
    store = new Store(file, createAnalyzer([]).analyzer);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    RANGES.forEach(([from, to, bucketMs], i) => expectSameSeries(reader().series({ from, to, bucketMs }), want[i]));
    expect(want[0]!.spendBy.feature.length).toBeGreaterThan(0);
  });

  it('serves the series over HTTP and answers bad parameters with a JSON 400', async () => {
    const collector = await Collector.start({ dbPath: path.join(dir, 'http.db'), httpPort: 0, grpcPort: null });
    try {
      const base = `http://127.0.0.1:${collector.httpPort}`;
      const ok = await fetch(`${base}/api/dashboard/series?from=0&to=3600000&bucketMs=600000&prompt=p%401`);
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as DashboardSeries;
      expect(body.buckets.length).toBe(6);
      expect(body.totals.calls).toBe(0);
      for (const q of ['bucketMs=0', 'from=10&to=5', 'from=abc']) {
        const bad = await fetch(`${base}/api/dashboard/series?${q}`);
        expect(bad.status).toBe(400);
        expect(await bad.json()).toMatchObject({ error: expect.any(String), detail: expect.any(String) });
      }
    } finally {
      await collector.stop();
    }
  });
});
