// The host side of one trace panel. It sends the light span list once, then only what changed
// (`outline?since=REV` on the collector's change events for this trace), answers the webview's
// requests for a span's detail, text search and the user's feedback, and never holds the spans
// itself: the webview does.

import type { AnnotationDto, CollectorEvent, TraceOutline } from '../../protocol/api';
import { isTraceOutline, type CallAction, type TraceHostToWebview, type TraceLayout, type TracePanelState, type TraceWebviewToHost } from '../../protocol/webview';
import { ApiRequestError, type ApiClient } from '../connection/api-client';
import { loadAgentRun } from './agent-run-source';
import { PanelController, type WebviewLike } from './panel-controller';
import { SpanTextIndex } from './span-text-index';

export interface TraceControllerOptions {
  webview: WebviewLike;
  api: ApiClient;
  traceId: string;
  selectedSpanId?: string | null;
  onOpenSource?: (path: string, line: number | null) => void;
  onOpenJson?: (traceId: string, spanId: string | null) => void;
  /** Open another trace (a linked subagent's, from the agent-run view). */
  onOpenTrace?: (traceId: string, spanId: string | null) => void;
  /** Replay, compare or copy an LLM call. */
  onCallAction?: (traceId: string, spanId: string, action: CallAction) => void;
  /** Text to put on the clipboard; `what` names it for the confirmation. */
  onCopy?: (text: string, what: string) => void;
  /** A link from captured text (already checked: http, https or mailto), to open after asking. */
  onOpenLink?: (url: string) => void;
  /** The splitter sizes the user chose, to keep for the next panel; and the last ones kept. */
  layout?: { get(): TraceLayout | undefined; set(layout: TraceLayout): void };
  onError?: (error: Error) => void;
  /** Delay that coalesces a burst of change events into one patch. */
  reloadDelayMs?: number;
  /** Timeout of the whole-trace fetch the text search needs (it can be large). */
  searchTimeoutMs?: number;
  /**
   * Spans of a first look sent before a whole outline (the first by start time: a screenful and
   * then some), so a large trace paints before all of it is read, sent and laid out. 0: none.
   */
  previewSpans?: number;
}

/** A screenful of rows is ~40; nested subtrees and a tall window want more. */
export const PREVIEW_SPANS = 300;

export function emptyTraceState(traceId: string, selectedSpanId: string | null = null, layout?: TraceLayout): TracePanelState {
  return { traceId, status: 'loading', trace: null, traceAnnotations: null, error: null, selectedSpanId, loadedAt: null, ...(layout ? { layout } : {}) };
}

const SPAN_ID = /^[0-9A-Za-z_-]{1,64}$/;
/** Clipboard text beyond this is cut (a whole span's JSON is a few MB at most). */
const MAX_COPY_CHARS = 20_000_000;
const OPENABLE_URL = /^(https?:\/\/|mailto:)[^\s]+$/i;

/** A splitter size sent by the webview, or null (default) when it is not a sane pixel count. */
function sizeOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 40 && v <= 20_000 ? Math.round(v) : null;
}

export class TraceController extends PanelController<TracePanelState, TraceHostToWebview, TraceWebviewToHost> {
  readonly traceId: string;
  private readonly api: ApiClient;
  private readonly reloadDelayMs: number;
  /** The store revision the webview's outline reflects; null: it needs the whole outline. */
  private revision: number | null = null;
  private readonly search: SpanTextIndex;
  private readonly previewSpans: number;

