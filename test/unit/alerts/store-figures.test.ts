// The store's side of alerts, against brute force over the same random calls in a real SQLite
// file: window sums through hour, minute and call rows; the windows' p95s and counts; the runaway
// readings; and the rules and alert book on top.
import { beforeEach, describe, expect, it } from 'vitest';
import { AlertBook } from '../../../src/core/alerts/alert-book';
import { CircuitBreakers } from '../../../src/core/alerts/breaker';
import { evaluateRules, FAST_RULES } from '../../../src/core/alerts/rules';
import { findBursts, findRepeats } from '../../../src/core/alerts/runaway';
import type { IngestSpan } from '../../../src/core/model';
import { DEFAULT_ALERT_CONFIG } from '../../../src/protocol/alerts';
import { tpotMs } from '../../../src/core/dashboard/series';
import { AlertFigureReader } from '../../../src/store/alert-figures';
import { HOUR_US } from '../../../src/store/rollups';
import type { Store } from '../../../src/store/store';
import { useTempStore } from '../../helpers/temp-store';
import { WindowSums } from '../../../src/store/window-sums';
import { span } from '../../helpers/spans';

const temp = useTempStore('alert-figures');
let store: Store;
beforeEach(() => {
  store = temp.store;
});

const NOW_MS = 1_764_000_000_000 + 7 * 60_000 + 321;
const MODELS = ['gpt-4o', 'claude', 'mini'];
const SERVICES = ['svc-a', 'svc-b', 'svc-c'];

