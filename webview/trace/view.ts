// The trace panel: header with the trace's totals and the user's rating of it, the waterfall,
// and the selected span's details. The spans arrive as a light outline (whole once, then
// patches); a span's detail is asked for when it is selected, kept in a small cache, and asked
// for again when a patch says the span changed.

import { buildWaterfall, criticalPath, type WaterfallLayout } from '../../src/core/span-tree';
import { formatDateTime, formatDuration, formatInteger, formatTokens, formatUsd } from '../../src/core/format';
import type { AnnotationDto, NewUserAnnotation, SpanDetail, SpanDto, TraceOutline, TraceSummary } from '../../src/protocol/api';
import { parseOutlineMessage, type MessageEndpoint, type OutlineMessage, type TraceHostToWebview, type TracePanelState, type TraceLayout, type TracePersistedState, type TraceWebviewToHost } from '../../src/protocol/webview';
import { button, h, icon, replaceChildren } from '../shared/dom';
import { kindCount } from './annotations';
import { renderSpanDetails, renderSpanPlaceholder } from './details';
import { ownFeedback, renderFeedback, type FeedbackUiState, type Thumb } from './feedback';
import { isLlmCall } from '../../src/protocol/outline';
import { OutlineStore, type OutlineSpan } from './outline';
import { OutlineIndex } from './search';
import { renderAgentRun } from './agent-run';
import type { Reading } from './conversation';
import { highlightText } from './find-highlight';
import { splitter } from './splitter';
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
  applyOutline(outline: TraceOutline): void;
  select(spanId: string | null): void;
  readonly selectedSpanId: string | null;
  /** Settles when the selected span's detail is shown (tests, benches). */
  detailShown(): Promise<void>;
  /**
   * Adds buttons to the selected span's action bar (replay, compare, …): called on every render
   * of a span's details; return the buttons for that span, or none.
   */
  addSpanActions(render: (span: SpanDto) => HTMLElement[]): void;
}

/** Details kept for spans visited lately; the rest are asked for again. */
const DETAIL_CACHE = 200;
/** Pause after the last keystroke before the host searches message text. */
const TEXT_SEARCH_DELAY_MS = 200;


/** The span to show first: the first LLM call (what people open a trace for), else the first row. */
function defaultSelection(layout: WaterfallLayout<OutlineSpan>): string | null {
  const firstCall = layout.rows.find((r) => isLlmCall(r.span));
  return (firstCall ?? layout.rows[0])?.span.spanId ?? null;
}

/** The focused control inside `container` (by id), to focus again after it is rebuilt. */
function focusedField(container: HTMLElement): { restore(container: HTMLElement): void } | null {
  const el = container.ownerDocument.activeElement as HTMLElement | null;
  if (!el || !el.id || !container.contains(el)) return null;
  const range = el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement ? [el.selectionStart, el.selectionEnd] : null;
  return {
    restore(c) {
      const again = c.ownerDocument.getElementById(el.id);
      if (!again || !c.contains(again)) return;
      again.focus();
      if (range && (again instanceof HTMLTextAreaElement || again instanceof HTMLInputElement)) again.setSelectionRange(range[0], range[1]);
    },
  };
}

function freshUi(): FeedbackUiState {
  return { commentOpen: false, draft: null, status: '' };
}

