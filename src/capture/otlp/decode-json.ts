// OTLP/JSON (the protobuf JSON mapping with OTLP's rules: lowerCamelCase keys, hex ids, int64 as
// decimal strings or numbers, enums as integers or names) → IngestBatch.
//
// Tolerated beyond the spec, because real senders do it: original snake_case keys, base64 ids,
// the deprecated instrumentationLibrarySpans/Logs, a UTF-8 byte order mark.
// A body whose envelope (resourceSpans → scopeSpans → spans) is not the OTLP shape is refused
// whole (400, with the path of the problem); a bad field inside one span or log record rejects
// that item only.

import { isUtf8 } from 'node:buffer';
import type { Attributes, IngestLogRecord, IngestSpan, InstrumentationScope, SpanEvent, SpanLink } from '../../core/model';
import { capString, DecodeContext, type DecodeOptions, ItemRejected, OtlpDecodeError } from './context';
import { type DecodeResult, finishResult } from './decode-result';
import { jsonIdToHex, jsonNanosToMicros, optionalId, requireId, typeName } from './ids-and-times';
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
import { ATTRIBUTE_VALUE_DEPTH, jsonAttributes, jsonValue, RESOURCE_VALUE_DEPTH } from './values';

type Obj = Record<string, unknown>;

/** A field by its JSON name, or by its original proto name as some senders write it. */
function field(o: Obj, camel: string, snake: string): unknown {
  const v = o[camel];
  return v !== undefined ? v : o[snake];
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseBody(body: Uint8Array, ctx: DecodeContext): Obj {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (!isUtf8(buf)) ctx.warn('body held invalid UTF-8; each bad sequence was stored as U+FFFD');
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new OtlpDecodeError(`body is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObj(parsed)) throw new OtlpDecodeError(`body must be a JSON object, got ${typeName(parsed)}`);
  return parsed;
}

/** An envelope list: absent is empty, anything but an array refuses the body. */
function envelopeList(o: Obj, camel: string, snake: string, path: string): Obj[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${path}${camel} must be an array, got ${typeName(v)}`);
  for (let i = 0; i < v.length; i++) {
    if (!isObj(v[i])) throw new OtlpDecodeError(`${path}${camel}[${i}] must be an object, got ${typeName(v[i])}`);
  }
  return v as Obj[];
}

function envelopeObj(o: Obj, camel: string, snake: string, path: string): Obj | null {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw new OtlpDecodeError(`${path}${camel} must be an object, got ${typeName(v)}`);
  return v;
}

function resourceOf(rs: Obj, path: string, ctx: DecodeContext): Attributes {
  const r = envelopeObj(rs, 'resource', 'resource', path);
  if (r === null) return {};
  try {
    const attrs = jsonAttributes(r.attributes, ctx, undefined, RESOURCE_VALUE_DEPTH);
    ctx.takeItemWarnings('resource');
    return attrs;
  } catch (err) {
    if (err instanceof ItemRejected) throw new OtlpDecodeError(`${path}resource: ${err.message}`);
    throw err;
  }
}

function scopeOf(ss: Obj, path: string, ctx: DecodeContext): InstrumentationScope {
  const s = envelopeObj(ss, 'scope', 'scope', path) ?? envelopeObj(ss, 'instrumentationLibrary', 'instrumentation_library', path);
  if (s === null) return { name: '' };
  const name = s.name ?? '';
  const version = s.version ?? '';
  if (typeof name !== 'string') throw new OtlpDecodeError(`${path}scope.name must be a string, got ${typeName(name)}`);
  if (typeof version !== 'string') throw new OtlpDecodeError(`${path}scope.version must be a string, got ${typeName(version)}`);
  return buildScope(name, version, ctx);
}

function str(v: unknown, name: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new ItemRejected(`${name} must be a string, got ${typeName(v)}`);
  return v;
}

function list(v: unknown, name: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ItemRejected(`${name} must be an array, got ${typeName(v)}`);
  return v;
}

function obj(v: unknown, name: string): Obj {
  if (!isObj(v)) throw new ItemRejected(`${name} must be an object, got ${typeName(v)}`);
  return v;
}

/** An enum as its number or its name (protobuf JSON allows both); absent is 0. */
function enumValue(v: unknown, names: Record<string, number>, name: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const n = names[v];
    if (n !== undefined) return n;
    if (/^\d+$/.test(v)) return Number(v);
  }
  throw new ItemRejected(`${name} must be an enum number or name, got ${typeof v === 'string' ? JSON.stringify(v) : typeName(v)}`);
}

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const SEVERITIES: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((level, i) => {
  SEVERITIES[`SEVERITY_NUMBER_${level}`] = i * 4 + 1;
  for (let k = 2; k <= 4; k++) SEVERITIES[`SEVERITY_NUMBER_${level}${k}`] = i * 4 + k;
});

