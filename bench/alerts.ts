// Alert evaluation at 1,000,000 stored calls (issue 15, "Figures"): the collector's time over one
// minute as the alert service spends it: one full evaluation (every rule: windows, baselines,
// budgets, runaway loops) and then a fast evaluation each second as calls arrive (60), each fast
// one reading only the calls stored since (the store's calls carry one revision each, as if they
// arrived one by one, and "now" advances a second per evaluation through the store's last minute).
// Against the 50 ms target, and as a ratio against a COUNT/SUM scan of the rows a naive evaluation
// would read (this month's calls), measured in the same run.
//
//   npm run bench:alerts -- [--calls 1000000] [--days 14] [--reps 15]

import { evaluateRules, FAST_RULES } from '../src/core/alerts/rules';
import { DEFAULT_ALERT_CONFIG, type AlertConfig } from '../src/protocol/alerts';
import { AlertFigureReader } from '../src/store/alert-figures';
import { periodBounds } from '../src/core/alerts/calendar';
import { Store } from '../src/store/store';
import { repoRoot } from './lib/bench-db';
import { CALLS_DB_END_MS, ensureCallsDb } from './lib/calls-db';
import { int, machineNote, ms, nowMs, sample, summarize } from './lib/timing';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const calls = arg('calls', 1_000_000);
const days = arg('days', 14);
const reps = arg('reps', 15);

const file = ensureCallsDb(repoRoot(), { calls, days });
const store = new Store(file, null, { readonly: true });
const reader = new AlertFigureReader(store.db);
const config: AlertConfig = {
  ...DEFAULT_ALERT_CONFIG, budgetDailyUsd: 25, budgetMonthlyUsd: 500, scopedDailyBudgetsUsd: { 'service:checkout-agent': 5, 'model:gpt-4o': 10 },
  latencyP95Ms: 8000, ttftP95Ms: 1500, tpotP95Ms: 40, refusalRate: 0.1, guardrailHits: 10,
};
// The minute replayed is the store's last: its calls "arrive" as now advances a second at a time.
const now = CALLS_DB_END_MS - 60_000;
const month = periodBounds(now, 'month', 'UTC');
const stored = store.db.prepare('SELECT count(*) FROM llm_calls').pluck().get() as number;

const read = (r: AlertFigureReader, at: number, fast: boolean) =>
  evaluateRules(config, store.db.transaction(() => r.read(config, at, { fast, timeZone: 'UTC' }))(), fast ? FAST_RULES : undefined);
const fullMs: number[] = [];
const fastMs: number[] = [];
const newCalls = store.db.prepare('SELECT count(*) FROM llm_calls WHERE start_us > ? AND start_us <= ?').pluck();
const minute = sample(() => {
  const reader = new AlertFigureReader(store.db);
  let t0 = nowMs();
  read(reader, now, false);
  fullMs.push(nowMs() - t0);
  for (let k = 1; k <= 60; k++) {
    t0 = nowMs();
    read(reader, now + k * 1000, true);
    fastMs.push(nowMs() - t0);
  }
}, reps, 2);
const full = summarize(fullMs);
const fast = summarize(fastMs);
const scanStmt = store.db.prepare('SELECT count(*), sum(cost_usd), sum(input_tokens) FROM llm_calls WHERE start_us >= ? AND start_us < ?');
const scan = sample(() => scanStmt.get(month.start * 1000, now * 1000), Math.max(5, Math.floor(reps / 3)), 1);
const scanned = (store.db.prepare('SELECT count(*) FROM llm_calls WHERE start_us >= ? AND start_us < ?').pluck().get(month.start * 1000, now * 1000)) as number;
const arrived = newCalls.get(now * 1000, (now + 60_000) * 1000) as number;

console.log(`bench:alerts — ${int(stored)} stored calls; ${machineNote()}`);
console.log(`  full evaluation (all rules):   p50 ${ms(full.p50)} ms, p95 ${ms(full.p95)} ms  (${(full.p50 / scan.wall.p50).toFixed(3)}x the scan)`);
console.log(`  fast evaluation (each second, ${int(arrived)} calls arriving over the minute): p50 ${ms(fast.p50)} ms, p95 ${ms(fast.p95)} ms  (${(fast.p50 / scan.wall.p50).toFixed(4)}x the scan)`);
console.log(`  reference: COUNT/SUM scan of this month's ${int(scanned)} calls: p50 ${ms(scan.wall.p50)} ms`);
console.log(`  collector time per minute (1 full + 60 fast): p50 ${ms(minute.wall.p50)} ms, p95 ${ms(minute.wall.p95)} ms — ${(minute.wall.p50 / scan.wall.p50).toFixed(3)}x the scan; target ≤ 50 ms → ${(50 / minute.wall.p50).toFixed(2)}x under target`);
store.close();
