// The JSON API served on the collector's HTTP port (`/api/...`), used by the extension,
// the webviews and scripts. Pure types: no Node, no vscode. Times are epoch milliseconds
// (fractional, microsecond precision).

import type { AlertDto, AlertSeverity } from './alerts';
import type { AnnotationKind, AnnotationLocation } from '../core/annotations/model';
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
  /** Annotations on the trace and its spans, counted by kind (`guardrail`, `feedback`, …); kinds with none are left out. */
  annotationCounts: Partial<Record<AnnotationKind, number>>;
  /** User feedback on the trace or any of its spans. */
  feedback: { up: number; down: number };
  /** `user.id` / `enduser.id` of its spans; null when none said. */
  userId?: string | null;
  /** The user's question (the earliest span's) and the final answer (the latest span's), one line of at most 240 characters each. */
  inputPreview?: string | null;
  outputPreview?: string | null;
}

/** What the trace list can be ordered by. */
export type TraceSortKey = 'time' | 'duration' | 'cost' | 'tokens' | 'calls' | 'errors';
export const TRACE_SORT_KEYS: readonly TraceSortKey[] = ['time', 'duration', 'cost', 'tokens', 'calls', 'errors'];

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
  /** Traces with at least one feedback annotation of this label (`any`: either). */
  feedback?: 'up' | 'down' | 'any';
  /** Sort key (default `time`) and direction (default `desc`); the cursor belongs to one sort. */
  sort?: TraceSortKey;
  order?: 'asc' | 'desc';
  /** Session (conversation) id, exactly. */
  session?: string;
  /** `user.id` / `enduser.id`, exactly. */
  user?: string;
  /** Traces with at least one annotation of this kind (`guardrail`, `evaluation`, …). */
  annotation?: string;
  /** Cost in USD, inclusive bounds. */
  minCost?: number;
  maxCost?: number;
  /** Trace duration in ms, inclusive bounds. */
  minDurationMs?: number;
  maxDurationMs?: number;
  limit?: number;
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor?: string;
}

export interface TraceListPage {
  traces: TraceSummary[];
  nextCursor: string | null;
  /**
   * How many traces match, on a first page (no cursor): counted exactly up to 10,000 (1,000 with
   * `text`: a count walks what it counts); past that `totalExact` is false and `total` is the
   * cap (show "10,000+").
   */
  total?: number;
  totalExact?: boolean;
}

/** One conversation thread across traces (traces sharing a session or conversation id). */
export interface SessionSummary {
  sessionId: string;
  traceCount: number;
  /** Epoch ms: the first trace's start and the last trace's start. */
  firstTime: number;
  lastTime: number;
  llmCallCount: number;
  errorCount: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  userId: string | null;
  /** The first trace's question. */
  inputPreview: string | null;
}

export interface SessionListQuery {
  /** Sessions with a trace that started in [from, to) (epoch ms). */
  from?: number;
  to?: number;
  limit?: number;
}

export interface SessionListPage {
  sessions: SessionSummary[];
}

/** One turn of a session: a trace, what the user asked and what was answered, in full (up to 20,000 characters each). */
export interface SessionTurn {
  trace: TraceSummary;
  input: string | null;
  output: string | null;
}

export interface SessionDetail {
  session: SessionSummary;
  /** Oldest first; at most 500 (then `truncated`). */
  turns: SessionTurn[];
  truncated: boolean;
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
  /**
   * Bumped each time the stored reading of this call changes (late log records read again):
   * annotations computed on an older revision are stale.
   */
  revision: number;
  /** Set on a replay: the call it replays (from its `replay` annotation). */
  replayOf?: { traceId: string; spanId: string } | null;
  /** Every replay of this call, oldest first (from its `replay` annotations). */
  replays?: ReplayLink[];
}

/** One replay of a call, as its original lists it. */
export interface ReplayLink {
  traceId: string;
  spanId: string;
  /** Epoch ms, when it was sent. */
  at: number;
  model: string | null;
  /** The provider's HTTP status (null: none came, e.g. upstream down). */
  httpStatus: number | null;
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
  /** Facts attached to this span after capture, oldest first. */
  annotations: AnnotationDto[];
  /** Its guardrail hits (the `guardrail` annotations, read for where they point), oldest first. */
  guardrails: GuardrailHitDto[];
}

