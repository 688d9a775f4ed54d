// The one message protocol between the extension host and every Spyglass webview.
// Pure TypeScript: no vscode, no Node, so the host and the browser bundle share it.
//
// Vocabulary (after gitlens' IPC): a command is fire-and-forget, a request carries an id and
// gets exactly one reply (a result or an error, which rejects the caller's promise), and a
// notification (`did*`) tells the other side that something changed. The webview opens with a
// `ready` message; the host holds back everything it sends until then, because a message
// posted to a webview whose script has not started yet is lost.

import type { AlertDto } from './alerts';
import type { DashboardSeries, DashboardTops } from './dashboard';
import type { AgentRun } from '../core/agent-run';
import { DASHBOARD_BUCKETS, niceBucketMs } from '../core/dashboard/buckets';
import type { AnnotationDto, NewUserAnnotation, SpanDetail, StatsDto, StatsSeriesDto, TraceOutline, TraceSummary } from './api';

// ---------------------------------------------------------------------------------------------
// Declaring a direction

/** What one side may send: command params, request params and results, notification params. */
export interface ProtocolMap {
  commands: object;
  requests: object;
  notifications: object;
}

/** Shape every request entry of a ProtocolMap must have. */
export interface RequestSpec<P, R> {
  params: P;
  result: R;
}

type Keys<T> = Extract<keyof T, string>;
export type CommandName<P extends ProtocolMap> = Keys<P['commands']>;
export type RequestName<P extends ProtocolMap> = Keys<P['requests']>;
export type NotificationName<P extends ProtocolMap> = Keys<P['notifications']>;
export type CommandParams<P extends ProtocolMap, K extends CommandName<P>> = P['commands'][K];
export type NotificationParams<P extends ProtocolMap, K extends NotificationName<P>> = P['notifications'][K];
export type RequestParams<P extends ProtocolMap, K extends RequestName<P>> =
  P['requests'][K] extends RequestSpec<infer A, unknown> ? A : never;
export type RequestResult<P extends ProtocolMap, K extends RequestName<P>> =
  P['requests'][K] extends RequestSpec<unknown, infer R> ? R : never;

// ---------------------------------------------------------------------------------------------
// The wire

export interface WireError {
  message: string;
  code?: string;
}

export type ReadyMessage = { kind: 'ready' };
export type ReplyMessage =
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: WireError };

/** Everything that crosses postMessage, in either direction. */
export type WireMessage =
  | ReadyMessage
  | { kind: 'command'; method: string; params: unknown }
  | { kind: 'request'; id: number; method: string; params: unknown }
  | ReplyMessage
  | { kind: 'notification'; method: string; params: unknown };

/** The typed union of what a side declared by `P` sends (replies travel the other way). */
export type MessagesOf<P extends ProtocolMap> =
  | { [K in CommandName<P>]: { kind: 'command'; method: K; params: CommandParams<P, K> } }[CommandName<P>]
  | { [K in RequestName<P>]: { kind: 'request'; id: number; method: K; params: RequestParams<P, K> } }[RequestName<P>]
  | { [K in NotificationName<P>]: { kind: 'notification'; method: K; params: NotificationParams<P, K> } }[NotificationName<P>];

