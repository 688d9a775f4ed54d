// What the alert rules read, from the store: the last fifteen minutes of calls (windows, the
// current anomaly buckets, bursts and repeats), a handful of hour rollups for the baselines, and
// spend sums over the budget periods. Every read is bounded by recent traffic or by a few hundred
// rollup rows, never by the size of the store (see bench/alerts.ts).
//
// The reader is kept between evaluations and reads only what changed: the window of calls moves
// forward by the calls stored since (alert-window.ts), the spend since each period's start is
// carried and added to (running-spend.ts), and the baselines (hour rollups of the same hour on
// previous days and of the hours before) are read once an hour. Whatever a moved window learns
// touches the caches it concerns: a late call in a baseline hour drops the baseline, a new reading
// of an old call drops the sums it was in. A store cleared or pruned is seen by its newest
// revision going back or its oldest rollup minute going forward, and everything is read again.

import type Database from 'better-sqlite3';
import { periodBounds } from '../core/alerts/calendar';
import type { BaselineInput, SignalBucket, SignalKind } from '../core/alerts/baseline';
import type { AlertFigures, AnomalyFigures, SpendFigures, WindowFigures } from '../core/alerts/rules';
import type { ServiceRate } from '../core/alerts/runaway';
import { RUNAWAY } from '../core/alerts/runaway';
import type { AlertConfig, AlertScope } from '../protocol/alerts';
import { BaselineReader, type Baselines, type ScopeBaseline } from './alert-baselines';
import { CallWindow, type CallRow } from './alert-window';
import { HOUR_US, MINUTE_US } from './rollups';
import { RunningSpend } from './running-spend';
import { totalOf, WindowSums, type WindowSum } from './window-sums';
import { tpotMs } from '../core/dashboard/series';

export const WINDOW_MS = 15 * 60_000;
const BUCKET_MS = 5 * 60_000;
const RATE_WINDOW_MS = 60 * 60_000;
/** The most recent calls read for the windows; a burst beyond this is judged by its newest calls. */
const MAX_WINDOW_CALLS = 50_000;
const SIGNAL_KINDS: readonly SignalKind[] = ['latency', 'costPerCall', 'tokensPerCall', 'callRate'];

interface GuardrailRow {
  trace_id: string;
  category: string | null;
  severity: string | null;
  service: string | null;
  model: string | null;
}

export interface AlertReadOptions {
  /** Only what the fast rules (runaway loops, budgets) need. */
  fast?: boolean;
  timeZone?: string;
}

function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return values[Math.max(0, Math.ceil(0.95 * values.length) - 1)]!;
}

function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
}

export class AlertFigureReader {
  private readonly window: CallWindow;
  private readonly spendSums: RunningSpend;
  private readonly baselineReader: BaselineReader;
  private readonly stmts;
  private baselines: Baselines | null = null;
  /** The rate rollups of the half hour before the last minute, per service and minute. */
  private rateMinutes: { lo: number; hi: number; byService: Map<string, Map<number, number>> } | null = null;
  /** The store's oldest rollup minute and newest revision at the last read: a clear or a prune shows here. */
  private storeMark: { oldest: number | null; rev: number } | null = null;

  /** `maxWindowCalls`: the newest calls a window holds; a burst beyond it is judged by its newest calls. */
  constructor(db: Database.Database, opts: { maxWindowCalls?: number } = {}) {
    this.window = new CallWindow(db, opts.maxWindowCalls ?? MAX_WINDOW_CALLS);
    this.spendSums = new RunningSpend(new WindowSums(db));
    this.baselineReader = new BaselineReader(db);
    this.stmts = {
      mark: db.prepare('SELECT (SELECT min(minute_us) FROM llm_rollup) AS oldest, coalesce((SELECT max(store_rev) FROM llm_calls), 0) AS rev'),
      minutes: db.prepare('SELECT minute_us, service_name AS service, sum(calls) AS calls FROM llm_rollup WHERE minute_us >= ? AND minute_us < ? GROUP BY 1, 2'),
      guardrails: db.prepare(`SELECT a.trace_id, json_extract(a.attributes, '$.category') AS category, json_extract(a.attributes, '$.severity') AS severity,
        c.service_name AS service, c.model FROM annotations a LEFT JOIN spans s ON s.trace_id = a.trace_id AND s.span_id = a.span_id
        LEFT JOIN llm_calls c ON c.span_row = s.id WHERE a.kind = 'guardrail' AND a.at_us >= ? AND a.at_us <= ?`),
    };
  }