export interface TraceDetail {
  trace: TraceSummary;
  spans: SpanDto[];
  /** Annotations about the whole trace (no span). */
  annotations: AnnotationDto[];
}

// ---- annotations: facts attached to a span (or a trace) after capture ----

// AnnotationKind (open: later features and instrumentations add kinds) and AnnotationLocation
// (where inside a call an annotation points) are the core model's, which the analyses share.
export type { AnnotationKind, AnnotationLocation } from '../core/annotations/model';

export interface AnnotationDto {
  id: string;
  traceId: string;
  /** null: about the whole trace. */
  spanId: string | null;
  kind: AnnotationKind;
  /** Evaluation name, rule id, `thumbs` for feedback, … */
  name: string;
  label: string | null;
  score: number | null;
  explanation: string | null;
  /** `rule:<id>` (a post-capture analysis), `instrumentation` (sent by the app), `user` (made in Spyglass). */
  source: string;
  location: AnnotationLocation | null;
  /** Kind-specific facts: a guardrail's category and severity, a replay's link, an evaluation's raw attributes. */
  attributes: Attributes;
  /** Epoch ms. */
  createdAt: number;
  /** The call revision this was computed on (null when not about a call). */
  callRevision: number | null;
}

/** `GET /api/annotations?kind&name&label&source&traceId&spanId&from&to&limit&cursor`: newest first; from/to bound createdAt. */
export interface AnnotationQuery {
  kind?: string;
  name?: string;
  label?: string;
  /** `user`, `instrumentation`, `rule:<analysis>`. */
  source?: string;
  traceId?: string;
  spanId?: string;
  from?: number;
  to?: number;
  limit?: number;
  cursor?: string;
}

export interface AnnotationPage {
  annotations: AnnotationDto[];
  nextCursor: string | null;
}

/**
 * `POST /api/traces/{traceId}/spans/{spanId}/annotations` (or `/api/traces/{traceId}/annotations`
 * for the whole trace): what a user may add. Answers the stored AnnotationDto (201).
 * `DELETE /api/annotations/{id}` removes a user's own (source `user`) annotation (204).
 */
export type NewUserAnnotation =
  | { kind: 'feedback'; label: 'up' | 'down'; explanation?: string }
  | { kind: 'note'; explanation: string };

// ---- the light span list and span detail on demand (the trace panel) ----

/**
 * `GET /api/traces/{traceId}/outline[?since=REV]`: what the waterfall needs of every span, and no
 * more (no attributes, messages, events). Columnar, with repeated strings once in `strings`, so a
 * 100,000-span trace stays a few MB. Column i of every array is span i; spans are in start order.
 * With `since`, only spans stored or changed (call revision, annotations) after that store
 * revision are listed: a patch to apply by span id.
 */
export interface TraceOutline {
  trace: TraceSummary;
  /** The store revision this outline reflects; pass it as `since` to get what changed after. */
  revision: number;
  /** True when this is a patch (`since` was given). */
  partial: boolean;
  strings: string[];
  spanId: string[];
  parentSpanId: (string | null)[];
  /** Index into `strings`. */
  name: number[];
  /** Index into `strings` (a SpanCategory). */
  category: number[];
  /** Start, as ms after `trace.startTime`. */
  start: number[];
  durationMs: number[];
  /** 0 unset, 1 ok, 2 error. */
  status: number[];
  /** Index into `strings`, -1 for none. */
  service: number[];
  /** The call's model, index into `strings`; -1 for spans that are not LLM calls. */
  model: number[];
  inputTokens: (number | null)[];
  outputTokens: (number | null)[];
  costUsd: (number | null)[];
  costEstimated: boolean[];
  /** Per span, annotation counts by kind; null when it has none. */
  annotationCounts: (Partial<Record<AnnotationKind, number>> | null)[];
  /** Annotations about the whole trace (no span), in full outlines and in every patch. */
  annotations?: AnnotationDto[];
  /**
   * Only the first spans by start time (`?limit=N` on a trace with more): enough to paint the
   * first screenful; the whole outline (no `since`, no `limit`) replaces it.
   */
  preview?: boolean;
}

