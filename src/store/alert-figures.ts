// What the alert rules read, from the store: the last fifteen minutes of calls (windows, the
// current anomaly buckets, bursts and repeats), a handful of hour rollups for the baselines, and
// spend sums over the budget periods. Every read is bounded by recent traffic or by a few hundred
// rollup rows, never by the size of the store (see bench/alerts.ts).
//
// A full read (once a minute) loads the window's calls and notes the store revision it saw and
// the minute it started in (the split). The fast reads in between (at most one a second, as calls
// arrive) read only the calls stored since that revision, keep the window in memory, and sum
// spend as the rollups up to the split (read once per full read) plus the window's calls after
// it. A late call that started before the split, or a call taken away, shows at the next full read.

import type Database from 'better-sqlite3';
import { quantiles, type SparseHistogram } from '../core/histogram';
import { periodBounds } from '../core/alerts/calendar';
import type { BaselineInput, SignalBucket, SignalKind } from '../core/alerts/baseline';
import type { AlertFigures, AnomalyFigures, SpendFigures, WindowFigures } from '../core/alerts/rules';
import type { RecentCall, ServiceRate } from '../core/alerts/runaway';
import { RUNAWAY } from '../core/alerts/runaway';
import type { AlertConfig, AlertScope } from '../protocol/alerts';
import { HOUR_US, MINUTE_US } from './rollups';
import { totalOf, WindowSums, type WindowSum } from './window-sums';
import { tpotMs } from '../core/dashboard/series';

export const WINDOW_MS = 15 * 60_000;
const BUCKET_MS = 5 * 60_000;
const RATE_WINDOW_MS = 60 * 60_000;
/** The most recent calls read for the windows; a burst beyond this is judged by its newest calls. */
const MAX_WINDOW_CALLS = 50_000;
const SEASONAL_DAYS = 7;
const RECENT_HOURS = 6;
const DAY_MS = 86_400_000;

interface CallRow {
  span_row: number;
  store_rev: number;
  trace_id: string;
  service: string;
  model: string;
  is_error: number;
  start_us: number;
  duration_us: number;
  ttft_ms: number | null;
  output_tokens: number | null;
  input_tokens: number | null;
  cost_usd: number | null;
  input_key: string | null;
}

interface HourRow {
  hour_us: number;
  service: string;
  model: string;
  calls: number;
  cost_usd: number;
  tokens: number;
  latency_hist: string;
}

interface GuardrailRow {
  trace_id: string;
  category: string | null;
  severity: string | null;
  service: string | null;
  model: string | null;
}

const CALL_COLUMNS = `span_row, store_rev, trace_id, coalesce(service_name, '') AS service, model, is_error, start_us, duration_us, ttft_ms,
  output_tokens, input_tokens, cost_usd, input_key`;

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

/** Time per output token: the streaming time after the first token, per token after the first. */
/** The window's calls between full reads. */
interface WindowState {
  byRow: Map<number, CallRow>;
  seenRev: number;
  loadedAt: number;
  /** µs, a minute boundary: spend before it comes from the rollups, after it from `byRow`. */
  splitUs: number;
}

export class AlertFigureReader {
  private readonly sums: WindowSums;
  private readonly stmts;
  private state: WindowState | null = null;
  /** Rollup sums up to the split, per period start; and the rate rollups of the current half hour. */
  private readonly baseSums = new Map<string, WindowSum[]>();
  private rateMinutes: { hi: number; rows: { minute_us: number; service: string; calls: number }[] } | null = null;