export function isWireMessage(value: unknown): value is WireMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.kind) {
    case 'ready':
      return true;
    case 'command':
    case 'notification':
      return typeof m.method === 'string';
    case 'request':
      return typeof m.method === 'string' && Number.isSafeInteger(m.id);
    case 'reply':
      if (!Number.isSafeInteger(m.id)) return false;
      if (m.ok === true) return 'result' in m;
      return m.ok === false && typeof m.error === 'object' && m.error !== null
        && typeof (m.error as Record<string, unknown>).message === 'string';
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The endpoint used on both sides

export type RequestErrorCode = 'timeout' | 'remote' | 'disposed';

export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: RequestErrorCode,
    readonly method: string,
    /** The code the other side gave, for `remote` errors. */
    readonly remoteCode?: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
/** Messages held back while the other side is not ready; beyond this the oldest are dropped. */
export const MAX_BUFFERED_MESSAGES = 256;

export interface EndpointOptions {
  post: (message: WireMessage) => void;
  /** Hold outgoing messages until a `ready` arrives (the host side). */
  awaitReady?: boolean;
  requestTimeoutMs?: number;
  /** Failures with no caller to reject: a command handler that threw, a malformed message. */
  onError?: (error: Error) => void;
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

type Handler = (params: unknown) => unknown;

/**
 * One side of the conversation. `Out` declares what this side sends, `In` what it receives.
 * Feed every incoming message to `onMessage`; give it a `post` that sends one.
 */
export class MessageEndpoint<Out extends ProtocolMap, In extends ProtocolMap> {
  private readonly post: (message: WireMessage) => void;
  private readonly timeoutMs: number;
  private readonly onError: (error: Error) => void;
  private ready: boolean;
  private disposed = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly buffer: WireMessage[] = [];
  private readonly commandHandlers = new Map<string, Handler>();
  private readonly requestHandlers = new Map<string, Handler>();
  private readonly notificationHandlers = new Map<string, Handler>();
  private readonly readyListeners = new Set<() => void>();

  constructor(options: EndpointOptions) {
    this.post = options.post;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.onError = options.onError ?? (() => undefined);
    this.ready = !options.awaitReady;
  }

  get isReady(): boolean {
    return this.ready;
  }

  get pendingRequests(): number {
    return this.pending.size;
  }

  // ---- sending

  command<K extends CommandName<Out>>(method: K, params: CommandParams<Out, K>): void {
    this.send({ kind: 'command', method, params });
  }

  notify<K extends NotificationName<Out>>(method: K, params: NotificationParams<Out, K>): void {
    this.send({ kind: 'notification', method, params });
  }

  request<K extends RequestName<Out>>(
    method: K,
    params: RequestParams<Out, K>,
    options: { timeoutMs?: number } = {},
  ): Promise<RequestResult<Out, K>> {
    if (this.disposed) return Promise.reject(new RequestError('endpoint disposed', 'disposed', method));
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const result = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError(`request '${method}' timed out after ${timeoutMs} ms`, 'timeout', method));
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
    });
    this.send({ kind: 'request', id, method, params });
    return result as Promise<RequestResult<Out, K>>;
  }

  /** The webview calls this once its handlers are registered. */
  sendReady(): void {
    if (!this.disposed) this.post({ kind: 'ready' });
  }

  // ---- receiving

  handleCommand<K extends CommandName<In>>(method: K, handler: (params: CommandParams<In, K>) => void): this {
    this.commandHandlers.set(method, handler as Handler);
    return this;
  }

  handleNotification<K extends NotificationName<In>>(
    method: K,
    handler: (params: NotificationParams<In, K>) => void,
  ): this {
    this.notificationHandlers.set(method, handler as Handler);
    return this;
  }

  handleRequest<K extends RequestName<In>>(
    method: K,
    handler: (params: RequestParams<In, K>) => RequestResult<In, K> | Promise<RequestResult<In, K>>,
  ): this {
    this.requestHandlers.set(method, handler as Handler);
    return this;
  }

  /** Called on every `ready`, including the ones after the webview was reloaded. */
  onReady(listener: () => void): { dispose(): void } {
    this.readyListeners.add(listener);
    return { dispose: () => this.readyListeners.delete(listener) };
  }

  onMessage(raw: unknown): void {
    if (this.disposed) return;
    if (!isWireMessage(raw)) {
      this.onError(new Error('ignored a malformed webview message'));
      return;
    }
    switch (raw.kind) {
      case 'ready':
        this.ready = true;
        this.flush();
        for (const listener of [...this.readyListeners]) this.guard(listener);
        return;
      case 'reply':
        this.settle(raw);
        return;
      case 'command':
        this.dispatch(this.commandHandlers, raw.method, raw.params, 'command');
        return;
      case 'notification':
        this.dispatch(this.notificationHandlers, raw.method, raw.params, 'notification');
        return;
      case 'request':
        void this.answer(raw.id, raw.method, raw.params);
        return;
    }
  }

  /** Rejects every pending request and stops sending; later messages are ignored. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new RequestError('endpoint disposed', 'disposed', p.method));
      this.pending.delete(id);
    }
    this.buffer.length = 0;
    this.readyListeners.clear();
  }

  // ---- internals

  private send(message: WireMessage): void {
    if (this.disposed) return;
    if (!this.ready) {
      this.buffer.push(message);
      if (this.buffer.length > MAX_BUFFERED_MESSAGES) this.buffer.shift();
      return;
    }
    this.postSafely(message);
  }

  private postSafely(message: WireMessage): void {
    try {
      this.post(message);
    } catch (err) {
      // A disposed webview throws on postMessage; a request waiting on it would only time out.
      if (message.kind === 'request') {
        const p = this.pending.get(message.id);
        if (p) {
          clearTimeout(p.timer);
          this.pending.delete(message.id);
          p.reject(new RequestError(errorMessage(err), 'disposed', p.method));
        }
      }
      this.onError(toError(err));
    }
  }

  private flush(): void {
    const queued = this.buffer.splice(0);
    for (const message of queued) this.postSafely(message);
  }

  private settle(reply: ReplyMessage): void {
    const p = this.pending.get(reply.id);
    if (!p) return; // timed out already, or not ours
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new RequestError(reply.error.message, 'remote', p.method, reply.error.code));
  }

  private dispatch(handlers: Map<string, Handler>, method: string, params: unknown, kind: string): void {
    const handler = handlers.get(method);
    if (!handler) {
      this.onError(new Error(`no handler for ${kind} '${method}'`));
      return;
    }
    this.guard(() => handler(params));
  }

  private async answer(id: number, method: string, params: unknown): Promise<void> {
    const handler = this.requestHandlers.get(method);
    let reply: ReplyMessage;
    if (!handler) {
      reply = { kind: 'reply', id, ok: false, error: { message: `unknown request '${method}'`, code: 'unknown-method' } };
    } else {
      try {
        reply = { kind: 'reply', id, ok: true, result: (await handler(params)) ?? null };
      } catch (err) {
        const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
        reply = { kind: 'reply', id, ok: false, error: code ? { message: errorMessage(err), code } : { message: errorMessage(err) } };
      }
    }
    // Replies skip the ready buffer: a request proves the other side is listening.
    if (!this.disposed) this.postSafely(reply);
  }

  private guard(fn: () => unknown): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((err: unknown) => this.onError(toError(err)));
    } catch (err) {
      this.onError(toError(err));
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

// ---------------------------------------------------------------------------------------------
// Panels. Each panel has a view type (for serializers), a state the host owns (inlined into the
// HTML as the first snapshot, then sent whole on every change: it is small) and what the webview
// persists with `setState` so the panel comes back after a window reload.

export const TRACE_VIEW_TYPE = 'spyglass.trace';
export const DASHBOARD_VIEW_TYPE = 'spyglass.dashboard';

/** Why a panel has no data to show. */
export type PanelStatus = 'loading' | 'ready' | 'not-found' | 'no-collector' | 'error';

