// The `spyglass.alerts.*` settings as the collector's alert configuration. Pure: a wrong value is
// a warning naming the setting, and the rule falls back to its default (never a crash, never a
// silently different threshold).

import { DEFAULT_ALERT_CONFIG, type AlertConfig } from '../../protocol/alerts';

type SettingReader = (key: string) => unknown;

/** Settings that restart the collector when they change. */
export const ALERT_SETTINGS = [
  'alerts.budgetDailyUsd', 'alerts.budgetMonthlyUsd', 'alerts.scopedDailyBudgetsUsd', 'alerts.scopedMonthlyBudgetsUsd', 'alerts.latencyP95Ms', 'alerts.ttftP95Ms', 'alerts.tpotP95Ms',
  'alerts.errorRate', 'alerts.refusalRate', 'alerts.guardrailHits', 'alerts.maxCallsPerMinute', 'alerts.anomalies', 'alerts.webhookUrl',
] as const;

export function alertSettings(get: SettingReader, warnings: string[]): AlertConfig {
  const c: AlertConfig = { ...DEFAULT_ALERT_CONFIG, scopedDailyBudgetsUsd: {} };
  /** A number ≥ 0 (≤ max), or 0/empty for off. */
  const optional = (key: string, fallback: number | null, max = Number.POSITIVE_INFINITY): number | null => {
    const v = get(`alerts.${key}`);
    if (v === undefined || v === null || v === '') return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= max) return v === 0 ? null : v;
    warnings.push(`spyglass.alerts.${key} must be a number from 0 to ${max === Number.POSITIVE_INFINITY ? '∞' : max} (0 turns it off); using ${fallback ?? 'off'}`);
    return fallback;
  };
  c.budgetDailyUsd = optional('budgetDailyUsd', null);
  c.budgetMonthlyUsd = optional('budgetMonthlyUsd', null);
  c.latencyP95Ms = optional('latencyP95Ms', null);
  c.ttftP95Ms = optional('ttftP95Ms', null);
  c.tpotP95Ms = optional('tpotP95Ms', null);
  c.errorRate = optional('errorRate', DEFAULT_ALERT_CONFIG.errorRate, 1);
  c.refusalRate = optional('refusalRate', null, 1);
  c.guardrailHits = optional('guardrailHits', null);
  const limit = optional('maxCallsPerMinute', null);
  c.maxCallsPerMinute = limit === null ? null : Math.floor(limit);
  const anomalies = get('alerts.anomalies');
  c.anomalies = typeof anomalies === 'boolean' ? anomalies : DEFAULT_ALERT_CONFIG.anomalies;
  const hook = get('alerts.webhookUrl');
  if (typeof hook === 'string' && hook.trim() !== '') {
    if (/^https?:\/\//i.test(hook.trim()) && URL.canParse(hook.trim())) c.webhookUrl = hook.trim();
    else warnings.push('spyglass.alerts.webhookUrl must be an http(s) URL; no webhook');
  }
  c.scopedDailyBudgetsUsd = scopedBudgets('scopedDailyBudgetsUsd', get('alerts.scopedDailyBudgetsUsd'), warnings);
  const monthly = scopedBudgets('scopedMonthlyBudgetsUsd', get('alerts.scopedMonthlyBudgetsUsd'), warnings);
  if (Object.keys(monthly).length > 0) c.scopedMonthlyBudgetsUsd = monthly;
  return c;
}

/** `{"service:checkout": 5, "model:gpt-4o": 10}`: entries that are not are left out with a warning. */
function scopedBudgets(name: string, value: unknown, warnings: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) {
    warnings.push(`spyglass.alerts.${name} must be an object such as {"service:checkout": 5}; ignored`);
    return out;
  }
  for (const [key, usd] of Object.entries(value as Record<string, unknown>)) {
    if (!/^(service|model):.+$/.test(key)) warnings.push(`spyglass.alerts.${name}: "${key}" must start with "service:" or "model:"; ignored`);
    else if (typeof usd !== 'number' || !(usd > 0)) warnings.push(`spyglass.alerts.${name}.${key} must be a number above 0; ignored`);
    else out[key] = usd;
  }
  return out;
}
