// The host side of one trace panel: loads the trace from the collector API, keeps it current
// as change events arrive, and answers the webview.

import type { CollectorEvent, SpanDto, TraceDetail } from '../../protocol/api';
import type { TraceHostToWebview, TracePanelState, TraceWebviewToHost } from '../../protocol/webview';
import { ApiClient, ApiRequestError } from './api-client';
import { PanelController, type WebviewLike } from './panel-controller';

const MAX_LINKED_TRACES = 8;

export interface TraceControllerOptions {
  webview: WebviewLike;
  api: ApiClient;
  traceId: string;
  selectedSpanId?: string | null;
  onOpenSource?: (path: string, line: number | null) => void;
  onOpenTrace?: (traceId: string, spanId: string | null) => void;
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
      })
      .handleCommand('openTrace', ({ traceId, spanId }) => {
        if (typeof traceId === 'string' && /^[0-9a-f]{32}$/.test(traceId)) options.onOpenTrace?.(traceId, typeof spanId === 'string' ? spanId : null);
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

  /** Spans of the traces this one links to (a few at most), for the agent-run view; best effort. */
  private async linkedSpans(detail: TraceDetail): Promise<SpanDto[]> {
    const ids = new Set<string>();
    for (const s of detail.spans) for (const l of s.links ?? []) if (l.traceId !== this.traceId && /^[0-9a-f]{32}$/.test(l.traceId)) ids.add(l.traceId);
    const out: SpanDto[] = [];
    for (const id of [...ids].slice(0, MAX_LINKED_TRACES)) {
      try {
        const linked = await this.api.getJson<TraceDetail>(`/api/traces/${id}`);
        if (linked && Array.isArray(linked.spans)) out.push(...linked.spans);
      } catch {
        // A linked trace not (yet) in the store: the run shows without it.
      }
    }
    return out;
  }

  protected async fetchState(): Promise<TracePanelState> {
    const prev = this.current;
    try {
      const detail = await this.api.getJson<TraceDetail>(`/api/traces/${encodeURIComponent(this.traceId)}`);
      if (!detail || !Array.isArray(detail.spans) || typeof detail.trace !== 'object') {
        throw new ApiRequestError('The collector sent a trace in an unknown shape.', 'bad-json');
      }
      return { ...prev, status: 'ready', detail, linkedSpans: await this.linkedSpans(detail), error: null, loadedAt: Date.now() };
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