/**
 * The trace panel's small state. The spans themselves travel apart: the light span list as
 * `didChangeOutline` (whole, then patches), each span's detail when the webview asks for it.
 */
export interface TracePanelState {
  traceId: string;
  status: PanelStatus;
  /** The trace's totals, from the last outline; null until the first one. */
  trace: TraceSummary | null;
  /** Annotations on the whole trace (the user's feedback on it among them); null: not known. */
  traceAnnotations: AnnotationDto[] | null;
  error: string | null;
  /** A span the host wants selected (opened from an LLM call in the tree), else null. */
  selectedSpanId: string | null;
  /** Epoch ms of the last successful load. */
  loadedAt: number | null;
  /** The splitter sizes the user chose last (in any trace panel), for a panel that has none of its own. */
  layout?: TraceLayout;
}

/** What the trace webview keeps through a reload (and the serializer receives). */
export interface TracePersistedState {
  traceId: string;
  selectedSpanId: string | null;
  /** The splitters, as the user left them in this panel. */
  layout?: TraceLayout;
}

/** The trace panel's splitter sizes, in CSS pixels; null: the default. */
export interface TraceLayout {
  /** Width of the waterfall (timeline) pane beside the details pane. */
  waterfallPx: number | null;
  /** Width of the span-name column inside the waterfall. */
  namePx: number | null;
}

