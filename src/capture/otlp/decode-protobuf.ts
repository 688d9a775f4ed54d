// OTLP protobuf (ExportTraceServiceRequest / ExportLogsServiceRequest) → IngestBatch, read
// straight off the wire (see wire-reader.ts). Field numbers and wire types are those of the
// schema in schema.ts; the protobufjs decoder of that schema (decode-protobuf-schema.ts) is the
// reference this one is tested against, and this one is several times faster.
//
// Like protobufjs: unknown fields and known fields of the wrong wire type are skipped (the latter
// counted in a warning), the last occurrence of a singular field wins, a body that is cut short or
// malformed, or nested deeper than MAX_NESTING_DEPTH, is refused whole.
// Container fields may come in any order (a resource after its spans still applies to them).

import type { AttrValue, Attributes, IngestLogRecord, IngestSpan, InstrumentationScope, SpanEvent, SpanLink } from '../../core/model';
import { capString, DecodeContext, type DecodeOptions, ItemRejected, OtlpDecodeError } from './context';
import { type DecodeResult, finishResult } from './decode-result';
import { optionalId, requireId } from './ids-and-times';
import {
  attachLogWarnings,
  attachSpanWarnings,
  buildScope,
  checkKind,
  checkSpanTimes,
  checkStatusCode,
  eventNameOf,
  settleLogTimes,
  spanLabel,
} from './validate';
import { childPath, labelOf, put, topValue } from './values';
import { WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT, WireError, WireReader, type WireTypes, wireTypes } from './wire-reader';

// The wire types of the fields of each message (opentelemetry-proto), to notice known fields sent
// with another one: they are skipped, as protobufjs skips them, and the answer says how many.
const ANY_VALUE = wireTypes({ 1: WIRE_LEN, 2: WIRE_VARINT, 3: WIRE_VARINT, 4: WIRE_I64, 5: WIRE_LEN, 6: WIRE_LEN, 7: WIRE_LEN });
const ONE_LIST = wireTypes({ 1: WIRE_LEN }); // ArrayValue, KeyValueList, the export requests
const KEY_VALUE = wireTypes({ 1: WIRE_LEN, 2: WIRE_LEN });
const RESOURCE = wireTypes({ 1: WIRE_LEN, 2: WIRE_VARINT, 3: WIRE_LEN });
const SCOPE = wireTypes({ 1: WIRE_LEN, 2: WIRE_LEN, 3: WIRE_LEN, 4: WIRE_VARINT });
const RESOURCE_ITEMS = wireTypes({ 1: WIRE_LEN, 2: WIRE_LEN, 3: WIRE_LEN, 1000: WIRE_LEN }); // ResourceSpans, ResourceLogs
const SCOPE_ITEMS = wireTypes({ 1: WIRE_LEN, 2: WIRE_LEN, 3: WIRE_LEN }); // ScopeSpans, ScopeLogs
const SPAN = wireTypes({
  1: WIRE_LEN, 2: WIRE_LEN, 3: WIRE_LEN, 4: WIRE_LEN, 5: WIRE_LEN, 6: WIRE_VARINT, 7: WIRE_I64, 8: WIRE_I64, 9: WIRE_LEN,
  10: WIRE_VARINT, 11: WIRE_LEN, 12: WIRE_VARINT, 13: WIRE_LEN, 14: WIRE_VARINT, 15: WIRE_LEN, 16: WIRE_I32,
});
const EVENT = wireTypes({ 1: WIRE_I64, 2: WIRE_LEN, 3: WIRE_LEN, 4: WIRE_VARINT });
const LINK = wireTypes({ 1: WIRE_LEN, 2: WIRE_LEN, 3: WIRE_LEN, 4: WIRE_LEN, 5: WIRE_VARINT, 6: WIRE_I32 });
const STATUS = wireTypes({ 1: WIRE_VARINT, 2: WIRE_LEN, 3: WIRE_VARINT });
const LOG_RECORD = wireTypes({
  1: WIRE_I64, 2: WIRE_VARINT, 3: WIRE_LEN, 5: WIRE_LEN, 6: WIRE_LEN, 7: WIRE_VARINT, 8: WIRE_I32, 9: WIRE_LEN, 10: WIRE_LEN,
  11: WIRE_I64, 12: WIRE_LEN,
});

// ---- common: AnyValue, KeyValue, Resource, InstrumentationScope ----