/** `GET /api/traces/{traceId}/spans/{spanId}`: one span in full (SpanDto, annotations included). */
export type SpanDetail = SpanDto;

// ---- post-capture analyses (the collector's analysis runner) ----

/** One registered analysis and how far the runner has come with it. */
export interface AnalysisStatus {
  name: string;
  version: number | string;
  description: string;
  /** Stored calls not analysed yet: the runner falls behind under a burst and catches up. */
  pending: number;
  /** Stored calls were analysed by an older version; `POST /api/analyses/rerun` analyses them again. */
  stale: boolean;
}

/** `GET /api/analyses`. */
export interface AnalysesDto {
  analyses: AnalysisStatus[];
}

/** `POST /api/analyses/rerun` body (application/json): one analysis by name, or all. Answers AnalysesDto (202). */
export interface AnalysisRerunRequest {
  name?: string;
}

// ---- replay: the request behind a call, sent again ----

/** The provider APIs a request can be rebuilt in (`core/replay/wire-api.ts`). */
export type ReplayWireApi = 'openai.chat_completions' | 'openai.responses' | 'anthropic.messages' | 'gemini.generate_content';

/** `GET /api/traces/{traceId}/spans/{spanId}/request`: the provider request that produced a call. */
export interface ReplayRequestDto {
  /** The call's provider (`openai`, `anthropic`, `gcp.gemini`, a local route's name, …). */
  provider: string | null;
  /** The proxy route it goes to by default; null when none is known (name one in the replay). */
  upstream: string | null;
  api: ReplayWireApi | null;
  method: string;
  /** Below the upstream's base URL, query included: `/v1/chat/completions`. */
  path: string;
  /** The body text: exactly as sent for a proxied call, pretty JSON for a rebuilt one. */
  body: string;
  /** Headers sent again (`anthropic-version`, `openai-beta`, …); never credentials. */
  headers: Record<string, string>;
  /** Names of the credential headers the app sent (values are never stored). */
  credentialHeaders: string[];
  /** True: the exact request (proxied). False: rebuilt from an OTLP capture. */
  exact: boolean;
  /** What a rebuild guessed or left out. */
  notes: string[];
}

/**
 * `POST /api/replay` (application/json). `body` replaces the request body (text or JSON),
 * `model` only the model, `upstream` only the proxy route; `count` 1 to 20. Credentials:
 * `Authorization`, `x-api-key`, `x-goog-api-key` on this request, else the collector's
 * environment. With `Accept: text/event-stream` the answer is a stream of ReplayStreamEvent.
 */
export interface ReplayRunRequest {
  traceId: string;
  spanId: string;
  body?: string | Record<string, unknown>;
  model?: string;
  upstream?: string;
  count?: number;
  /** A prompt version's call sent with another version's text: recorded on the replay's link, the replay counts as that version's call. */
  prompt?: PromptReplayTag;
  /** The service the replay is recorded under (`x-spyglass-service`), by default the proxy route's name. */
  service?: string;
}

export interface ReplayOutcome {
  traceId: string;
  spanId: string;
  /** The provider's status, or the proxy's (502 upstream down, 504 timeout). */
  httpStatus: number | null;
  error?: string;
}

export interface ReplayRunDto {
  replays: ReplayOutcome[];
}

/** `POST /api/replay` with `Accept: text/event-stream`: one JSON object per `data:` line. */
export type ReplayStreamEvent =
  | { type: 'started'; index: number; traceId: string; spanId: string }
  | { type: 'text'; index: number; text: string }
  | ({ type: 'done'; index: number } & ReplayOutcome)
  | ({ type: 'end' } & ReplayRunDto)
  | { type: 'error'; error: string; detail?: string };

// ---- guardrails: hits of the guardrail checks (and guardrail events sent by apps) ----

export type GuardrailCategory = 'pii' | 'secret' | 'injection' | 'leakage' | 'toxicity' | 'refusal' | 'format' | 'truncation';
export type GuardrailSeverity = 'low' | 'medium' | 'high';

