// Spend per user, session or feature over the range: who or what the money went to. Each row
// opens that group's costliest trace.

import { formatInteger, formatUsd } from '../../src/core/format';
import type { SpendBy, SpendGroup } from '../../src/protocol/dashboard';
import { button, h, replaceChildren } from '../shared/dom';

const LABELS: Record<SpendBy, { option: string; icon: string; attribute: string }> = {
  user: { option: 'user', icon: 'account', attribute: 'user.id' },
  session: { option: 'session', icon: 'comment-discussion', attribute: 'session.id' },
  feature: { option: 'feature', icon: 'symbol-event', attribute: 'a feature attribute (app.feature, …)' },
};

export function renderSpend(
  el: HTMLElement,
  groups: Record<SpendBy, SpendGroup[]>,
  by: SpendBy,
  choose: (by: SpendBy) => void,
  open: (traceId: string) => void,
): void {
  const select = h('select', { id: 'spend-by', class: 'filter-select', attrs: { 'aria-label': 'Spend by' } });
  for (const key of Object.keys(LABELS) as SpendBy[]) {
    const o = h('option', { attrs: { value: key } }, `by ${LABELS[key].option}`);
    if (key === by) o.selected = true;
    select.appendChild(o);
  }
  select.addEventListener('change', () => choose(select.value as SpendBy));
  const rows = groups[by];
  const top = rows[0]?.costUsd ?? 0;
  const list = h('ol', { class: 'top-traces', id: 'spend-list' });
  for (const g of rows) {
    const b = button(g.key, LABELS[by].icon, () => g.traceId && open(g.traceId), {
      class: 'link-button trace-link', data: { key: g.key }, title: g.traceId ? `Open its costliest trace (${g.traceId})` : g.key,
    });
    if (!g.traceId) b.disabled = true;
    // A bar behind the figures: a glance tells the heavy spenders apart.
    const bar = h('span', { class: 'spend-bar' });
    // Through the CSSOM: the CSP allows no inline style attributes.
    bar.style.width = `${top > 0 ? Math.round((100 * g.costUsd) / top) : 0}%`;
    list.appendChild(h('li', { class: 'top-trace spend-row' }, b, h('span', { class: 'top-trace-meta' }, `${formatUsd(g.costUsd)} · ${formatInteger(g.calls)} calls`), bar));
  }
  replaceChildren(
    el,
    h('h3', {}, 'Spend ', select),
    rows.length ? list : h('div', { class: 'empty' }, `No calls in this range carry ${LABELS[by].attribute}.`),
  );
}
