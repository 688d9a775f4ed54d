// OTLP answers in the encoding of the request: Export*ServiceResponse (with partial_success
// when items were rejected or changed) and, for errors, a google.rpc.Status.

import { LogsResponseType, MetricsResponseType, RpcStatusType, TraceResponseType } from './schema';

export type OtlpSignal = 'traces' | 'logs';
export type OtlpEncoding = 'protobuf' | 'json';

export const CONTENT_TYPES: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** gRPC status codes used in google.rpc.Status bodies and gRPC answers. */
export const GrpcCode = { INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, INTERNAL: 13, UNAVAILABLE: 14 } as const;

/** Longest error_message sent back; the reasons beyond it are summarised by count already. */
const MAX_MESSAGE_CHARS = 8192;

export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

/**
 * Builds partial_success from rejections and warnings. Per the spec it is left out when
 * everything was accepted unchanged; with only warnings, rejected is 0 and the message says why.
 */
export function partialSuccessOf(rejected: number, errors: string[], warnings: string[]): PartialSuccess | null {
  if (rejected === 0 && errors.length === 0 && warnings.length === 0) return null;
  const parts: string[] = [];
  if (rejected > 0) parts.push(`${rejected} rejected: ${errors.join('; ')}`);
  else if (errors.length > 0) parts.push(errors.join('; '));
  if (warnings.length > 0) parts.push(`warnings: ${warnings.join('; ')}`);
  let errorMessage = parts.join(' | ');
  if (errorMessage.length > MAX_MESSAGE_CHARS) errorMessage = `${errorMessage.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
  return { rejected, errorMessage };
}

export function encodeExportResponse(signal: OtlpSignal, encoding: OtlpEncoding, partial: PartialSuccess | null): Buffer {
  if (encoding === 'json') {
    if (partial === null) return Buffer.from('{}');
    // int64 goes out as a decimal string, as the protobuf JSON mapping writes it.
    const body =
      signal === 'traces'
        ? { partialSuccess: { rejectedSpans: String(partial.rejected), errorMessage: partial.errorMessage } }
        : { partialSuccess: { rejectedLogRecords: String(partial.rejected), errorMessage: partial.errorMessage } };
    return Buffer.from(JSON.stringify(body));
  }
  return Buffer.from(encodeExportResponseProto(signal, partial));
}

export function encodeExportResponseProto(signal: OtlpSignal, partial: PartialSuccess | null): Uint8Array {
  if (signal === 'traces') {
    const msg = partial === null ? {} : { partialSuccess: { rejectedSpans: partial.rejected, errorMessage: partial.errorMessage } };
    return TraceResponseType.encode(TraceResponseType.fromObject(msg)).finish();
  }
  const msg = partial === null ? {} : { partialSuccess: { rejectedLogRecords: partial.rejected, errorMessage: partial.errorMessage } };
  return LogsResponseType.encode(LogsResponseType.fromObject(msg)).finish();
}

export function encodeStatus(encoding: OtlpEncoding, code: number, message: string): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from(RpcStatusType.encode(RpcStatusType.fromObject({ code, message })).finish());
}

/** ExportMetricsServiceResponse, in the request's encoding. */
export function encodeMetricsResponse(encoding: OtlpEncoding, partial: PartialSuccess | null): Buffer {
  if (encoding === 'json') {
    if (partial === null) return Buffer.from('{}');
    return Buffer.from(JSON.stringify({ partialSuccess: { rejectedDataPoints: String(partial.rejected), errorMessage: partial.errorMessage } }));
  }
  return Buffer.from(encodeMetricsResponseProto(partial));
}

export function encodeMetricsResponseProto(partial: PartialSuccess | null): Uint8Array {
  const msg = partial === null ? {} : { partialSuccess: { rejectedDataPoints: partial.rejected, errorMessage: partial.errorMessage } };
  return MetricsResponseType.encode(MetricsResponseType.fromObject(msg)).finish();
}
