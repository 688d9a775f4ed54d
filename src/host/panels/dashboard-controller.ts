// The host side of the dashboard: stats, cost-over-time series and the costliest traces of a
// rolling time range, reloaded when the collector reports new data.

import type { CollectorEvent, TraceListPage, TraceSummary } from '../../protocol/api';
import {
  TIME_RANGES,
  isTimeRangeKey,
  type DashboardHostToWebview,
  type DashboardState,
  type DashboardWebviewToHost,
  type DashboardFilters,
  type TimeRangeKey,
} from '../../protocol/webview';
import { ApiRequestError, type ApiClient } from '../connection/api-client';
import { PanelController, type WebviewLike } from './panel-controller';
import { seriesFromTraces } from './series-from-traces';

export interface DashboardControllerOptions {
  webview: WebviewLike;
  api: ApiClient;
  range?: TimeRangeKey;
  onOpenTrace?: (traceId: string) => void;
  onError?: (error: Error) => void;
  reloadDelayMs?: number;
  now?: () => number;
}

/** How far the fallback pages through the trace list when the series endpoint is missing. */
const FALLBACK_PAGE = 500;
const FALLBACK_MAX_PAGES = 20;
const TOP_TRACES = 10;

export function emptyDashboardState(range: TimeRangeKey, now: number): DashboardState {
  const r = TIME_RANGES[range];
  return {
    range,
    from: now - r.durationMs,
    to: now,
    bucketMs: r.bucketMs,
    status: 'loading',
    stats: null,
    series: null,
    seriesSource: null,
    topTraces: [],
    error: null,
    loadedAt: null,
  };
}

export class DashboardController extends PanelController<DashboardState, DashboardHostToWebview, DashboardWebviewToHost> {
  private readonly api: ApiClient;
  private readonly now: () => number;
  private readonly reloadDelayMs: number;
  private range: TimeRangeKey;
  private filters: DashboardFilters = {};

  constructor(options: DashboardControllerOptions) {
    const now = options.now ?? Date.now;
    const range = options.range && isTimeRangeKey(options.range) ? options.range : '1h';
    super(options.webview, emptyDashboardState(range, now()), options.onError);
    this.api = options.api;
    this.now = now;
    this.range = range;
    this.reloadDelayMs = options.reloadDelayMs ?? 1_000;
    this.endpoint
      .handleRequest('setRange', ({ range: next }) => {
        if (!isTimeRangeKey(next)) throw new Error(`unknown time range '${String(next)}'`);
        this.range = next;
        return this.load();
      })
      .handleRequest('reload', () => this.load())
      .handleRequest('setFilters', (f) => {
        const clean = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
        this.filters = { service: clean(f.service), model: clean(f.model), prompt: clean(f.prompt) };
        return this.load();
      })
      .handleCommand('openTrace', ({ traceId }) => {
        if (typeof traceId === 'string' && /^[0-9a-f]{32}$/i.test(traceId)) options.onOpenTrace?.(traceId);
      });
  }

  get currentRange(): TimeRangeKey {
    return this.range;
  }

  onCollectorEvent(event: CollectorEvent): void {
    if (event.type === 'traces-changed' || event.type === 'cleared' || event.type === 'hello' || event.type === 'alerts-changed') this.loadSoon(this.reloadDelayMs);
  }

  /** The collector went away or came back. */
  onConnectionChanged(): void {
    this.loadSoon(0);
  }

  protected async fetchState(): Promise<DashboardState> {
    const range = this.range;
    const base = emptyDashboardState(range, this.now());
    const { from, to, bucketMs } = base;
    const filters = { ...this.filters };
    const scope = { ...(filters.service ? { service: filters.service } : {}), ...(filters.model ? { model: filters.model } : {}) };
    try {
      const chartsLoad = this.api.dashboardSeries({ from, to, bucketMs, ...scope, ...(filters.prompt ? { prompt: filters.prompt } : {}) }).catch(() => null);
      const [stats, firstPage, tops, alerts, series, charts] = await Promise.all([
        this.api.stats({ from, to, ...scope }),
        this.api.listTraces({ from, to, limit: FALLBACK_PAGE, ...scope }),
        this.api.dashboardTops({ from, to, ...scope, ...(filters.prompt ? { prompt: filters.prompt } : {}) }).catch(() => null),
        this.api.alerts('firing').then((a) => a.alerts, () => []),
        // The cost-over-time chart stands in for the charts over time only when the collector has none to give.
        chartsLoad.then((c) => c ? null : this.api.statsSeries({ from, to, bucketMs, ...scope }).catch((err: unknown) => {
          // An older collector without the endpoint: bucket the trace list instead.
          if (err instanceof ApiRequestError && err.code === 'not-found') return null;
          throw err;
        })),
        chartsLoad,
      ]);
      let seriesOut = series;
      let source: DashboardState['seriesSource'] = 'api';
      if (!seriesOut && !charts) {
        const traces = await this.allTraces(firstPage, from, to);
        seriesOut = seriesFromTraces(traces, from, to, bucketMs);
        source = 'trace-list';
      }
      const topTraces = [...firstPage.traces]
        .filter((t) => t.costUsd > 0)
        .sort((a, b) => b.costUsd - a.costUsd)
        .slice(0, TOP_TRACES);
      return { ...base, status: 'ready', stats, series: seriesOut, seriesSource: source, topTraces, loadedAt: Date.now(), tops, alerts, filters, charts };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const status = err instanceof ApiRequestError && err.code === 'no-collector' ? 'no-collector' : 'error';
      const prev = this.current;
      // Keep the last charts of the same range visible under the error.
      const keep = prev.range === range ? { stats: prev.stats, series: prev.series, seriesSource: prev.seriesSource, topTraces: prev.topTraces, tops: prev.tops, alerts: prev.alerts, charts: prev.charts } : {};
      return { ...base, ...keep, status, error: message, loadedAt: prev.loadedAt };
    }
  }

  private async allTraces(first: TraceListPage, from: number, to: number): Promise<TraceSummary[]> {
    const out = [...first.traces];
    let cursor = first.nextCursor;
    for (let page = 1; cursor && page < FALLBACK_MAX_PAGES; page++) {
      const next = await this.api.listTraces({ from, to, limit: FALLBACK_PAGE, cursor });
      out.push(...next.traces);
      cursor = next.nextCursor;
    }
    return out;
  }
}
