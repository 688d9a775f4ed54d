// The trace panel: header with the trace's totals, the waterfall, and the selected span's
// details. Starts from the inlined state; then every `didChangeState` replaces it whole.

import { buildWaterfall, criticalPath, type WaterfallLayout } from '../../src/core/span-tree';
import { formatDuration, formatInteger, formatTokens, formatUsd, formatDateTime } from '../../src/core/format';
import type { SpanDto } from '../../src/protocol/api';
import type { MessageEndpoint, TraceHostToWebview, TracePanelState, TracePersistedState, TraceWebviewToHost } from '../../src/protocol/webview';
import { button, h, icon, replaceChildren } from '../shared/dom';
import { agentRunOf, renderAgentRun } from './agent-run';
import { renderSpanDetails } from './details';
import { SpanIndex } from './search';
import { Waterfall } from './waterfall';

export interface TraceViewDeps {
  endpoint: MessageEndpoint<TraceWebviewToHost, TraceHostToWebview>;
  initial: TracePanelState | null;
  persisted: TracePersistedState | undefined;
  persist: (state: TracePersistedState) => void;
}

export interface TraceView {
  readonly waterfall: Waterfall;
  apply(state: TracePanelState): void;
  select(spanId: string | null): void;
  readonly selectedSpanId: string | null;
}

/** The span to show first: the first LLM call (what people open a trace for), else the first row. */
function defaultSelection(layout: WaterfallLayout<SpanDto>): string | null {
  const firstCall = layout.rows.find((r) => r.span.llm);
  return (firstCall ?? layout.rows[0])?.span.spanId ?? null;
}

