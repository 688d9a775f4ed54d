// Alert evaluation at 1,000,000 stored calls (issue 15, "Figures"): the collector's time per
// minute as the alert service spends it, one reader kept for the collector's life: a full
// evaluation (every rule: windows, baselines, budgets, runaway loops) at the top of each minute,
// then a fast evaluation each second as calls arrive (60). The store's calls carry one revision
// each, as if they arrived one by one, and "now" walks second by second through the store's last
// minutes, so each evaluation sees the calls that started since the one before. Also shown: the
// first evaluation of a fresh reader (collector start, or a cleared store) and the minute the
// baselines' hour turns (read again from the hour rollups), which the per-minute figure includes
// only when a replayed minute holds it.
// Against the 50 ms target, and as a ratio against a COUNT/SUM scan of the rows a naive
// evaluation would read (this month's calls), measured in the same run.
//
//   npm run bench:alerts -- [--calls 1000000] [--days 14] [--reps 15]

import { evaluateRules, FAST_RULES } from '../src/core/alerts/rules';
import { DEFAULT_ALERT_CONFIG, type AlertConfig } from '../src/protocol/alerts';
import { AlertFigureReader, WINDOW_MS } from '../src/store/alert-figures';
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
const WARMUP_MINUTES = 2;
const HOUR_MS = 3_600_000;

const file = ensureCallsDb(repoRoot(), { calls, days });
const store = new Store(file, null, { readonly: true });
const config: AlertConfig = {
  ...DEFAULT_ALERT_CONFIG, budgetDailyUsd: 25, budgetMonthlyUsd: 500, scopedDailyBudgetsUsd: { 'service:checkout-agent': 5, 'model:gpt-4o': 10 },
  latencyP95Ms: 8000, ttftP95Ms: 1500, tpotP95Ms: 40, refusalRate: 0.1, guardrailHits: 10,
};
const stored = store.db.prepare('SELECT count(*) FROM llm_calls').pluck().get() as number;

/** One evaluation as the alert service runs it (read in a transaction, then the rules); its wall time in ms. */
const evaluate = (r: AlertFigureReader, at: number, fast: boolean): number => {
  const t0 = nowMs();
  evaluateRules(config, store.db.transaction(() => r.read(config, at, { fast, timeZone: 'UTC' }))(), fast ? FAST_RULES : undefined);
  return nowMs() - t0;
};

// The minutes replayed are the store's last: its calls "arrive" as now advances a second at a time.
const first = CALLS_DB_END_MS - (reps + WARMUP_MINUTES) * 60_000;
const reader = new AlertFigureReader(store.db);
evaluate(reader, first - 60_000, false);
const fullMs: number[] = [];
const fastMs: number[] = [];
const minuteMs: number[] = [];
for (let m = 0; m < reps + WARMUP_MINUTES; m++) {
  const top = first + m * 60_000;
  const full = evaluate(reader, top, false);
  let fast = 0;
  const each: number[] = [];
  for (let k = 1; k <= 60; k++) each.push(evaluate(reader, top + k * 1000, true));
  for (const t of each) fast += t;
  if (m < WARMUP_MINUTES) continue;
  fullMs.push(full);
  fastMs.push(...each);
  minuteMs.push(full + fast);
}
const full = summarize(fullMs);
const fast = summarize(fastMs);
const minute = summarize(minuteMs);
const arrived = store.db.prepare('SELECT count(*) FROM llm_calls WHERE start_us > ? AND start_us <= ?').pluck()
  .get((first + WARMUP_MINUTES * 60_000) * 1000, CALLS_DB_END_MS * 1000) as number;

// A fresh reader's first evaluation: the window, the baselines and the month to date read from the store.
const coldAt = CALLS_DB_END_MS - 60_000;
const cold = sample(() => evaluate(new AlertFigureReader(store.db), coldAt, false), 5, 1);
// The baselines' hour turns 7.5 minutes past the hour (the window's middle crosses it): a reader warm a minute before, then the full evaluation at the turn.
const turn = Math.floor((CALLS_DB_END_MS - WINDOW_MS / 2 - 60_000) / HOUR_MS) * HOUR_MS + WINDOW_MS / 2;
const turnMs: number[] = [];
for (let i = 0; i < 6; i++) {
  const r = new AlertFigureReader(store.db);
  evaluate(r, turn - 60_000, false);
  const t = evaluate(r, turn, false);
  if (i > 0) turnMs.push(t); // the first warms the code up
}

const month = periodBounds(coldAt, 'month', 'UTC');
const scanStmt = store.db.prepare('SELECT count(*), sum(cost_usd), sum(input_tokens) FROM llm_calls WHERE start_us >= ? AND start_us < ?');
const scan = sample(() => scanStmt.get(month.start * 1000, coldAt * 1000), Math.max(5, Math.floor(reps / 3)), 1);
const scanned = store.db.prepare('SELECT count(*) FROM llm_calls WHERE start_us >= ? AND start_us < ?').pluck().get(month.start * 1000, coldAt * 1000) as number;
const x = (v: number) => `${(v / scan.wall.p50).toFixed(4)}x the scan`;

console.log(`bench:alerts — ${int(stored)} stored calls; ${machineNote()}; ${reps} minutes replayed (${int(arrived)} calls arriving) after ${WARMUP_MINUTES} unmeasured`);
console.log(`  full evaluation (all rules, each minute):  p50 ${ms(full.p50)} ms, p95 ${ms(full.p95)} ms  (${x(full.p50)})`);
console.log(`  fast evaluation (each second):             p50 ${ms(fast.p50)} ms, p95 ${ms(fast.p95)} ms  (${x(fast.p50)})`);
console.log(`  a fresh reader's first evaluation:         p50 ${ms(cold.wall.p50)} ms  (${x(cold.wall.p50)})`);
console.log(`  full evaluation as the baselines' hour turns: p50 ${ms(summarize(turnMs).p50)} ms (once an hour)`);
console.log(`  reference: COUNT/SUM scan of this month's ${int(scanned)} calls: p50 ${ms(scan.wall.p50)} ms`);
console.log(`  collector time per minute (1 full + 60 fast): p50 ${ms(minute.p50)} ms, p95 ${ms(minute.p95)} ms, max ${ms(minute.max)} ms — ${(minute.p50 / scan.wall.p50).toFixed(3)}x the scan; target ≤ 50 ms → ${(50 / minute.p50).toFixed(2)}x under target`);
store.close();