/**
 * protobuf merges a message field that occurs more than once, and protobufjs decodes into the
 * oneof member already there: two arrayValues concatenate, two kvlistValues merge, an empty
 * AnyValue (null) leaves the earlier value, anything else replaces it.
 */
function merge(prev: AttrValue, next: AttrValue): AttrValue {
  if (next === null) return prev;
  if (Array.isArray(prev) && Array.isArray(next)) return prev.concat(next);
  if (isKvlist(prev) && isKvlist(next)) {
    for (const k of Object.keys(next)) put(prev, k, next[k]!);
    return prev;
  }
  return next;
}

function isKvlist(v: AttrValue): v is Attributes {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function anyValue(r: WireReader, end: number, ctx: DecodeContext, path: string, depth: number): AttrValue {
  r.checkDepth(depth);
  let v: AttrValue = null;
  while (r.pos < end) {
    const tag = r.tag(end);
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt !== WIRE_LEN) break;
        v = r.string(end);
        if (v.length > ctx.maxStringChars) v = capString(v, ctx, labelOf(path));
        continue;
      case 2:
        if (wt !== WIRE_VARINT) break;
        v = r.bool(end);
        continue;
      case 3:
        if (wt !== WIRE_VARINT) break;
        v = r.int64(end);
        continue;
      case 4: {
        if (wt !== WIRE_I64) break;
        const d = r.double(end);
        v = Number.isFinite(d) ? d : String(d);
        continue;
      }
      case 5: {
        if (wt !== WIRE_LEN) break;
        const stop = r.delimited(end);
        const values = arrayValue(r, stop, ctx, path, depth + 1);
        v = Array.isArray(v) ? v.concat(values) : values;
        continue;
      }
      case 6: {
        if (wt !== WIRE_LEN) break;
        const stop = r.delimited(end);
        const out: Attributes = isKvlist(v) ? v : {};
        keyValues(r, stop, ctx, out, path, depth + 1);
        v = out;
        continue;
      }
      case 7:
        if (wt !== WIRE_LEN) break;
        v = r.base64(end);
        continue;
    }
    r.skipField(tag, end, depth, ANY_VALUE);
  }
  return v;
}

function arrayValue(r: WireReader, end: number, ctx: DecodeContext, path: string, depth: number): AttrValue[] {
  r.checkDepth(depth);
  const out: AttrValue[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const stop = r.delimited(end);
      out.push(anyValue(r, stop, ctx, path, depth + 1));
    } else r.skipField(tag, end, depth, ONE_LIST);
  }
  return out;
}

/** One KeyValue into `out`. The value is read after the key, wherever it sits in the message. */
function keyValue(r: WireReader, end: number, ctx: DecodeContext, out: Attributes, parent: string | undefined, depth: number): void {
  let key = '';
  let valueStart = -1;
  let valueEnd = -1;
  let more: number[] | null = null; // [start, end, …] of further occurrences of the value field
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | WIRE_LEN)) key = r.string(end);
    else if (tag === ((2 << 3) | WIRE_LEN)) {
      const stop = r.delimited(end);
      if (valueStart < 0) {
        valueStart = r.pos;
        valueEnd = stop;
      } else (more ??= []).push(r.pos, stop);
      r.pos = stop;
    } else r.skipField(tag, end, depth, KEY_VALUE);
  }
  let value: AttrValue = null;
  if (valueStart >= 0) {
    const path = parent === undefined ? key : childPath(parent, key);
    r.pos = valueStart;
    value = anyValue(r, valueEnd, ctx, path, depth + 1);
    if (more !== null) {
      for (let i = 0; i < more.length; i += 2) {
        r.pos = more[i]!;
        value = merge(value, anyValue(r, more[i + 1]!, ctx, path, depth + 1));
      }
    }
    r.pos = end;
  }
  put(out, key, parent === undefined ? topValue(key, value) : value);
}

/** The KeyValues of `repeated KeyValue <fieldNo>` inside [pos, end) — or, with fieldNo 1, a KeyValueList. */
function keyValues(r: WireReader, end: number, ctx: DecodeContext, out: Attributes, parent: string | undefined, depth: number): void {
  r.checkDepth(depth);
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const stop = r.delimited(end);
      keyValue(r, stop, ctx, out, parent, depth + 1);
    } else r.skipField(tag, end, depth, parent === undefined ? RESOURCE : ONE_LIST);
  }
}