  constructor(db: Database.Database) {
    this.sums = new WindowSums(db);
    this.stmts = {
      calls: db.prepare(`SELECT ${CALL_COLUMNS} FROM llm_calls WHERE start_us >= ? AND start_us <= ? ORDER BY start_us DESC LIMIT ${MAX_WINDOW_CALLS}`),
      // Calls stored since a revision (llm_calls_by_rev): new ones and new readings of stored ones.
      newCalls: db.prepare(`SELECT ${CALL_COLUMNS} FROM llm_calls WHERE store_rev > ? AND start_us <= ?`),
      revision: db.prepare(`SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'revision'`).pluck(),
      minutes: db.prepare('SELECT minute_us, service_name AS service, sum(calls) AS calls FROM llm_rollup WHERE minute_us >= ? AND minute_us < ? GROUP BY 1, 2'),
      hours: db.prepare(`SELECT hour_us, service_name AS service, model, calls, cost_usd, input_tokens + output_tokens AS tokens, latency_hist
        FROM llm_rollup_hour WHERE hour_us IN (SELECT value FROM json_each(?))`),
      guardrails: db.prepare(`SELECT a.trace_id, json_extract(a.attributes, '$.category') AS category, json_extract(a.attributes, '$.severity') AS severity,
        c.service_name AS service, c.model FROM annotations a LEFT JOIN spans s ON s.trace_id = a.trace_id AND s.span_id = a.span_id
        LEFT JOIN llm_calls c ON c.span_row = s.id WHERE a.kind = 'guardrail' AND a.at_us >= ? AND a.at_us <= ?`),
    };
  }