function rand(seed: number) {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** Random calls over the last `hours` before NOW_MS, some failing, some streamed. */
function calls(n: number, hours: number, seed = 3): IngestSpan[] {
  const rnd = rand(seed);
  return Array.from({ length: n }, () => {
    const start = Math.floor(NOW_MS * 1000 - rnd() * hours * HOUR_US);
    const ttft = rnd() < 0.6 ? Math.floor(rnd() * 800) : null;
    return span({
      startUs: start,
      endUs: start + 1000 * ((ttft ?? 0) + Math.floor(50 + rnd() * 4000)),
      statusCode: rnd() < 0.1 ? 2 : 0,
      resource: { 'service.name': SERVICES[Math.floor(rnd() * SERVICES.length)]! },
      attributes: {
        'gen_ai.request.model': MODELS[Math.floor(rnd() * MODELS.length)]!,
        'gen_ai.usage.input_tokens': Math.floor(rnd() * 1000),
        'gen_ai.usage.output_tokens': Math.floor(rnd() * 300),
        ...(ttft !== null ? { 'gen_ai.response.time_to_first_chunk': ttft / 1000 } : {}),
      },
    });
  });
}

function write(spans: IngestSpan[]): void {
  for (let i = 0; i < spans.length; i += 500) store.writer.write([{ spans: spans.slice(i, i + 500), logs: [] }]);
}

type Row = { service: string; model: string; start_us: number; duration_us: number; ttft_ms: number | null; output_tokens: number | null; is_error: number; cost_usd: number | null };
const allCalls = () => store.db.prepare(`SELECT coalesce(service_name, '') AS service, model, start_us, duration_us, ttft_ms, output_tokens, is_error, cost_usd FROM llm_calls`).all() as Row[];

describe('WindowSums', () => {
  it('equals the sums of the calls themselves over random windows, edges inside hours and minutes', () => {
    write(calls(3000, 30));
    const rows = allCalls();
    const sums = new WindowSums(store.db);
    const rnd = rand(11);
    for (let i = 0; i < 60; i++) {
      const a = NOW_MS - rnd() * 32 * 3_600_000;
      const b = i % 10 === 0 ? a : a + rnd() * 20 * 3_600_000; // some empty windows
      const got = sums.byScope(a, b);
      const inside = rows.filter((r) => r.start_us >= Math.floor(a * 1000) && r.start_us < Math.floor(b * 1000));
      expect(got.reduce((n, s) => n + s.calls, 0)).toBe(inside.length);
      for (const s of got) {
        const mine = inside.filter((r) => r.service === s.service && r.model === s.model);
        expect(s.calls).toBe(mine.length);
        expect(s.errors).toBe(mine.filter((r) => r.is_error).length);
        expect(s.costUsd).toBeCloseTo(mine.reduce((n, r) => n + (r.cost_usd ?? 0), 0), 9);
      }
    }
  });
});

describe('AlertFigureReader', () => {
  it('reads windows whose counts and p95s equal brute force, and spend with its recent rate', () => {
    write(calls(4000, 3));
    const rows = allCalls().filter((r) => r.start_us >= (NOW_MS - 15 * 60_000) * 1000);
    const reader = new AlertFigureReader(store.db);
    const f = reader.read({ ...DEFAULT_ALERT_CONFIG, budgetDailyUsd: 1, budgetMonthlyUsd: 10 }, NOW_MS, { timeZone: 'UTC' });
    const p95 = (xs: number[]) => (xs.length ? xs.sort((a, b) => a - b)[Math.ceil(0.95 * xs.length) - 1]! : null);
    for (const w of f.windows) {
      const mine = rows.filter((r) => (!w.scope.service || r.service === w.scope.service) && (!w.scope.model || r.model === w.scope.model));
      expect(w.calls).toBe(mine.length);
      expect(w.errors).toBe(mine.filter((r) => r.is_error).length);
      expect(w.latencyP95Ms).toBe(p95(mine.map((r) => r.duration_us / 1000)));
      expect(w.ttftP95Ms).toBe(p95(mine.filter((r) => r.ttft_ms !== null).map((r) => r.ttft_ms!)));
      expect(w.tpotP95Ms).toBe(p95(mine.map((r) => tpotMs(r.duration_us / 1000, r.ttft_ms, r.output_tokens)).filter((v): v is number => v !== null)));
    }
    expect(f.windows.length).toBe(1 + SERVICES.length + MODELS.length);
    const day = f.spend.find((s) => s.period === 'day')!;
    const dayStart = Date.UTC(new Date(NOW_MS).getUTCFullYear(), new Date(NOW_MS).getUTCMonth(), new Date(NOW_MS).getUTCDate());
    const all = allCalls();
    expect(day.start).toBe(dayStart);
    expect(day.spentUsd).toBeCloseTo(all.filter((r) => r.start_us >= dayStart * 1000).reduce((n, r) => n + (r.cost_usd ?? 0), 0), 9);
    expect(day.rateWindowMs).toBeGreaterThanOrEqual(3_600_000);
    expect(day.recentUsd).toBeCloseTo(all.filter((r) => r.start_us >= (NOW_MS - day.rateWindowMs) * 1000).reduce((n, r) => n + (r.cost_usd ?? 0), 0), 9);
  });

  it('a fast read after a full one reads only the calls stored since, and agrees with a full read', () => {
    write(calls(3000, 30, 9));
    const cfg = { ...DEFAULT_ALERT_CONFIG, budgetDailyUsd: 1, budgetMonthlyUsd: 10, scopedDailyBudgetsUsd: { 'service:svc-a': 1 }, scopedMonthlyBudgetsUsd: { 'model:gpt-4o': 0.000001 } };
    const reader = new AlertFigureReader(store.db);
    reader.read(cfg, NOW_MS, { timeZone: 'UTC' });
    // Calls arriving after the full read, spread over the next 50 s (new minutes included), with their own revisions.
    const later = NOW_MS + 50_000;
    const rnd = rand(17);
    const fresh = Array.from({ length: 40 }, (_, i) => {
      const start = (NOW_MS + 500 + i * 1200) * 1000;
      return span({
        startUs: start, endUs: start + 300_000, resource: { 'service.name': SERVICES[i % SERVICES.length]! },
        attributes: { 'gen_ai.request.model': MODELS[i % MODELS.length]!, 'gen_ai.usage.input_tokens': Math.floor(rnd() * 5000), 'gen_ai.usage.output_tokens': 20 },
      });
    });
    for (let i = 0; i < fresh.length; i += 7) write(fresh.slice(i, i + 7));
    const fast = reader.read(cfg, later, { fast: true, timeZone: 'UTC' });
    const full = new AlertFigureReader(store.db).read(cfg, later, { timeZone: 'UTC' });
    expect(fast.spend.map((s) => [s.period, s.scope])).toEqual([['day', {}], ['day', { service: 'svc-a' }], ['month', {}], ['month', { model: 'gpt-4o' }]]);
    const monthOne = allCalls().filter((r) => r.model === 'gpt-4o' && r.start_us >= fast.spend[3]!.start * 1000).reduce((n, r) => n + (r.cost_usd ?? 0), 0);
    expect(fast.spend[3]!.spentUsd).toBeCloseTo(monthOne, 9);
    // A crossed monthly budget of one model is its own alert, apart from a daily one of the same scope.
    const alerts = evaluateRules(cfg, fast, FAST_RULES);
    expect(alerts.find((a) => a.rule === 'budget-scoped-monthly')).toMatchObject({ scope: { model: 'gpt-4o' }, severity: 'P1' });
    fast.spend.forEach((s, i) => {
      const f = full.spend[i]!;
      expect([s.period, s.scope, s.rateWindowMs]).toEqual([f.period, f.scope, f.rateWindowMs]);
      expect(s.spentUsd).toBeCloseTo(f.spentUsd, 9);
      expect(s.recentUsd).toBeCloseTo(f.recentUsd, 9);
    });
    const allCost = allCalls().filter((r) => r.start_us >= fast.spend[0]!.start * 1000).reduce((n, r) => n + (r.cost_usd ?? 0), 0);
    expect(fast.spend[0]!.spentUsd).toBeCloseTo(allCost, 9);
    expect(fast.rates).toEqual(full.rates);
    expect(fast.rates.reduce((n, r) => n + r.lastMinute, 0)).toBeGreaterThanOrEqual(40);
  });

  it('an empty store reads nothing and raises nothing', () => {
    const f = new AlertFigureReader(store.db).read({ ...DEFAULT_ALERT_CONFIG, budgetDailyUsd: 1 }, NOW_MS);
    expect(f.windows).toEqual([]);
    expect(f.spend[0]!.spentUsd).toBe(0);
    expect(evaluateRules(DEFAULT_ALERT_CONFIG, f)).toEqual([]);
  });

  it('sees a burst far above the recent rate, and a trace repeating one input', () => {
    const quiet = calls(60, 0.5, 5); // ~2 a minute for the half hour
    const loopTrace = 'f'.repeat(32);
    const loop = Array.from({ length: 45 }, (_, i) => span({
      traceId: loopTrace, spanId: (i + 1).toString(16).padStart(16, '0'),
      startUs: NOW_MS * 1000 - 50_000_000 + i * 1_000_000, endUs: NOW_MS * 1000 - 50_000_000 + i * 1_000_000 + 500_000,
      resource: { 'service.name': 'svc-a' },
      attributes: { 'gen_ai.request.model': 'mini', 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'again' }] }]) },
    }));
    write([...quiet, ...loop]);
    const f = new AlertFigureReader(store.db).read(DEFAULT_ALERT_CONFIG, NOW_MS, { fast: true });
    const bursts = findBursts(f.rates);
    expect(bursts.map((b) => b.service)).toEqual(['svc-a']);
    const repeats = findRepeats(f.recentCalls);
    expect(repeats).toHaveLength(1);
    expect(repeats[0]).toMatchObject({ traceId: loopTrace, model: 'mini', count: 45 });
    const alerts = evaluateRules(DEFAULT_ALERT_CONFIG, f, FAST_RULES);
    expect(alerts.map((a) => `${a.rule} ${a.severity}`).sort()).toEqual(['runaway-burst P1', 'runaway-repeat P1']);
  });
});

