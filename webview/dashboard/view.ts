// The dashboard: totals for a time range; cost over time stacked by model, service or prompt
// version; calls, error and refusal rates, latency percentiles, tokens per second and cache savings
// over time; TTFT and time-per-output-token distributions; spend per user, session or feature;
// latency and tokens by model, a per-model table and the costliest traces.

import { formatDateTime, formatDuration, formatInteger, formatPercent, formatTokens, formatUsd, formatClock } from '../../src/core/format';
import type { StatsDto } from '../../src/protocol/api';
import type { CostStackBy, DashboardSeries, SpendBy } from '../../src/protocol/dashboard';
import {
  TIME_RANGES,
  type DashboardHostToWebview,
  type DashboardPersistedState,
  type DashboardState,
  type DashboardWebviewToHost,
  type DashboardFilters,
  type MessageEndpoint,
  type TimeRangeKey,
} from '../../src/protocol/webview';
import { button, h, icon, replaceChildren } from '../shared/dom';
import { readThemeColors, watchTheme, type ThemeColors } from '../shared/theme';
import { renderAlerts, renderFilters, renderTopCalls, renderTopGroups } from './tops';
import { costOverTime, latencyByModel, tokensByModel, type BarData } from './chart-data';
import { STACK_LABELS, cacheSpec, costStackSpec, headlines, histogramSpec, latencySpec, ratesSpec, throughputSpec, type ChartSpec } from './series-data';
import { renderSpend } from './spend';

export interface ChartLike {
  update(data: BarData): void;
  setTheme(colors: ThemeColors): void;
}

export interface SeriesChartLike {
  update(spec: ChartSpec): void;
  setTheme(colors: ThemeColors): void;
}

export type SeriesChartKind = 'costStack' | 'rates' | 'latencyTime' | 'throughput' | 'cache' | 'ttft' | 'tpot';

export interface DashboardDeps {
  endpoint: MessageEndpoint<DashboardWebviewToHost, DashboardHostToWebview>;
  initial: DashboardState | null;
  persist: (state: DashboardPersistedState) => void;
  /** Makes a chart on a canvas; the entry passes chart.js, tests a recorder. */
  createChart: (canvas: HTMLCanvasElement, kind: 'cost' | 'latency' | 'tokens', colors: ThemeColors) => ChartLike;
  /** Makes a chart of the series over time (or of a distribution). */
  createSeriesChart: (canvas: HTMLCanvasElement, kind: SeriesChartKind, colors: ThemeColors) => SeriesChartLike;
}

export interface DashboardView {
  apply(state: DashboardState): void;
  readonly state: DashboardState | null;
}

