// The dashboard's top tables (costliest and slowest calls, costliest prompts and services over the
// whole range), its filters and its active alerts. Every row is a button that opens what it names.

import { formatDateTime, formatDuration, formatInteger, formatUsd } from '../../src/core/format';
import type { AlertDto } from '../../src/protocol/alerts';
import type { DashboardTops, TopCall, TopGroup } from '../../src/protocol/dashboard';
import type { DashboardFilters } from '../../src/protocol/webview';
import { button, h, icon, replaceChildren } from '../shared/dom';

export function renderTopCalls(el: HTMLElement, title: string, id: string, calls: readonly TopCall[], open: (traceId: string) => void): void {
  const list = h('ol', { class: 'top-traces', id });
  for (const c of calls) {
    const b = button(c.name, c.isError ? 'error' : 'pulse', () => open(c.traceId), {
      class: 'link-button trace-link', data: { traceId: c.traceId, spanId: c.spanId }, title: `${c.traceId}\n${formatDateTime(c.startTime)}`,
    });
    const meta = [formatUsd(c.costUsd), formatDuration(c.durationMs), c.model, c.service ?? ''].filter(Boolean).join(' · ');
    list.appendChild(h('li', { class: 'top-trace' }, b, h('span', { class: 'top-trace-meta' }, meta)));
  }
  replaceChildren(el, h('h3', {}, title), calls.length ? list : h('div', { class: 'empty' }, 'No calls in this range.'));
}

export function renderTopGroups(el: HTMLElement, title: string, id: string, groups: readonly TopGroup[], what: string, open: (traceId: string) => void): void {
  const list = h('ol', { class: 'top-traces', id });
  for (const g of groups) {
    const b = button(g.key, what === 'prompt' ? 'symbol-string' : 'server', () => g.traceId && open(g.traceId), {
      class: 'link-button trace-link', data: { key: g.key }, title: g.traceId ? `Open its costliest trace (${g.traceId})` : g.key,
    });
    if (!g.traceId) b.disabled = true;
    list.appendChild(h('li', { class: 'top-trace' }, b, h('span', { class: 'top-trace-meta' }, `${formatUsd(g.costUsd)} · ${formatInteger(g.calls)} calls`)));
  }
  replaceChildren(el, h('h3', {}, title), groups.length ? list : h('div', { class: 'empty' }, `No ${what}s in this range.`));
}

/** A select per filter; changing one asks for the filtered figures. The options keep the current choice even when it left the range. */
export function renderFilters(el: HTMLElement, tops: DashboardTops | null | undefined, current: DashboardFilters, change: (next: DashboardFilters) => void): void {
  const select = (key: keyof DashboardFilters, label: string, options: readonly string[]) => {
    const s = h('select', { id: `filter-${key}`, class: 'filter-select', attrs: { 'aria-label': label } });
    const values = [...new Set([...(current[key] ? [current[key]!] : []), ...options])];
    s.appendChild(h('option', { attrs: { value: '' } }, `All ${label.toLowerCase()}s`));
    for (const v of values) {
      const o = h('option', { attrs: { value: v } }, v);
      if (v === current[key]) o.selected = true;
      s.appendChild(o);
    }
    s.addEventListener('change', () => change({ ...current, [key]: s.value || undefined }));
    return h('label', { class: 'filter' }, s);
  };
  replaceChildren(
    el,
    icon('filter'),
    select('service', 'Service', tops?.services ?? []),
    select('model', 'Model', tops?.models ?? []),
    select('prompt', 'Prompt', tops?.prompts ?? []),
  );
}

export function renderAlerts(el: HTMLElement, alerts: readonly AlertDto[]): void {
  el.hidden = alerts.length === 0;
  const list = h('ul', { class: 'dashboard-alerts' });
  for (const a of alerts) {
    const severity = a.severity === 'P0' || a.severity === 'P1' ? 'error' : a.severity === 'P2' ? 'warning' : 'info';
    list.appendChild(h('li', { class: `dashboard-alert severity-${severity}`, data: { rule: a.rule } }, icon(severity), h('strong', {}, a.severity), h('span', {}, a.message)));
  }
  replaceChildren(el, h('h3', {}, 'Active alerts'), list);
}