/** One hit on a span: where in the call it is (`location` side; message, part and UTF-16 range when known). */
export interface GuardrailHitDto {
  /** The annotation's id. */
  id: string;
  /** Rule id, e.g. `pii.email`, `secret.openai`, `injection.override`; an app's guardrail name. */
  rule: string;
  /** One of GuardrailCategory for the built-in checks; an app's guardrail event may say another. */
  category: string;
  severity: string | null;
  location: 'input' | 'output' | 'system' | null;
  messageIndex: number | null;
  partIndex: number | null;
  start: number | null;
  end: number | null;
  explanation: string | null;
  /** `rule:guardrails` (the built-in checks), `instrumentation` (sent by the app). */
  source: string;
}

/** A hit in the list across traces. */
export interface GuardrailListHit extends GuardrailHitDto {
  traceId: string;
  spanId: string | null;
  /** When the call happened (epoch ms). */
  at: number;
  /** The span's name and the call's model, to tell hits apart in a list. */
  spanName: string | null;
  model: string | null;
}

/** `GET /api/guardrails?category&rule&severity&from&to&limit&cursor&bucketMs`: newest first; from/to bound the call's time. */
export interface GuardrailQuery {
  category?: string;
  rule?: string;
  severity?: string;
  from?: number;
  to?: number;
  limit?: number;
  cursor?: string;
  /** With from: counts per category in buckets of this width (ms), starting at `from`. */
  bucketMs?: number;
}

export interface GuardrailCounts {
  total: number;
  byCategory: Record<string, number>;
  byRule: Record<string, number>;
  bySeverity: Record<string, number>;
}

export interface GuardrailBucket {
  /** Epoch ms where the bucket starts. */
  bucketStart: number;
  /** Hits per category; categories with none left out. */
  byCategory: Record<string, number>;
}

export interface GuardrailPage {
  hits: GuardrailListHit[];
  nextCursor: string | null;
  /** Over every hit the filters match (not only this page). */
  counts: GuardrailCounts;
  /** With `bucketMs`: hits per category and time bucket, empty buckets left out. */
  buckets?: GuardrailBucket[];
}

/** `GET /api/guardrails/config` and the answer of `PUT` on it. */
export interface GuardrailConfigDto {
  /** The configuration in force (as given; {} for the defaults). */
  config: unknown;
  privacyMode: boolean;
  /** The guardrails analysis's version: changes with the configuration. */
  version: number | string | null;
}

/** `PUT /api/guardrails/config` body (application/json); 400 with the validation errors for a bad one. */
export interface GuardrailConfigRequest {
  config: unknown;
  /** Ignored here: privacy mode is a start option (it decides what is stored); `privacyMode` in the answer is the one in force. */
  privacyMode?: boolean;
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
  | { type: 'annotations-changed'; traceIds: string[]; at: number }
  | { type: 'cleared'; at: number }
  | { type: 'alerts-changed'; firing: number; worst: AlertSeverity | null; raised: AlertDto[]; at: number };

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
  /** True for a reader of the store (`serve --read-only`): the API's reads only, no capture. */
  readOnly?: boolean;
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
  /**
   * Bucket width in ms, whole minutes. Buckets lie on the calendar grid of the width (multiples of
   * it since the epoch, UTC; whole weeks from a Monday), the first starting at `from`.
   */
  bucketMs?: number;
  service?: string;
  model?: string;
}

