// The one model every capture path (OTLP HTTP/gRPC, proxy, import) is turned into.
// Pure types: no Node, no vscode. Times are integer microseconds since the Unix epoch
// (exact in a JS number, unlike nanoseconds).

import type { PromptRef } from './prompts/attributes';

/** An OTLP AnyValue after decoding: bytes become base64 strings, kvlists plain objects. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export const SpanKind = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type StatusCodeValue = 0 | 1 | 2;

export interface SpanEvent {
  timeUs: number;
  name: string;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface InstrumentationScope {
  name: string;
  version?: string;
}

/** A span as received, already validated: ids are lowercase hex of the right length. */
export interface IngestSpan {
  traceId: string; // 32 hex chars
  spanId: string; // 16 hex chars
  parentSpanId: string | null;
  name: string;
  kind: number;
  startUs: number;
  endUs: number;
  statusCode: StatusCodeValue;
  statusMessage: string;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  resource: Attributes;
  scope: InstrumentationScope;
}

/** An OTLP log record. GenAI content often arrives this way, tied to a span by its ids. */
export interface IngestLogRecord {
  timeUs: number;
  observedTimeUs: number;
  traceId: string | null;
  spanId: string | null;
  severityNumber: number;
  severityText: string;
  /** OTLP LogRecord.event_name, or the `event.name` attribute when only that is set. */
  eventName: string | null;
  body: AttrValue;
  attributes: Attributes;
  resource: Attributes;
  scope: InstrumentationScope;
}

export interface IngestBatch {
  spans: IngestSpan[];
  logs: IngestLogRecord[];
}

// ---- canonical GenAI message shape (gen_ai.input.messages / gen_ai.output.messages) ----

export interface TextPart { type: 'text'; content: string }
export interface ReasoningPart { type: 'reasoning'; content: string }
export interface ToolCallPart { type: 'tool_call'; id: string | null; name: string; arguments: unknown }
export interface ToolCallResponsePart { type: 'tool_call_response'; id: string | null; response: unknown }
export interface BlobPart { type: 'blob'; modality?: string; mime_type?: string; content: string }
export interface UriPart { type: 'uri'; modality?: string; mime_type?: string; uri: string }
export interface FilePart { type: 'file'; modality?: string; mime_type?: string; file_id: string }
/** A part type we do not know yet: kept as it came, never dropped. */
export interface GenericPart { type: string; [key: string]: unknown }

export type MessagePart =
  | TextPart
  | ReasoningPart
  | ToolCallPart
  | ToolCallResponsePart
  | BlobPart
  | UriPart
  | FilePart
  | GenericPart;

export interface ChatMessage {
  role: string; // system | user | assistant | tool | developer | …
  parts: MessagePart[];
  name?: string;
  finish_reason?: string; // output messages only
}

/** What kind of work a span is, for icons in the tree and for filtering. */
export type SpanCategory = 'llm' | 'embedding' | 'tool' | 'agent' | 'retriever' | 'chain' | 'http' | 'other';

/** Which convention (or capture path) an LLM call was understood from. */
export type Convention = 'genai' | 'genai-deprecated' | 'openllmetry' | 'openinference' | 'vercel-ai' | 'logfire' | 'proxy';

export interface LlmCall {
  convention: Convention;
  operation: string; // chat | text_completion | embeddings | generate_content | responses | …
  provider: string | null;
  requestModel: string | null;
  responseModel: string | null;
  responseId: string | null;
  /** Request parameters: temperature, max_tokens, top_p, seed, stop_sequences, … */
  params: Record<string, AttrValue>;
  inputTokens: number | null; // all input tokens, cached ones included
  outputTokens: number | null; // all output tokens, reasoning ones included
  cachedInputTokens: number | null; // cache reads (subset of inputTokens)
  cacheWriteTokens: number | null; // cache creation (subset of inputTokens)
  reasoningTokens: number | null; // subset of outputTokens
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
  /** The template, variables and experiment variant instrumentation named for this call (core/prompts/attributes.ts). */
  prompt?: PromptRef | null;
}

/** A call after pricing; cost is never in the capture path's way, but is stored with the call. */
export interface PricedCall extends LlmCall {
  costUsd: number | null;
  /** True when tokens were counted by us (no usage reported) or the price is a guess. */
  costEstimated: boolean;
  /** A failed call the provider reported no usage for: not billed, cost 0, no token estimate. */
  unbilled?: boolean;
}