  /** Forgets everything read: the next read starts from the store alone (after the store was cleared). */
  reset(): void {
    this.window.reset();
    this.forgetCarried();
    this.storeMark = null;
  }

  private forgetCarried(): void {
    this.spendSums.reset();
    this.baselines = null;
    this.rateMinutes = null;
  }

  read(config: AlertConfig, now: number, opts: AlertReadOptions = {}): AlertFigures {
    const from = now - WINDOW_MS;
    const hi = Math.floor(now * 1000);
    this.advance(Math.floor(from * 1000), hi);
    const recentFrom = Math.ceil((now - RUNAWAY.windowMs) * 1000);
    const figures: AlertFigures = {
      now,
      windows: [],
      spend: this.spend(config, now, opts.timeZone),
      anomalies: [],
      rates: this.rates(now),
      recentCalls: this.window.newestFirst(recentFrom)
        .filter((r) => r.input_key)
        .map((r) => ({ traceId: r.trace_id, service: r.service, model: r.model, inputKey: r.input_key!, startMs: r.start_us / 1000 })),
      harmful: null,
    };
    if (opts.fast) return figures;
    const rows = this.window.newestFirst();
    const guardrails = this.stmts.guardrails.all(Math.floor(from * 1000), hi) as GuardrailRow[];
    figures.windows = this.windows(rows, guardrails, from, now);
    const harmful = guardrails.filter((g) => g.category !== 'refusal' && (g.severity === 'high' || g.severity === 'critical'));
    if (harmful.length > 0) {
      figures.harmful = {
        count: harmful.length, from, to: now, categories: [...new Set(harmful.map((g) => g.category ?? 'unspecified'))],
        traceIds: [...new Set(harmful.map((g) => g.trace_id))].slice(0, 20),
      };
    }
    if (config.anomalies) figures.anomalies = this.anomalies(rows, now);
    return figures;
  }

  /** Moves the window to [lo, hi] µs, telling the caches what it learnt; reads it afresh when it cannot move. */
  private advance(lo: number, hi: number): void {
    // Two index lookups: a prune or a clear between evaluations shows before anything carried is used.
    const mark = this.stmts.mark.get() as { oldest: number | null; rev: number };
    const was = this.storeMark;
    if (was && (mark.rev < was.rev || (mark.oldest ?? Infinity) > (was.oldest ?? Infinity))) this.reset();
    this.storeMark = mark;
    const step = this.window.step(lo, hi, WINDOW_MS * 1000);
    if (!step) {
      this.forgetCarried();
      this.window.load(lo, hi);
      return;
    }
    for (const r of step.added) {
      this.spendSums.count(r, 1);
      this.changed(r.start_us);
      // A call that ran for minutes is stored when it ends, into the half hour a burst is measured against.
      const m = this.rateMinutes;
      if (m && r.start_us >= m.lo && r.start_us < m.hi) {
        const minute = Math.floor(r.start_us / MINUTE_US) * MINUTE_US;
        let byMinute = m.byService.get(r.service);
        if (!byMinute) m.byService.set(r.service, (byMinute = new Map()));
        byMinute.set(minute, (byMinute.get(minute) ?? 0) + 1);
      }
    }
    // A new reading changes a call's figures, not when it started or its service: the rate minutes stand.
    for (const { old, row } of step.replaced) {
      this.spendSums.count(old, -1);
      this.spendSums.count(row, 1);
      this.changed(row.start_us);
    }
    for (const r of step.rereadBefore) {
      this.spendSums.forget(r.start_us);
      this.changed(r.start_us);
    }
  }

  /** The figures of a call that started at `startUs` were counted or changed: baselines read from that hour are stale. */
  private changed(startUs: number): void {
    if (this.baselines?.hours.has(Math.floor(startUs / HOUR_US) * HOUR_US)) this.baselines = null;
  }

