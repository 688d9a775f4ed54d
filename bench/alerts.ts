// Alert evaluation at 1,000,000 stored calls (issue 15, "Figures"): the collector's time per minute
// for one full evaluation (every rule: windows, baselines, budgets, runaway loops) plus the fast
// evaluations new data triggers (at most one a second: 60), against the 50 ms target, and each
// as a ratio against a COUNT/SUM scan of the rows a naive evaluation would read (this month's
// calls), measured in the same run.
//
//   npm run bench:alerts -- [--calls 1000000] [--days 14] [--reps 30]

import { evaluateRules, FAST_RULES } from '../src/core/alerts/rules';
import { DEFAULT_ALERT_CONFIG, type AlertConfig } from '../src/protocol/alerts';
import { AlertFigureReader } from '../src/store/alert-figures';
import { periodBounds } from '../src/core/alerts/calendar';
import { Store } from '../src/store/store';
import { repoRoot } from './lib/bench-db';
import { CALLS_DB_END_MS, ensureCallsDb } from './lib/calls-db';
import { int, machineNote, ms, sample } from './lib/timing';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const calls = arg('calls', 1_000_000);
const days = arg('days', 14);
const reps = arg('reps', 30);

const file = ensureCallsDb(repoRoot(), { calls, days });
const store = new Store(file, null, { readonly: true });
const reader = new AlertFigureReader(store.db);
const config: AlertConfig = {
  ...DEFAULT_ALERT_CONFIG, budgetDailyUsd: 25, budgetMonthlyUsd: 500, scopedDailyBudgetsUsd: { 'service:checkout-agent': 5, 'model:gpt-4o': 10 },
  latencyP95Ms: 8000, ttftP95Ms: 1500, tpotP95Ms: 40, refusalRate: 0.1, guardrailHits: 10,
};
// "Now" is a minute before the data ends (mid-afternoon of its last day), so every window is full.
const now = CALLS_DB_END_MS - 9.5 * 3_600_000;
const month = periodBounds(now, 'month', 'UTC');
const stored = store.db.prepare('SELECT count(*) FROM llm_calls').pluck().get() as number;

const full = sample(() => evaluateRules(config, store.db.transaction(() => reader.read(config, now, { timeZone: 'UTC' }))()), reps, 3);
const fast = sample(() => evaluateRules(config, store.db.transaction(() => reader.read(config, now, { fast: true, timeZone: 'UTC' }))(), FAST_RULES), reps, 3);
const scanStmt = store.db.prepare('SELECT count(*), sum(cost_usd), sum(input_tokens) FROM llm_calls WHERE start_us >= ? AND start_us < ?');
const scan = sample(() => scanStmt.get(month.start * 1000, now * 1000), Math.max(5, Math.floor(reps / 3)), 1);
const scanned = (store.db.prepare('SELECT count(*) FROM llm_calls WHERE start_us >= ? AND start_us < ?').pluck().get(month.start * 1000, now * 1000)) as number;

const perMinute = full.wall.p50 + 60 * fast.wall.p50;
console.log(`bench:alerts — ${int(stored)} stored calls; ${machineNote()}`);
console.log(`  full evaluation (all rules):   p50 ${ms(full.wall.p50)} ms, p95 ${ms(full.wall.p95)} ms  (${(scan.wall.p50 / full.wall.p50).toFixed(1)}x faster than the scan)`);
console.log(`  fast evaluation (on new data): p50 ${ms(fast.wall.p50)} ms, p95 ${ms(fast.wall.p95)} ms  (${(scan.wall.p50 / fast.wall.p50).toFixed(1)}x faster than the scan)`);
console.log(`  reference: COUNT/SUM scan of this month's ${int(scanned)} calls: p50 ${ms(scan.wall.p50)} ms`);
console.log(`  collector time per minute (1 full + 60 fast, p50s): ${ms(perMinute)} ms; target ≤ 50 ms → ${(50 / perMinute).toFixed(2)}x under target`);
store.close();