/** One `KeyValue` entry of a repeated attributes field that is not field 1 of its message. */
function attributeEntry(r: WireReader, end: number, ctx: DecodeContext, out: Attributes): void {
  const stop = r.delimited(end);
  keyValue(r, stop, ctx, out, undefined, 1);
}

function resourceInto(r: WireReader, end: number, ctx: DecodeContext, out: Attributes): void {
  keyValues(r, end, ctx, out, undefined, 1); // Resource.attributes is field 1
}

function scopeInto(r: WireReader, end: number, ctx: DecodeContext, scope: { name: string; version: string }): void {
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | WIRE_LEN)) scope.name = r.string(end);
    else if (tag === ((2 << 3) | WIRE_LEN)) scope.version = r.string(end);
    // Scope attributes have no place in the model, but are read so that a malformed body is
    // refused exactly when the reference decoder refuses it.
    else if (tag === ((3 << 3) | WIRE_LEN)) attributeEntry(r, end, ctx, {});
    else r.skipField(tag, end, 1, SCOPE);
  }
}

/**
 * Calls `fn` for each occurrence of the length-delimited field `fieldNo` in [start, end), in
 * wire order, skipping everything else (noting wrong wire types by `types`: give it on one pass
 * over a message only). Containers are read one field at a time this way (header
 * first, then items), so a resource or scope that comes after its items still applies to them.
 */
function eachField(r: WireReader, start: number, end: number, fieldNo: number, fn: (stop: number) => void, types?: WireTypes): boolean {
  let seen = false;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((fieldNo << 3) | WIRE_LEN)) {
      seen = true;
      const stop = r.delimited(end);
      fn(stop);
      r.pos = stop;
    } else if (types) r.skipField(tag, end, 1, types);
    else r.skip(tag, end, 1);
  }
  r.pos = end;
  return seen;
}

function decodeWhole(body: Uint8Array, what: string, ctx: DecodeContext, fn: (r: WireReader, end: number) => void): void {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const r = new WireReader(buf);
  try {
    fn(r, buf.length);
  } catch (err) {
    if (err instanceof WireError) throw new OtlpDecodeError(`body is not a valid protobuf ${what}: ${err.message}`);
    throw err;
  }
  if (r.invalidUtf8 > 0) ctx.warn(`${r.invalidUtf8} string field(s) held invalid UTF-8; each bad sequence was stored as U+FFFD`);
  if (r.wrongWireTypes > 0) ctx.warn(`${r.wrongWireTypes} field(s) came with the wrong wire type for their field number and were skipped`);
}

// ---- traces ----

function events(r: WireReader, end: number, ctx: DecodeContext, out: SpanEvent[]): void {
  let timeUs = 0;
  let name = '';
  const attributes: Attributes = {};
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case (1 << 3) | WIRE_I64:
        timeUs = r.fixed64Micros(end);
        continue;
      case (2 << 3) | WIRE_LEN:
        name = r.string(end);
        continue;
      case (3 << 3) | WIRE_LEN:
        attributeEntry(r, end, ctx, attributes);
        continue;
    }
    r.skipField(tag, end, 2, EVENT);
  }
  out.push({ timeUs, name: capString(name, ctx, 'event name'), attributes });
}

interface RawLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

function link(r: WireReader, end: number, ctx: DecodeContext): RawLink {
  const l: RawLink = { traceId: '', spanId: '', attributes: {} };
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case (1 << 3) | WIRE_LEN:
        l.traceId = r.hex(end);
        continue;
      case (2 << 3) | WIRE_LEN:
        l.spanId = r.hex(end);
        continue;
      case (4 << 3) | WIRE_LEN:
        attributeEntry(r, end, ctx, l.attributes);
        continue;
    }
    r.skipField(tag, end, 2, LINK);
  }
  return l;
}