export function mountTraceView(root: HTMLElement, deps: TraceViewDeps): TraceView {
  const { endpoint } = deps;
  let state: TracePanelState | null = null;
  let layout: WaterfallLayout<SpanDto> | null = null;
  let selected: string | null = deps.persisted?.selectedSpanId ?? deps.initial?.selectedSpanId ?? null;

  const header = h('header', { id: 'trace-header', class: 'trace-header' });
  const banner = h('div', { id: 'trace-status', class: 'banner', role: 'status', attrs: { hidden: true } });
  const details = h('section', { id: 'span-details', class: 'details-pane', attrs: { 'aria-live': 'polite' } });
  const waterfall = new Waterfall({ onSelect: (id) => select(id) });
  let index: SpanIndex | null = null;
  let hits: string[] = [];
  let searched = '';
  const filter = h('input', { id: 'span-filter', class: 'filter-input', attrs: { type: 'search', placeholder: 'Find in spans: name, attribute, message text', 'aria-label': 'Find in spans' } });
  const hitCount = h('span', { id: 'span-filter-count', class: 'filter-count', attrs: { 'aria-live': 'polite' } });
  const step = (delta: number) => {
    if (hits.length === 0) return;
    const at = selected ? hits.indexOf(selected) : -1;
    const next = hits[(at + delta + hits.length) % hits.length];
    select(next);
    hitCount.textContent = `${hits.indexOf(next) + 1} of ${hits.length}`;
  };
  const runSearch = () => {
    const order = layout ? layout.rows.map((r) => r.span.spanId) : [];
    searched = filter.value;
    hits = index ? index.find(filter.value, order) : [];
    waterfall.setMatches(new Set(hits));
    hitCount.textContent = filter.value.trim() ? (hits.length > 0 ? `${hits.length} found` : 'No match') : '';
  };
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  filter.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 120);
  });
  filter.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(searchTimer);
      if (filter.value !== searched) runSearch();
      step(e.shiftKey ? -1 : 1);
      e.preventDefault();
    } else if (e.key === 'Escape') {
      filter.value = '';
      runSearch();
      waterfall.scroller.focus();
    }
  });
  waterfall.element.prepend(
    h(
      'div',
      { class: 'waterfall-toolbar' },
      icon('search', 'filter-icon'),
      filter,
      hitCount,
      button('', 'arrow-up', () => step(-1), { class: 'icon-button', title: 'Previous match (Shift+Enter)', id: 'filter-prev' }),
      button('', 'arrow-down', () => step(1), { class: 'icon-button', title: 'Next match (Enter)', id: 'filter-next' }),
    ),
  );
  const body = h('div', { class: 'trace-body' }, waterfall.element, details);
  // The agent-run view: a second tab, shown when the trace has agent spans.
  const runPane = h('section', { id: 'agent-run-pane', class: 'agent-run-pane', role: 'tabpanel', attrs: { hidden: true, 'aria-labelledby': 'tab-agent-run' } });
  let view: 'waterfall' | 'agent-run' = 'waterfall';
  const tabWaterfall = button('Waterfall', 'list-tree', () => showView('waterfall'), { id: 'tab-waterfall', class: 'tab', role: 'tab' });
  const tabRun = button('Agent run', 'hubot', () => showView('agent-run'), { id: 'tab-agent-run', class: 'tab', role: 'tab' });
  const tabs = h('div', { class: 'trace-tabs', role: 'tablist', attrs: { hidden: true, 'aria-label': 'Trace views' } }, tabWaterfall, tabRun);
  function showView(next: 'waterfall' | 'agent-run'): void {
    view = next;
    body.hidden = next !== 'waterfall';
    runPane.hidden = next !== 'agent-run';
    tabWaterfall.setAttribute('aria-selected', String(next === 'waterfall'));
    tabRun.setAttribute('aria-selected', String(next === 'agent-run'));
  }
  function renderRun(s: TracePanelState): void {
    const run = s.detail ? agentRunOf([...s.detail.spans, ...(s.linkedSpans ?? [])]) : null;
    tabs.hidden = run === null;
    if (run === null && view === 'agent-run') showView('waterfall');
    replaceChildren(runPane, renderAgentRun(run, {
      traceId: s.traceId,
      onSelect: (id) => {
        showView('waterfall');
        select(id);
      },
      onOpenTrace: (traceId, spanId) => endpoint.command('openTrace', { traceId, spanId }),
    }));
  }
  showView('waterfall');
  replaceChildren(root, h('div', { id: 'trace-app', class: 'trace-app' }, header, banner, tabs, body, runPane));

  const reload = () => {
    banner.hidden = false;
    banner.className = 'banner banner-info';
    replaceChildren(banner, icon('sync', 'codicon-modifier-spin'), h('span', {}, 'Reloading…'));
    endpoint.request('reload', {}).then(apply, (err: Error) => showBanner('error', `Reload failed: ${err.message}`));
  };

  function showBanner(kind: 'info' | 'warning' | 'error', text: string): void {
    banner.hidden = false;
    banner.className = `banner banner-${kind}`;
    replaceChildren(banner, icon(kind === 'info' ? 'info' : kind), h('span', {}, text));
  }

  function renderHeader(s: TracePanelState): void {
    const t = s.detail?.trace;
    const title = t?.rootName ?? `Trace ${s.traceId}`;
    const stat = (key: string, label: string, value: string) => h('span', { class: 'stat', data: { stat: key } }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value));
    replaceChildren(
      header,
      h(
        'div',
        { class: 'trace-title-row' },
        icon(t?.status === 'error' ? 'error' : 'pulse', 'trace-icon'),
        h('h1', { class: 'trace-title', title: s.traceId }, title),
        t?.serviceName ? h('span', { class: 'chip' }, t.serviceName) : null,
        t?.status === 'error' ? h('span', { class: 'chip status status-error' }, `${t.errorCount} error${t.errorCount === 1 ? '' : 's'}`) : null,
        h('span', { class: 'spacer' }),
        button('', 'expand-all', () => waterfall.setAllCollapsed(false), { title: 'Expand all', class: 'icon-button', id: 'expand-all' }),
        button('', 'collapse-all', () => waterfall.setAllCollapsed(true), { title: 'Collapse all', class: 'icon-button', id: 'collapse-all' }),
        button('', 'refresh', reload, { title: 'Reload', class: 'icon-button', id: 'reload' }),
      ),
      t
        ? h(
            'div',
            { class: 'trace-stats' },
            stat('start', 'Started', formatDateTime(t.startTime)),
            stat('duration', 'Duration', formatDuration(t.durationMs)),
            stat('spans', 'Spans', formatInteger(t.spanCount)),
            stat('llm-calls', 'LLM calls', formatInteger(t.llmCallCount)),
            stat('tokens', 'Tokens', `${formatTokens(t.inputTokens)} in · ${formatTokens(t.outputTokens)} out`),
            stat('cost', 'Cost', formatUsd(t.costUsd, t.costEstimated)),
            t.models.length > 0 ? stat('models', 'Models', t.models.join(', ')) : null,
          )
        : null,
    );
  }

  function renderDetails(): void {
    const index = selected && layout ? layout.indexById.get(selected) : undefined;
    if (!layout || index === undefined) {
      replaceChildren(details, h('div', { class: 'empty' }, layout && layout.rows.length > 0 ? 'Select a span.' : ''));
      return;
    }
    const row = layout.rows[index];
    const parent = row.parentIndex >= 0 ? layout.rows[row.parentIndex].span.name : null;
    replaceChildren(details, renderSpanDetails(row.span, row, parent, {
      onOpenSource: (path, line) => endpoint.command('openSource', { path, line }),
      onSelect: (id) => select(id),
    }));
    details.scrollTop = 0;
  }

  function select(spanId: string | null, notify = true): void {
    if (spanId === selected && waterfall.selected === spanId) return;
    selected = spanId;
    waterfall.select(spanId);
    renderDetails();
    if (state) deps.persist({ traceId: state.traceId, selectedSpanId: spanId });
    if (notify) endpoint.notify('didSelectSpan', { spanId });
  }

  function apply(next: TracePanelState): void {
    const prev = state;
    state = next;
    const sameData = prev !== null && prev.detail !== null && next.detail !== null && prev.loadedAt === next.loadedAt && prev.traceId === next.traceId;
    renderHeader(next);
    switch (next.status) {
      case 'loading':
        showBanner('info', 'Loading trace…');
        break;
      case 'not-found':
        showBanner('warning', next.error ?? 'This trace is not in the store yet. It will appear when its spans arrive.');
        break;
      case 'no-collector':
      case 'error':
        showBanner(next.status === 'error' ? 'error' : 'warning', next.error ?? 'The collector is not reachable.');
        break;
      default:
        banner.hidden = true;
    }
    if (!sameData) {
      renderRun(next);
      layout = next.detail ? buildWaterfall(next.detail.spans) : null;
      index = next.detail ? new SpanIndex(next.detail.spans) : null;
      if (layout) waterfall.setLayout(layout, criticalPath(layout));
      else waterfall.setLayout(buildWaterfall([]), new Set());
      if (layout && (!selected || !layout.indexById.has(selected))) selected = defaultSelection(layout);
      waterfall.select(selected);
      renderDetails();
      if (layout && layout.duplicates > 0) showBanner('info', `${layout.duplicates} duplicate span id(s) were ignored.`);
      if (filter.value.trim()) runSearch();
    }
    deps.persist({ traceId: next.traceId, selectedSpanId: selected });
  }

  endpoint.handleNotification('didChangeState', apply);
  endpoint.handleCommand('selectSpan', ({ spanId }) => select(spanId, false));

  if (deps.initial) apply(deps.initial);
  waterfall.renderNow();
  waterfall.scroller.focus();

  return {
    waterfall,
    apply,
    select: (id) => select(id),
    get selectedSpanId() {
      return selected;
    },
  };
}
