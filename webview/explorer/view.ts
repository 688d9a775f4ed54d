// The trace explorer: a filter bar, a sortable table of traces over the whole store (server-side
// sort and paging, "Load more"), and actions on the selection (open, compare two, open session).
// A click on a row opens its trace; Ctrl/Cmd/Shift+click or the checkbox selects. Keyboard: the
// table is a grid with one focusable row (arrows, Home/End, Enter opens, Space selects); headers
// are buttons that sort. New traces reload the rows; the webview keeps the
// selected rows and the row at the top of the view where they were.

import { formatDateTime, formatDuration, formatInteger, formatTokens, formatUsd } from '../../src/core/format';
import type { TraceSortKey, TraceSummary } from '../../src/protocol/api';
import {
  EXPLORER_RANGES,
  type ExplorerHostToWebview,
  type ExplorerPersistedState,
  type ExplorerQuery,
  type ExplorerRangeKey,
  type ExplorerState,
  type ExplorerWebviewToHost,
} from '../../src/protocol/explorer';
import type { MessageEndpoint } from '../../src/protocol/webview';
import { button, h, icon, replaceChildren } from '../shared/dom';

export interface ExplorerDeps {
  endpoint: MessageEndpoint<ExplorerWebviewToHost, ExplorerHostToWebview>;
  initial: ExplorerState | null;
  persist: (state: ExplorerPersistedState) => void;
}

interface Column {
  id: string;
  label: string;
  sort?: TraceSortKey;
  numeric?: boolean;
  cell: (t: TraceSummary) => Node | string;
}

function marks(t: TraceSummary): Node {
  const out = h('span', { class: 'marks' });
  if (t.feedback.up) out.appendChild(h('span', { class: 'mark mark-up', title: `${t.feedback.up} thumbs up` }, icon('thumbsup'), String(t.feedback.up)));
  if (t.feedback.down) out.appendChild(h('span', { class: 'mark mark-down', title: `${t.feedback.down} thumbs down` }, icon('thumbsdown'), String(t.feedback.down)));
  const guardrail = t.annotationCounts.guardrail ?? 0;
  if (guardrail) out.appendChild(h('span', { class: 'mark mark-guardrail', title: `${guardrail} guardrail hits` }, icon('shield'), String(guardrail)));
  const evaluation = t.annotationCounts.evaluation ?? 0;
  if (evaluation) out.appendChild(h('span', { class: 'mark mark-evaluation', title: `${evaluation} evaluations` }, icon('beaker'), String(evaluation)));
  return out;
}

/** Rows rendered beyond each edge of the view, so a quick scroll shows rows, not blank space. */
const OVERSCAN = 12;

const COLUMNS: Column[] = [
  { id: 'time', label: 'Time', sort: 'time', cell: (t) => formatDateTime(t.startTime) },
  {
    id: 'name',
    label: 'Trace',
    cell: (t) =>
      h('div', { class: 'name-cell' },
        h('div', { class: 'root-name' }, t.status === 'error' ? icon('error', 'status-error') : null, t.rootName ?? t.traceId.slice(0, 8)),
        t.inputPreview ? h('div', { class: 'preview preview-input', title: t.inputPreview }, icon('comment'), t.inputPreview) : null,
        t.outputPreview ? h('div', { class: 'preview preview-output', title: t.outputPreview }, icon('reply'), t.outputPreview) : null),
  },
  { id: 'service', label: 'Service', cell: (t) => t.serviceName ?? '' },
  { id: 'models', label: 'Models', cell: (t) => t.models.join(', ') },
  { id: 'duration', label: 'Duration', sort: 'duration', numeric: true, cell: (t) => formatDuration(t.durationMs) },
  { id: 'calls', label: 'Calls', sort: 'calls', numeric: true, cell: (t) => formatInteger(t.llmCallCount) },
  { id: 'tokens', label: 'Tokens', sort: 'tokens', numeric: true, cell: (t) => formatTokens(t.inputTokens + t.outputTokens) },
  { id: 'cost', label: 'Cost', sort: 'cost', numeric: true, cell: (t) => formatUsd(t.costUsd, t.costEstimated) },
  { id: 'errors', label: 'Errors', sort: 'errors', numeric: true, cell: (t) => (t.errorCount ? formatInteger(t.errorCount) : '') },
  { id: 'marks', label: 'Marks', cell: marks },
];

