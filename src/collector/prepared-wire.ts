// How a PreparedBatch crosses from the preparing thread to the writing one. Structured clone of
// the objects themselves cost the writing thread ~6 µs a span (every object's keys are written
// and read again); here the strings of the batch travel joined into a few strings, and every
// number and string bound as one Float64Array, so the receiving side does one copy and then takes
// slices (which V8 makes without copying). The joined strings are kept under 32 K characters: a
// larger string is allocated straight into the old generation, where a batch's worth each time
// piled up as garbage between full collections (~100 MB at full ingest). Rare parts (resources,
// logs, proxy exchanges) go as they are.

import type { IngestLogRecord, SpanCategory, StatusCodeValue } from '../core/model';
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
}

/** Numbers per span: 13 strings × 2 bounds, 6 numbers, a call flag, 7 call strings × 2 bounds, 8 call numbers. */
const PER_SPAN = 13 * 2 + 6 + 1 + 7 * 2 + 8;

/** Characters per joined string: under V8's largest young-generation object even in two-byte form. */
const CHUNK_CHARS = 32 * 1024;
const PIECE = 2 ** 32;

export function toWire(batch: PreparedBatch): PreparedWire {
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
    str(s.searchText);
    num(s.kind);
    num(s.startUs);
    num(s.endUs);
    num(s.statusCode);
    num(s.resource);
    num(s.logsUsed);
    const c = s.call;
    num(c ? 1 : 0);
    if (c) {
      str(c.model);
      str(c.provider);
      str(c.operation);
      str(c.promptName);
      str(c.promptVersion);
      str(c.conversationId);
      str(c.json);
      num(c.isError ? 1 : 0);
      num(c.costEstimated ? 1 : 0);
      num(c.costUsd);
      num(c.inputTokens);
      num(c.outputTokens);
      num(c.cachedInputTokens);
      num(c.reasoningTokens);
      num(c.ttftMs);
    } else {
      i += 7 * 2 + 8;
    }
    if (s.exchange) exchanges.push([index, s.exchange]);
  });
  if (parts.length > 0) text.push(parts.join(''));
  return { count: batch.spans.length, text, values, resources: batch.resources, logs: batch.logs, exchanges };
}

export function fromWire(w: PreparedWire): PreparedBatch {
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
    const searchText = str()!;
    const kind = num()!;
    const startUs = num()!;
    const endUs = num()!;
    const statusCode = num() as StatusCodeValue;
    const resource = num()!;
    const logsUsed = num()!;
    let call: PreparedSpan['call'] = null;
    if (num() === 1) {
      call = {
        model: str()!,
        provider: str(),
        operation: str()!,
        promptName: str(),
        promptVersion: str(),
        conversationId: str(),
        json: str()!,
        isError: num() === 1,
        costEstimated: num() === 1,
        costUsd: num(),
        inputTokens: num(),
        outputTokens: num(),
        cachedInputTokens: num(),
        reasoningTokens: num(),
        ttftMs: num(),
      };
    } else {
      i += 7 * 2 + 8;
    }
    spans[k] = {
      traceId, spanId, parentSpanId, name, kind, startUs, endUs, statusCode, statusMessage, resource, scopeName, scopeVersion,
      category, attributes, events, links, call, sessionId, searchText, logsUsed, exchange: null,
    };
  }
  for (const [index, exchange] of w.exchanges) spans[index]!.exchange = exchange;
  return { resources: w.resources, spans, logs: w.logs };
}
