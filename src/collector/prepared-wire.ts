// How a PreparedBatch crosses from the preparing thread to the writing one. Structured clone of
// the objects themselves cost the writing thread ~6 µs a span (every object's keys are written
// and read again); here the strings of the batch travel joined into a few strings, and every
// number and string bound as one Float64Array, so the receiving side does one copy and then takes
// slices (which V8 makes without copying). The joined strings are kept under 32 K characters: a
// larger string is allocated straight into the old generation, where a batch's worth each time
// piled up as garbage between full collections (~100 MB at full ingest). Rare parts (resources,
// logs, proxy exchanges) go as they are.

import type { NewAnnotation } from '../core/annotations/model';
import type { IngestLogRecord, SpanCategory, StatusCodeValue } from '../core/model';
import type { AnnotationOp } from '../store/annotation-writes';
import { CALL_FIELDS, type CallFieldList, type FieldKind } from '../store/call-fields';
import type { PreparedBatch, PreparedResource, PreparedSpan, ProxyExchange } from '../store/prepare';

export interface PreparedWire {
  count: number;
  /** The strings of the spans, end to end, cut into pieces of at most CHUNK_CHARS (but for longer strings). */
  text: string[];
  /**
   * Per span, in order: string bounds (start, end: piece × 2^32 + offset; -1 for null) and
   * numbers (NaN for null).
   */
  values: Float64Array<ArrayBuffer>;
  resources: PreparedResource[];
  logs: IngestLogRecord[];
  exchanges: [index: number, exchange: ProxyExchange][];
  spanAnnotations: [index: number, annotations: NewAnnotation[]][];
  annotations: NewAnnotation[];
  ops?: AnnotationOp[];
}

interface Layout {
  fields: { name: string; kind: FieldKind }[];
  /** Numbers a call takes: a string two bounds, anything else one; and its JSON. */
  callSlots: number;
  /** Numbers per span: 13 strings × 2 bounds, 6 numbers, a call flag, the call. */
  perSpan: number;
}

/** Characters per joined string: under V8's largest young-generation object even in two-byte form. */
const CHUNK_CHARS = 32 * 1024;
const PIECE = 2 ** 32;

const layouts = new WeakMap<CallFieldList, Layout>();

/** Where each of a call's fields (call-fields.ts) goes among a span's numbers. */
function layoutOf(list: CallFieldList): Layout {
  let l = layouts.get(list);
  if (!l) {
    const fields = Object.entries(list).map(([name, f]) => ({ name, kind: f.kind }));
    const callSlots = fields.reduce((n, f) => n + (f.kind === 'text' ? 2 : 1), 0) + 2;
    layouts.set(list, (l = { fields, callSlots, perSpan: 16 * 2 + 6 + 1 + callSlots }));
  }
  return l;
}

