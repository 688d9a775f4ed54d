// The contract every provider API parser fulfils. Parsers run after the exchange is over (never
// on the path of the bytes to the client), on the whole request body and the whole response,
// and never throw: what they cannot read becomes a warning.

import type { AttrValue, ChatMessage, MessagePart } from '../../../core/model';
import type { SseEvent } from '../sse';

export interface ParsedRequest {
  requestModel: string | null;
  /** The request asked for a streamed answer. */
  stream: boolean;
  params: Record<string, AttrValue>;
  systemInstructions: MessagePart[];
  inputMessages: ChatMessage[];
  toolDefinitions: unknown[];
  conversationId: string | null;
}

/** Canonical token usage: input includes cache reads and writes; output includes reasoning. */
export interface TokenUsage {
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
}

export interface ReportedError {
  type: string;
  message: string;
}

export interface ParsedResponse {
  responseModel: string | null;
  responseId: string | null;
  usage: TokenUsage;
  finishReasons: string[];
  outputMessages: ChatMessage[];
  /** An error the provider reported in the body or inside the stream. */
  error: ReportedError | null;
  /** Streams: where (byte offset in the decoded body) the first and last content events ended. */
  firstContentEnd: number | null;
  lastContentEnd: number | null;
  warnings: string[];
}

export interface ApiParser {
  /** Recorded as spyglass.proxy.api: 'openai.chat_completions', 'anthropic.messages', … */
  api: string;
  /** gen_ai.operation.name */
  operation: string;
  parseRequest(body: unknown, path: string): ParsedRequest;
  /** A whole JSON response body (success or error). */
  parseJson(body: unknown): ParsedResponse;
  /** A server-sent event stream. */
  parseEvents(events: SseEvent[]): ParsedResponse;
}

export function emptyUsage(): TokenUsage {
  return { inputTokens: null, outputTokens: null, cachedInputTokens: null, cacheWriteTokens: null, reasoningTokens: null };
}

export function emptyResponse(): ParsedResponse {
  return {
    responseModel: null,
    responseId: null,
    usage: emptyUsage(),
    finishReasons: [],
    outputMessages: [],
    error: null,
    firstContentEnd: null,
    lastContentEnd: null,
    warnings: [],
  };
}

export function emptyRequest(): ParsedRequest {
  return { requestModel: null, stream: false, params: {}, systemInstructions: [], inputMessages: [], toolDefinitions: [], conversationId: null };
}
