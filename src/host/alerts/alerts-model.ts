// What the status bar, the Alerts view and notifications say about alerts. Pure, so the texts
// are unit-tested; the vscode parts only copy them.

import { formatAgo, formatUsd } from '../../core/format';
import { severityRank } from '../../core/alerts/alert-book';
import type { AlertDto, AlertSeverity } from '../../protocol/alerts';

export interface AlertStatus {
  /** Prefix for the status bar text, with a codicon; '' when nothing fires. */
  text: string;
  tooltip: string;
  background: 'none' | 'warning' | 'error';
}

/** P0 and P1 want attention now (error colour, a notification); P2 a look (warning colour); P3 is listed only. */
export function isUrgent(severity: AlertSeverity): boolean {
  return severityRank(severity) <= 1;
}

export function worstAlert(firing: readonly AlertDto[]): AlertDto | null {
  let worst: AlertDto | null = null;
  for (const a of firing) if (a.state === 'firing' && (!worst || severityRank(a.severity) < severityRank(worst.severity))) worst = a;
  return worst;
}

export function alertStatus(firing: readonly AlertDto[]): AlertStatus {
  const worst = worstAlert(firing);
  if (!worst) return { text: '', tooltip: '', background: 'none' };
  const more = firing.length > 1 ? ` +${firing.length - 1}` : '';
  const icon = isUrgent(worst.severity) ? '$(error)' : worst.severity === 'P2' ? '$(warning)' : '$(info)';
  return {
    text: `${icon} ${worst.severity} ${shortRule(worst)}${more}`,
    tooltip: `**${worst.severity}** ${worst.message}${firing.length > 1 ? `\n\n${firing.length - 1} more alert${firing.length > 2 ? 's' : ''} firing` : ''}`,
    background: isUrgent(worst.severity) ? 'error' : worst.severity === 'P2' ? 'warning' : 'none',
  };
}

const RULE_LABELS: Record<string, string> = {
  'harmful-output': 'harmful output',
  'all-failing': 'all calls failing',
  'error-rate': 'error rate',
  'latency-p95': 'latency SLO',
  'ttft-p95': 'TTFT SLO',
  'tpot-p95': 'TPOT SLO',
  'refusal-rate': 'refusals',
  'guardrail-hits': 'guardrail hits',
  'budget-daily': 'daily budget',
  'budget-monthly': 'monthly budget',
  'budget-scoped': 'budget',
  'budget-scoped-monthly': 'monthly budget',
  'runaway-burst': 'runaway loop',
  'runaway-repeat': 'runaway loop',
  'circuit-open': 'calls refused',
  'anomaly-composite': 'anomaly',
};

export function shortRule(a: AlertDto): string {
  return RULE_LABELS[a.rule] ?? a.rule.replace(/^anomaly-/, 'anomaly: ');
}

export function scopeText(a: AlertDto): string {
  return [a.scope.service, a.scope.model, a.scope.prompt].filter(Boolean).join(' · ');
}

/** One row of the Alerts view. */
export function alertItem(a: AlertDto, now: number): { label: string; description: string; tooltip: string; icon: 'error' | 'warning' | 'info' | 'pass' } {
  const where = scopeText(a);
  const when = a.state === 'firing' ? `started ${formatAgo(a.since, now)}` : `resolved ${formatAgo(a.resolvedAt ?? a.since, now)}`;
  const projection = a.projectedUsd !== undefined ? ` · projected ${formatUsd(a.projectedUsd)}` : '';
  return {
    label: `${a.severity} ${shortRule(a)}${where ? ` — ${where}` : ''}`,
    description: `${when}${projection}`,
    tooltip: a.message,
    icon: a.state === 'resolved' ? 'pass' : isUrgent(a.severity) ? 'error' : a.severity === 'P2' ? 'warning' : 'info',
  };
}

export function notificationText(a: AlertDto): string {
  return `Spyglass ${a.severity}: ${a.message}`;
}