  constructor(options: TraceControllerOptions) {
    super(options.webview, emptyTraceState(options.traceId, options.selectedSpanId ?? null, options.layout?.get()), options.onError);
    this.traceId = options.traceId;
    this.api = options.api;
    this.reloadDelayMs = options.reloadDelayMs ?? 250;
    this.previewSpans = options.previewSpans ?? PREVIEW_SPANS;
    const searchTimeoutMs = options.searchTimeoutMs ?? 60_000;
    this.search = new SpanTextIndex({
      wholeTrace: () => this.api.getTrace(this.traceId, searchTimeoutMs),
      span: (id) => this.api.spanDetail(this.traceId, id),
    });
    this.endpoint
      .handleRequest('reload', () => {
        this.revision = null;
        return this.load();
      })
      .handleRequest('spanDetail', ({ spanId }) => this.api.spanDetail(this.traceId, checkSpanId(spanId)))
      .handleRequest('findText', async ({ query }) => ({ query, spanIds: await this.search.find(String(query ?? '').slice(0, 1_000)) }))
      .handleRequest('annotate', ({ spanId, annotation }) => this.annotate(spanId, annotation))
      .handleRequest('agentRun', () => loadAgentRun(this.traceId, (id) => this.api.getTrace(id, searchTimeoutMs)))
      .handleRequest('deleteAnnotation', async ({ id }) => {
        await this.api.deleteAnnotation(String(id));
        this.loadSoon(0);
        return null;
      })
      .handleNotification('didSelectSpan', ({ spanId }) => {
        // Kept so HTML set again (panel restored) opens on the same span; no need to re-send.
        this.current = { ...this.current, selectedSpanId: typeof spanId === 'string' ? spanId : null };
      })
      .handleCommand('openSource', ({ path, line }) => {
        if (typeof path === 'string' && path.length > 0) options.onOpenSource?.(path, typeof line === 'number' ? line : null);
      })
      .handleCommand('openJson', ({ spanId }) => {
        options.onOpenJson?.(this.traceId, spanId === null ? null : checkSpanId(spanId));
      })
      .handleCommand('callAction', ({ spanId, action }) => {
        if (typeof action === 'string' && CALL_ACTIONS.has(action)) options.onCallAction?.(this.traceId, checkSpanId(spanId), action as CallAction);
      })
      .handleCommand('copyText', ({ text, what }) => {
        if (typeof text === 'string') options.onCopy?.(text.slice(0, MAX_COPY_CHARS), typeof what === 'string' ? what.slice(0, 200) : 'text');
      })
      .handleCommand('openLink', ({ url }) => {
        // The webview offers only these; a message saying otherwise is refused, not opened.
        if (typeof url === 'string' && url.length <= 8_192 && OPENABLE_URL.test(url.trim())) options.onOpenLink?.(url.trim());
        else options.onError?.(new Error('refused to open a link that is not http, https or mailto'));
      })
      .handleCommand('saveLayout', (layout) => {
        const l = layout as Partial<TraceLayout> | null;
        const next: TraceLayout = { waterfallPx: sizeOrNull(l?.waterfallPx), namePx: sizeOrNull(l?.namePx) };
        this.current = { ...this.current, layout: next };
        options.layout?.set(next);
      })
      .handleCommand('openTrace', ({ traceId, spanId }) => {
        if (typeof traceId === 'string' && /^[0-9a-f]{32}$/.test(traceId)) options.onOpenTrace?.(traceId, typeof spanId === 'string' ? checkSpanId(spanId) : null);
      });
  }

  /** Select a span in the webview (the panel was opened from an LLM call in the tree), and scroll to one of its annotations (a guardrail hit). */
  selectSpan(spanId: string, annotationId?: string): void {
    this.current = { ...this.current, selectedSpanId: spanId };
    this.endpoint.command('selectSpan', annotationId === undefined ? { spanId } : { spanId, annotationId });
  }

  onCollectorEvent(event: CollectorEvent): void {
    switch (event.type) {
      case 'cleared':
        this.revision = null;
        this.loadSoon(0);
        break;
      case 'hello':
        // (Re)connected, maybe to another collector or store: events were missed, and a revision
        // of ours may mean nothing there. Start again from the whole outline.
        this.revision = null;
        this.loadSoon(this.reloadDelayMs);
        break;
      case 'traces-changed':
      case 'annotations-changed':
        // The collector caps the ids per event: a full list may leave ours out.
        if (event.traceIds.includes(this.traceId) || event.traceIds.length >= 200) this.loadSoon(this.reloadDelayMs);
        break;
    }
  }

  /** The collector went away or came back: say so, or catch up. */
  onConnectionChanged(): void {
    this.loadSoon(this.reloadDelayMs);
  }

  protected override onWebviewRebuilt(): void {
    this.revision = null;
    void this.load().catch(() => undefined);
  }