function span(r: WireReader, end: number, ctx: DecodeContext, resource: Attributes, scope: InstrumentationScope): IngestSpan | ItemRejected {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let kind = 0;
  let startUs = 0;
  let endUs = 0;
  let statusCode = 0;
  let statusMessage = '';
  const attributes: Attributes = {};
  const evs: SpanEvent[] = [];
  const rawLinks: RawLink[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case (1 << 3) | WIRE_LEN:
        traceId = r.hex(end);
        continue;
      case (2 << 3) | WIRE_LEN:
        spanId = r.hex(end);
        continue;
      case (4 << 3) | WIRE_LEN:
        parentSpanId = r.hex(end);
        continue;
      case (5 << 3) | WIRE_LEN:
        name = r.string(end);
        continue;
      case (6 << 3) | WIRE_VARINT:
        kind = r.int32(end);
        continue;
      case (7 << 3) | WIRE_I64:
        startUs = r.fixed64Micros(end);
        continue;
      case (8 << 3) | WIRE_I64:
        endUs = r.fixed64Micros(end);
        continue;
      case (9 << 3) | WIRE_LEN:
        attributeEntry(r, end, ctx, attributes);
        continue;
      case (11 << 3) | WIRE_LEN: {
        const stop = r.delimited(end);
        events(r, stop, ctx, evs);
        continue;
      }
      case (13 << 3) | WIRE_LEN: {
        const stop = r.delimited(end);
        rawLinks.push(link(r, stop, ctx));
        continue;
      }
      case (15 << 3) | WIRE_LEN: {
        const stop = r.delimited(end);
        while (r.pos < stop) {
          const t = r.tag(stop);
          if (t === ((2 << 3) | WIRE_LEN)) statusMessage = r.string(stop);
          else if (t === ((3 << 3) | WIRE_VARINT)) statusCode = r.int32(stop);
          else r.skipField(t, stop, 2, STATUS);
        }
        continue;
      }
    }
    r.skipField(tag, end, 1, SPAN);
  }
  // The whole span is read; from here on a problem rejects this span only (checks in the same
  // order as the reference decoder, so both give the same first reason).
  try {
    const tid = requireId(traceId, 16, 'trace_id');
    const sid = requireId(spanId, 8, 'span_id');
    const pid = optionalId(parentSpanId, 8, 'parent_span_id');
    const capped = name.length > ctx.maxStringChars ? capString(name, ctx, 'name') : name;
    const k = checkKind(kind, ctx);
    const code = checkStatusCode(statusCode, ctx);
    const message = capString(statusMessage, ctx, 'status message');
    const links: SpanLink[] = new Array(rawLinks.length);
    for (let i = 0; i < rawLinks.length; i++) {
      const l = rawLinks[i]!;
      links[i] = {
        traceId: requireId(l.traceId, 16, `links[${i}].trace_id`),
        spanId: requireId(l.spanId, 8, `links[${i}].span_id`),
        attributes: l.attributes,
      };
    }
    const s: IngestSpan = {
      traceId: tid,
      spanId: sid,
      parentSpanId: pid,
      name: capped,
      kind: k,
      startUs,
      endUs,
      statusCode: code,
      statusMessage: message,
      attributes,
      events: evs,
      links,
      resource,
      scope,
    };
    checkSpanTimes(s, ctx);
    attachSpanWarnings(s, ctx);
    return s;
  } catch (err) {
    ctx.itemWarnings = null;
    if (err instanceof ItemRejected) return new ItemRejected(`${spanLabel(name, spanId)}: ${err.message}`);
    throw err;
  }
}

function scopeSpans(r: WireReader, end: number, ctx: DecodeContext, resource: Attributes, out: IngestSpan[]): void {
  const start = r.pos;
  const raw = { name: '', version: '' };
  eachField(r, start, end, 1, (stop) => scopeInto(r, stop, ctx, raw), SCOPE_ITEMS);
  const scope = buildScope(raw.name, raw.version, ctx);
  eachField(r, start, end, 2, (stop) => {
    const s = span(r, stop, ctx, resource, scope);
    if (s instanceof ItemRejected) ctx.reject('span', s.message);
    else out.push(s);
  });
}

function resourceSpans(r: WireReader, end: number, ctx: DecodeContext, out: IngestSpan[]): void {
  const start = r.pos;
  const resource: Attributes = {};
  eachField(r, start, end, 1, (stop) => resourceInto(r, stop, ctx, resource), RESOURCE_ITEMS);
  ctx.takeItemWarnings('resource');
  eachField(r, start, end, 2, (stop) => scopeSpans(r, stop, ctx, resource, out));
  eachField(r, start, end, 1000, (stop) => scopeSpans(r, stop, ctx, resource, out));
}

/** Decodes an ExportTraceServiceRequest. Throws OtlpDecodeError when the body is not one. */
export function decodeTracesProtobuf(body: Uint8Array, opts?: DecodeOptions): DecodeResult {
  const ctx = new DecodeContext(opts);
  const spans: IngestSpan[] = [];
  decodeWhole(body, 'ExportTraceServiceRequest', ctx, (r, end) => {
    eachField(r, 0, end, 1, (stop) => resourceSpans(r, stop, ctx, spans), ONE_LIST);
  });
  return finishResult(ctx, { spans, logs: [] });
}