/** `fields`: the stored call's fields; CALL_FIELDS but in tests. */
export function toWire(batch: PreparedBatch, fields: CallFieldList = CALL_FIELDS): PreparedWire {
  const { fields: FIELDS, callSlots: CALL_SLOTS, perSpan: PER_SPAN } = layoutOf(fields);
  const text: string[] = [];
  let parts: string[] = [];
  let at = 0;
  const values = new Float64Array(batch.spans.length * PER_SPAN);
  let i = 0;
  const str = (s: string | null) => {
    if (s === null) {
      values[i++] = -1;
      values[i++] = -1;
      return;
    }
    if (at > 0 && at + s.length > CHUNK_CHARS) {
      text.push(parts.join(''));
      parts = [];
      at = 0;
    }
    parts.push(s);
    const base = text.length * PIECE;
    values[i++] = base + at;
    at += s.length;
    values[i++] = base + at;
  };
  const num = (n: number | null) => {
    values[i++] = n === null ? NaN : n;
  };
  const exchanges: PreparedWire['exchanges'] = [];
  const spanAnnotations: PreparedWire['spanAnnotations'] = [];
  batch.spans.forEach((s, index) => {
    str(s.traceId);
    str(s.spanId);
    str(s.parentSpanId);
    str(s.name);
    str(s.statusMessage);
    str(s.scopeName);
    str(s.scopeVersion);
    str(s.category);
    str(s.attributes);
    str(s.events);
    str(s.links);
    str(s.sessionId);
    str(s.userId);
    str(s.inputPreview);
    str(s.outputPreview);
    str(s.searchText);
    num(s.kind);
    num(s.startUs);
    num(s.endUs);
    num(s.statusCode);
    num(s.resource);
    num(s.logsUsed);
    const c = s.call as (Record<string, unknown> & { json: string }) | null;
    num(c ? 1 : 0);
    if (c) {
      for (const f of FIELDS) {
        const v = c[f.name];
        if (f.kind === 'text') str(v as string | null);
        else if (f.kind === 'boolean') num(v ? 1 : 0);
        else num(v as number | null);
      }
      str(c.json);
    } else {
      i += CALL_SLOTS;
    }
    if (s.exchange) exchanges.push([index, s.exchange]);
    if (s.annotations.length) spanAnnotations.push([index, s.annotations]);
  });
  if (parts.length > 0) text.push(parts.join(''));
  return {
    count: batch.spans.length, text, values, resources: batch.resources, logs: batch.logs, exchanges, spanAnnotations,
    annotations: batch.annotations, ...(batch.ops ? { ops: batch.ops } : {}),
  };
}

const NO_ANNOTATIONS: NewAnnotation[] = [];

export function fromWire(w: PreparedWire, fields: CallFieldList = CALL_FIELDS): PreparedBatch {
  const { fields: FIELDS, callSlots: CALL_SLOTS } = layoutOf(fields);
  const { text, values } = w;
  let i = 0;
  const str = (): string | null => {
    const start = values[i++]!;
    const end = values[i++]!;
    if (start < 0) return null;
    const piece = Math.floor(start / PIECE);
    const base = piece * PIECE;
    return text[piece]!.slice(start - base, end - base);
  };
  const num = (): number | null => {
    const v = values[i++]!;
    return Number.isNaN(v) ? null : v;
  };
  const spans: PreparedSpan[] = new Array(w.count);
  for (let k = 0; k < w.count; k++) {
    const traceId = str()!;
    const spanId = str()!;
    const parentSpanId = str();
    const name = str()!;
    const statusMessage = str()!;
    const scopeName = str();
    const scopeVersion = str();
    const category = str() as SpanCategory;
    const attributes = str()!;
    const events = str();
    const links = str();
    const sessionId = str();
    const userId = str();
    const inputPreview = str();
    const outputPreview = str();
    const searchText = str()!;
    const kind = num()!;
    const startUs = num()!;
    const endUs = num()!;
    const statusCode = num() as StatusCodeValue;
    const resource = num()!;
    const logsUsed = num()!;
    let call: PreparedSpan['call'] = null;
    if (num() === 1) {
      const c: Record<string, unknown> = {};
      for (const f of FIELDS) c[f.name] = f.kind === 'text' ? str() : f.kind === 'boolean' ? num() === 1 : num();
      c.json = str()!;
      call = c as unknown as PreparedSpan['call'];
    } else {
      i += CALL_SLOTS;
    }
    spans[k] = {
      traceId, spanId, parentSpanId, name, kind, startUs, endUs, statusCode, statusMessage, resource, scopeName, scopeVersion,
      category, attributes, events, links, call, sessionId, userId, inputPreview, outputPreview, searchText, logsUsed, exchange: null, annotations: NO_ANNOTATIONS,
    };
  }
  for (const [index, exchange] of w.exchanges) spans[index]!.exchange = exchange;
  for (const [index, annotations] of w.spanAnnotations) spans[index]!.annotations = annotations;
  return { resources: w.resources, spans, logs: w.logs, annotations: w.annotations, ...(w.ops ? { ops: w.ops } : {}) };
}