export function mountDashboard(root: HTMLElement, deps: DashboardDeps): DashboardView {
  const { endpoint } = deps;
  let state: DashboardState | null = null;

  const rangeButtons = new Map<TimeRangeKey, HTMLButtonElement>();
  const picker = h('div', { id: 'range-picker', class: 'range-picker', role: 'group', attrs: { 'aria-label': 'Time range' } });
  for (const key of Object.keys(TIME_RANGES) as TimeRangeKey[]) {
    const b = button(key, null, () => setRange(key), { class: 'range-button', data: { range: key }, title: TIME_RANGES[key].label });
    rangeButtons.set(key, b);
    picker.appendChild(b);
  }
  const updated = h('span', { class: 'updated', id: 'updated-at' });
  const banner = h('div', { id: 'dashboard-status', class: 'banner', role: 'status', attrs: { hidden: true } });
  const cards = h('div', { id: 'summary-cards', class: 'cards' });
  const canvas = (id: string) => h('canvas', { id, attrs: { role: 'img' } });
  const costCanvas = canvas('chart-cost');
  const latencyCanvas = canvas('chart-latency');
  const tokensCanvas = canvas('chart-tokens');
  const costNote = h('span', { class: 'chart-note', id: 'cost-source' });
  const chartCard = (id: string, title: string, c: HTMLCanvasElement, note?: HTMLElement) =>
    h('section', { id, class: 'chart-card' }, h('h3', {}, title, note ?? null), h('div', { class: 'chart-box' }, c));
  const modelTable = h('div', { id: 'models', class: 'table-card' });
  const topTraces = h('div', { id: 'top-traces', class: 'table-card' });
  const filtersBar = h('div', { id: 'dashboard-filters', class: 'filters', role: 'group', attrs: { 'aria-label': 'Filters' } });
  const alertsBox = h('section', { id: 'dashboard-alerts', class: 'table-card alerts-card', attrs: { hidden: true } });
  const costliestCalls = h('div', { id: 'costliest-calls', class: 'table-card' });
  const slowestCalls = h('div', { id: 'slowest-calls', class: 'table-card' });
  const costliestPrompts = h('div', { id: 'costliest-prompts', class: 'table-card' });
  const costliestServices = h('div', { id: 'costliest-services', class: 'table-card' });
  let filters: DashboardFilters = deps.initial?.filters ?? {};
  let stackBy: CostStackBy = 'model';
  let spendBy: SpendBy = 'user';
  const stackSelect = h('select', { id: 'cost-stack-by', class: 'filter-select', attrs: { 'aria-label': 'Stack cost by' } });
  for (const [key, label] of Object.entries(STACK_LABELS)) stackSelect.appendChild(h('option', { attrs: { value: key } }, `by ${label.toLowerCase()}`));
  stackSelect.addEventListener('change', () => {
    stackBy = stackSelect.value as CostStackBy;
    if (state?.charts) seriesCharts.costStack.update(costStackSpec(state.charts, stackBy));
  });
  const seriesKinds: [SeriesChartKind, string, string][] = [
    ['costStack', 'card-cost-stacked', 'Cost over time'],
    ['rates', 'card-rates', 'Calls, error rate and refusal rate'],
    ['latencyTime', 'card-latency-time', 'Latency over time (p50 / p95 / p99, token-weighted)'],
    ['throughput', 'card-throughput', 'Tokens per second'],
    ['cache', 'card-cache', 'Cache hit rate and savings'],
    ['ttft', 'card-ttft', 'Time to first token'],
    ['tpot', 'card-tpot', 'Time per output token'],
  ];
  const seriesCanvases = new Map<SeriesChartKind, HTMLCanvasElement>();
  const headlineEls = new Map<SeriesChartKind, HTMLElement>();
  const seriesCards = seriesKinds.map(([kind, id, title]) => {
    const c = canvas(`chart-${id.slice(5)}`);
    seriesCanvases.set(kind, c);
    const headline = h('span', { class: 'chart-headline', data: { headline: kind } });
    headlineEls.set(kind, headline);
    return h('section', { id, class: 'chart-card', attrs: { hidden: true } },
      h('h3', {}, title, kind === 'costStack' ? stackSelect : null, headline), h('div', { class: 'chart-box' }, c));
  });
  const spendCard = h('div', { id: 'spend', class: 'table-card', attrs: { hidden: true } });

  replaceChildren(
    root,
    h(
      'div',
      { id: 'dashboard', class: 'dashboard' },
      h(
        'header',
        { class: 'dashboard-header' },
        icon('graph', 'dashboard-icon'),
        h('h1', {}, 'LLM usage'),
        h('span', { class: 'spacer' }),
        updated,
        picker,
        button('', 'refresh', () => reload(), { class: 'icon-button', id: 'reload', title: 'Reload' }),
      ),
      filtersBar,
      banner,
      alertsBox,
      cards,
      h(
        'div',
        { class: 'chart-grid' },
        ...seriesCards,
        chartCard('card-cost', 'Cost over time by model', costCanvas, costNote),
        chartCard('card-latency', 'Latency by model (p50 / p95 / p99)', latencyCanvas),
        chartCard('card-tokens', 'Tokens by model', tokensCanvas),
      ),
      h('div', { class: 'table-grid' }, spendCard, costliestCalls, slowestCalls, costliestPrompts, costliestServices),
      h('div', { class: 'table-grid' }, modelTable, topTraces),
    ),
  );

  let colors = readThemeColors();
  const charts = {
    cost: deps.createChart(costCanvas, 'cost', colors),
    latency: deps.createChart(latencyCanvas, 'latency', colors),
    tokens: deps.createChart(tokensCanvas, 'tokens', colors),
  };
  const seriesCharts = Object.fromEntries(seriesKinds.map(([kind]) => [kind, deps.createSeriesChart(seriesCanvases.get(kind)!, kind, colors)])) as Record<SeriesChartKind, SeriesChartLike>;
  watchTheme((next) => {
    colors = next;
    for (const c of Object.values(charts)) c.setTheme(next);
    for (const c of Object.values(seriesCharts)) c.setTheme(next);
  });

  function renderSeries(s: DashboardSeries | null | undefined): void {
    for (const card of seriesCards) card.hidden = !s;
    spendCard.hidden = !s;
    // The per-model cost chart stays for a collector without the series.
    costCanvas.closest('section')!.hidden = Boolean(s);
    if (!s) return;
    seriesCharts.costStack.update(costStackSpec(s, stackBy));
    seriesCharts.rates.update(ratesSpec(s));
    seriesCharts.latencyTime.update(latencySpec(s));
    seriesCharts.throughput.update(throughputSpec(s));
    seriesCharts.cache.update(cacheSpec(s));
    seriesCharts.ttft.update(histogramSpec(s.ttftHistogram, 'Calls'));
    seriesCharts.tpot.update(histogramSpec(s.tpotHistogram, 'Calls'));
    const text = headlines(s);
    const keyOf: Record<SeriesChartKind, keyof typeof text> = { costStack: 'cost', rates: 'rates', latencyTime: 'latency', throughput: 'throughput', cache: 'cache', ttft: 'ttft', tpot: 'tpot' };
    for (const [kind, el] of headlineEls) el.textContent = text[keyOf[kind]];
    // An empty distribution says why instead of drawing bare axes.
    const emptyNote = (kind: SeriesChartKind, n: number, what: string) => {
      const c = seriesCanvases.get(kind)!;
      const box = c.parentElement!;
      box.hidden = n === 0;
      let note = box.nextElementSibling as HTMLElement | null;
      if (!note) box.after((note = h('div', { class: 'empty' })));
      note.hidden = n > 0;
      note.textContent = `No ${what} in this range.`;
      c.setAttribute('aria-label', n === 0 ? note.textContent : `${what}: ${text[keyOf[kind]]}`);
    };
    emptyNote('ttft', s.ttftHistogram.length, 'calls with a measured time to first token');
    emptyNote('tpot', s.tpotHistogram.length, 'streamed calls with several output tokens');
    renderSpend(spendCard, s.spendBy, spendBy, (next) => {
      spendBy = next;
      renderSeries(state?.charts);
    }, (traceId) => endpoint.command('openTrace', { traceId }));
  }

  function showBanner(kind: 'info' | 'warning' | 'error', text: string): void {
    banner.hidden = false;
    banner.className = `banner banner-${kind}`;
    replaceChildren(banner, icon(kind === 'info' ? 'info' : kind), h('span', {}, text));
  }

  function markRange(range: TimeRangeKey): void {
    for (const [key, b] of rangeButtons) {
      b.setAttribute('aria-pressed', key === range ? 'true' : 'false');
      b.classList.toggle('active', key === range);
    }
  }

  function setRange(range: TimeRangeKey): void {
    markRange(range);
    deps.persist({ range });
    showBanner('info', `Loading the last ${TIME_RANGES[range].label}…`);
    endpoint.request('setRange', { range }).then(apply, (err: Error) => showBanner('error', err.message));
  }

  function setFilters(next: DashboardFilters): void {
    filters = next;
    deps.persist({ range: state?.range ?? '1h', filters });
    endpoint.request('setFilters', next).then(apply, (err: Error) => showBanner('error', err.message));
  }

  function reload(): void {
    endpoint.request('reload', {}).then(apply, (err: Error) => showBanner('error', err.message));
  }

  function renderCards(stats: StatsDto | null, series: DashboardSeries | null | undefined): void {
    const card = (key: string, label: string, value: string, sub?: string) =>
      h('div', { class: 'card', data: { card: key } }, h('div', { class: 'card-label' }, label), h('div', { class: 'card-value' }, value), sub ? h('div', { class: 'card-sub' }, sub) : null);
    if (!stats) {
      replaceChildren(cards);
      return;
    }
    replaceChildren(
      cards,
      card('calls', 'LLM calls', formatInteger(stats.calls)),
      card('errors', 'Errors', formatInteger(stats.errors), stats.calls > 0 ? `${formatPercent(stats.errors / stats.calls)} of calls` : undefined),
      card('cost', 'Cost', formatUsd(stats.costUsd)),
      card('tokens', 'Tokens', `${formatTokens(stats.inputTokens)} in · ${formatTokens(stats.outputTokens)} out`,
        `${formatTokens(stats.cachedInputTokens)} cached · ${formatTokens(stats.reasoningTokens)} reasoning`),
      card('latency', 'Latency p50 / p95 / p99', [stats.latencyMs.p50, stats.latencyMs.p95, stats.latencyMs.p99].map(formatDuration).join(' / ')),
      card('ttft', 'Time to first token p50 / p95', [stats.ttftMs.p50, stats.ttftMs.p95].map(formatDuration).join(' / ')),
      card('cache', 'Cache hit rate', stats.inputTokens > 0 ? formatPercent(stats.cachedInputTokens / stats.inputTokens) : '—', 'cached input tokens over input tokens'),
      series ? card('cache-savings', 'Cache savings', formatUsd(series.totals.cacheSavingsUsd), 'at the uncached input price') : null,
    );
  }

  function renderModels(stats: StatsDto | null): void {
    const rows = [...(stats?.byModel ?? [])].sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls);
    const head = h('tr', {}, ...['Model', 'Provider', 'Calls', 'Errors', 'Cost', 'Input', 'Output', 'p50', 'p95', 'p99'].map((t) => h('th', {}, t)));
    const body = h('tbody');
    for (const m of rows) {
      body.appendChild(
        h(
          'tr',
          { data: { model: m.model } },
          h('td', { class: 'model-name' }, m.model),
          h('td', {}, m.provider ?? '—'),
          h('td', { class: 'num' }, formatInteger(m.calls)),
          h('td', { class: `num${m.errors > 0 ? ' has-errors' : ''}` }, formatInteger(m.errors)),
          h('td', { class: 'num' }, formatUsd(m.costUsd)),
          h('td', { class: 'num' }, formatTokens(m.inputTokens)),
          h('td', { class: 'num' }, formatTokens(m.outputTokens)),
          h('td', { class: 'num' }, formatDuration(m.latencyMs.p50)),
          h('td', { class: 'num' }, formatDuration(m.latencyMs.p95)),
          h('td', { class: 'num' }, formatDuration(m.latencyMs.p99)),
        ),
      );
    }
    replaceChildren(
      modelTable,
      h('h3', {}, 'By model'),
      rows.length > 0 ? h('table', { id: 'model-table', class: 'data-table' }, h('thead', {}, head), body) : h('div', { class: 'empty' }, 'No calls in this range.'),
    );
  }

  function renderTopTraces(s: DashboardState): void {
    const list = h('ol', { class: 'top-traces' });
    for (const t of s.topTraces) {
      const open = button(t.rootName ?? t.traceId.slice(0, 16), t.status === 'error' ? 'error' : 'pulse', () => endpoint.command('openTrace', { traceId: t.traceId }), {
        class: 'link-button trace-link',
        data: { traceId: t.traceId },
        title: `${t.traceId}\n${formatDateTime(t.startTime)}`,
      });
      list.appendChild(
        h('li', { class: 'top-trace' }, open, h('span', { class: 'top-trace-meta' }, `${formatUsd(t.costUsd, t.costEstimated)} · ${formatDuration(t.durationMs)} · ${t.models.join(', ')}`)),
      );
    }
    replaceChildren(topTraces, h('h3', {}, 'Costliest traces'), s.topTraces.length > 0 ? list : h('div', { class: 'empty' }, 'No priced traces in this range.'));
  }

  function apply(next: DashboardState): void {
    state = next;
    markRange(next.range);
    updated.textContent = next.loadedAt ? `Updated ${formatClock(next.loadedAt)}` : '';
    if (next.status === 'loading') showBanner('info', 'Loading…');
    else if (next.status === 'no-collector') showBanner('warning', next.error ?? 'The Spyglass collector is not running.');
    else if (next.status === 'error') showBanner('error', next.error ?? 'Loading failed.');
    else if (next.stats && next.stats.calls === 0)
      showBanner('info', `No LLM calls in the last ${TIME_RANGES[next.range].label}. Point an app at the collector (command "Spyglass: Copy Environment") and its calls appear here.`);
    else banner.hidden = true;

    renderCards(next.stats, next.charts);
    renderSeries(next.charts);
    costNote.textContent = next.seriesSource === 'trace-list' ? ' (per trace; traces with several models are shown as one)' : '';
    if (next.series) charts.cost.update(costOverTime(next.series));
    if (next.stats) {
      charts.latency.update(latencyByModel(next.stats));
      charts.tokens.update(tokensByModel(next.stats));
    }
    renderModels(next.stats);
    renderTopTraces(next);
    if (next.filters) filters = next.filters;
    renderFilters(filtersBar, next.tops, filters, setFilters);
    renderAlerts(alertsBox, next.alerts ?? []);
    const open = (traceId: string) => endpoint.command('openTrace', { traceId });
    if (next.tops !== undefined) {
      renderTopCalls(costliestCalls, 'Costliest calls', 'costliest-call-list', next.tops?.costliestCalls ?? [], open);
      renderTopCalls(slowestCalls, 'Slowest calls', 'slowest-call-list', next.tops?.slowestCalls ?? [], open);
      renderTopGroups(costliestPrompts, 'Costliest prompts', 'costliest-prompt-list', next.tops?.costliestPrompts ?? [], 'prompt', open);
      renderTopGroups(costliestServices, 'Costliest services', 'costliest-service-list', next.tops?.costliestServices ?? [], 'service', open);
    }
  }

  endpoint.handleNotification('didChangeState', apply);
  if (deps.initial) apply(deps.initial);

  return {
    apply,
    get state() {
      return state;
    },
  };
}
