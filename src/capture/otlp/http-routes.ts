// POST /v1/traces and POST /v1/logs, answering as the OTLP/HTTP spec says:
// 200 with Export*ServiceResponse (partial_success when items were rejected or changed),
// 400 with a google.rpc.Status for a body that cannot be decoded, 413 over the size cap,
// 415 for a content type that is neither protobuf nor JSON, 503 when the sink fails or too many
// bodies are in flight (retryable; with Retry-After for the latter), 408 for a body that stalls.
// Errors are encoded like the request (JSON when the request's encoding is unknown).

import type http from 'node:http';
import { HttpError, readBody, type RequestContext, type Route } from '../http-server';
import type { MetricsSink, OtlpIngestOutcome, SpanSink } from '../sink';
import { OtlpDecodeError } from './context';
import { ingestOtlp } from './ingest';
import { CONTENT_TYPES, encodeExportResponse, encodeMetricsResponse, encodeStatus, GrpcCode, type OtlpEncoding, type OtlpSignal, partialSuccessOf } from './responses';

/** Receives every decodable raw OTLP body (decompressed); see src/capture/forward.ts. */
export interface OtlpForwardTarget {
  forward(signal: OtlpSignal | 'metrics', body: Uint8Array, contentType: string): void;
}

export interface OtlpHttpOptions {
  /** Cap on a request body after decompression, in bytes; over it the answer is 413. */
  maxBodyBytes: number;
  /** Longest string value kept per attribute/body; see DecodeOptions. Default 1 MiB. */
  maxStringChars?: number;
  /** When given, every body that decodes is also sent upstream (never delaying the answer). */
  forwarder?: OtlpForwardTarget;
  /** When given, `/v1/metrics` is served; without it the path answers 404 as any unknown one. */
  metrics?: MetricsSink;
}

/** The request's OTLP encoding from its content type, or null when it is neither. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | null {
  if (contentType === undefined) return null;
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  return null;
}

function send(res: http.ServerResponse, status: number, encoding: OtlpEncoding, body: Buffer, headers?: Record<string, string>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    ...headers,
    'content-type': CONTENT_TYPES[encoding],
    'content-length': body.length,
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function grpcCodeFor(status: number): number {
  if (status === 413) return GrpcCode.RESOURCE_EXHAUSTED;
  if (status >= 500) return GrpcCode.UNAVAILABLE;
  return GrpcCode.INVALID_ARGUMENT;
}

function sendStatus(res: http.ServerResponse, status: number, encoding: OtlpEncoding, message: string, headers?: Record<string, string>): void {
  send(res, status, encoding, encodeStatus(encoding, grpcCodeFor(status), message), headers);
}

export function otlpHttpRoutes(sink: SpanSink, opts: OtlpHttpOptions): Route[] {
  const handle = (signal: OtlpSignal | 'metrics') => async (ctx: RequestContext): Promise<void> => {
    const { req, res } = ctx;
    const encoding = encodingOf(req.headers['content-type']);
    if (encoding === null) {
      req.resume();
      const got = req.headers['content-type'] === undefined ? 'no content-type' : `content-type ${JSON.stringify(req.headers['content-type'])}`;
      sendStatus(res, 415, 'json', `unsupported media type: ${got}; send application/x-protobuf or application/json`);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, { maxBytes: opts.maxBodyBytes });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      sendStatus(res, err.status, encoding, err.detail === undefined ? err.message : `${err.message}: ${err.detail}`, err.headers);
      return;
    }
    let outcome: OtlpIngestOutcome;
    try {
      outcome =
        signal === 'metrics'
          ? await opts.metrics!.ingestMetrics({ encoding, body })
          : await ingestOtlp(sink, { signal, encoding, body, maxStringChars: opts.maxStringChars });
    } catch (err) {
      if (err instanceof OtlpDecodeError) sendStatus(res, 400, encoding, err.message);
      else sendStatus(res, 503, encoding, `could not store the data, retry later: ${(err as Error)?.message ?? String(err)}`);
      return;
    }
    opts.forwarder?.forward(signal, body, CONTENT_TYPES[encoding]);
    const partial = partialSuccessOf(outcome.rejected, outcome.errors, outcome.warnings);
    send(res, 200, encoding, signal === 'metrics' ? encodeMetricsResponse(encoding, partial) : encodeExportResponse(signal, encoding, partial));
  };
  return [
    { method: 'POST', pattern: /^\/v1\/traces\/?$/, handler: handle('traces') },
    { method: 'POST', pattern: /^\/v1\/logs\/?$/, handler: handle('logs') },
    ...(opts.metrics ? [{ method: 'POST', pattern: /^\/v1\/metrics\/?$/, handler: handle('metrics') }] : []),
  ];
}