  override dispose(): void {
    this.search.drop();
    super.dispose();
  }

  protected async fetchState(): Promise<TracePanelState> {
    const prev = this.current;
    const since = this.revision;
    try {
      if (since === null && this.previewSpans > 0) {
        // The first screenful now; the whole outline replaces it below. A trace that fits in the
        // preview comes whole, and that is all.
        const first = await this.api.traceOutlineJson(this.traceId, undefined, this.previewSpans);
        if (!isTraceOutline(first.outline) || first.outline.partial) throw new ApiRequestError('The collector sent a trace outline in an unknown shape.', 'bad-json');
        if (this.isDisposed) return prev;
        if (first.outline.preview) this.endpoint.notify('didChangeOutline', { json: first.json });
        else return this.applyWhole(prev, first.outline, first.json);
      }
      const { outline, json } = await this.api.traceOutlineJson(this.traceId, since ?? undefined);
      if (!isTraceOutline(outline) || (since === null && outline.partial)) throw new ApiRequestError('The collector sent a trace outline in an unknown shape.', 'bad-json');
      if (this.isDisposed) return prev;
      if (!outline.partial) {
        this.search.drop();
        this.endpoint.notify('didChangeOutline', { json });
      } else if (outline.spanId.length > 0) {
        this.search.invalidate(outline.spanId);
        this.endpoint.notify('didChangeOutline', { json });
      }
      this.revision = outline.revision;
      // Trace-level annotations ride on every outline, whole or patch.
      const traceAnnotations = outline.annotations ?? prev.traceAnnotations;
      return { ...prev, status: 'ready', trace: outline.trace, traceAnnotations, error: null, loadedAt: Date.now() };
    } catch (err) {
      if (err instanceof ApiRequestError && err.code === 'not-found') {
        this.revision = null;
        this.search.drop();
        return { ...prev, status: 'not-found', trace: null, traceAnnotations: null, error: `Trace ${this.traceId} is not in the store (yet). It appears here when its spans arrive.` };
      }
      const message = err instanceof Error ? err.message : String(err);
      const status = err instanceof ApiRequestError && err.code === 'no-collector' ? 'no-collector' : 'error';
      // Keep what we had: a collector restart should not blank an open trace.
      return { ...prev, status, error: message };
    }
  }

  private applyWhole(prev: TracePanelState, outline: TraceOutline, json: string): TracePanelState {
    this.search.drop();
    this.endpoint.notify('didChangeOutline', { json });
    this.revision = outline.revision;
    return { ...prev, status: 'ready', trace: outline.trace, traceAnnotations: outline.annotations ?? prev.traceAnnotations, error: null, loadedAt: Date.now() };
  }

  private async annotate(spanId: unknown, annotation: unknown): Promise<AnnotationDto> {
    const target = spanId === null ? null : checkSpanId(spanId);
    const a = annotation as { kind?: unknown; label?: unknown; explanation?: unknown } | null;
    const explanation = typeof a?.explanation === 'string' && a.explanation.trim() !== '' ? a.explanation.slice(0, 10_000) : undefined;
    let valid: Parameters<ApiClient['addAnnotation']>[2];
    if (a?.kind === 'feedback' && (a.label === 'up' || a.label === 'down')) valid = { kind: 'feedback', label: a.label, ...(explanation ? { explanation } : {}) };
    else if (a?.kind === 'note' && explanation) valid = { kind: 'note', explanation };
    else throw new Error('feedback needs label "up" or "down"; a note needs text');
    const created = await this.api.addAnnotation(this.traceId, target, valid);
    // The collector's annotations-changed event patches too; this makes the click feel immediate.
    this.loadSoon(0);
    return created;
  }
}

const CALL_ACTIONS = new Set<string>(['replay', 'replayTimes', 'compareWith', 'copyAsCurl', 'copyAsTypeScript', 'copyAsPython'] satisfies CallAction[]);

function checkSpanId(spanId: unknown): string {
  if (typeof spanId !== 'string' || !SPAN_ID.test(spanId)) throw new Error('invalid span id');
  return spanId;
}
