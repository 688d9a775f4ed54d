// The alert rules: from figures the store read (windows, spend, baselines, recent calls) to the
// alerts that hold now. Pure: the collector reads the figures and keeps the alerts' state
// (alert-book.ts); tests feed it random and synthetic figures.
//
// Tiers: P0 harmful output or everything failing; P1 a budget crossed, an SLO broken, a runaway
// loop; P2 a metric drifting from its baseline, quality signals rising, a budget projected to be
// crossed; P3 usage anomalies. Defaults are quiet on a normal day: rules without a threshold are
// off, and each rule needs enough calls that one odd call cannot fire it.

import { formatDuration, formatPercent, formatUsd } from '../format';
import type { AlertCalls, AlertConfig, AlertScope, AlertSeverity } from './model';
import { projectBudget } from './budget';
import { combineScores, scoreSignal, type BaselineInput, type SignalKind, type SignalScore } from './baseline';
import { findBursts, findRepeats, RUNAWAY, type RecentCall, type ServiceRate } from './runaway';

/** The last few minutes of one scope (everything, one service, one model). */
export interface WindowFigures {
  scope: AlertScope;
  from: number;
  to: number;
  calls: number;
  errors: number;
  latencyP95Ms: number | null;
  ttftP95Ms: number | null;
  tpotP95Ms: number | null;
  /** Calls with a time per output token (the p95 needs enough of them). */
  tpotCalls: number;
  ttftCalls: number;
  refusals: number;
  guardrailHits: number;
  traceIds: string[];
}

export interface SpendFigures {
  scope: AlertScope;
  period: 'day' | 'month';
  budgetUsd: number;
  spentUsd: number;
  /** Spent in the last `rateWindowMs`. */
  recentUsd: number;
  rateWindowMs: number;
  start: number;
  end: number;
  traceIds: string[];
}

export interface AnomalyFigures {
  scope: AlertScope;
  from: number;
  to: number;
  signals: BaselineInput[];
  traceIds: string[];
}

export interface HarmfulFigures {
  count: number;
  categories: string[];
  from: number;
  to: number;
  traceIds: string[];
}

export interface AlertFigures {
  now: number;
  windows: WindowFigures[];
  spend: SpendFigures[];
  anomalies: AnomalyFigures[];
  rates: ServiceRate[];
  recentCalls: RecentCall[];
  harmful: HarmfulFigures | null;
}

export interface AlertCandidate {
  id: string;
  rule: string;
  severity: AlertSeverity;
  value: number;
  threshold: number | null;
  baseline: number | null;
  scope: AlertScope;
  message: string;
  calls: AlertCalls;
  projectedUsd?: number;
}

/** Calls a window needs before a rate or a p95 over it means anything. */
export const MIN_CALLS = { rate: 5, p95: 10 } as const;

/** The rules that read fresh data at once (on new calls); the others run every minute. */
export const FAST_RULES: ReadonlySet<string> = new Set(['runaway-burst', 'runaway-repeat', 'budget-daily', 'budget-monthly', 'budget-scoped', 'budget-scoped-monthly']);

export function alertId(rule: string, scope: AlertScope): string {
  return `${rule}|${scope.service ?? ''}|${scope.model ?? ''}|${scope.prompt ?? ''}`;
}

export function scopeLabel(scope: AlertScope): string {
  const parts: string[] = [];
  if (scope.service) parts.push(`service ${scope.service}`);
  if (scope.model) parts.push(`model ${scope.model}`);
  if (scope.prompt) parts.push(`prompt ${scope.prompt}`);
  return parts.length ? parts.join(', ') : 'all calls';
}

function callsOf(scope: AlertScope, from: number, to: number, traceIds: string[]): AlertCalls {
  return { from, to, ...(scope.service ? { service: scope.service } : {}), ...(scope.model ? { model: scope.model } : {}), traceIds: traceIds.slice(0, 20) };
}

const TIER_UP: Record<AlertSeverity, AlertSeverity> = { P0: 'P0', P1: 'P0', P2: 'P1', P3: 'P2' };

