// OTLP protobuf → IngestBatch through protobufjs' generated decoder and the schema in schema.ts.
// This is the reference the fast decoder (decode-protobuf.ts) is tested against: it is plainly
// correct but several times slower (message objects, Longs, oneof bookkeeping, then conversion).

import { isUtf8 } from 'node:buffer';
import protobuf from 'protobufjs';
import type { Attributes, IngestLogRecord, IngestSpan, InstrumentationScope, SpanEvent, SpanLink } from '../../core/model';
import { capString, DecodeContext, type DecodeOptions, ItemRejected, OtlpDecodeError } from './context';
import type { DecodeResult } from './decode-result';
import { finishResult } from './decode-result';
import { bytesToHex, type LongLike, longNanosToMicros, optionalId, requireId } from './ids-and-times';
import { LogsRequestType, TraceRequestType } from './schema';
import {
  attachLogWarnings,
  attachSpanWarnings,
  buildScope,
  checkKind,
  checkSpanTimes,
  checkStatusCode,
  eventNameOf,
  rejectionReason,
  settleLogTimes,
  spanLabel,
} from './validate';
import { type PbAnyValue, type PbKeyValue, pbAttributes, pbValue } from './values';

// ---- decoded shapes ----

interface PbResource {
  attributes: PbKeyValue[];
}
interface PbScope {
  name: string;
  version: string;
}
interface PbEvent {
  timeUnixNano: LongLike;
  name: string;
  attributes: PbKeyValue[];
}
interface PbLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
  attributes: PbKeyValue[];
}
interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: LongLike;
  endTimeUnixNano: LongLike;
  attributes: PbKeyValue[];
  events: PbEvent[];
  links: PbLink[];
  status: { message: string; code: number } | null;
}
interface PbScopeSpans {
  scope: PbScope | null;
  spans: PbSpan[];
}
interface PbTraceRequest {
  resourceSpans: { resource: PbResource | null; scopeSpans: PbScopeSpans[]; instrumentationLibrarySpans: PbScopeSpans[] }[];
}
interface PbLogRecord {
  timeUnixNano: LongLike;
  observedTimeUnixNano: LongLike;
  severityNumber: number;
  severityText: string;
  body: PbAnyValue | null;
  attributes: PbKeyValue[];
  traceId: Uint8Array;
  spanId: Uint8Array;
  eventName: string;
}
interface PbScopeLogs {
  scope: PbScope | null;
  logRecords: PbLogRecord[];
}
interface PbLogsRequest {
  resourceLogs: { resource: PbResource | null; scopeLogs: PbScopeLogs[]; instrumentationLibraryLogs: PbScopeLogs[] }[];
}

/** Node's Buffer has this undocumented fast path, which protobufjs itself uses. */
type NodeBuffer = Buffer & { utf8Slice(start: number, end: number): string };

/**
 * A reader that notices invalid UTF-8. Strings are still decoded the way Node does (each bad
 * sequence becomes U+FFFD), so nothing else in the item is lost; the answer carries a warning.
 */
class Utf8CheckingReader extends protobuf.BufferReader {
  invalidUtf8 = 0;

  override string(): string {
    const len = this.uint32();
    const start = this.pos;
    const end = start + len;
    if (end > this.len) throw new RangeError(`index out of range: ${start} + ${len} > ${this.len}`);
    this.pos = end;
    const buf = this.buf as NodeBuffer;
    if (len === 0) return '';
    if (isUtf8(buf.subarray(start, end))) return buf.utf8Slice(start, end);
    // utf8Slice throws on invalid input in current Node; toString replaces bad sequences.
    this.invalidUtf8++;
    return buf.toString('utf8', start, end);
  }

  /** proto3 strings are read through this one (utf8_validation = VERIFY); same lenient policy. */
  override stringVerify(): string {
    return this.string();
  }
}

function decodeMessage<T>(type: protobuf.Type, body: Uint8Array, what: string, ctx: DecodeContext): T {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const reader = new Utf8CheckingReader(buf);
  let message: T;
  try {
    message = type.decode(reader) as T;
  } catch (err) {
    throw new OtlpDecodeError(`body is not a valid protobuf ${what}: ${(err as Error).message}`);
  }
  if (reader.invalidUtf8 > 0) {
    ctx.warn(`${reader.invalidUtf8} string field(s) held invalid UTF-8; each bad sequence was stored as U+FFFD`);
  }
  return message;
}

function scopeOf(s: PbScope | null, ctx: DecodeContext): InstrumentationScope {
  return s === null ? { name: '' } : buildScope(s.name, s.version, ctx);
}

/** Resource attributes are shared by every item under them; warnings about them go to the answer. */
function resourceOf(r: PbResource | null, ctx: DecodeContext): Attributes {
  if (r === null) return {};
  const attrs = pbAttributes(r.attributes, ctx);
  ctx.takeItemWarnings('resource');
  return attrs;
}

function pbEvents(events: PbEvent[], ctx: DecodeContext): SpanEvent[] {
  const out: SpanEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    out[i] = {
      timeUs: longNanosToMicros(e.timeUnixNano),
      name: capString(e.name, ctx, 'event name'),
      attributes: pbAttributes(e.attributes, ctx),
    };
  }
  return out;
}

