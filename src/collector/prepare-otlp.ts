// Decoding and preparing one OTLP body, and preparing one proxy capture: the same on the worker
// thread and, where there is no worker, on the collector's own thread.

import type { OtlpIngestRequest, ProxyCapture } from '../capture/sink';
import { decodeOtlp, outcomeOf } from '../capture/otlp/ingest';
import type { Analyzer } from '../store/analyzer';
import { type PreparedBatch, prepareBatch } from '../store/prepare';
import type { PreparedOtlp } from './prepare-messages';

/** Throws OtlpDecodeError for a body that cannot be decoded. */
export function prepareOtlp(req: OtlpIngestRequest, analyzer: Analyzer, storeContent: boolean): PreparedOtlp {
  const decoded = decodeOtlp(req);
  return { ...outcomeOf(req, decoded), batch: prepareBatch(decoded.batch, analyzer, storeContent) };
}

/** A recorded proxy exchange as a batch of one span, read as the call the proxy parsed off the wire. */
export function prepareProxyCapture(c: ProxyCapture, analyzer: Analyzer, storeContent: boolean): PreparedBatch {
  const exchange = {
    method: c.request.method,
    path: c.request.path,
    headers: c.request.headers,
    requestBody: c.request.body,
    responseBody: c.responseBody,
    httpStatus: c.httpStatus,
    outcome: c.outcome,
    warnings: c.warnings,
  };
  return prepareBatch({ spans: [c.span], logs: [] }, analyzer, storeContent, new Map([[c.span, { call: c.call, exchange }]]));
}