const SIGNAL: Record<SignalKind, { label: string; severity: AlertSeverity; format: (v: number) => string }> = {
  latency: { label: 'median latency', severity: 'P2', format: (v) => formatDuration(v) },
  costPerCall: { label: 'cost per call', severity: 'P2', format: (v) => formatUsd(v) },
  tokensPerCall: { label: 'tokens per call', severity: 'P3', format: (v) => `${Math.round(v)} tokens` },
  callRate: { label: 'calls per 5 minutes', severity: 'P3', format: (v) => `${Math.round(v)} calls` },
};

export function evaluateRules(config: AlertConfig, f: AlertFigures, only?: ReadonlySet<string>): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  const wants = (rule: string) => !only || only.has(rule);
  const push = (c: Omit<AlertCandidate, 'id'>) => out.push({ id: alertId(c.rule, c.scope), ...c });

  if (wants('harmful-output') && f.harmful && f.harmful.count > 0) {
    const h = f.harmful;
    push({
      rule: 'harmful-output', severity: 'P0', value: h.count, threshold: 1, baseline: null, scope: {},
      message: `${h.count} high-severity guardrail hit${h.count === 1 ? '' : 's'} (${h.categories.join(', ') || 'harmful output'}) since ${clock(h.from)}`,
      calls: callsOf({}, h.from, h.to, h.traceIds),
    });
  }

  for (const w of f.windows) {
    const where = scopeLabel(w.scope);
    const calls = callsOf(w.scope, w.from, w.to, w.traceIds);
    if (w.calls >= MIN_CALLS.rate && w.errors === w.calls && wants('all-failing')) {
      push({ rule: 'all-failing', severity: 'P0', value: 1, threshold: 1, baseline: null, scope: w.scope, calls,
        message: `every call is failing: ${w.errors} of ${w.calls} since ${clock(w.from)} (${where})` });
    } else if (config.errorRate !== null && w.calls >= MIN_CALLS.rate && w.errors / w.calls > config.errorRate && wants('error-rate')) {
      push({ rule: 'error-rate', severity: 'P1', value: w.errors / w.calls, threshold: config.errorRate, baseline: null, scope: w.scope, calls,
        message: `error rate ${formatPercent(w.errors / w.calls)} over the last ${minutes(w)} (${where}), threshold ${formatPercent(config.errorRate)}` });
    }
    const slo = (rule: string, label: string, value: number | null, n: number, threshold: number | null) => {
      if (threshold === null || value === null || n < MIN_CALLS.p95 || value <= threshold || !wants(rule)) return;
      push({ rule, severity: 'P1', value, threshold, baseline: null, scope: w.scope, calls,
        message: `${label} p95 ${formatDuration(value)} over the last ${minutes(w)} (${where}), SLO ${formatDuration(threshold)}` });
    };
    slo('latency-p95', 'latency', w.latencyP95Ms, w.calls, config.latencyP95Ms);
    slo('ttft-p95', 'time to first token', w.ttftP95Ms, w.ttftCalls, config.ttftP95Ms);
    slo('tpot-p95', 'time per output token', w.tpotP95Ms, w.tpotCalls, config.tpotP95Ms);
    if (config.refusalRate !== null && w.calls >= MIN_CALLS.rate && w.refusals / w.calls > config.refusalRate && wants('refusal-rate')) {
      push({ rule: 'refusal-rate', severity: 'P2', value: w.refusals / w.calls, threshold: config.refusalRate, baseline: null, scope: w.scope, calls,
        message: `refusal rate ${formatPercent(w.refusals / w.calls)} over the last ${minutes(w)} (${where}), threshold ${formatPercent(config.refusalRate)}` });
    }
    if (config.guardrailHits !== null && w.guardrailHits > config.guardrailHits && wants('guardrail-hits')) {
      push({ rule: 'guardrail-hits', severity: 'P2', value: w.guardrailHits, threshold: config.guardrailHits, baseline: null, scope: w.scope, calls,
        message: `${w.guardrailHits} guardrail hits over the last ${minutes(w)} (${where}), threshold ${config.guardrailHits}` });
    }
  }

  for (const s of f.spend) {
    const scoped = Boolean(s.scope.service || s.scope.model);
    const rule = scoped ? (s.period === 'day' ? 'budget-scoped' : 'budget-scoped-monthly') : s.period === 'day' ? 'budget-daily' : 'budget-monthly';
    if (!wants(rule)) continue;
    const p = projectBudget({ budgetUsd: s.budgetUsd, spentUsd: s.spentUsd, recentUsd: s.recentUsd, rateWindowMs: s.rateWindowMs, now: f.now, periodEnd: s.end });
    if (p.status === 'ok') continue;
    const period = s.period === 'day' ? 'today' : 'this month';
    const what = `${s.period === 'day' ? 'Daily' : 'Monthly'} spend${s.scope.service || s.scope.model ? ` (${scopeLabel(s.scope)})` : ''}`;
    const message = p.status === 'crossed'
      ? `${what} ${formatUsd(s.spentUsd)} crossed the budget ${formatUsd(s.budgetUsd)}; at this rate ${period} ends at ${formatUsd(p.projectedUsd)}`
      : `${what} ${formatUsd(s.spentUsd)}: at this rate ${period} ends at ${formatUsd(p.projectedUsd)}, budget ${formatUsd(s.budgetUsd)}${p.crossesAt ? ` (reached about ${clock(p.crossesAt)})` : ''}`;
    push({
      rule, severity: p.status === 'crossed' ? 'P1' : 'P2', value: s.spentUsd, threshold: s.budgetUsd, baseline: null, scope: s.scope,
      message, calls: callsOf(s.scope, s.start, f.now, s.traceIds), projectedUsd: p.projectedUsd,
    });
  }

  if (wants('runaway-burst')) {
    for (const b of findBursts(f.rates)) {
      push({ rule: 'runaway-burst', severity: 'P1', value: b.lastMinute, threshold: RUNAWAY.burstFactor * Math.max(1, b.usualPerMinute), baseline: b.usualPerMinute,
        scope: { service: b.service }, calls: callsOf({ service: b.service }, f.now - 60_000, f.now, []),
        message: `runaway loop? service ${b.service} made ${b.lastMinute} calls in the last minute, usually ${b.usualPerMinute} a minute` });
    }
  }
  if (wants('runaway-repeat')) {
    for (const r of findRepeats(f.recentCalls)) {
      const scope = { service: r.service, model: r.model };
      const where = r.traceId ? `trace ${r.traceId.slice(0, 8)}…` : `service ${r.service}`;
      push({ rule: 'runaway-repeat', severity: 'P1', value: r.count, threshold: r.traceId ? RUNAWAY.repeatsInTrace : RUNAWAY.repeatsInService, baseline: null,
        scope, calls: callsOf(scope, r.since, f.now, r.traceIds),
        message: `runaway loop? ${where} called ${r.model} ${r.count} times with the same input since ${clock(r.since)}` });
    }
  }

  if (wants('anomaly')) {
    for (const a of f.anomalies) {
      const scores: SignalScore[] = a.signals.map(scoreSignal);
      const verdict = combineScores(scores);
      if (!verdict.fires) continue;
      const worst = verdict.firing.reduce((x, y) => (y.score > x.score ? y : x));
      const base: AlertSeverity = verdict.firing.some((s) => SIGNAL[s.kind].severity === 'P2') ? 'P2' : 'P3';
      const severity = verdict.composite ? TIER_UP[base] : base;
      const parts = verdict.firing.map((s) => `${SIGNAL[s.kind].label} ${SIGNAL[s.kind].format(s.value!)} (usually ${SIGNAL[s.kind].format(s.baseline!)})`);
      push({
        rule: verdict.composite ? 'anomaly-composite' : `anomaly-${worst.kind}`, severity, value: worst.value!, threshold: null, baseline: worst.baseline,
        scope: a.scope, calls: callsOf(a.scope, a.from, a.to, a.traceIds),
        message: `${scopeLabel(a.scope)}: ${parts.join('; ')} since ${clock(a.from)}`,
      });
    }
  }
  return out;
}

function minutes(w: { from: number; to: number }): string {
  return `${Math.round((w.to - w.from) / 60_000)} min`;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
