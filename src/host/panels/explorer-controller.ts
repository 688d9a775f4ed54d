// The host side of the trace explorer: one query over the whole store, its rows paged in from
// the collector, reloaded (as many rows as were shown) when new traces arrive, so the user keeps
// their place. No vscode import.

import type { CollectorEvent, TraceListQuery } from '../../protocol/api';
import {
  EXPLORER_RANGES,
  defaultExplorerQuery,
  isExplorerRange,
  type ExplorerHostToWebview,
  type ExplorerQuery,
  type ExplorerState,
  type ExplorerWebviewToHost,
} from '../../protocol/explorer';
import { TRACE_SORT_KEYS } from '../../protocol/api';
import { ApiRequestError, type ApiClient } from '../connection/api-client';
import { PanelController, type WebviewLike } from './panel-controller';

export interface ExplorerControllerOptions {
  webview: WebviewLike;
  api: ApiClient;
  query?: ExplorerQuery;
  readOnly?: () => boolean;
  onOpenTrace?: (traceId: string) => void;
  onOpenSession?: (sessionId: string) => void;
  onCompare?: (a: string, b: string) => void;
  onError?: (error: Error) => void;
  reloadDelayMs?: number;
  now?: () => number;
}

const PAGE = 100;
/** The collector's largest page: a reload after new traces re-reads at most this many rows. */
const MAX_RELOAD = 500;
const TRACE_ID = /^[0-9a-f]{32}$/i;

export function emptyExplorerState(query: ExplorerQuery): ExplorerState {
  return { query, status: 'loading', rows: [], hasMore: false, total: null, totalExact: true, error: null, readOnly: false, generation: 0 };
}

