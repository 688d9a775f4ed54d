// The alert reader kept between evaluations (a window moved by what was stored since, spend carried
// forward, baselines read once an hour) against a fresh reader over the same store at every step,
// while calls arrive at random: on time, late (hours and days back, into the baselines' hours and
// the previous month), ahead of the clock, read again by late log records (a new input, or usage
// that changes the cost), and while the store is pruned and cleared. Time crosses local midnight
// on the first of a month in New York and the baselines' hour, so the day, the month and the
// baselines all turn under a warm reader.
import { beforeEach, describe, expect, it } from 'vitest';
import type { IngestLogRecord, IngestSpan } from '../../../src/core/model';
import { DEFAULT_ALERT_CONFIG, type AlertConfig } from '../../../src/protocol/alerts';
import { AlertFigureReader } from '../../../src/store/alert-figures';
import type { Store } from '../../../src/store/store';
import { useTempStore } from '../../helpers/temp-store';
import { hexId, logRecord, span } from '../../helpers/spans';

const temp = useTempStore('alert-incremental');
let store: Store;
beforeEach(() => {
  store = temp.store;
});

const ZONE = 'America/New_York';
/** Local midnight of 1 December 2025 in New York (EST): the day and the month turn here. */
const MIDNIGHT = Date.UTC(2025, 11, 1, 5, 0);
const T0 = MIDNIGHT - 9 * 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4'];
const SERVICES = ['svc-a', 'svc-b', 'svc-c'];
const CONFIG: AlertConfig = {
  ...DEFAULT_ALERT_CONFIG, budgetDailyUsd: 0.5, budgetMonthlyUsd: 5, scopedDailyBudgetsUsd: { 'service:svc-a': 0.2, 'model:gpt-4o': 0.3 },
  scopedMonthlyBudgetsUsd: { 'service:svc-b': 1 }, latencyP95Ms: 2000, ttftP95Ms: 500, tpotP95Ms: 30, refusalRate: 0.1, guardrailHits: 3,
};

function rand(seed: number) {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function write(spans: IngestSpan[], logs: IngestLogRecord[] = []): void {
  for (let i = 0; i < Math.max(spans.length, 1); i += 500) store.writer.write([{ spans: spans.slice(i, i + 500), logs: i === 0 ? logs : [] }]);
}

/** Numbers to ten significant digits: sums carried forward and sums read afresh add in another order. */
function rounded<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' ? Number(x.toPrecision(10)) : x))) as T;
}

