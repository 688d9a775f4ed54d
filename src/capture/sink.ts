// What capture hands its decoded data to. The collector wires this to the store's batched
// writer; tests can wire it to anything. Capture never waits on pricing or guardrails.

import type { IngestBatch, IngestSpan, LlmCall } from '../core/model';
import type { OtlpEncoding, OtlpSignal } from './otlp/responses';

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

/** One OTLP request body as received (decompressed), not yet decoded. */
export interface OtlpIngestRequest {
  signal: OtlpSignal;
  encoding: OtlpEncoding;
  body: Uint8Array;
  /** Longest string value kept; see DecodeOptions. */
  maxStringChars?: number;
}

/** What the partial-success answer to an OTLP request reports. */
export interface OtlpIngestOutcome {
  rejected: number;
  errors: string[];
  /** Things changed on accepted items (truncation, clamped times, invalid UTF-8). */
  warnings: string[];
}

export interface SpanSink {
  /** Resolves once the batch is durably stored (group commit: many requests share one transaction). */
  ingest(batch: IngestBatch): Promise<IngestResult>;
  /**
   * Decodes and stores a body; for sinks that decode off the receiving thread. Rejects with
   * OtlpDecodeError for a body that cannot be decoded. Without it, capture decodes and calls ingest.
   */
  ingestOtlp?(req: OtlpIngestRequest): Promise<OtlpIngestOutcome>;
  recordProxyCall(capture: ProxyCapture): Promise<void>;
}

/** One OTLP metrics body as received (decompressed), not yet decoded. */
export interface OtlpMetricsRequest {
  encoding: OtlpEncoding;
  body: Uint8Array;
}

/** What `/v1/metrics` (HTTP and gRPC) hands its bodies to. */
export interface MetricsSink {
  /** Rejects with OtlpDecodeError for a body that cannot be decoded. */
  ingestMetrics(req: OtlpMetricsRequest): Promise<OtlpIngestOutcome>;
}