function jsonEvents(v: unknown, ctx: DecodeContext): SpanEvent[] {
  const events = list(v, 'events');
  const out: SpanEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = obj(events[i], `events[${i}]`);
    out[i] = {
      timeUs: jsonNanosToMicros(field(e, 'timeUnixNano', 'time_unix_nano'), `events[${i}].timeUnixNano`),
      name: capString(str(e.name, `events[${i}].name`), ctx, 'event name'),
      attributes: jsonAttributes(e.attributes, ctx, undefined, ATTRIBUTE_VALUE_DEPTH),
    };
  }
  return out;
}

function jsonLinks(v: unknown, ctx: DecodeContext): SpanLink[] {
  const links = list(v, 'links');
  const out: SpanLink[] = new Array(links.length);
  for (let i = 0; i < links.length; i++) {
    const l = obj(links[i], `links[${i}]`);
    out[i] = {
      traceId: requireId(jsonIdToHex(field(l, 'traceId', 'trace_id'), 16, `links[${i}].traceId`), 16, `links[${i}].traceId`),
      spanId: requireId(jsonIdToHex(field(l, 'spanId', 'span_id'), 8, `links[${i}].spanId`), 8, `links[${i}].spanId`),
      attributes: jsonAttributes(l.attributes, ctx, undefined, ATTRIBUTE_VALUE_DEPTH),
    };
  }
  return out;
}