/** Spans whose stored text contains the query (message content, attributes, events, …). */
export interface TextSearchResult {
  query: string;
  spanIds: string[];
}

/**
 * A TraceOutline as JSON text, passed on as the collector wrote it: one string crosses the
 * extension host, VS Code's IPC and the webview's frames far faster than the object would, and
 * the webview parses it once.
 */
export interface OutlineMessage {
  json: string;
}

export type TraceHostToWebview = {
  /** `annotationId`: scroll the span's details to that annotation (a guardrail hit's marked range). */
  commands: { selectSpan: { spanId: string; annotationId?: string } };
  requests: Record<never, never>;
  notifications: {
    didChangeState: TracePanelState;
    /**
     * The light span list: whole (`partial: false`: replace what you have) or the spans stored
     * or changed since the last one (`partial: true`: merge by span id; their details are stale).
     */
    didChangeOutline: OutlineMessage;
  };
};

/** A TraceOutline: its summary, revision, strings, and every column as long as `spanId`. */
export function isTraceOutline(value: unknown): value is TraceOutline {
  const o = value as Partial<TraceOutline> | null;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.spanId)) return false;
  const n = o.spanId.length;
  const column = (c: unknown) => Array.isArray(c) && c.length === n;
  return typeof o.trace === 'object' && o.trace !== null && typeof o.revision === 'number' && typeof o.partial === 'boolean' && Array.isArray(o.strings)
    && [o.parentSpanId, o.name, o.category, o.start, o.durationMs, o.status, o.service, o.model, o.inputTokens, o.outputTokens, o.costUsd, o.costEstimated, o.annotationCounts].every(column);
}

/** The outline a `didChangeOutline` carries, or null when it is not one. */
export function parseOutlineMessage(message: OutlineMessage): TraceOutline | null {
  try {
    const o: unknown = JSON.parse(message.json);
    return isTraceOutline(o) ? o : null;
  } catch {
    return null;
  }
}

/** What the details of an LLM call offer: replay (edit, then send), replay ×N, compare, copy as code. */
export type CallAction = 'replay' | 'replayTimes' | 'compareWith' | 'copyAsCurl' | 'copyAsTypeScript' | 'copyAsPython';