export function mountTraceView(root: HTMLElement, deps: TraceViewDeps): TraceView {
  const { endpoint } = deps;
  let state: TracePanelState | null = null;
  const store = new OutlineStore();
  let layout: WaterfallLayout<OutlineSpan> | null = null;
  let selected: string | null = deps.persisted?.selectedSpanId ?? deps.initial?.selectedSpanId ?? null;
  /** An annotation to scroll to once the selected span's details show (see revealIn). */
  let revealAnnotation: string | null = null;
  const details = new Map<string, SpanDetail>();
  /** Cached details a patch said changed: still shown, asked for again. */
  const stale = new Set<string>();
  const pending = new Map<string, Promise<SpanDetail>>();
  const failed = new Map<string, string>();
  let shown: { spanId: string; resolve: () => void; promise: Promise<void> } | null = null;
  /** Trace-level annotations the user made in this panel, until the host's state has them. */
  let traceAnnotations: AnnotationDto[] = [];
  /** Trace-level annotations the user removed or replaced here, until the host's state drops them. */
  let traceHidden = new Set<string>();
  const spanUi = new Map<string, FeedbackUiState>();
  let traceUi = freshUi();
  const spanActions: ((span: SpanDto) => HTMLElement[])[] = [];
  /** Messages the reader switched to raw text, by `spanId:side:index`. */
  const rawMessages = new Set<string>();
  const reading: Reading = {
    copy: (text, what) => endpoint.command('copyText', { text, what }),
    openLink: (url) => endpoint.command('openLink', { url }),
    isRaw: (key) => rawMessages.has(key),
    setRaw: (key, raw) => {
      if (raw) rawMessages.add(key);
      else rawMessages.delete(key);
    },
  };
  function persistNow(): void {
    if (state) deps.persist({ traceId: state.traceId, selectedSpanId: selected, layout: layoutSizes });
  }
  /** Reveal the first match in the details after the next render (a find, a step to a hit). */
  let revealFind = false;

  const header = h('header', { id: 'trace-header', class: 'trace-header' });
  const banner = h('div', { id: 'trace-status', class: 'banner', role: 'status', attrs: { hidden: true } });
  const detailsPane = h('section', { id: 'span-details', class: 'details-pane', attrs: { 'aria-live': 'polite' } });
  /** Whether the details pane may be scrolled away from the top (known from its scroll events, without a layout). */
  let detailsScrolled = false;
  detailsPane.addEventListener('scroll', () => (detailsScrolled = detailsPane.scrollTop > 0), { passive: true });
  // Splitter sizes: this panel's own (kept through a reload), else the last the user chose anywhere.
  let layoutSizes: TraceLayout = deps.persisted?.layout ?? deps.initial?.layout ?? { waterfallPx: null, namePx: null };
  const saveLayout = (next: Partial<TraceLayout>) => {
    layoutSizes = { ...layoutSizes, ...next };
    endpoint.command('saveLayout', layoutSizes);
    persistNow();
  };
  const waterfall = new Waterfall({ onSelect: (id) => select(id), namePx: layoutSizes.namePx, onNameWidth: (px) => saveLayout({ namePx: px }) });
  const index = new OutlineIndex(() => store.spans());

  // ---- find: names at once from the outline, message text from the host ----
  let localHits: string[] = [];
  let textHits: string[] = [];
  let hits: string[] = [];
  let searched = '';
  let textQuery = '';
  let textPending = false;
  let stepWhenFound = 0;
  const filter = h('input', { id: 'span-filter', class: 'filter-input', attrs: { type: 'search', placeholder: 'Find in spans: name, attribute, message text', 'aria-label': 'Find in spans' } });
  const hitCount = h('span', { id: 'span-filter-count', class: 'filter-count', attrs: { 'aria-live': 'polite' } });
  const order = () => (layout ? layout.rows.map((r) => r.span.spanId) : []);
  const showCount = () => {
    const q = filter.value.trim();
    const more = textPending ? ' · searching text…' : '';
    hitCount.textContent = q ? (hits.length > 0 ? `${hits.length} found${more}` : textPending ? 'Searching text…' : 'No match') : '';
  };
  const mergeHits = () => {
    const all = new Set([...localHits, ...textHits]);
    hits = textHits.length === 0 ? localHits : order().filter((id) => all.has(id));
    waterfall.setMatches(new Set(hits));
    showCount();
  };
  const step = (delta: number) => {
    if (hits.length === 0) return;
    const at = selected ? hits.indexOf(selected) : -1;
    const next = hits[(at + delta + hits.length) % hits.length];
    revealFind = true;
    select(next);
    if (next === selected) markFound(true);
    hitCount.textContent = `${hits.indexOf(next) + 1} of ${hits.length}`;
  };
  let textTimer: ReturnType<typeof setTimeout> | undefined;
  const searchText = (query: string) => {
    clearTimeout(textTimer);
    textQuery = query;
    if (!query) {
      textPending = false;
      return;
    }
    textPending = true;
    endpoint.request('findText', { query }).then(
      (result) => {
        if (result.query !== textQuery) return;
        textPending = false;
        textHits = result.spanIds.filter((id) => store.get(id));
        mergeHits();
        if (stepWhenFound !== 0 && hits.length > 0) {
          const d = stepWhenFound;
          stepWhenFound = 0;
          step(d);
        }
      },
      (err: Error) => {
        if (query !== textQuery) return;
        textPending = false;
        stepWhenFound = 0;
        showCount();
        hitCount.title = `Message text was not searched: ${err.message}`;
      },
    );
  };
  const runSearch = (textDelayMs = TEXT_SEARCH_DELAY_MS) => {
    searched = filter.value;
    const q = filter.value.trim();
    localHits = index.find(q, order());
    textHits = [];
    hitCount.title = '';
    clearTimeout(textTimer);
    textPending = q !== '';
    if (textDelayMs <= 0) searchText(q);
    else textTimer = setTimeout(() => searchText(q), textDelayMs);
    mergeHits();
    markFound(false);
  };
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  filter.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => runSearch(), 120);
  });
  filter.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(searchTimer);
      if (filter.value !== searched) runSearch(0);
      else if (textPending && textQuery !== filter.value.trim()) searchText(filter.value.trim());
      const delta = e.shiftKey ? -1 : 1;
      if (hits.length === 0 && textPending) stepWhenFound = delta;
      else step(delta);
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
  const body = h('div', { class: 'trace-body' });
  const setWaterfallWidth = (px: number | null) => {
    if (px === null) body.style.removeProperty('--waterfall-w');
    else body.style.setProperty('--waterfall-w', `${px}px`);
  };
  setWaterfallWidth(layoutSizes.waterfallPx);
  body.append(waterfall.element, splitter({
    id: 'details-splitter',
    label: 'Timeline and details width',
    current: () => waterfall.element.getBoundingClientRect().width,
    min: () => 240,
    max: () => Math.max(260, body.getBoundingClientRect().width - 240),
    onResize: setWaterfallWidth,
    onCommit: (px) => saveLayout({ waterfallPx: px }),
  }), detailsPane);
  // The agent-run view: a second tab, shown when the outline has agent spans. Its model needs
  // every span's attributes and linked traces, so the host builds it when the tab shows.
  const runPane = h('section', { id: 'agent-run-pane', class: 'agent-run-pane', role: 'tabpanel', attrs: { hidden: true, 'aria-labelledby': 'tab-agent-run' } });
  let view: 'waterfall' | 'agent-run' = 'waterfall';
  let runAsked = 0;
  let runTimer: ReturnType<typeof setTimeout> | undefined;
  const tabWaterfall = button('Waterfall', 'list-tree', () => showView('waterfall'), { id: 'tab-waterfall', class: 'tab', role: 'tab' });
  const tabRun = button('Agent run', 'hubot', () => showView('agent-run'), { id: 'tab-agent-run', class: 'tab', role: 'tab' });
  const tabs = h('div', { class: 'trace-tabs', role: 'tablist', attrs: { hidden: true, 'aria-label': 'Trace views' } }, tabWaterfall, tabRun);
  function showView(next: 'waterfall' | 'agent-run'): void {
    const was = view;
    view = next;
    body.hidden = next !== 'waterfall';
    runPane.hidden = next !== 'agent-run';
    tabWaterfall.setAttribute('aria-selected', String(next === 'waterfall'));
    tabRun.setAttribute('aria-selected', String(next === 'agent-run'));
    if (next === 'agent-run' && was !== next) loadRun();
  }
  function loadRun(): void {
    const asked = ++runAsked;
    if (!runPane.querySelector('.agent-run')) {
      replaceChildren(runPane, h('div', { class: 'detail-loading' }, icon('loading', 'codicon-modifier-spin'), h('span', {}, 'Reading the agent run…')));
    }
    endpoint.request('agentRun', {}).then(
      (run) => {
        if (asked !== runAsked) return;
        replaceChildren(runPane, renderAgentRun(run, {
          traceId: state?.traceId ?? '',
          onSelect: (id) => {
            showView('waterfall');
            select(id);
          },
          onOpenTrace: (traceId, spanId) => endpoint.command('openTrace', { traceId, spanId }),
        }));
      },
      (err: Error) => {
        if (asked === runAsked) replaceChildren(runPane, h('div', { class: 'agent-run empty', id: 'agent-run' }, `Could not read the agent run: ${err.message}`));
      },
    );
  }
  /** The outline changed: the tab shows for agent spans, and a shown run is read again (coalesced). */
  function outlineChangedRun(): void {
    const agents = store.spans().some((s) => s.category === 'agent');
    tabs.hidden = !agents;
    if (!agents && view === 'agent-run') showView('waterfall');
    clearTimeout(runTimer);
    if (view === 'agent-run') runTimer = setTimeout(loadRun, 500);
    else replaceChildren(runPane);
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

  // ---- the user's feedback ----

  /** Adds the user's annotation; their earlier feedback on the same target is replaced (as the collector does). */
  async function annotate(spanId: string | null, annotation: NewUserAnnotation): Promise<AnnotationDto> {
    const created = await endpoint.request('annotate', { spanId, annotation });
    const before = spanId === null ? currentTraceAnnotations() : details.get(spanId)?.annotations ?? [];
    const drop = new Set(annotation.kind === 'feedback' ? ownFeedback(before).map((a) => a.id) : []);
    if (spanId === null) traceHidden = new Set([...traceHidden, ...drop]);
    if (spanId === null) traceAnnotations = [...traceAnnotations.filter((a) => !drop.has(a.id)), created];
    else {
      const d = details.get(spanId);
      if (d) details.set(spanId, { ...d, annotations: [...d.annotations.filter((a) => !drop.has(a.id)), created] });
    }
    return created;
  }

  async function removeAnnotations(spanId: string | null, ids: readonly string[]): Promise<void> {
    for (const id of ids) await endpoint.request('deleteAnnotation', { id });
    const drop = new Set(ids);
    if (spanId === null) {
      traceAnnotations = traceAnnotations.filter((a) => !drop.has(a.id));
      traceHidden = new Set([...traceHidden, ...drop]);
    }
    else {
      const d = details.get(spanId);
      if (d) details.set(spanId, { ...d, annotations: d.annotations.filter((a) => !drop.has(a.id)) });
    }
  }

  function focusIn(container: HTMLElement, target: 'call' | 'trace', focus: 'text' | Thumb | null): void {
    if (!focus) return;
    const el = container.querySelector<HTMLElement>(focus === 'text' ? `#feedback-${target}-text` : `#feedback-${target}-${focus}`);
    el?.focus();
  }

  /** The trace's own annotations: the host's view, with what the user did here since. */
  function currentTraceAnnotations(): AnnotationDto[] {
    const fromHost = (state?.traceAnnotations ?? []).filter((a) => !traceHidden.has(a.id));
    const seen = new Set(fromHost.map((a) => a.id));
    return [...fromHost, ...traceAnnotations.filter((a) => !seen.has(a.id))];
  }

  function traceFeedback(): HTMLElement {
    return renderFeedback({
      target: 'trace',
      mine: ownFeedback(currentTraceAnnotations()),
      ui: traceUi,
      handlers: {
        submit: (label, comment) => annotate(null, { kind: 'feedback', label, ...(comment ? { explanation: comment } : {}) }),
        remove: (ids) => removeAnnotations(null, ids),
        changed: (focus) => {
          if (state) renderHeader(state);
          focusIn(header, 'trace', focus);
        },
      },
    });
  }

  function callFeedback(span: SpanDto): HTMLElement | null {
    if (!span.llm) return null;
    let ui = spanUi.get(span.spanId);
    if (!ui) {
      ui = freshUi();
      spanUi.set(span.spanId, ui);
    }
    return renderFeedback({
      target: 'call',
      mine: ownFeedback(span.annotations),
      ui,
      handlers: {
        submit: (label, comment) => annotate(span.spanId, { kind: 'feedback', label, ...(comment ? { explanation: comment } : {}) }),
        remove: (ids) => removeAnnotations(span.spanId, ids),
        changed: (focus) => {
          if (selected !== span.spanId) return;
          renderDetails(true);
          focusIn(detailsPane, 'call', focus);
        },
      },
    });
  }

  // ---- header ----

  function renderHeader(s: TracePanelState): void {
    const t: TraceSummary | null = s.trace;
    const title = t?.rootName ?? `Trace ${s.traceId}`;
    const stat = (key: string, label: string, value: string) => h('span', { class: 'stat', data: { stat: key } }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value));
    const counts = t?.annotationCounts ?? {};
    const noted = Object.keys(counts).filter((k) => k !== 'feedback' && (counts[k] ?? 0) > 0);
    const fb = t?.feedback;
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
        t ? traceFeedback() : null,
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
            fb && fb.up + fb.down > 0 ? stat('feedback', 'Feedback', `${formatInteger(fb.up)} up · ${formatInteger(fb.down)} down`) : null,
            noted.length > 0 ? stat('annotations', 'Annotations', noted.map((k) => kindCount(k, counts[k] ?? 0)).join(', ')) : null,
          )
        : null,
    );
  }

  // ---- details ----

  function requestDetail(spanId: string): Promise<SpanDetail> {
    let p = pending.get(spanId);
    if (!p) {
      p = endpoint.request('spanDetail', { spanId });
      pending.set(spanId, p);
      p.then(
        (d) => {
          if (pending.get(spanId) !== p) return; // a patch asked again meanwhile
          pending.delete(spanId);
          failed.delete(spanId);
          stale.delete(spanId);
          details.delete(spanId); // re-inserted: the cache drops the least recently loaded
          details.set(spanId, d);
          while (details.size > DETAIL_CACHE) details.delete(details.keys().next().value!);
          if (spanId === selected) renderDetails(true);
        },
        (err: Error) => {
          if (pending.get(spanId) !== p) return;
          pending.delete(spanId);
          failed.set(spanId, err.message);
          if (spanId === selected) renderDetails(true);
        },
      );
    }
    return p;
  }

  function settleShown(): void {
    if (shown && shown.spanId === selected && selected && details.has(selected)) {
      shown.resolve();
      shown = null;
    }
  }

  /** `keepScroll`: the same span again (new detail, a rating): stay where the reader is. */
  function renderDetails(keepScroll = false): void {
    const rowIndex = selected && layout ? layout.indexById.get(selected) : undefined;
    if (!layout || rowIndex === undefined || !selected) {
      replaceChildren(detailsPane, h('div', { class: 'empty' }, layout && layout.rows.length > 0 ? 'Select a span.' : ''));
      return;
    }
    const row = layout.rows[rowIndex];
    const parent = row.parentIndex >= 0 ? layout.rows[row.parentIndex].span.name : null;
    // Reading or setting scrollTop lays the page out there and then: only when it must move.
    const scrollTop = keepScroll ? detailsPane.scrollTop : 0;
    const focus = keepScroll ? focusedField(detailsPane) : null;
    const detail = details.get(selected);
    if (detail) {
      if (stale.has(selected)) void requestDetail(selected).catch(() => undefined);
      replaceChildren(detailsPane, renderSpanDetails(detail, row, parent, {
        onOpenSource: (path, line) => endpoint.command('openSource', { path, line }),
        onOpenJson: (spanId) => endpoint.command('openJson', { spanId }),
        onSelect: (id) => select(id),
        onDeleteAnnotation: (id) => {
          const spanId = detail.spanId;
          void removeAnnotations(spanId, [id]).then(() => {
            if (selected === spanId) renderDetails(true);
          }, (err: Error) => showBanner('error', `Could not remove: ${err.message}`));
        },
        feedback: callFeedback,
        callActions: {
          onCallAction: (spanId, action) => endpoint.command('callAction', { spanId, action }),
          onOpenTrace: (traceId, spanId) => endpoint.command('openTrace', { traceId, spanId }),
        },
        reading,
        actions: (span) => spanActions.flatMap((render) => render(span)),
      }));
      settleShown();
    } else {
      replaceChildren(detailsPane, renderSpanPlaceholder(row.span, row, parent, { onSelect: (id) => select(id) }, failed.get(selected) ?? null));
      if (!failed.has(selected)) void requestDetail(selected).catch(() => undefined);
    }
    if (keepScroll || detailsScrolled) detailsPane.scrollTop = scrollTop;
    focus?.restore(detailsPane);
    // After the scroll is restored: revealing a match scrolls to it.
    if (detail) markFound(revealFind);
    if (detail && revealAnnotation) revealIn(detailsPane, revealAnnotation);
  }

  /** Marks the find query's matches in the shown details; `reveal` scrolls to the first. */
  function markFound(reveal: boolean): void {
    const shownDetail = detailsPane.querySelector<HTMLElement>('.span-details:not(.loading)');
    if (!shownDetail) return;
    const first = highlightText(shownDetail, filter.value.trim());
    if (reveal) {
      revealFind = false;
      first?.scrollIntoView({ block: 'center' });
    }
  }

  /** Asked to show an annotation (a guardrail hit opened from the Guardrails view): its marked range, else its entry in the list. */
  function revealIn(pane: HTMLElement, id: string): void {
    const selector = `[data-annotation-id="${CSS.escape(id)}"]`;
    const target = pane.querySelector<HTMLElement>(`mark${selector}`) ?? pane.querySelector<HTMLElement>(selector);
    if (!target) return;
    revealAnnotation = null;
    target.scrollIntoView?.({ block: 'center' });
    target.classList.add('revealed');
    target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
  }

  function select(spanId: string | null, notify = true): void {
    if (spanId === selected && waterfall.selected === spanId) return;
    selected = spanId;
    waterfall.select(spanId);
    if (spanId) failed.delete(spanId);
    renderDetails();
    persistNow();
    if (notify) endpoint.notify('didSelectSpan', { spanId });
  }

  // ---- data from the host ----

  let criticalTimer: ReturnType<typeof setTimeout> | undefined;
  function relayout(): void {
    layout = store.size > 0 ? buildWaterfall(store.spans()) : null;
    index.reset();
    waterfall.setLayout(layout ?? buildWaterfall<OutlineSpan>([]), new Set());
    clearTimeout(criticalTimer);
    const laidOut = layout;
    if (laidOut) criticalTimer = setTimeout(() => laidOut === layout && waterfall.setCritical(criticalPath(laidOut)), 0);
    if (layout && (!selected || !layout.indexById.has(selected))) selected = defaultSelection(layout);
    waterfall.select(selected);
    if (layout && layout.duplicates > 0) showBanner('info', `${layout.duplicates} duplicate span id(s) were ignored.`);
    outlineChangedRun();
  }

  /** The outline shown is a preview (the first spans by start); the whole one is on its way. */
  let previewShown = false;
  function applyOutline(outline: TraceOutline): void {
    const before = selected;
    const fromPreview = previewShown;
    previewShown = outline.preview === true;
    const changed = store.apply(outline);
    // The whole outline after its preview is the same trace at the same moment: details stay.
    if (!outline.partial && !fromPreview) {
      details.clear();
      stale.clear();
      pending.clear();
      failed.clear();
    } else {
      for (const id of changed) {
        if (details.has(id)) stale.add(id);
        pending.delete(id);
        failed.delete(id);
      }
    }
    relayout();
    if (previewShown) showBanner('info', `Showing the first ${formatInteger(outline.spanId.length)} of ${formatInteger(outline.trace.spanCount)} spans; reading the rest…`);
    else if (fromPreview && !(layout && layout.duplicates > 0) && state?.status !== 'error') banner.hidden = true;
    if (!outline.partial && !previewShown) performance.mark('spyglass:outline-complete');
    // A whole outline is the first paint (or a reload): rows now, not a frame later.
    if (!outline.partial && !fromPreview) {
      waterfall.renderNow();
      performance.mark('spyglass:rows');
      // After the frame that paints them: what a person sees.
      if (!performance.getEntriesByName('spyglass:painted').length) requestAnimationFrame(() => setTimeout(() => performance.mark('spyglass:painted'), 0));
    }
    const sameSpan = before === selected;
    if (!sameSpan || !outline.partial || (selected !== null && changed.includes(selected))) renderDetails(sameSpan);
    if (state) {
      state = { ...state, trace: outline.trace };
      renderHeader(state);
    }
    if (filter.value.trim()) runSearch(outline.partial ? TEXT_SEARCH_DELAY_MS : 0);
    if (selected) persistNow();
  }

  function apply(next: TracePanelState): void {
    const prev = state;
    state = next;
    if (next.traceAnnotations) {
      // The host's list is current again: what it has, it shows; what it lacks is gone.
      const known = new Set(next.traceAnnotations.map((a) => a.id));
      traceAnnotations = traceAnnotations.filter((a) => !known.has(a.id));
      traceHidden = new Set([...traceHidden].filter((id) => known.has(id)));
    }
    if (!state.trace && store.trace) state = { ...state, trace: store.trace };
    renderHeader(state);
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
        if (!(layout && layout.duplicates > 0)) banner.hidden = true;
    }
    if (next.status === 'not-found' && store.size > 0) {
      // Deleted from the store (cleared, or aged out): nothing left to show.
      store.clear();
      details.clear();
      relayout();
      renderDetails();
    }
    if (prev?.selectedSpanId !== next.selectedSpanId && next.selectedSpanId && next.selectedSpanId !== selected && store.get(next.selectedSpanId)) {
      select(next.selectedSpanId, false);
    }
    persistNow();
  }

  endpoint.handleNotification('didChangeState', apply);
  const receiveOutline = (message: OutlineMessage) => {
    performance.mark('spyglass:outline-received');
    const outline = parseOutlineMessage(message);
    if (outline) applyOutline(outline);
    else showBanner('error', 'The trace came in a shape this panel does not know. Reload, or update Spyglass.');
  };
  /** Outlines that came while a preview waits for its first frame, in order. */
  let heldOutlines: OutlineMessage[] | null = null;
  endpoint.handleNotification('didChangeOutline', (message) => {
    if (heldOutlines) {
      heldOutlines.push(message);
      return;
    }
    receiveOutline(message);
    if (previewShown) {
      // The preview's rows are in the DOM; reading the whole outline now would keep the browser
      // from painting them until it is done. It waits for the frame that shows them.
      heldOutlines = [];
      requestAnimationFrame(() => setTimeout(() => {
        const held = heldOutlines ?? [];
        heldOutlines = null;
        for (const m of held) receiveOutline(m);
      }, 0));
    }
  });
  endpoint.handleCommand('selectSpan', ({ spanId, annotationId }) => {
    revealAnnotation = annotationId ?? null;
    if (store.get(spanId)) {
      if (spanId === selected) renderDetails();
      else select(spanId, false);
    }
    else selected = spanId; // not here yet: chosen when the outline brings it
  });

  if (deps.initial) apply(deps.initial);
  waterfall.renderNow();
  waterfall.scroller.focus();

  return {
    waterfall,
    apply,
    applyOutline,
    select: (id) => select(id),
    get selectedSpanId() {
      return selected;
    },
    addSpanActions(render) {
      spanActions.push(render);
      renderDetails(true);
    },
    detailShown() {
      if (selected && details.has(selected)) return Promise.resolve();
      if (!shown || shown.spanId !== selected) {
        let resolve = () => undefined as void;
        const promise = new Promise<void>((r) => (resolve = r));
        shown = { spanId: selected ?? '', resolve, promise };
      }
      return shown.promise;
    },
  };
}