function jsonSpan(raw: unknown, resource: Attributes, scope: InstrumentationScope, ctx: DecodeContext): IngestSpan {
  if (!isObj(raw)) throw new ItemRejected(`span must be an object, got ${typeName(raw)}`);
  let spanIdHex = '';
  try {
    spanIdHex = jsonIdToHex(field(raw, 'spanId', 'span_id'), 8, 'spanId');
    const name = str(raw.name, 'name');
    const status = raw.status === undefined || raw.status === null ? null : obj(raw.status, 'status');
    const span: IngestSpan = {
      traceId: requireId(jsonIdToHex(field(raw, 'traceId', 'trace_id'), 16, 'traceId'), 16, 'traceId'),
      spanId: requireId(spanIdHex, 8, 'spanId'),
      parentSpanId: optionalId(jsonIdToHex(field(raw, 'parentSpanId', 'parent_span_id'), 8, 'parentSpanId'), 8, 'parentSpanId'),
      name: name.length > ctx.maxStringChars ? capString(name, ctx, 'name') : name,
      kind: checkKind(enumValue(raw.kind, SPAN_KINDS, 'kind'), ctx),
      startUs: jsonNanosToMicros(field(raw, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
      endUs: jsonNanosToMicros(field(raw, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano'),
      statusCode: status === null ? 0 : checkStatusCode(enumValue(status.code, STATUS_CODES, 'status.code'), ctx),
      statusMessage: status === null ? '' : capString(str(status.message, 'status.message'), ctx, 'status message'),
      attributes: jsonAttributes(raw.attributes, ctx, undefined, ATTRIBUTE_VALUE_DEPTH),
      events: raw.events === undefined ? [] : jsonEvents(raw.events, ctx),
      links: raw.links === undefined ? [] : jsonLinks(raw.links, ctx),
      resource,
      scope,
    };
    checkSpanTimes(span, ctx);
    attachSpanWarnings(span, ctx);
    return span;
  } catch (err) {
    ctx.itemWarnings = null;
    if (err instanceof ItemRejected) throw new ItemRejected(`${spanLabel(raw.name, spanIdHex)}: ${err.message}`);
    throw err;
  }
}

/** Decodes an OTLP/JSON ExportTraceServiceRequest. Throws OtlpDecodeError when the body is not one. */
export function decodeTracesJson(body: Uint8Array, opts?: DecodeOptions): DecodeResult {
  const ctx = new DecodeContext(opts);
  const root = parseBody(body, ctx);
  const spans: IngestSpan[] = [];
  const resourceSpans = envelopeList(root, 'resourceSpans', 'resource_spans', '');
  for (let r = 0; r < resourceSpans.length; r++) {
    const rs = resourceSpans[r]!;
    const path = `resourceSpans[${r}].`;
    const resource = resourceOf(rs, path, ctx);
    const groups = [
      ...envelopeList(rs, 'scopeSpans', 'scope_spans', path),
      ...envelopeList(rs, 'instrumentationLibrarySpans', 'instrumentation_library_spans', path),
    ];
    for (let g = 0; g < groups.length; g++) {
      const ss = groups[g]!;
      const scope = scopeOf(ss, `${path}scopeSpans[${g}].`, ctx);
      const list = ss.spans;
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw new OtlpDecodeError(`${path}scopeSpans[${g}].spans must be an array, got ${typeName(list)}`);
      for (const raw of list) {
        try {
          spans.push(jsonSpan(raw, resource, scope, ctx));
        } catch (err) {
          ctx.reject('span', rejectionReason(err, 'span'));
        }
      }
    }
  }
  return finishResult(ctx, { spans, logs: [] });
}

function jsonLog(raw: unknown, index: number, resource: Attributes, scope: InstrumentationScope, ctx: DecodeContext): IngestLogRecord {
  try {
    if (!isObj(raw)) throw new ItemRejected(`must be an object, got ${typeName(raw)}`);
    const attributes = jsonAttributes(raw.attributes, ctx, undefined, ATTRIBUTE_VALUE_DEPTH);
    const traceId = optionalId(jsonIdToHex(field(raw, 'traceId', 'trace_id'), 16, 'traceId'), 16, 'traceId');
    const spanIdHex = jsonIdToHex(field(raw, 'spanId', 'span_id'), 8, 'spanId');
    const log: IngestLogRecord = {
      timeUs: jsonNanosToMicros(field(raw, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'),
      observedTimeUs: jsonNanosToMicros(field(raw, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano'),
      traceId,
      spanId: traceId === null ? null : optionalId(spanIdHex, 8, 'spanId'),
      severityNumber: enumValue(field(raw, 'severityNumber', 'severity_number'), SEVERITIES, 'severityNumber'),
      severityText: capString(str(field(raw, 'severityText', 'severity_text'), 'severityText'), ctx, 'severity_text'),
      eventName: eventNameOf(capString(str(field(raw, 'eventName', 'event_name'), 'eventName'), ctx, 'event_name'), attributes),
      body: jsonValue(raw.body, ctx, '', ATTRIBUTE_VALUE_DEPTH),
      attributes,
      resource,
      scope,
    };
    settleLogTimes(log, ctx);
    attachLogWarnings(log, index, ctx);
    return log;
  } catch (err) {
    ctx.itemWarnings = null;
    if (err instanceof ItemRejected) throw new ItemRejected(`log record ${index}: ${err.message}`);
    throw err;
  }
}

/** Decodes an OTLP/JSON ExportLogsServiceRequest. Throws OtlpDecodeError when the body is not one. */
export function decodeLogsJson(body: Uint8Array, opts?: DecodeOptions): DecodeResult {
  const ctx = new DecodeContext(opts);
  const root = parseBody(body, ctx);
  const logs: IngestLogRecord[] = [];
  let index = 0;
  const resourceLogs = envelopeList(root, 'resourceLogs', 'resource_logs', '');
  for (let r = 0; r < resourceLogs.length; r++) {
    const rl = resourceLogs[r]!;
    const path = `resourceLogs[${r}].`;
    const resource = resourceOf(rl, path, ctx);
    const groups = [
      ...envelopeList(rl, 'scopeLogs', 'scope_logs', path),
      ...envelopeList(rl, 'instrumentationLibraryLogs', 'instrumentation_library_logs', path),
    ];
    for (let g = 0; g < groups.length; g++) {
      const sl = groups[g]!;
      const scope = scopeOf(sl, `${path}scopeLogs[${g}].`, ctx);
      const list = field(sl, 'logRecords', 'log_records');
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw new OtlpDecodeError(`${path}scopeLogs[${g}].logRecords must be an array, got ${typeName(list)}`);
      for (const raw of list) {
        const i = index++;
        try {
          logs.push(jsonLog(raw, i, resource, scope, ctx));
        } catch (err) {
          ctx.reject('log', rejectionReason(err, `log record ${i}`));
        }
      }
    }
  }
  return finishResult(ctx, { spans: [], logs });
}
