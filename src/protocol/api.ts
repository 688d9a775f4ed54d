// The JSON API served on the collector's HTTP port (`/api/...`), used by the extension,
// the webviews and scripts. Pure types: no Node, no vscode. Times are epoch milliseconds
// (fractional, microsecond precision).

import type { Attributes, ChatMessage, MessagePart, SpanCategory, SpanEvent, SpanLink } from '../core/model';

export type TraceStatus = 'ok' | 'error' | 'unset';

export interface TraceSummary {
  traceId: string;
  startTime: number;
  durationMs: number;
  spanCount: number;
  llmCallCount: number;
  errorCount: number;
  costUsd: number;
  costEstimated: boolean;
  inputTokens: number;
  outputTokens: number;
  status: TraceStatus;
  rootName: string | null;
  serviceName: string | null;
  models: string[];
  sessionId: string | null;
}

export interface TraceListQuery {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  service?: string;
  model?: string;
  status?: TraceStatus;
  /** Full-text search over message content, span names and ids. */
  text?: string;
  limit?: number;
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor?: string;
}

export interface TraceListPage {
  traces: TraceSummary[];
  nextCursor: string | null;
}

export interface LlmCallDto {
  convention: string;
  operation: string;
  provider: string | null;
  requestModel: string | null;
  responseModel: string | null;
  responseId: string | null;
  params: Attributes;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  costEstimated: boolean;
  /** A failed call with no usage reported: not billed (cost 0), its tokens not estimated. */
  unbilled?: boolean;
  ttftMs: number | null;
  finishReasons: string[];
  systemInstructions: MessagePart[];
  inputMessages: ChatMessage[];
  outputMessages: ChatMessage[];
  toolDefinitions: unknown[];
  conversationId: string | null;
  promptName: string | null;
  promptVersion: string | null;
  errorType: string | null;
  /** Proxy captures only: the exact request for replay, and the HTTP status. */
  request?: { method: string; path: string; body: string } | null;
  httpStatus?: number | null;
}

export interface SpanDto {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  category: SpanCategory;
  startTime: number;
  endTime: number;
  durationMs: number;
  status: TraceStatus;
  statusMessage: string;
  serviceName: string | null;
  scopeName: string | null;
  attributes: Attributes;
  resource: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  llm: LlmCallDto | null;
}

export interface TraceDetail {
  trace: TraceSummary;
  spans: SpanDto[];
}

export interface StatsQuery {
  from?: number;
  to?: number;
  service?: string;
  model?: string;
}

export interface ModelStats {
  model: string;
  provider: string | null;
  calls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}

export interface StatsDto {
  from: number | null;
  to: number | null;
  calls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  ttftMs: { p50: number | null; p95: number | null; p99: number | null };
  byModel: ModelStats[];
}

export interface ApiError {
  error: string;
  detail?: string;
}

/** Server-sent events on `GET /api/events` (one JSON object per `data:` line). */
export type CollectorEvent =
  | { type: 'hello'; version: string; httpPort: number; grpcPort: number | null; dbPath: string }
  | { type: 'traces-changed'; traceIds: string[]; spans: number; llmCalls: number; at: number }
  | { type: 'cleared'; at: number };

/** `GET /api/health`: who owns the ports, so other windows can find and share one collector. */
export interface HealthDto {
  ok: true;
  app: 'spyglass';
  version: string;
  pid: number;
  httpPort: number;
  grpcPort: number | null;
  dbPath: string;
  startedAt: number;
  /** Where OTLP bodies are decoded and analysed before the store's thread writes them. */
  preparing?: 'worker thread' | 'main thread';
}

/** `GET /api/summary/today`: what the status bar shows. */
export interface TodaySummaryDto {
  calls: number;
  costUsd: number;
  errors: number;
  guardrailHits: number;
}

/** `GET /api/stats/series?from&to&bucketMs&service&model`: cost and calls per time bucket and model. */
export interface StatsSeriesQuery {
  from?: number;
  to?: number;
  /** Bucket width in ms; buckets start at `from + k * bucketMs`. */
  bucketMs?: number;
  service?: string;
  model?: string;
}

/** One (bucket, model) cell; empty cells are left out. */
export interface StatsSeriesPoint {
  /** Epoch ms where the bucket starts. */
  bucketStart: number;
  model: string;
  calls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
}

export interface StatsSeriesDto {
  from: number;
  to: number;
  bucketMs: number;
  points: StatsSeriesPoint[];
}

/** `GET /api/metrics/genai`: the GenAI client metrics received over OTLP /v1/metrics. */
export interface GenAiMetricsQuery {
  /** Epoch ms, inclusive; default the last 24 hours. */
  from?: number;
  /** Epoch ms, exclusive; default now. */
  to?: number;
  /** A metric name, e.g. `gen_ai.client.token.usage`. */
  name?: string;
  /** Matches the request or the response model. */
  model?: string;
  service?: string;
}

/** One metric for one operation, provider, model, token type and service, over the window. */
export interface GenAiMetricSeries {
  name: string;
  unit: string;
  operation: string | null;
  provider: string | null;
  model: string | null;
  tokenType: string | null;
  service: string | null;
  /** Data points stored (deltas). */
  points: number;
  /** Histograms: observations; sums: the total; gauges: the last value. */
  count: number;
  sum: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** From the merged buckets (null when the points' buckets differ or there are none). */
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface GenAiMetricsDto {
  from: number;
  to: number;
  series: GenAiMetricSeries[];
  /** Other metrics received since the collector started: counted, not stored. */
  otherMetrics: Array<{ name: string; points: number; lastSeen: number }>;
}