// ---- logs ----

function logRecord(
  r: WireReader,
  end: number,
  ctx: DecodeContext,
  index: number,
  resource: Attributes,
  scope: InstrumentationScope,
): IngestLogRecord | ItemRejected {
  let timeUs = 0;
  let observedTimeUs = 0;
  let severityNumber = 0;
  let severityText = '';
  let body: AttrValue = null;
  let traceIdHex = '';
  let spanIdHex = '';
  let eventName = '';
  const attributes: Attributes = {};
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case (1 << 3) | WIRE_I64:
        timeUs = r.fixed64Micros(end);
        continue;
      case (11 << 3) | WIRE_I64:
        observedTimeUs = r.fixed64Micros(end);
        continue;
      case (2 << 3) | WIRE_VARINT:
        severityNumber = r.int32(end);
        continue;
      case (3 << 3) | WIRE_LEN:
        severityText = r.string(end);
        continue;
      case (5 << 3) | WIRE_LEN: {
        const stop = r.delimited(end);
        body = merge(body, anyValue(r, stop, ctx, '', 2));
        continue;
      }
      case (6 << 3) | WIRE_LEN:
        attributeEntry(r, end, ctx, attributes);
        continue;
      case (9 << 3) | WIRE_LEN:
        traceIdHex = r.hex(end);
        continue;
      case (10 << 3) | WIRE_LEN:
        spanIdHex = r.hex(end);
        continue;
      case (12 << 3) | WIRE_LEN:
        eventName = r.string(end);
        continue;
    }
    r.skipField(tag, end, 1, LOG_RECORD);
  }
  try {
    const traceId = optionalId(traceIdHex, 16, 'trace_id');
    const log: IngestLogRecord = {
      timeUs,
      observedTimeUs,
      traceId,
      spanId: traceId === null ? null : optionalId(spanIdHex, 8, 'span_id'),
      severityNumber,
      severityText: capString(severityText, ctx, 'severity_text'),
      eventName: eventNameOf(capString(eventName, ctx, 'event_name'), attributes),
      body,
      attributes,
      resource,
      scope,
    };
    settleLogTimes(log, ctx);
    attachLogWarnings(log, index, ctx);
    return log;
  } catch (err) {
    ctx.itemWarnings = null;
    if (err instanceof ItemRejected) return new ItemRejected(`log record ${index}: ${err.message}`);
    throw err;
  }
}

function scopeLogs(r: WireReader, end: number, ctx: DecodeContext, resource: Attributes, out: IngestLogRecord[], counter: { n: number }): void {
  const start = r.pos;
  const raw = { name: '', version: '' };
  eachField(r, start, end, 1, (stop) => scopeInto(r, stop, ctx, raw), SCOPE_ITEMS);
  const scope = buildScope(raw.name, raw.version, ctx);
  eachField(r, start, end, 2, (stop) => {
    const index = counter.n++;
    const l = logRecord(r, stop, ctx, index, resource, scope);
    if (l instanceof ItemRejected) ctx.reject('log', l.message);
    else out.push(l);
  });
}

function resourceLogs(r: WireReader, end: number, ctx: DecodeContext, out: IngestLogRecord[], counter: { n: number }): void {
  const start = r.pos;
  const resource: Attributes = {};
  eachField(r, start, end, 1, (stop) => resourceInto(r, stop, ctx, resource), RESOURCE_ITEMS);
  ctx.takeItemWarnings('resource');
  eachField(r, start, end, 2, (stop) => scopeLogs(r, stop, ctx, resource, out, counter));
  eachField(r, start, end, 1000, (stop) => scopeLogs(r, stop, ctx, resource, out, counter));
}

/** Decodes an ExportLogsServiceRequest. Throws OtlpDecodeError when the body is not one. */
export function decodeLogsProtobuf(body: Uint8Array, opts?: DecodeOptions): DecodeResult {
  const ctx = new DecodeContext(opts);
  const logs: IngestLogRecord[] = [];
  const counter = { n: 0 };
  decodeWhole(body, 'ExportLogsServiceRequest', ctx, (r, end) => {
    eachField(r, 0, end, 1, (stop) => resourceLogs(r, stop, ctx, logs, counter), ONE_LIST);
  });
  return finishResult(ctx, { spans: [], logs });
}
