// What capture hands its decoded data to. The collector wires this to the store's batched
// writer; tests can wire it to anything. Capture never waits on pricing or guardrails.

import type { IngestBatch, IngestSpan, LlmCall } from '../core/model';

export interface IngestResult {
  /** Spans stored now (duplicates of already stored spans are not counted). */
  acceptedSpans: number;
  acceptedLogs: number;
  /** Items refused for being invalid, each with a reason (OTLP partial success). */
  rejectedSpans: number;
  rejectedLogs: number;
  errors: string[];
}

/** One recorded provider exchange from the proxy. */
export interface ProxyCapture {
  /** The synthesized span: joins the caller's trace when a traceparent came with the request. */
  span: IngestSpan;
  call: LlmCall;
  /** The exact request, for replay. Never holds credentials. */
  request: { method: string; path: string; headers: Record<string, string>; body: string };
  /** The response body as received (SSE text for streams), capped. */
  responseBody: string;
  httpStatus: number | null;
  /** 'ok' | 'error' | 'cancelled' */
  outcome: 'ok' | 'error' | 'cancelled';
  warnings: string[];
}

export interface SpanSink {
  /** Resolves once the batch is durably stored (group commit: many requests share one transaction). */
  ingest(batch: IngestBatch): Promise<IngestResult>;
  recordProxyCall(capture: ProxyCapture): Promise<void>;
}
