// Messages between the host and the trace explorer and session webviews. The host owns the
// query and the loaded rows; the webview renders them, keeps its place, and asks for more.

import type { SessionDetail, TraceListQuery, TraceSummary } from './api';
import type { PanelStatus, RequestSpec } from './webview';

export const EXPLORER_VIEW_TYPE = 'spyglass.explorer';
export const SESSION_VIEW_TYPE = 'spyglass.session';

/** Time range presets: a rolling window ending now, or everything stored. */
export type ExplorerRangeKey = '1h' | '24h' | '7d' | '30d' | 'all';

export const EXPLORER_RANGES: Record<ExplorerRangeKey, { label: string; durationMs: number | null }> = {
  '1h': { label: 'Last hour', durationMs: 3_600_000 },
  '24h': { label: 'Last 24 hours', durationMs: 86_400_000 },
  '7d': { label: 'Last 7 days', durationMs: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', durationMs: 30 * 86_400_000 },
  all: { label: 'All time', durationMs: null },
};

export function isExplorerRange(v: unknown): v is ExplorerRangeKey {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(EXPLORER_RANGES, v);
}

/** The explorer's query: the trace list's filters and sort, with a preset instead of from/to. */
export type ExplorerQuery = Omit<TraceListQuery, 'from' | 'to' | 'limit' | 'cursor'> & { range: ExplorerRangeKey };

export interface ExplorerState {
  query: ExplorerQuery;
  status: PanelStatus;
  rows: TraceSummary[];
  /** More rows after these (the webview offers "Load more"). */
  hasMore: boolean;
  /** Matches of the whole query; `totalExact` false: at least this many. */
  total: number | null;
  totalExact: boolean;
  error: string | null;
  /** Whether the trace list is read from a collector that captures, or from the store alone. */
  readOnly: boolean;
  /** Bumped on every load; the webview keeps its scroll anchor across reloads of the same query. */
  generation: number;
}

export interface ExplorerPersistedState {
  query: ExplorerQuery;
}

export type ExplorerHostToWebview = {
  commands: Record<never, never>;
  requests: Record<never, never>;
  notifications: { didChangeState: ExplorerState };
};

export type ExplorerWebviewToHost = {
  commands: {
    openTrace: { traceId: string };
    openSession: { sessionId: string };
    /** Two traces side by side (the replay issue's `spyglass.compareTraces`). */
    compare: { traceIds: [string, string] };
  };
  requests: {
    /** A new query: the first page again. */
    setQuery: RequestSpec<{ query: ExplorerQuery }, ExplorerState>;
    loadMore: RequestSpec<Record<string, never>, ExplorerState>;
    reload: RequestSpec<Record<string, never>, ExplorerState>;
  };
  notifications: Record<never, never>;
};

export interface SessionPanelState {
  sessionId: string;
  status: PanelStatus;
  detail: SessionDetail | null;
  error: string | null;
}

export interface SessionPersistedState {
  sessionId: string;
}

export type SessionHostToWebview = {
  commands: Record<never, never>;
  requests: Record<never, never>;
  notifications: { didChangeState: SessionPanelState };
};

export type SessionWebviewToHost = {
  commands: { openTrace: { traceId: string } };
  requests: { reload: RequestSpec<Record<string, never>, SessionPanelState> };
  notifications: Record<never, never>;
};

/** The default query: the last 7 days, newest first. */
export function defaultExplorerQuery(): ExplorerQuery {
  return { range: '7d', sort: 'time', order: 'desc' };
}