export type TraceWebviewToHost = {
  commands: {
    /** "Go to source" from `code.filepath` / `code.lineno` attributes. */
    openSource: { path: string; line: number | null };
    /** The span (or, null, the whole trace) as a JSON document in an editor. */
    openJson: { spanId: string | null };
    /** Open another trace (a linked subagent's, from the agent-run view). */
    openTrace: { traceId: string; spanId: string | null };
    /** An LLM call's replay and compare actions, run by the host's commands. */
    callAction: { spanId: string; action: CallAction };
    /** Put text on the clipboard (a message, a value, a span as JSON); `what` names it in the confirmation. */
    copyText: { text: string; what: string };
    /** A link in captured text: the host asks the user, then opens it outside VS Code (http, https, mailto only). */
    openLink: { url: string };
    /** The panel's splitter sizes changed: the host keeps them for the next panel. */
    saveLayout: TraceLayout;
  };
  requests: {
    /** Everything again from the collector (the outline comes as `didChangeOutline`). */
    reload: RequestSpec<Record<string, never>, TracePanelState>;
    /** One span in full: attributes, events, messages, annotations. */
    spanDetail: RequestSpec<{ spanId: string }, SpanDetail>;
    /** Find text the outline does not carry (messages, attribute values) across the trace. */
    findText: RequestSpec<{ query: string }, TextSearchResult>;
    /**
     * Adds the user's annotation to a span (or, spanId null, to the trace). The collector keeps
     * one feedback per user and target: new feedback replaces the user's earlier one.
     */
    annotate: RequestSpec<{ spanId: string | null; annotation: NewUserAnnotation }, AnnotationDto>;
    /** Removes one of the user's own annotations. */
    deleteAnnotation: RequestSpec<{ id: string }, null>;
    /**
     * The agent-run view: each agent's turns and tools, subagents (linked traces too) and per-agent
     * totals; null when the trace has no agent spans. Built in the host from the whole trace.
     */
    agentRun: RequestSpec<Record<string, never>, AgentRun | null>;
  };
  notifications: { didSelectSpan: { spanId: string | null } };
};

export type TimeRangeKey = '15m' | '1h' | '24h' | '7d';

/** Each range's bucket width is the nice width for the dashboard's bucket count (1 min, 5 min, 1 h, 6 h). */
export const TIME_RANGES: Record<TimeRangeKey, { label: string; durationMs: number; bucketMs: number }> = {
  '15m': { label: '15 min', durationMs: 15 * 60_000, bucketMs: niceBucketMs(15 * 60_000, DASHBOARD_BUCKETS) },
  '1h': { label: '1 hour', durationMs: 60 * 60_000, bucketMs: niceBucketMs(60 * 60_000, DASHBOARD_BUCKETS) },
  '24h': { label: '24 hours', durationMs: 24 * 3_600_000, bucketMs: niceBucketMs(24 * 3_600_000, DASHBOARD_BUCKETS) },
  '7d': { label: '7 days', durationMs: 7 * 86_400_000, bucketMs: niceBucketMs(7 * 86_400_000, DASHBOARD_BUCKETS) },
};

export function isTimeRangeKey(value: unknown): value is TimeRangeKey {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(TIME_RANGES, value);
}

export interface DashboardState {
  range: TimeRangeKey;
  from: number;
  to: number;
  bucketMs: number;
  status: PanelStatus;
  stats: StatsDto | null;
  series: StatsSeriesDto | null;
  /** Where the series came from: the collector's series endpoint, or bucketed from the trace list. */
  seriesSource: 'api' | 'trace-list' | null;
  /** The costliest traces of the range (from the newest page of the trace list). */
  topTraces: TraceSummary[];
  error: string | null;
  loadedAt: number | null;
  /** The top tables over the whole range, null from a collector without them. */
  tops?: DashboardTops | null;
  /** The alerts firing now. */
  alerts?: AlertDto[];
  filters?: DashboardFilters;
  /** The charts over time (cost stacks, rates, latency, distributions, spend groups), every filter applied; null from a collector without them. */
  charts?: DashboardSeries | null;
}

/** The dashboard's filters: every figure, chart and table is of the calls they keep. */
export interface DashboardFilters {
  service?: string;
  model?: string;
  prompt?: string;
}

export interface DashboardPersistedState {
  range: TimeRangeKey;
  filters?: DashboardFilters;
}

export type DashboardHostToWebview = {
  commands: Record<never, never>;
  requests: Record<never, never>;
  notifications: { didChangeState: DashboardState };
};

export type DashboardWebviewToHost = {
  commands: { openTrace: { traceId: string } };
  requests: {
    setRange: RequestSpec<{ range: TimeRangeKey }, DashboardState>;
    reload: RequestSpec<Record<string, never>, DashboardState>;
    setFilters: RequestSpec<DashboardFilters, DashboardState>;
  };
  notifications: Record<never, never>;
};