  read(config: AlertConfig, now: number, opts: AlertReadOptions = {}): AlertFigures {
    const from = now - WINDOW_MS;
    const rows = this.windowCalls(from, now, !opts.fast);
    const figures: AlertFigures = {
      now,
      windows: [],
      spend: this.spend(config, now, opts.timeZone, rows),
      anomalies: [],
      rates: this.rates(rows, now),
      recentCalls: rows
        .filter((r) => r.input_key && r.start_us / 1000 >= now - RUNAWAY.windowMs)
        .map((r) => ({ traceId: r.trace_id, service: r.service, model: r.model, inputKey: r.input_key!, startMs: r.start_us / 1000 })),
      harmful: null,
    };
    if (opts.fast) return figures;
    const guardrails = this.stmts.guardrails.all(Math.floor(from * 1000), Math.floor(now * 1000)) as GuardrailRow[];
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

  /** The window's calls, newest first: all of them read on a full read, only those stored since on a fast one. */
  private windowCalls(from: number, now: number, full: boolean): CallRow[] {
    const lo = Math.floor(from * 1000);
    const hi = Math.floor(now * 1000);
    const st = this.state;
    if (full || !st || now < st.loadedAt || now - st.loadedAt > WINDOW_MS / 2) {
      const rows = this.stmts.calls.all(lo, hi) as CallRow[];
      this.sums.clearCache();
      this.baseSums.clear();
      this.state = {
        byRow: new Map(rows.map((r) => [r.span_row, r])),
        // The newest reading in the window; with none, the store's revision (so a fast read never walks old revisions).
        seenRev: rows.length ? rows.reduce((m, r) => Math.max(m, r.store_rev), 0) : ((this.stmts.revision.get() as number | null) ?? 0),
        loadedAt: now,
        splitUs: Math.floor(hi / MINUTE_US) * MINUTE_US,
      };
      return rows;
    }
    for (const r of this.stmts.newCalls.all(st.seenRev, hi) as CallRow[]) {
      st.byRow.set(r.span_row, r);
      if (r.store_rev > st.seenRev) st.seenRev = r.store_rev;
    }
    const rows: CallRow[] = [];
    for (const [key, r] of st.byRow) {
      if (r.start_us < lo) st.byRow.delete(key);
      else if (r.start_us <= hi) rows.push(r);
    }
    rows.sort((a, b) => b.start_us - a.start_us);
    return rows.length > MAX_WINDOW_CALLS ? rows.slice(0, MAX_WINDOW_CALLS) : rows;
  }

  /** Sums per (service, model) of the calls that started in [fromMs, now]: rollups up to the split, the window's calls after it. */
  private spendSince(fromMs: number, rows: CallRow[]): WindowSum[] {
    const split = this.state!.splitUs;
    const lo = Math.floor(fromMs * 1000);
    const key = String(lo);
    let base = this.baseSums.get(key);
    if (!base) {
      if (this.baseSums.size > 16) this.baseSums.clear();
      this.baseSums.set(key, (base = this.sums.byScopeUs(lo, split, true)));
    }
    const acc = new Map<string, WindowSum>(base.map((b) => [`${b.service}\u0000${b.model}`, { ...b }]));
    for (const r of rows) {
      if (r.start_us < split || r.start_us < lo) continue;
      const k = `${r.service}\u0000${r.model}`;
      let a = acc.get(k);
      if (!a) acc.set(k, (a = { service: r.service, model: r.model, calls: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 }));
      a.calls += 1;
      a.errors += r.is_error;
      a.costUsd += r.cost_usd ?? 0;
      a.inputTokens += r.input_tokens ?? 0;
      a.outputTokens += r.output_tokens ?? 0;
    }
    return [...acc.values()];
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

  private rates(rows: CallRow[], now: number): ServiceRate[] {
    const lastMinute = new Map<string, number>();
    for (const r of rows) if (r.start_us / 1000 > now - 60_000) lastMinute.set(r.service, (lastMinute.get(r.service) ?? 0) + 1);
    if (lastMinute.size === 0) return [];
    // The half hour before the last minute, in whole minutes of the rollups.
    const hi = Math.floor(((now - 60_000) * 1000) / MINUTE_US) * MINUTE_US;
    const lo = hi - 30 * MINUTE_US;
    const per = new Map<string, Map<number, number>>();
    // Whole minutes before the last one: read once a minute.
    if (this.rateMinutes?.hi !== hi) this.rateMinutes = { hi, rows: this.stmts.minutes.all(lo, hi) as { minute_us: number; service: string; calls: number }[] };
    for (const m of this.rateMinutes.rows) {
      if (!lastMinute.has(m.service)) continue;
      let byMinute = per.get(m.service);
      if (!byMinute) per.set(m.service, (byMinute = new Map()));
      byMinute.set(m.minute_us, m.calls);
    }
    return [...lastMinute].map(([service, n]) => {
      const byMinute = per.get(service);
      const before: number[] = [];
      for (let t = lo; t < hi; t += MINUTE_US) before.push(byMinute?.get(t) ?? 0);
      return { service, lastMinute: n, before };
    });
  }

  private spend(config: AlertConfig, now: number, timeZone: string | undefined, rows: CallRow[]): SpendFigures[] {
    const scoped = Object.entries(config.scopedDailyBudgetsUsd ?? {});
    const scopedMonthly = Object.entries(config.scopedMonthlyBudgetsUsd ?? {});
    if (config.budgetDailyUsd === null && config.budgetMonthlyUsd === null && scoped.length === 0 && scopedMonthly.length === 0) return [];
    const costliest = [...rows].sort((a, b) => (b.cost_usd ?? 0) - (a.cost_usd ?? 0));
    const tracesOf = (filter: { service?: string; model?: string }) =>
      [...new Set(costliest.filter((r) => (!filter.service || r.service === filter.service) && (!filter.model || r.model === filter.model)).map((r) => r.trace_id))].slice(0, 20);
    // The rate window starts on a minute, so its rollup part is read once a minute.
    const rateFrom = Math.floor((now - RATE_WINDOW_MS) / 60_000) * 60_000;
    const recent = this.spendSince(rateFrom, rows);
    const out: SpendFigures[] = [];
    const add = (period: 'day' | 'month', budgetUsd: number, sums: WindowSum[], bounds: { start: number; end: number }, scope: AlertScope) => {
      const filter = { ...(scope.service ? { service: scope.service } : {}), ...(scope.model ? { model: scope.model } : {}) };
      out.push({
        scope, period, budgetUsd, spentUsd: totalOf(sums, filter).costUsd, recentUsd: totalOf(recent, filter).costUsd,
        rateWindowMs: now - rateFrom, start: bounds.start, end: bounds.end, traceIds: tracesOf(filter),
      });
    };
    const addScoped = (period: 'day' | 'month', budgets: [string, number][], sums: WindowSum[], bounds: { start: number; end: number }) => {
      for (const [key, usd] of budgets) {
        const m = /^(service|model):(.+)$/.exec(key);
        if (m && usd > 0) add(period, usd, sums, bounds, m[1] === 'service' ? { service: m[2]! } : { model: m[2]! });
      }
    };
    const day = periodBounds(now, 'day', timeZone);
    if (config.budgetDailyUsd !== null || scoped.length > 0) {
      const today = this.spendSince(day.start, rows);
      if (config.budgetDailyUsd !== null) add('day', config.budgetDailyUsd, today, day, {});
      addScoped('day', scoped, today, day);
    }
    if (config.budgetMonthlyUsd !== null || scopedMonthly.length > 0) {
      const month = periodBounds(now, 'month', timeZone);
      const sums = this.spendSince(month.start, rows);
      if (config.budgetMonthlyUsd !== null) add('month', config.budgetMonthlyUsd, sums, month, {});
      addScoped('month', scopedMonthly, sums, month);
    }
    return out;
  }

  private anomalies(rows: CallRow[], now: number): AnomalyFigures[] {
    // The hour the current window (mostly) lies in: at 20:00 the last fifteen minutes are 19:45 to 20:00.
    const hourNow = Math.floor(((now - WINDOW_MS / 2) * 1000) / HOUR_US) * HOUR_US;
    const seasonalHours = Array.from({ length: SEASONAL_DAYS }, (_, k) => hourNow - (k + 1) * DAY_MS * 1000);
    const recentHours = Array.from({ length: RECENT_HOURS }, (_, k) => hourNow - (k + 1) * HOUR_US);
    const hours = this.stmts.hours.all(JSON.stringify([...seasonalHours, ...recentHours])) as HourRow[];
    const seasonalSet = new Set(seasonalHours);

    type Acc = { calls: number; cost: number; tokens: number; latency: SparseHistogram };
    const scopes = new Map<string, { scope: AlertScope; seasonal: Map<number, Acc>; recent: Map<number, Acc>; buckets: CallRow[][] }>();
    const scopeOf = (key: string, scope: AlertScope) => {
      let s = scopes.get(key);
      if (!s) scopes.set(key, (s = { scope, seasonal: new Map(), recent: new Map(), buckets: [[], [], []] }));
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
    for (const h of hours) {
      const targets = [scopes.get(`m\u0000${h.model}`), h.service ? scopes.get(`s\u0000${h.service}`) : undefined];
      for (const s of targets) {
        if (!s) continue;
        const into = seasonalSet.has(h.hour_us) ? s.seasonal : s.recent;
        let a = into.get(h.hour_us);
        if (!a) into.set(h.hour_us, (a = { calls: 0, cost: 0, tokens: 0, latency: {} }));
        a.calls += h.calls;
        a.cost += h.cost_usd;
        a.tokens += h.tokens;
        const hist = JSON.parse(h.latency_hist) as SparseHistogram;
        for (const b in hist) a.latency[b] = (a.latency[b] ?? 0) + hist[b]!;
      }
    }
    const perCall = (accs: Iterable<Acc>, kind: SignalKind): number[] => {
      const out: number[] = [];
      for (const a of accs) {
        if (a.calls < 3 && kind !== 'callRate') continue;
        if (kind === 'latency') out.push(quantiles(a.latency, [0.5])[0]!);
        else if (kind === 'costPerCall') out.push(a.cost / a.calls);
        else if (kind === 'tokensPerCall') out.push(a.tokens / a.calls);
        else if (a.calls > 0) out.push((a.calls * BUCKET_MS) / 3_600_000);
      }
      return out;
    };
    const out: AnomalyFigures[] = [];
    for (const s of scopes.values()) {
      const current = (kind: SignalKind): SignalBucket[] =>
        s.buckets.map((b) => {
          if (kind === 'callRate') return { value: b.length, calls: b.length };
          if (b.length === 0) return { value: null, calls: 0 };
          if (kind === 'latency') return { value: medianOf(b.map((r) => r.duration_us / 1000)), calls: b.length };
          if (kind === 'costPerCall') return { value: b.reduce((x, r) => x + (r.cost_usd ?? 0), 0) / b.length, calls: b.length };
          return { value: b.reduce((x, r) => x + (r.input_tokens ?? 0) + (r.output_tokens ?? 0), 0) / b.length, calls: b.length };
        });
      const signals: BaselineInput[] = (['latency', 'costPerCall', 'tokensPerCall', 'callRate'] as SignalKind[]).map((kind) => ({
        kind,
        current: current(kind),
        seasonal: perCall(s.seasonal.values(), kind),
        // Call rates are compared with the same hour on other days only: a developer's quiet night is no baseline for the morning.
        recent: kind === 'callRate' ? [] : perCall(s.recent.values(), kind),
      }));
      const traceIds = [...new Set(s.buckets.flat().map((r) => r.trace_id))].slice(0, 20);
      out.push({ scope: s.scope, from: bucketStart, to: now, signals, traceIds });
    }
    return out;
  }
}
