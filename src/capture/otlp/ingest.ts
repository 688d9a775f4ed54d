// One OTLP body from receipt to storage, shared by the HTTP and gRPC receivers. A sink that
// decodes elsewhere (the collector decodes and analyses on a worker thread) takes the body as
// is; any other sink gets the batch decoded here.

import type { OtlpIngestOutcome, OtlpIngestRequest, SpanSink } from '../sink';
import type { DecodeOptions } from './context';
import { decodeLogsJson, decodeTracesJson } from './decode-json';
import { decodeLogsProtobuf, decodeTracesProtobuf } from './decode-protobuf';
import type { DecodeResult } from './decode-result';
import type { OtlpEncoding, OtlpSignal } from './responses';

const DECODERS: Record<OtlpSignal, Record<OtlpEncoding, (body: Uint8Array, opts?: DecodeOptions) => DecodeResult>> = {
  traces: { protobuf: decodeTracesProtobuf, json: decodeTracesJson },
  logs: { protobuf: decodeLogsProtobuf, json: decodeLogsJson },
};

/** Throws OtlpDecodeError when the body as a whole cannot be read. */
export function decodeOtlp(req: OtlpIngestRequest): DecodeResult {
  return DECODERS[req.signal][req.encoding](req.body, { maxStringChars: req.maxStringChars });
}

/** What the decoder refused or changed, for the partial-success answer. */
export function outcomeOf(req: OtlpIngestRequest, decoded: DecodeResult): OtlpIngestOutcome {
  return {
    rejected: req.signal === 'traces' ? decoded.rejectedSpans : decoded.rejectedLogs,
    errors: decoded.errors,
    warnings: decoded.warnings,
  };
}

/**
 * Decodes and stores one body. Rejects with OtlpDecodeError for a body that cannot be decoded
 * (answer 400 / INVALID_ARGUMENT), with any other error when it could not be stored (retryable).
 */
export async function ingestOtlp(sink: SpanSink, req: OtlpIngestRequest): Promise<OtlpIngestOutcome> {
  if (sink.ingestOtlp) return sink.ingestOtlp(req);
  const decoded = decodeOtlp(req);
  const outcome = outcomeOf(req, decoded);
  if (decoded.batch.spans.length === 0 && decoded.batch.logs.length === 0) return outcome;
  const stored = await sink.ingest(decoded.batch);
  return {
    rejected: outcome.rejected + (req.signal === 'traces' ? stored.rejectedSpans : stored.rejectedLogs),
    errors: [...outcome.errors, ...stored.errors],
    warnings: outcome.warnings,
  };
}