  private windows(rows: CallRow[], guardrails: GuardrailRow[], from: number, to: number): WindowFigures[] {
    const groups = new Map<string, { scope: AlertScope; rows: CallRow[]; refusals: number; hits: number }>();
    const group = (key: string, scope: AlertScope) => {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { scope, rows: [], refusals: 0, hits: 0 }));
      return g;
    };
    for (const r of rows) {
      group('', {}).rows.push(r);
      if (r.service) group(`s\u0000${r.service}`, { service: r.service }).rows.push(r);
      group(`m\u0000${r.model}`, { model: r.model }).rows.push(r);
    }
    for (const g of guardrails) {
      const targets = [group('', {})];
      if (g.service) targets.push(group(`s\u0000${g.service}`, { service: g.service }));
      if (g.model) targets.push(group(`m\u0000${g.model}`, { model: g.model }));
      for (const t of targets) {
        if (g.category === 'refusal') t.refusals++;
        else t.hits++;
      }
    }
    const out: WindowFigures[] = [];
    for (const g of groups.values()) {
      const tpot: number[] = [];
      const ttft: number[] = [];
      for (const r of g.rows) {
        if (r.ttft_ms !== null) ttft.push(r.ttft_ms);
        const t = tpotMs(r.duration_us / 1000, r.ttft_ms, r.output_tokens);
        if (t !== null) tpot.push(t);
      }
      const errors = g.rows.filter((r) => r.is_error === 1);
      out.push({
        scope: g.scope, from, to, calls: g.rows.length, errors: errors.length,
        latencyP95Ms: p95(g.rows.map((r) => r.duration_us / 1000)), ttftCalls: ttft.length, ttftP95Ms: p95(ttft), tpotCalls: tpot.length, tpotP95Ms: p95(tpot),
        refusals: g.refusals, guardrailHits: g.hits,
        traceIds: [...new Set((errors.length ? errors : g.rows).map((r) => r.trace_id))].slice(0, 20),
      });
    }
    return out;
  }

  private rates(now: number): ServiceRate[] {
    const lastMinute = this.window.countSince(Math.floor((now - 60_000) * 1000) + 1);
    if (lastMinute.size === 0) return [];
    // The half hour before the last minute, in whole minutes of the rollups: read once a minute.
    const hi = Math.floor(((now - 60_000) * 1000) / MINUTE_US) * MINUTE_US;
    const lo = hi - 30 * MINUTE_US;
    if (this.rateMinutes?.hi !== hi) {
      const byService = new Map<string, Map<number, number>>();
      for (const m of this.stmts.minutes.all(lo, hi) as { minute_us: number; service: string; calls: number }[]) {
        let byMinute = byService.get(m.service);
        if (!byMinute) byService.set(m.service, (byMinute = new Map()));
        byMinute.set(m.minute_us, m.calls);
      }
      this.rateMinutes = { lo, hi, byService };
    }
    const { byService } = this.rateMinutes;
    return [...lastMinute].map(([service, n]) => {
      const byMinute = byService.get(service);
      const before: number[] = [];
      for (let t = lo; t < hi; t += MINUTE_US) before.push(byMinute?.get(t) ?? 0);
      return { service, lastMinute: n, before };
    });
  }

  private spend(config: AlertConfig, now: number, timeZone: string | undefined): SpendFigures[] {
    const scoped = Object.entries(config.scopedDailyBudgetsUsd ?? {});
    const scopedMonthly = Object.entries(config.scopedMonthlyBudgetsUsd ?? {});
    if (config.budgetDailyUsd === null && config.budgetMonthlyUsd === null && scoped.length === 0 && scopedMonthly.length === 0) return [];
    const hi = Math.floor(now * 1000);
    const froms = new Set<number>();
    const since = (fromMs: number): WindowSum[] => {
      const lo = Math.floor(fromMs * 1000);
      froms.add(lo);
      return this.spendSums.since(lo, hi);
    };
    // The rate window starts on a minute, so what it holds is carried a minute at a time.
    const rateFrom = Math.floor((now - RATE_WINDOW_MS) / 60_000) * 60_000;
    const recent = since(rateFrom);
    const out: SpendFigures[] = [];
    const add = (period: 'day' | 'month', budgetUsd: number, sums: WindowSum[], bounds: { start: number; end: number }, scope: AlertScope) => {
      const filter = { ...(scope.service ? { service: scope.service } : {}), ...(scope.model ? { model: scope.model } : {}) };
      out.push({
        scope, period, budgetUsd, spentUsd: totalOf(sums, filter).costUsd, recentUsd: totalOf(recent, filter).costUsd,
        rateWindowMs: now - rateFrom, start: bounds.start, end: bounds.end, traceIds: this.window.costliest(filter, 20),
      });
    };
    const addScoped = (period: 'day' | 'month', budgets: [string, number][], sums: WindowSum[], bounds: { start: number; end: number }) => {
      for (const [key, usd] of budgets) {
        const m = /^(service|model):(.+)$/.exec(key);
        if (m && usd > 0) add(period, usd, sums, bounds, m[1] === 'service' ? { service: m[2]! } : { model: m[2]! });
      }
    };
    if (config.budgetDailyUsd !== null || scoped.length > 0) {
      const day = periodBounds(now, 'day', timeZone);
      const today = since(day.start);
      if (config.budgetDailyUsd !== null) add('day', config.budgetDailyUsd, today, day, {});
      addScoped('day', scoped, today, day);
    }
    if (config.budgetMonthlyUsd !== null || scopedMonthly.length > 0) {
      const month = periodBounds(now, 'month', timeZone);
      const sums = since(month.start);
      if (config.budgetMonthlyUsd !== null) add('month', config.budgetMonthlyUsd, sums, month, {});
      addScoped('month', scopedMonthly, sums, month);
    }
    this.spendSums.keep(froms);
    return out;
  }

  private anomalies(rows: CallRow[], now: number): AnomalyFigures[] {
    // The hour the current window (mostly) lies in: at 20:00 the last fifteen minutes are 19:45 to 20:00.
    const hourNow = Math.floor(((now - WINDOW_MS / 2) * 1000) / HOUR_US) * HOUR_US;
    if (this.baselines?.hourNow !== hourNow) this.baselines = this.baselineReader.read(hourNow);
    const baselines = this.baselines;
    const scopes = new Map<string, { scope: AlertScope; buckets: CallRow[][] }>();
    const scopeOf = (key: string, scope: AlertScope) => {
      let s = scopes.get(key);
      if (!s) scopes.set(key, (s = { scope, buckets: [[], [], []] }));
      return s;
    };
    const bucketStart = now - 3 * BUCKET_MS;
    for (const r of rows) {
      const t = r.start_us / 1000;
      if (t < bucketStart) continue;
      const k = Math.min(2, Math.floor((t - bucketStart) / BUCKET_MS));
      scopeOf(`m\u0000${r.model}`, { model: r.model }).buckets[k]!.push(r);
      if (r.service) scopeOf(`s\u0000${r.service}`, { service: r.service }).buckets[k]!.push(r);
    }
    const none: ScopeBaseline = {
      seasonal: { latency: [], costPerCall: [], tokensPerCall: [], callRate: [] },
      recent: { latency: [], costPerCall: [], tokensPerCall: [], callRate: [] },
    };
    const out: AnomalyFigures[] = [];
    for (const [key, s] of scopes) {
      const base = baselines.scopes.get(key) ?? none;
      const current = (kind: SignalKind): SignalBucket[] =>
        s.buckets.map((b) => {
          if (kind === 'callRate') return { value: b.length, calls: b.length };
          if (b.length === 0) return { value: null, calls: 0 };
          if (kind === 'latency') return { value: medianOf(b.map((r) => r.duration_us / 1000)), calls: b.length };
          if (kind === 'costPerCall') return { value: b.reduce((x, r) => x + (r.cost_usd ?? 0), 0) / b.length, calls: b.length };
          return { value: b.reduce((x, r) => x + (r.input_tokens ?? 0) + (r.output_tokens ?? 0), 0) / b.length, calls: b.length };
        });
      const signals: BaselineInput[] = SIGNAL_KINDS.map((kind) => ({
        kind,
        current: current(kind),
        seasonal: base.seasonal[kind],
        // Call rates are compared with the same hour on other days only: a developer's quiet night is no baseline for the morning.
        recent: kind === 'callRate' ? [] : base.recent[kind],
      }));
      const traceIds = [...new Set(s.buckets.flat().map((r) => r.trace_id))].slice(0, 20);
      out.push({ scope: s.scope, from: bucketStart, to: now, signals, traceIds });
    }
    return out;
  }
}