describe('AlertFigureReader kept between evaluations', () => {
  it('reads what a fresh reader reads at every step, whatever arrives, through a month turning in New York and a store pruned and cleared', () => {
    const rnd = rand(42);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    let n = 0;
    const call = (startMs: number, over: { service?: string; input?: string; traceId?: string } = {}): IngestSpan => {
      const startUs = Math.floor(startMs * 1000);
      const ttft = rnd() < 0.5 ? Math.floor(rnd() * 900) : null;
      return span({
        traceId: over.traceId ?? hexId(16, 1_000_000 + ++n),
        spanId: hexId(8, 2_000_000 + n),
        startUs, endUs: startUs + 1000 * ((ttft ?? 0) + Math.floor(40 + rnd() * 3000)),
        statusCode: rnd() < 0.08 ? 2 : 0,
        resource: { 'service.name': over.service ?? pick(SERVICES) },
        attributes: {
          'gen_ai.request.model': pick(MODELS),
          // A third carry no usage: it comes later in a log record, and changes the call's cost.
          ...(rnd() < 0.67 ? { 'gen_ai.usage.input_tokens': Math.floor(rnd() * 2000), 'gen_ai.usage.output_tokens': Math.floor(1 + rnd() * 400) } : {}),
          ...(ttft !== null ? { 'gen_ai.response.time_to_first_chunk': ttft / 1000 } : {}),
          ...(over.input ? { 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: over.input }] }]) } : {}),
        },
      });
    };
    // Eight days of history (the baselines read the same hour on seven previous days), about 30 calls an hour.
    const history = Array.from({ length: 6000 }, () => call(T0 - rnd() * 8 * DAY));
    write(history);
    const written: IngestSpan[] = [...history];

    const reader = new AlertFigureReader(store.db);
    // A window that holds only the newest calls (as in a runaway loop): its spend stays exact, its window the newest calls.
    const CAP = 30;
    const capped = new AlertFigureReader(store.db, { maxWindowCalls: CAP });
    let truncated = 0;
    const compare = (t: number, fast: boolean) => {
      const at = `${fast ? 'fast' : 'full'} read at ${new Date(t).toISOString()}`;
      const kept = store.db.transaction(() => reader.read(CONFIG, t, { fast, timeZone: ZONE }))();
      const fresh = store.db.transaction(() => new AlertFigureReader(store.db).read(CONFIG, t, { fast, timeZone: ZONE }))();
      expect(rounded(kept), at).toEqual(rounded(fresh));
      const few = store.db.transaction(() => capped.read(CONFIG, t, { fast, timeZone: ZONE }))();
      expect(rounded(few.spend.map((x) => [x.spentUsd, x.recentUsd])), at).toEqual(rounded(fresh.spend.map((x) => [x.spentUsd, x.recentUsd])));
      expect(few.recentCalls, at).toEqual(fresh.recentCalls.slice(0, few.recentCalls.length));
      const all = fresh.windows.find((w) => !w.scope.service && !w.scope.model)?.calls ?? 0;
      const held = few.windows.find((w) => !w.scope.service && !w.scope.model)?.calls ?? 0;
      if (!fast) expect(held, at).toBeLessThanOrEqual(Math.min(CAP, all));
      if (!fast && all > CAP) truncated++;
      return kept;
    };

    const totalCost = store.db.prepare('SELECT total(cost_usd) FROM llm_calls').pluck();
    let t = T0;
    let lastFull = -Infinity;
    let checks = 0;
    let pruned = false;
    let cleared = false;
    const seen = { late: 0, minutesLate: 0, costChanged: 0, seasonal: 0, ahead: 0, reread: 0, repeats: 0, budgetsCrossed: 0, anomalies: 0 };
    while (t < MIDNIGHT + 14 * 60_000) {
      const prev = t;
      t += Math.floor(500 + rnd() * 15_000);
      const spans: IngestSpan[] = [];
      const logs: IngestLogRecord[] = [];
      for (let k = Math.floor(rnd() * 5); k > 0; k--) spans.push(call(prev + rnd() * (t - prev)));
      if (rnd() < 0.3) {
        // A loop: one trace sending the same input again and again.
        const traceId = hexId(16, 7_000_000 + Math.floor(rnd() * 3));
        for (let k = 0; k < 4; k++) spans.push(call(prev + rnd() * (t - prev), { traceId, service: 'svc-a', input: 'same again' }));
        seen.repeats++;
      }
      if (rnd() < 0.25) {
        spans.push(call(t - rnd() * 26 * HOUR)); // late: into the window, the rate hour, the baselines' recent hours, yesterday
        seen.late++;
      }
      if (rnd() < 0.3) {
        spans.push(call(t - 60_000 - rnd() * 30 * 60_000, { service: 'svc-a' })); // minutes late: into the half hour a burst is measured against
        seen.minutesLate++;
      }
      if (rnd() < 0.1) {
        spans.push(call(t - (1 + Math.floor(rnd() * 7)) * DAY - rnd() * 20 * 60_000)); // into a seasonal baseline hour
        seen.seasonal++;
      }
      if (rnd() < 0.1) {
        spans.push(call(t + rnd() * 40_000)); // a clock ahead of the collector's
        seen.ahead++;
      }
      if (rnd() < 0.2 && written.length > 0) {
        // A late log record reads a stored call again, recent or old: its input changes, or its usage and so its cost.
        const s = rnd() < 0.5 ? written[written.length - 1 - Math.floor(rnd() * Math.min(40, written.length))]! : pick(written);
        const at = { traceId: s.traceId, spanId: s.spanId, timeUs: s.startUs, observedTimeUs: s.startUs };
        logs.push(rnd() < 0.5
          ? logRecord({ ...at, eventName: 'gen_ai.user.message', body: { content: `again ${n++}` } })
          : logRecord({ ...at, eventName: 'gen_ai.client.inference.operation.details', attributes: {
            'gen_ai.request.model': String(s.attributes['gen_ai.request.model']), 'gen_ai.usage.input_tokens': Math.floor(rnd() * 50_000), 'gen_ai.usage.output_tokens': Math.floor(rnd() * 5000),
          } }));
        seen.reread++;
      }
      write(spans);
      if (logs.length > 0) {
        const before = totalCost.get() as number;
        write([], logs);
        if (totalCost.get() !== before) seen.costChanged++;
      }
      written.push(...spans);
      if (!pruned && t > T0 + 6 * 60_000) {
        // Retention drops the oldest day: the month's sum and the oldest baselines lose calls.
        expect(store.prune({ olderThanMs: T0 - 7 * DAY })).toBeGreaterThan(0);
        pruned = true;
      }
      if (!cleared && t > MIDNIGHT + 9 * 60_000) {
        store.clear();
        reader.reset(); // as AlertService.clear does
        written.length = 0;
        cleared = true;
      }
      const full = t - lastFull >= 60_000;
      if (full) lastFull = t;
      const f = compare(t, !full);
      checks++;
      if (f.spend.some((s) => s.spentUsd >= s.budgetUsd)) seen.budgetsCrossed++;
      seen.anomalies += f.anomalies.length;
    }
    // The walk exercised what it claims to.
    expect(checks).toBeGreaterThan(100);
    expect(pruned && cleared).toBe(true);
    expect(truncated).toBeGreaterThan(3);
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
  });
});