/** A query as a comparable key: defaults spelled out, absent fields left out, keys in order. */
function queryKey(q: ExplorerQuery): string {
  const full: Record<string, unknown> = { sort: 'time', order: 'desc', ...q };
  return JSON.stringify(Object.keys(full).sort().filter((k) => full[k] !== undefined && full[k] !== '').map((k) => [k, full[k]]));
}

export interface ExplorerView {
  apply(state: ExplorerState): void;
  readonly state: ExplorerState | null;
  readonly selected: string[];
}

export function mountExplorer(root: HTMLElement, deps: ExplorerDeps): ExplorerView {
  const { endpoint } = deps;
  let state: ExplorerState | null = null;
  let query: ExplorerQuery = deps.initial?.query ?? { range: '7d' };
  const selected = new Set<string>();
  let focusedId: string | null = null;

  // ---- filter bar ----
  const search = h('input', { id: 'explorer-search', class: 'search', attrs: { type: 'search', placeholder: 'Search messages, names, trace ids…', 'aria-label': 'Search traces' } });
  const range = h('select', { id: 'explorer-range', attrs: { 'aria-label': 'Time range' } });
  for (const [key, r] of Object.entries(EXPLORER_RANGES)) range.appendChild(h('option', { attrs: { value: key } }, r.label));
  const field = (id: string, label: string, placeholder: string, type = 'text') =>
    h('input', { id: `filter-${id}`, class: 'filter-input', attrs: { type, placeholder, 'aria-label': label, title: label, ...(type === 'number' ? { min: 0, step: 'any' } : {}) } });
  const choice = (id: string, label: string, options: [string, string][]) => {
    const s = h('select', { id: `filter-${id}`, attrs: { 'aria-label': label, title: label } });
    for (const [value, text] of options) s.appendChild(h('option', { attrs: { value } }, text));
    return s;
  };
  const service = field('service', 'Service', 'service');
  const model = field('model', 'Model', 'model');
  const session = field('session', 'Session id', 'session');
  const user = field('user', 'User id', 'user');
  const status = choice('status', 'Status', [['', 'Any status'], ['ok', 'OK'], ['error', 'Errors']]);
  const feedback = choice('feedback', 'Feedback', [['', 'Any feedback'], ['any', 'Rated'], ['up', 'Thumbs up'], ['down', 'Thumbs down']]);
  const annotation = choice('annotation', 'Marks', [['', 'Any marks'], ['guardrail', 'Guardrail hits'], ['evaluation', 'Evaluated'], ['note', 'With notes']]);
  const minCost = field('min-cost', 'Minimum cost (USD)', 'min $', 'number');
  const maxCost = field('max-cost', 'Maximum cost (USD)', 'max $', 'number');
  const minMs = field('min-ms', 'Minimum duration (ms)', 'min ms', 'number');
  const maxMs = field('max-ms', 'Maximum duration (ms)', 'max ms', 'number');
  const clearButton = button('Clear filters', 'clear-all', () => setQuery({ range: query.range, sort: query.sort, order: query.order }), { id: 'clear-filters', class: 'secondary' });

  const summary = h('span', { id: 'explorer-summary', class: 'summary', role: 'status' });
  const banner = h('div', { id: 'explorer-status', class: 'banner', role: 'status', attrs: { hidden: true } });
  const openButton = button('Open', 'go-to-file', () => openSelected(), { id: 'open-selected', class: 'secondary' });
  const compareButton = button('Compare', 'diff', () => compare(), { id: 'compare', class: 'secondary', title: 'Compare the two selected traces' });
  const sessionButton = button('Open session', 'comment-discussion', () => openSession(), { id: 'open-session', class: 'secondary' });

  const headRow = h('tr', { role: 'row' });
  const body = h('tbody', { id: 'explorer-rows' });
  const table = h('table', { id: 'explorer-table', class: 'explorer-table', role: 'grid', attrs: { 'aria-label': 'Traces', 'aria-multiselectable': 'true' } }, h('thead', {}, headRow), body);
  const scroller = h('div', { class: 'table-scroll', id: 'explorer-scroll', attrs: { tabindex: -1 } }, table);
  const more = button('Load more', 'fold-down', () => void endpoint.request('loadMore', {}).then(apply, () => undefined), { id: 'load-more', class: 'secondary' });
  const footer = h('div', { class: 'explorer-footer' }, more);

  replaceChildren(
    root,
    h('div', { class: 'explorer', id: 'explorer' },
      h('header', { class: 'explorer-header' }, icon('search', 'explorer-icon'), h('h1', {}, 'Traces'), summary, h('span', { class: 'spacer' }), openButton, sessionButton, compareButton,
        button('', 'refresh', () => void endpoint.request('reload', {}).then(apply, () => undefined), { class: 'icon-button', id: 'reload', title: 'Reload', attrs: { 'aria-label': 'Reload' } })),
      h('div', { class: 'filter-bar', role: 'search' }, range, search, status, service, model, session, user, feedback, annotation, minCost, maxCost, minMs, maxMs, clearButton),
      banner,
      scroller,
      footer),
  );

  // ---- query ----
  const num = (el: HTMLInputElement) => (el.value.trim() === '' || !Number.isFinite(Number(el.value)) ? undefined : Number(el.value));
  const str = (el: HTMLInputElement | HTMLSelectElement) => (el.value.trim() === '' ? undefined : el.value.trim());
  function fromInputs(): ExplorerQuery {
    return {
      range: range.value as ExplorerRangeKey,
      sort: query.sort,
      order: query.order,
      text: str(search),
      service: str(service),
      model: str(model),
      session: str(session),
      user: str(user),
      status: str(status) as ExplorerQuery['status'],
      feedback: str(feedback) as ExplorerQuery['feedback'],
      annotation: str(annotation),
      minCost: num(minCost),
      maxCost: num(maxCost),
      minDurationMs: num(minMs),
      maxDurationMs: num(maxMs),
    };
  }
  function toInputs(q: ExplorerQuery): void {
    range.value = q.range;
    search.value = q.text ?? '';
    service.value = q.service ?? '';
    model.value = q.model ?? '';
    session.value = q.session ?? '';
    user.value = q.user ?? '';
    status.value = q.status ?? '';
    feedback.value = q.feedback ?? '';
    annotation.value = q.annotation ?? '';
    minCost.value = q.minCost?.toString() ?? '';
    maxCost.value = q.maxCost?.toString() ?? '';
    minMs.value = q.minDurationMs?.toString() ?? '';
    maxMs.value = q.maxDurationMs?.toString() ?? '';
  }
  /** Queries this webview asked for: a state for one of them that is not the latest is stale. */
  const asked = new Set<string>();
  function setQuery(next: ExplorerQuery): void {
    query = next;
    asked.add(queryKey(next));
    toInputs(next);
    deps.persist({ query: next });
    renderHead();
    void endpoint.request('setQuery', { query: next }).then(apply, () => undefined);
  }
  let typing: ReturnType<typeof setTimeout> | undefined;
  const changed = () => {
    clearTimeout(typing);
    typing = undefined;
    setQuery(fromInputs());
  };
  const typed = () => {
    clearTimeout(typing);
    typing = setTimeout(changed, 300);
  };
  for (const el of [search, service, model, session, user, minCost, maxCost, minMs, maxMs]) {
    el.addEventListener('input', typed);
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') changed();
    });
  }
  for (const el of [range, status, feedback, annotation]) el.addEventListener('change', changed);

  // ---- header: sort buttons ----
  function renderHead(): void {
    replaceChildren(headRow, h('th', { class: 'col-select', role: 'columnheader', attrs: { 'aria-label': 'Selected' } }));
    for (const c of COLUMNS) {
      const active = c.sort !== undefined && (query.sort ?? 'time') === c.sort;
      const dir = query.order ?? 'desc';
      const th = h('th', {
        class: `col-${c.id}${c.numeric ? ' numeric' : ''}`, role: 'columnheader',
        attrs: { 'aria-sort': active ? (dir === 'asc' ? 'ascending' : 'descending') : c.sort ? 'none' : null },
      });
      if (c.sort) {
        const sortKey = c.sort;
        th.appendChild(button(c.label, active ? (dir === 'asc' ? 'arrow-up' : 'arrow-down') : null, () => {
          // A new column sorts biggest (newest) first; the same column again flips.
          const order = active && dir === 'desc' ? 'asc' : 'desc';
          setQuery({ ...query, sort: sortKey, order });
        }, { class: 'sort-button', data: { sort: sortKey }, title: `Sort by ${c.label.toLowerCase()}` }));
      } else {
        th.appendChild(document.createTextNode(c.label));
      }
      headRow.appendChild(th);
    }
  }

  // ---- rows ----
  // Virtualised: only the rows in view (and a few either side) are in the DOM, between two spacer
  // rows whose heights stand for the rest, so thousands of loaded rows scroll as a page does.
  // Heights are measured as rows are shown; a row not shown yet is estimated from its line count
  // (name, question, answer). Rows kept across a re-render stay the same nodes (never removed and
  // re-inserted), so the focused row keeps the focus while the window moves.
  const rowById = new Map<string, HTMLTableRowElement>();
  const measured = new Map<string, number>();
  const typical = new Map<number, number>();
  const topSpacer = h('tr', { class: 'spacer', attrs: { 'aria-hidden': 'true' } });
  const bottomSpacer = h('tr', { class: 'spacer', attrs: { 'aria-hidden': 'true' } });
  let offsets: number[] = [0];
  let shown: [first: number, last: number] = [0, 0];
  const lineCount = (t: TraceSummary) => 1 + (t.inputPreview ? 1 : 0) + (t.outputPreview ? 1 : 0);
  const estimate = (t: TraceSummary) => measured.get(t.traceId) ?? typical.get(lineCount(t)) ?? 8 + 18 * lineCount(t);

  function layout(rows: TraceSummary[]): void {
    offsets = new Array<number>(rows.length + 1);
    let y = 0;
    rows.forEach((t, i) => {
      offsets[i] = y;
      y += estimate(t);
    });
    offsets[rows.length] = y;
  }

  /** The index of the row at `y` (from the top of the rows). */
  function indexAt(y: number): number {
    let lo = 0;
    let hi = Math.max(0, offsets.length - 2);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid]! <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The visible part of the rows, in the rows' own coordinates (the header row sits above them). */
  function viewport(): { top: number; bottom: number } {
    // The header row sticks to the top and covers what scrolls under it. Without layout (a hidden
    // panel) a screenful is assumed, so the first rows are there when it shows.
    const below = scroller.scrollTop - body.offsetTop;
    return { top: below + headRow.offsetHeight, bottom: below + (scroller.clientHeight || 800) };
  }

  function buildRow(t: TraceSummary): HTMLTableRowElement {
    const tr = h('tr', {
      class: 'trace-row', role: 'row', data: { traceId: t.traceId }, id: `row-${t.traceId}`,
      attrs: { tabindex: t.traceId === focusedId ? 0 : -1, 'aria-selected': selected.has(t.traceId) ? 'true' : 'false' },
    });
    const box = h('input', { class: 'row-check', attrs: { type: 'checkbox', tabindex: -1, 'aria-label': `Select ${t.rootName ?? t.traceId}` } });
    box.checked = selected.has(t.traceId);
    box.addEventListener('click', (e) => {
      e.stopPropagation();
      focusRow(t.traceId, false);
      toggle(t.traceId);
    });
    tr.appendChild(h('td', { class: 'col-select', role: 'gridcell' }, box));
    for (const c of COLUMNS) tr.appendChild(h('td', { class: `col-${c.id}${c.numeric ? ' numeric' : ''}`, role: 'gridcell' }, c.cell(t)));
    // A click opens the trace (as in Langfuse and Phoenix); Ctrl/Cmd/Shift+click selects for Compare.
    tr.addEventListener('click', (e) => {
      focusRow(t.traceId, false);
      if (e.ctrlKey || e.metaKey || e.shiftKey) toggle(t.traceId);
      else endpoint.command('openTrace', { traceId: t.traceId });
    });
    rowById.set(t.traceId, tr);
    return tr;
  }

  /** Shows the rows in view; `force` after the rows changed. */
  function renderWindow(force = false): void {
    const rows = state?.rows ?? [];
    if (rows.length === 0) {
      replaceChildren(body, h('tr', {}, h('td', { class: 'empty', attrs: { colspan: COLUMNS.length + 1 } }, state?.status === 'loading' ? 'Loading…' : 'No traces match.')));
      shown = [0, 0];
      return;
    }
    const { top, bottom } = viewport();
    const first = Math.max(0, indexAt(top) - OVERSCAN);
    const last = Math.min(rows.length, indexAt(bottom) + 1 + OVERSCAN);
    if (!force && first === shown[0] && last === shown[1] && body.firstChild === topSpacer) return;
    shown = [first, last];
    const wanted = new Set<Node>();
    for (let i = first; i < last; i++) wanted.add(rowById.get(rows[i]!.traceId) ?? buildRow(rows[i]!));
    for (const child of [...body.children]) if (child !== topSpacer && child !== bottomSpacer && !wanted.has(child)) child.remove();
    if (body.firstChild !== topSpacer) body.insertBefore(topSpacer, body.firstChild);
    let cursor = topSpacer.nextSibling;
    for (let i = first; i < last; i++) {
      const tr = rowById.get(rows[i]!.traceId)!;
      tr.setAttribute('aria-rowindex', String(i + 2));
      if (cursor === tr) cursor = cursor.nextSibling;
      else body.insertBefore(tr, cursor);
    }
    if (bottomSpacer.parentNode !== body || bottomSpacer.nextSibling) body.appendChild(bottomSpacer);
    // Measure what is shown; estimates that were off move the rows below, not the ones in view.
    let changed = false;
    for (let i = first; i < last; i++) {
      const t = rows[i]!;
      const height = rowById.get(t.traceId)!.offsetHeight;
      if (height > 0 && height !== estimate(t)) {
        measured.set(t.traceId, height);
        typical.set(lineCount(t), height);
        changed = true;
      }
    }
    if (changed) layout(rows);
    topSpacer.style.height = `${offsets[first]}px`;
    bottomSpacer.style.height = `${offsets[rows.length]! - offsets[last]!}px`;
    table.setAttribute('aria-rowcount', String(rows.length + 1));
  }

  let scrollFrame = 0;
  scroller.addEventListener('scroll', () => {
    if (scrollFrame) return;
    scrollFrame = requestAnimationFrame(() => {
      scrollFrame = 0;
      renderWindow();
    });
  });

  /** New rows: rebuilt (their figures may have changed), the focus kept on the same trace. */
  function renderRows(rows: TraceSummary[]): void {
    const hadFocus = body.contains(document.activeElement);
    rowById.clear();
    for (const child of [...body.children]) if (child !== topSpacer && child !== bottomSpacer) child.remove();
    layout(rows);
    renderWindow(true);
    if (hadFocus && focusedId) rowById.get(focusedId)?.focus({ preventScroll: true });
  }

  /** Brings a row into the rendered window (scrolling to it) and returns it. */
  function reveal(id: string, scroll: boolean): HTMLTableRowElement | undefined {
    const rows = state?.rows ?? [];
    const i = rows.findIndex((r) => r.traceId === id);
    if (i < 0) return undefined;
    if (scroll) {
      const { top, bottom } = viewport();
      if (offsets[i]! < top) scroller.scrollTop += offsets[i]! - top;
      else if (offsets[i + 1]! > bottom) scroller.scrollTop += offsets[i + 1]! - bottom;
    }
    if (!rowById.get(id)?.isConnected) renderWindow(true);
    return rowById.get(id);
  }

  function toggle(id: string): void {
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    const tr = rowById.get(id);
    if (tr) {
      tr.setAttribute('aria-selected', selected.has(id) ? 'true' : 'false');
      const box = tr.querySelector('input');
      if (box) box.checked = selected.has(id);
    }
    updateActions();
  }

  function focusRow(id: string | null, scroll = true): void {
    if (focusedId) rowById.get(focusedId)?.setAttribute('tabindex', '-1');
    focusedId = id;
    const tr = id ? reveal(id, scroll) : undefined;
    if (!tr) return;
    tr.setAttribute('tabindex', '0');
    tr.focus({ preventScroll: !scroll });
    if (scroll) tr.scrollIntoView({ block: 'nearest' });
    updateActions();
  }

  // On the scroller, not the rows: the focused row may have scrolled out of the DOM (the focus
  // then goes to the scroller, see below) and the keys still move from it.
  scroller.addEventListener('focusout', (e) => {
    const leaving = e.target as Node;
    queueMicrotask(() => {
      if (!leaving.isConnected && document.activeElement === document.body) scroller.focus({ preventScroll: true });
    });
  });
  scroller.addEventListener('keydown', (e) => {
    const rows = state?.rows ?? [];
    if (rows.length === 0) return;
    const at = Math.max(0, rows.findIndex((r) => r.traceId === focusedId));
    let next: number | null = null;
    switch (e.key) {
      case 'ArrowDown': next = Math.min(rows.length - 1, at + 1); break;
      case 'ArrowUp': next = Math.max(0, at - 1); break;
      case 'Home': next = 0; break;
      case 'End': next = rows.length - 1; break;
      case 'PageDown': next = Math.min(rows.length - 1, at + 10); break;
      case 'PageUp': next = Math.max(0, at - 10); break;
      case 'Enter': endpoint.command('openTrace', { traceId: rows[at]!.traceId }); break;
      case ' ': toggle(rows[at]!.traceId); break;
      default: return;
    }
    e.preventDefault();
    if (next !== null) focusRow(rows[next]!.traceId);
  });

  function selectedRows(): TraceSummary[] {
    return (state?.rows ?? []).filter((r) => selected.has(r.traceId));
  }
  /** What Open and Open session act on: the one selected row, else the focused one. */
  function target(): TraceSummary | undefined {
    const picked = selectedRows();
    if (picked.length === 1) return picked[0];
    return (state?.rows ?? []).find((r) => r.traceId === focusedId) ?? picked[0];
  }
  function openSelected(): void {
    const t = target();
    if (t) endpoint.command('openTrace', { traceId: t.traceId });
  }
  function openSession(): void {
    const t = target();
    if (t?.sessionId) endpoint.command('openSession', { sessionId: t.sessionId });
  }
  function compare(): void {
    const ids = [...selected];
    if (ids.length === 2) endpoint.command('compare', { traceIds: [ids[0]!, ids[1]!] });
  }
  function updateActions(): void {
    const t = target();
    openButton.disabled = !t;
    sessionButton.disabled = !t?.sessionId;
    compareButton.disabled = selected.size !== 2;
    compareButton.title = selected.size === 2 ? 'Compare the two selected traces' : 'Select two traces (Space, or Ctrl+click) to compare them';
  }

  // ---- state ----
  function apply(next: ExplorerState): void {
    const key = queryKey(next.query);
    if (key !== queryKey(query)) {
      // The answer to a query the user has changed since, or any state while an edit waits to be
      // sent (a webview brought back to view gets its state after the user may have typed):
      // applying it would overwrite what they are typing, and their query follows anyway.
      if (asked.has(key)) return;
      if (typing !== undefined) {
        // The order comes from the host; the filters from what is being typed.
        query = { ...query, sort: next.query.sort, order: next.query.order };
        renderHead();
        return;
      }
      // A query set from outside (a command, a restored panel): the inputs show it.
      query = next.query;
      toInputs(query);
      renderHead();
    }
    const sameQuery = state !== null && queryKey(state.query) === key;
    // Keep the user's place: the row at the top of the view stays where it was.
    const rowsBefore = state?.rows ?? [];
    const anchorAt = sameQuery && rowsBefore.length && scroller.scrollTop > 0 ? indexAt(viewport().top) : -1;
    const anchorId = anchorAt >= 0 ? rowsBefore[anchorAt]!.traceId : null;
    const anchorOffset = anchorAt >= 0 ? viewport().top - offsets[anchorAt]! : 0;
    state = next;
    const ids = new Set(next.rows.map((r) => r.traceId));
    for (const id of [...selected]) if (!ids.has(id)) selected.delete(id);
    if (!sameQuery) scroller.scrollTop = 0;
    layout(next.rows);
    const anchorNow = anchorId ? next.rows.findIndex((r) => r.traceId === anchorId) : -1;
    if (anchorNow >= 0) scroller.scrollTop += offsets[anchorNow]! + anchorOffset - viewport().top;
    renderRows(next.rows);
    if (focusedId && rowById.has(focusedId)) rowById.get(focusedId)!.setAttribute('tabindex', '0');
    else if (next.rows[0]) rowById.get(next.rows[0].traceId)?.setAttribute('tabindex', '0');
    more.hidden = !next.hasMore;
    const total = next.total === null ? '' : `${formatInteger(next.total)}${next.totalExact ? '' : '+'} traces`;
    summary.textContent = [total, next.rows.length && next.total !== next.rows.length ? `${formatInteger(next.rows.length)} shown` : '', next.readOnly ? 'stored data (capture stopped)' : '']
      .filter(Boolean).join(' · ');
    const message = next.status === 'no-collector' ? 'No trace store to read: start capture, or open a workspace with a Spyglass database.'
      : next.status === 'error' ? `Could not load traces: ${next.error ?? 'unknown error'}` : '';
    banner.hidden = !message;
    banner.textContent = message;
    banner.className = `banner ${next.status === 'error' ? 'banner-error' : 'banner-warning'}`;
    updateActions();
  }

  endpoint.handleNotification('didChangeState', apply);
  toInputs(query);
  renderHead();
  if (deps.initial) apply(deps.initial);
  else renderRows([]);
  return {
    apply,
    get state() {
      return state;
    },
    get selected() {
      return [...selected];
    },
  };
}
