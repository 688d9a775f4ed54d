// W3C Trace Context for proxied calls: a request that carries a valid `traceparent` gets a span
// in that trace, as a child of the caller's span; otherwise the call starts a trace of its own.

import { randomFillSync } from 'node:crypto';

export interface TraceIds {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
}

// version-traceid-parentid-flags; version ff is invalid, all-zero ids are invalid.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export function parseTraceparent(header: string | string[] | undefined): { traceId: string; parentSpanId: string } | null {
  if (header === undefined) return null;
  // A repeated traceparent is ambiguous; the spec says to ignore it.
  if (Array.isArray(header)) return header.length === 1 ? parseTraceparent(header[0]) : null;
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!m) return null;
  const [, version, traceId, parentSpanId, , rest] = m;
  if (version === 'ff') return null;
  // Version 00 has exactly four fields; later versions may append more.
  if (version === '00' && rest !== undefined) return null;
  if (/^0+$/.test(traceId!) || /^0+$/.test(parentSpanId!)) return null;
  return { traceId: traceId!, parentSpanId: parentSpanId! };
}

const pool = Buffer.alloc(24);

export function newTraceIds(traceparent: string | string[] | undefined): TraceIds {
  randomFillSync(pool);
  const parent = parseTraceparent(traceparent);
  const spanId = pool.toString('hex', 16, 24);
  if (parent) return { traceId: parent.traceId, spanId, parentSpanId: parent.parentSpanId };
  return { traceId: pool.toString('hex', 0, 16), spanId, parentSpanId: null };
}