/** One (bucket, model) cell; empty cells are left out. */
export interface StatsSeriesPoint {
  /** Epoch ms where the bucket starts: `from` for the first, a multiple of the width for the others. */
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

// ---- prompt versions (GET /api/prompts…) ----

export interface PromptQuery {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  service?: string;
  /** Compare only: A's calls that were replayed with B's text against those replays (any time). */
  replays?: boolean;
}

/** p50 and p95 of the calls' figures; null without any. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

/** One version's calls in the window, with their figures. */
export interface PromptVersionStats {
  version: string;
  hash: string;
  /** Epoch ms, over all the version's calls (not only the window's). */
  firstSeen: number;
  lastSeen: number;
  calls: number;
  errors: number;
  costUsd: number;
  costPerCall: number | null;
  latencyMs: Percentiles;
  ttftMs: Percentiles;
  inputTokens: number;
  outputTokens: number;
  /** Calls with a refusal (a guardrail hit of category `refusal`). */
  refusals: number;
  /** Calls with any guardrail hit. */
  guardrailHits: number;
  /** Thumbs on the calls, or on their traces. */
  feedbackUp: number;
  feedbackDown: number;
}

/** `template`: named or given by instrumentation; `system`: recovered from the system instructions; `experiment`: an experiment's variants. */
export type PromptSourceDto = 'template' | 'system' | 'experiment';

export interface PromptDto {
  promptId: string;
  name: string;
  source: PromptSourceDto;
  serviceName: string | null;
  spanName: string;
  /** Newest first; only versions with calls in the window. */
  versions: PromptVersionStats[];
}

export interface PromptsDto {
  prompts: PromptDto[];
  /** Experiments (experiment id / feature flag), each variant a version. */
  experiments: PromptDto[];
}

/** `GET /api/prompts/{promptId}/versions/{version}`: the version's text and what is known of it. */
export interface PromptVersionDetail {
  promptId: string;
  name: string;
  source: PromptSourceDto;
  serviceName: string | null;
  spanName: string;
  version: string;
  hash: string;
  /** The template: fixed text with `{{…}}` where the calls' texts varied (or the template as instrumentation gave it). */
  text: string;
  /** One rendered text the version was sent with. */
  example: string;
  /** Places that varied between its calls. */
  variables: number;
  firstSeen: number;
  lastSeen: number;
  calls: number;
  /** The other versions of the prompt, oldest first (for picking one to compare with). */
  versions: string[];
  /** A few of its calls, newest first. */
  recentCalls: { traceId: string; spanId: string; startTime: number }[];
}

/** One figure of two versions compared: B against A. */
export interface MetricComparisonDto {
  metric: 'calls' | 'latencyMs' | 'ttftMs' | 'inputTokens' | 'outputTokens' | 'costPerCall' | 'errorRate' | 'refusalRate' | 'guardrailRate' | 'feedbackUpRate';
  label: string;
  kind: 'rate' | 'sample';
  /** Which way is good. */
  direction: 'lower' | 'higher' | 'neutral';
  /** Rates: the share (0..1); samples: the median. */
  a: number | null;
  b: number | null;
  /** B − A: rates' difference, or the Hodges–Lehmann shift. */
  difference: number | null;
  interval: { lo: number; hi: number } | null;
  p: number | null;
  method: string;
  verdict: 'better' | 'worse' | 'higher' | 'lower' | 'undecided';
  moreCalls: number | null;
  /** The verdict in words: "better", "worse", "not distinguishable yet: N more calls needed". */
  verdictText: string;
  /** Calls the figure was measured on, per side. */
  n: { a: number; b: number };
}

export interface PromptComparisonDto {
  a: { promptId: string; name: string; version: string; stats: PromptVersionStats };
  b: { promptId: string; name: string; version: string; stats: PromptVersionStats };
  metrics: MetricComparisonDto[];
}

/** What a replay with another prompt version's text records on its link to the original. */
export interface PromptReplayTag {
  /** The version whose text the replay was sent with. */
  promptId: string;
  version: string;
  /** The version the original call was sent with. */
  fromPromptId: string;
  fromVersion: string;
}

/**
 * `GET /api/prompts/replay-plan?a=<promptId>/<version>&b=…&count=N`: A's newest N calls (1 to
 * 50, default 10), each with its request body carrying B's text in place of A's (the call's own
 * variable values kept), ready for `POST /api/replay` with `prompt` set; or why it cannot be.
 */
export interface PromptReplayPlan {
  a: { promptId: string; version: string };
  b: { promptId: string; version: string };
  items: PromptReplayItem[];
}

export interface PromptReplayItem {
  traceId: string;
  spanId: string;
  /** The original's service, for the replay to be recorded under. */
  serviceName: string | null;
  /** The request body to send; absent when `error` says why this call cannot be carried over. */
  body?: string;
  error?: string;
}
