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

// Random bytes drawn in bulk: one syscall serves many exchanges.
const pool = Buffer.alloc(24 * 256);
let poolOffset = pool.length;

export function newTraceIds(traceparent: string | string[] | undefined): TraceIds {
  if (poolOffset + 24 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const o = poolOffset;
  poolOffset += 24;
  const parent = parseTraceparent(traceparent);
  let spanId = pool.toString('hex', o + 16, o + 24);
  // All-zero ids are invalid; with 64 random bits this is theoretical, but cheap to rule out.
  if (spanId === '0000000000000000') spanId = '0000000000000001';
  if (parent) return { traceId: parent.traceId, spanId, parentSpanId: parent.parentSpanId };
  return { traceId: pool.toString('hex', o, o + 16), spanId, parentSpanId: null };
}
