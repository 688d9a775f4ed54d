// The host side of one trace panel: loads the trace from the collector API, keeps it current
// as change events arrive, and answers the webview.

import type { CollectorEvent, TraceDetail } from '../../protocol/api';
import type { TraceHostToWebview, TracePanelState, TraceWebviewToHost } from '../../protocol/webview';
import { ApiClient, ApiRequestError } from './api-client';
import { PanelController, type WebviewLike } from './panel-controller';

export interface TraceControllerOptions {
  webview: WebviewLike;
  api: ApiClient;
  traceId: string;
  selectedSpanId?: string | null;
  onOpenSource?: (path: string, line: number | null) => void;
  onError?: (error: Error) => void;
  /** Delay that coalesces a burst of change events into one reload. */
  reloadDelayMs?: number;
}

export function emptyTraceState(traceId: string, selectedSpanId: string | null = null): TracePanelState {
  return { traceId, status: 'loading', detail: null, error: null, selectedSpanId, loadedAt: null };
}

export class TraceController extends PanelController<TracePanelState, TraceHostToWebview, TraceWebviewToHost> {
  readonly traceId: string;
  private readonly api: ApiClient;
  private readonly reloadDelayMs: number;

  constructor(options: TraceControllerOptions) {
    super(options.webview, emptyTraceState(options.traceId, options.selectedSpanId ?? null), options.onError);
    this.traceId = options.traceId;
    this.api = options.api;
    this.reloadDelayMs = options.reloadDelayMs ?? 250;
    this.endpoint
      .handleRequest('reload', () => this.load())
      .handleNotification('didSelectSpan', ({ spanId }) => {
        // Kept so HTML set again (panel restored) opens on the same span; no need to re-send.
        this.current = { ...this.current, selectedSpanId: typeof spanId === 'string' ? spanId : null };
      })
      .handleCommand('openSource', ({ path, line }) => {
        if (typeof path === 'string' && path.length > 0) options.onOpenSource?.(path, typeof line === 'number' ? line : null);
      });
  }

  /** Select a span in the webview (the panel was opened from an LLM call in the tree). */
  selectSpan(spanId: string): void {
    this.current = { ...this.current, selectedSpanId: spanId };
    this.endpoint.command('selectSpan', { spanId });
  }

  onCollectorEvent(event: CollectorEvent): void {
    if (event.type === 'cleared' || (event.type === 'traces-changed' && event.traceIds.includes(this.traceId))) {
      this.loadSoon(this.reloadDelayMs);
    }
  }

  /** The collector (re)appeared: whatever we show may be stale or an error. */
  onCollectorConnected(): void {
    this.loadSoon(this.reloadDelayMs);
  }

  protected async fetchState(): Promise<TracePanelState> {
    const prev = this.current;
    try {
      const detail = await this.api.getJson<TraceDetail>(`/api/traces/${encodeURIComponent(this.traceId)}`);
      if (!detail || !Array.isArray(detail.spans) || typeof detail.trace !== 'object') {
        throw new ApiRequestError('The collector sent a trace in an unknown shape.', 'bad-json');
      }
      return { ...prev, status: 'ready', detail, error: null, loadedAt: Date.now() };
    } catch (err) {
      if (err instanceof ApiRequestError && err.code === 'not-found') {
        return { ...prev, status: 'not-found', detail: null, error: `Trace ${this.traceId} is not in the store (yet).` };
      }
      const message = err instanceof Error ? err.message : String(err);
      const status = err instanceof ApiRequestError && err.code === 'no-collector' ? 'no-collector' : 'error';
      // Keep what we had: a collector restart should not blank an open trace.
      return { ...prev, status, error: message };
    }
  }
}