/** Only what the trace list understands gets through: a webview's query is input like any other. */
export function sanitizeQuery(raw: unknown): ExplorerQuery {
  const q = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const out: ExplorerQuery = { range: isExplorerRange(q.range) ? q.range : defaultExplorerQuery().range };
  const text = (k: keyof ExplorerQuery) => (typeof q[k] === 'string' && (q[k] as string).trim() ? (q[k] as string).trim().slice(0, 500) : undefined);
  const num = (k: keyof ExplorerQuery) => (typeof q[k] === 'number' && Number.isFinite(q[k]) ? (q[k] as number) : undefined);
  const assign = <K extends keyof ExplorerQuery>(k: K, v: ExplorerQuery[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  assign('sort', TRACE_SORT_KEYS.includes(q.sort as never) ? (q.sort as ExplorerQuery['sort']) : 'time');
  assign('order', q.order === 'asc' ? 'asc' : 'desc');
  assign('text', text('text'));
  assign('service', text('service'));
  assign('model', text('model'));
  assign('session', text('session'));
  assign('user', text('user'));
  assign('status', q.status === 'ok' || q.status === 'error' ? q.status : undefined);
  assign('feedback', q.feedback === 'up' || q.feedback === 'down' || q.feedback === 'any' ? q.feedback : undefined);
  const annotation = text('annotation');
  assign('annotation', annotation && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(annotation) ? annotation : undefined);
  assign('minCost', num('minCost'));
  assign('maxCost', num('maxCost'));
  assign('minDurationMs', num('minDurationMs'));
  assign('maxDurationMs', num('maxDurationMs'));
  return out;
}

export class ExplorerController extends PanelController<ExplorerState, ExplorerHostToWebview, ExplorerWebviewToHost> {
  private readonly api: ApiClient;
  private readonly now: () => number;
  private readonly reloadDelayMs: number;
  private query: ExplorerQuery;
  /** Where the window ends for this query: fixed when it is set, so paging stays consistent. */
  private windowEnd: number;
  private cursor: string | null = null;
  private generation = 0;

  constructor(private readonly options: ExplorerControllerOptions) {
    const query = sanitizeQuery(options.query ?? defaultExplorerQuery());
    super(options.webview, emptyExplorerState(query), options.onError);
    this.api = options.api;
    this.now = options.now ?? Date.now;
    this.query = query;
    this.windowEnd = this.now();
    this.reloadDelayMs = options.reloadDelayMs ?? 1_000;
    this.endpoint
      .handleRequest('setQuery', ({ query: next }) => this.setQuery(next))
      .handleRequest('loadMore', () => this.loadMore())
      .handleRequest('reload', () => this.load())
      .handleCommand('openTrace', ({ traceId }) => {
        if (typeof traceId === 'string' && TRACE_ID.test(traceId)) options.onOpenTrace?.(traceId.toLowerCase());
      })
      .handleCommand('openSession', ({ sessionId }) => {
        if (typeof sessionId === 'string' && sessionId) options.onOpenSession?.(sessionId);
      })
      .handleCommand('compare', ({ traceIds }) => {
        if (Array.isArray(traceIds) && traceIds.length === 2 && traceIds.every((t) => typeof t === 'string' && TRACE_ID.test(t))) {
          options.onCompare?.(traceIds[0].toLowerCase(), traceIds[1].toLowerCase());
        }
      });
  }

  /** A new query (from the webview, or a command such as the tree's "open in explorer"): its first page. */
  setQuery(next: unknown): Promise<ExplorerState> {
    this.query = sanitizeQuery(next);
    this.cursor = null;
    this.setState({ ...this.current, query: this.query, status: 'loading' });
    return this.load();
  }

  get currentQuery(): ExplorerQuery {
    return this.query;
  }

  onCollectorEvent(event: CollectorEvent): void {
    if (event.type === 'traces-changed' || event.type === 'annotations-changed' || event.type === 'cleared' || event.type === 'hello') {
      this.loadSoon(this.reloadDelayMs);
    }
  }

  onConnectionChanged(): void {
    this.loadSoon(0);
  }

  /** The list query of the current explorer query; a rolling window ends now at each first page. */
  listQuery(limit: number, cursor?: string): TraceListQuery {
    const { range, ...rest } = this.query;
    const span = EXPLORER_RANGES[range].durationMs;
    return { ...rest, ...(span !== null ? { from: this.windowEnd - span } : {}), limit, ...(cursor ? { cursor } : {}) };
  }

  /** The first page again, as many rows as are shown (new traces push in at the top). */
  protected async fetchState(): Promise<ExplorerState> {
    const query = this.query;
    this.windowEnd = this.now();
    const shown = this.current.query === query ? this.current.rows.length : 0;
    const limit = Math.min(MAX_RELOAD, Math.max(PAGE, shown));
    try {
      const page = await this.api.listTraces(this.listQuery(limit));
      if (query !== this.query) return this.current; // a newer query is loading
      this.cursor = page.nextCursor;
      return {
        query, status: 'ready', rows: page.traces, hasMore: page.nextCursor !== null, total: page.total ?? null,
        totalExact: page.totalExact ?? true, error: null, readOnly: this.options.readOnly?.() ?? false, generation: ++this.generation,
      };
    } catch (err) {
      return this.failed(err);
    }
  }

  private async loadMore(): Promise<ExplorerState> {
    const query = this.query;
    if (!this.cursor) return this.current;
    try {
      const page = await this.api.listTraces(this.listQuery(PAGE, this.cursor));
      if (query !== this.query) return this.current;
      this.cursor = page.nextCursor;
      this.setState({ ...this.current, rows: [...this.current.rows, ...page.traces], hasMore: page.nextCursor !== null, status: 'ready', error: null });
    } catch (err) {
      this.setState(this.failed(err));
    }
    return this.current;
  }

  private failed(err: unknown): ExplorerState {
    const message = err instanceof Error ? err.message : String(err);
    const status = err instanceof ApiRequestError && err.code === 'no-collector' ? 'no-collector' : 'error';
    // What was shown stays under the message.
    return { ...this.current, query: this.query, status, error: message };
  }
}