describe('rules, alert book and breakers', () => {
  const window = (over: Partial<Parameters<typeof evaluateRules>[1]['windows'][number]>) => ({
    scope: {}, from: 0, to: 15 * 60_000, calls: 20, errors: 0, latencyP95Ms: 100, ttftP95Ms: null, tpotP95Ms: null, tpotCalls: 0, ttftCalls: 0,
    refusals: 0, guardrailHits: 0, traceIds: ['t1'], ...over,
  });
  const figures = (windows: ReturnType<typeof window>[]) => ({ now: 15 * 60_000, windows, spend: [], anomalies: [], rates: [], recentCalls: [], harmful: null });

  it('tiers: everything failing is P0, an error rate or a broken SLO P1, refusals P2; few calls fire nothing', () => {
    const cfg = { ...DEFAULT_ALERT_CONFIG, latencyP95Ms: 1000, refusalRate: 0.1 };
    const rules = (w: ReturnType<typeof window>) => evaluateRules(cfg, figures([w])).map((a) => `${a.rule} ${a.severity}`);
    expect(rules(window({ errors: 20 }))).toEqual(['all-failing P0']);
    expect(rules(window({ errors: 11 }))).toEqual(['error-rate P1']);
    expect(rules(window({ errors: 10 }))).toEqual([]);
    expect(rules(window({ latencyP95Ms: 1500 }))).toEqual(['latency-p95 P1']);
    expect(rules(window({ latencyP95Ms: 1500, calls: 9 }))).toEqual([]);
    expect(rules(window({ refusals: 3 }))).toEqual(['refusal-rate P2']);
    expect(rules(window({ calls: 4, errors: 4 }))).toEqual([]);
  });

  it('keeps an alert\'s since while it holds, raises it again only when it gets worse, resolves it when it clears', () => {
    const book = new AlertBook();
    const cfg = { ...DEFAULT_ALERT_CONFIG };
    let ch = book.update(evaluateRules(cfg, figures([window({ errors: 11 })])), 1000);
    expect(ch.raised.map((a) => a.severity)).toEqual(['P1']);
    ch = book.update(evaluateRules(cfg, figures([window({ errors: 12 })])), 2000);
    expect(ch.raised).toEqual([]);
    expect(book.list()[0]!.since).toBe(1000);
    // The fast rules' evaluation does not resolve a minute rule's alert.
    ch = book.update([], 2500, (rule) => FAST_RULES.has(rule));
    expect(book.list()).toHaveLength(1);
    ch = book.update([], 3000);
    expect(ch.resolved.map((a) => a.rule)).toEqual(['error-rate']);
    expect(book.list('resolved')[0]).toMatchObject({ state: 'resolved', resolvedAt: 3000, since: 1000 });
  });

  it('the breaker trips at the limit per service, refuses until lifted, and counts what it refused', () => {
    const b = new CircuitBreakers(3);
    for (let i = 0; i < 3; i++) expect(b.admit('a', i).ok).toBe(true);
    expect(b.admit('b', 3).ok).toBe(true);
    expect(b.admit('a', 4)).toMatchObject({ ok: false });
    expect(b.admit('a', 120_000).ok).toBe(false);
    expect(b.list()).toMatchObject([{ service: 'a', refused: 2 }]);
    expect(b.lift('a')).toBe(1);
    expect(b.admit('a', 120_001).ok).toBe(true);
    // Calls older than a minute no longer count.
    const c = new CircuitBreakers(2);
    expect(c.admit('x', 0).ok && c.admit('x', 30_000).ok && c.admit('x', 60_001).ok && c.admit('x', 90_001).ok).toBe(true);
    expect(new CircuitBreakers(null).admit('x', 0).ok).toBe(true);
  });

});
