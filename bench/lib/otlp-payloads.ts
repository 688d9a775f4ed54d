// OTLP ExportTraceServiceRequest bodies built from canonical spans, in both wire encodings,
// so a benchmark can encode everything before the clock starts. The JSON form is the same
// exporter-shaped document the collector exports; the protobuf form is that document with
// hex ids turned into bytes, encoded with the collector's own protobufjs schema.

import type { IngestSpan } from '../../src/core/model';
import { TraceRequestType } from '../../src/capture/otlp/schema';
import { toOtlpJson } from '../../src/collector/otlp-export';

export type Encoding = 'protobuf' | 'json';

export const CONTENT_TYPE: Record<Encoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

export function encodeJson(spans: IngestSpan[]): Buffer {
  return Buffer.from(JSON.stringify(toOtlpJson(spans)), 'utf8');
}

type Doc = { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };

export function encodeProtobuf(spans: IngestSpan[]): Buffer {
  const doc = toOtlpJson(spans) as unknown as Doc;
  for (const rs of doc.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        s.traceId = Buffer.from(s.traceId as string, 'hex');
        s.spanId = Buffer.from(s.spanId as string, 'hex');
        if (s.parentSpanId) s.parentSpanId = Buffer.from(s.parentSpanId as string, 'hex');
      }
    }
  }
  const err = TraceRequestType.verify(TraceRequestType.fromObject(doc));
  if (err) throw new Error(`bench payload does not verify: ${err}`);
  return Buffer.from(TraceRequestType.encode(TraceRequestType.fromObject(doc)).finish());
}

export function encode(encoding: Encoding, spans: IngestSpan[]): Buffer {
  return encoding === 'protobuf' ? encodeProtobuf(spans) : encodeJson(spans);
}
