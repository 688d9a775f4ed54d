// The Guardrails view's pure parts: hits grouped by category → rule → hit, what each row says,
// and the filter (category, rule, severity, time window) as a query and as words.

import { formatAgo, formatInteger, plural } from '../../core/format';
import type { GuardrailListHit, GuardrailPage, GuardrailQuery } from '../../protocol/api';

export const CATEGORY_LABELS: Record<string, string> = {
  pii: 'Personal data (PII)',
  secret: 'Secrets',
  injection: 'Prompt injection',
  leakage: 'System-prompt leakage',
  toxicity: 'Toxicity',
  refusal: 'Refusals',
  format: 'Format',
  truncation: 'Truncation',
};

export const SEVERITIES = ['high', 'medium', 'low'] as const;

export const TIME_WINDOWS: ReadonlyArray<{ label: string; ms: number }> = [
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
];

export interface GuardrailFilter {
  categories: string[];
  rules: string[];
  severities: string[];
  /** Only hits on calls made within this many ms; null: any time. */
  withinMs: number | null;
}

export const NO_FILTER: GuardrailFilter = { categories: [], rules: [], severities: [], withinMs: null };

export function isFiltered(f: GuardrailFilter): boolean {
  return f.categories.length > 0 || f.rules.length > 0 || f.severities.length > 0 || f.withinMs !== null;
}

export function filterQuery(f: GuardrailFilter, now: number, limit: number): GuardrailQuery {
  const q: GuardrailQuery = { limit };
  if (f.categories.length) q.category = f.categories.join(',');
  if (f.rules.length) q.rule = f.rules.join(',');
  if (f.severities.length) q.severity = f.severities.join(',');
  if (f.withinMs !== null) q.from = now - f.withinMs;
  return q;
}

export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category] ?? category;
}

export function filterSummary(f: GuardrailFilter): string {
  const parts = [
    ...f.categories.map(categoryLabel),
    ...f.rules,
    ...f.severities.map((s) => `${s} severity`),
    ...(f.withinMs !== null ? [TIME_WINDOWS.find((w) => w.ms === f.withinMs)?.label.toLowerCase() ?? `last ${Math.round(f.withinMs / 60_000)} min`] : []),
  ];
  return parts.join(', ');
}

export interface RuleGroup {
  rule: string;
  /** Every hit of the rule the filter matches (the list may hold fewer). */
  count: number;
  hits: GuardrailListHit[];
}

export interface CategoryGroup {
  category: string;
  count: number;
  rules: RuleGroup[];
}

/** Categories and rules with the most hits first; hits newest first (as listed). */
export function groupHits(page: GuardrailPage): CategoryGroup[] {
  const byCategory = new Map<string, Map<string, GuardrailListHit[]>>();
  for (const hit of page.hits) {
    let rules = byCategory.get(hit.category);
    if (!rules) byCategory.set(hit.category, (rules = new Map()));
    const list = rules.get(hit.rule);
    if (list) list.push(hit);
    else rules.set(hit.rule, [hit]);
  }
  const groups: CategoryGroup[] = [];
  for (const [category, rules] of byCategory) {
    const ruleGroups = [...rules].map(([rule, hits]) => ({ rule, count: Math.max(page.counts.byRule[rule] ?? 0, hits.length), hits }));
    ruleGroups.sort((a, b) => b.count - a.count || (a.rule < b.rule ? -1 : 1));
    groups.push({ category, count: Math.max(page.counts.byCategory[category] ?? 0, ruleGroups.reduce((n, r) => n + r.hits.length, 0)), rules: ruleGroups });
  }
  return groups.sort((a, b) => b.count - a.count || (a.category < b.category ? -1 : 1));
}

/** "12 hits" or "500 of 1,234 hits shown": the list holds the newest only. */
export function countText(count: number, shown: number): string {
  return shown < count ? `${formatInteger(shown)} of ${formatInteger(count)}` : formatInteger(count);
}

export function whereText(hit: Pick<GuardrailListHit, 'location' | 'messageIndex' | 'partIndex'>): string {
  if (hit.location === null) return 'the call';
  const side = hit.location === 'system' ? 'system instructions' : hit.location;
  if (hit.location !== 'system' && hit.messageIndex !== null) return `${side} message ${hit.messageIndex + 1}`;
  if (hit.partIndex !== null) return `${side}, part ${hit.partIndex + 1}`;
  return side;
}

export interface HitRow {
  label: string;
  description: string;
  tooltip: string;
}

export function hitRow(hit: GuardrailListHit, now: number): HitRow {
  const what = hit.explanation ?? hit.rule;
  const call = [hit.spanName, hit.model && hit.spanName?.includes(hit.model) ? null : hit.model].filter((x): x is string => !!x).join(' · ');
  return {
    label: `${what} in ${whereText(hit)}`,
    description: [call, formatAgo(hit.at, now)].filter((x) => x).join(' · '),
    tooltip: [
      `${hit.rule} (${categoryLabel(hit.category)}${hit.severity ? `, ${hit.severity}` : ''})`,
      what,
      `In ${whereText(hit)}${hit.start !== null && hit.end !== null ? `, characters ${hit.start}–${hit.end}` : ''}`,
      call ? `Call: ${call}` : null,
      `Trace ${hit.traceId}`,
    ].filter((x): x is string => x !== null).join('\n'),
  };
}

export function hitsText(n: number): string {
  return plural(n, 'hit');
}