function pbLinks(links: PbLink[], ctx: DecodeContext): SpanLink[] {
  const out: SpanLink[] = new Array(links.length);
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    out[i] = {
      traceId: requireId(bytesToHex(l.traceId), 16, `links[${i}].trace_id`),
      spanId: requireId(bytesToHex(l.spanId), 8, `links[${i}].span_id`),
      attributes: pbAttributes(l.attributes, ctx),
    };
  }
  return out;
}

function pbSpan(s: PbSpan, resource: Attributes, scope: InstrumentationScope, ctx: DecodeContext): IngestSpan {
  const spanIdHex = bytesToHex(s.spanId);
  try {
    const span: IngestSpan = {
      traceId: requireId(bytesToHex(s.traceId), 16, 'trace_id'),
      spanId: requireId(spanIdHex, 8, 'span_id'),
      parentSpanId: optionalId(bytesToHex(s.parentSpanId), 8, 'parent_span_id'),
      name: s.name.length > ctx.maxStringChars ? capString(s.name, ctx, 'name') : s.name,
      kind: checkKind(s.kind, ctx),
      startUs: longNanosToMicros(s.startTimeUnixNano),
      endUs: longNanosToMicros(s.endTimeUnixNano),
      statusCode: s.status === null ? 0 : checkStatusCode(s.status.code, ctx),
      statusMessage: s.status === null ? '' : capString(s.status.message, ctx, 'status message'),
      attributes: pbAttributes(s.attributes, ctx),
      events: s.events.length === 0 ? [] : pbEvents(s.events, ctx),
      links: s.links.length === 0 ? [] : pbLinks(s.links, ctx),
      resource,
      scope,
    };
    checkSpanTimes(span, ctx);
    attachSpanWarnings(span, ctx);
    return span;
  } catch (err) {
    ctx.itemWarnings = null;
    throw err instanceof ItemRejected ? new ItemRejected(`${spanLabel(s.name, spanIdHex)}: ${err.message}`) : err;
  }
}

/** Decodes an ExportTraceServiceRequest. Throws OtlpDecodeError when the body is not one. */
export function decodeTracesProtobufWithSchema(body: Uint8Array, opts?: DecodeOptions): DecodeResult {
  const ctx = new DecodeContext(opts);
  const req = decodeMessage<PbTraceRequest>(TraceRequestType, body, 'ExportTraceServiceRequest', ctx);
  const spans: IngestSpan[] = [];
  for (const rs of req.resourceSpans) {
    const resource = resourceOf(rs.resource, ctx);
    const groups = rs.instrumentationLibrarySpans.length === 0 ? rs.scopeSpans : [...rs.scopeSpans, ...rs.instrumentationLibrarySpans];
    for (const ss of groups) {
      const scope = scopeOf(ss.scope, ctx);
      for (const s of ss.spans) {
        try {
          spans.push(pbSpan(s, resource, scope, ctx));
        } catch (err) {
          ctx.reject('span', rejectionReason(err, spanLabel(s.name, '')));
        }
      }
    }
  }
  return finishResult(ctx, { spans, logs: [] });
}

function pbLog(r: PbLogRecord, index: number, resource: Attributes, scope: InstrumentationScope, ctx: DecodeContext): IngestLogRecord {
  try {
    const attributes = pbAttributes(r.attributes, ctx);
    const traceId = optionalId(bytesToHex(r.traceId), 16, 'trace_id');
    const log: IngestLogRecord = {
      timeUs: longNanosToMicros(r.timeUnixNano),
      observedTimeUs: longNanosToMicros(r.observedTimeUnixNano),
      traceId,
      spanId: traceId === null ? null : optionalId(bytesToHex(r.spanId), 8, 'span_id'),
      severityNumber: r.severityNumber,
      severityText: capString(r.severityText, ctx, 'severity_text'),
      eventName: eventNameOf(capString(r.eventName, ctx, 'event_name'), attributes),
      body: pbValue(r.body, ctx, ''),
      attributes,
      resource,
      scope,
    };
    settleLogTimes(log, ctx);
    attachLogWarnings(log, index, ctx);
    return log;
  } catch (err) {
    ctx.itemWarnings = null;
    throw err instanceof ItemRejected ? new ItemRejected(`log record ${index}: ${err.message}`) : err;
  }
}

/** Decodes an ExportLogsServiceRequest. Throws OtlpDecodeError when the body is not one. */
export function decodeLogsProtobufWithSchema(body: Uint8Array, opts?: DecodeOptions): DecodeResult {
  const ctx = new DecodeContext(opts);
  const req = decodeMessage<PbLogsRequest>(LogsRequestType, body, 'ExportLogsServiceRequest', ctx);
  const logs: IngestLogRecord[] = [];
  let index = 0;
  for (const rl of req.resourceLogs) {
    const resource = resourceOf(rl.resource, ctx);
    const groups = rl.instrumentationLibraryLogs.length === 0 ? rl.scopeLogs : [...rl.scopeLogs, ...rl.instrumentationLibraryLogs];
    for (const sl of groups) {
      const scope = scopeOf(sl.scope, ctx);
      for (const r of sl.logRecords) {
        const i = index++;
        try {
          logs.push(pbLog(r, i, resource, scope, ctx));
        } catch (err) {
          ctx.reject('log', rejectionReason(err, `log record ${i}`));
        }
      }
    }
  }
  return finishResult(ctx, { spans: [], logs });
}
