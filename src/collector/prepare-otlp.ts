// Decoding and preparing one OTLP body, and preparing one proxy capture: the same on the worker
// thread and, where there is no worker, on the collector's own thread.

import type { OtlpIngestRequest, ProxyCapture } from '../capture/sink';
import { decodeOtlp, outcomeOf } from '../capture/otlp/ingest';
import type { Analyzer } from '../store/analyzer';
import { type PreparedBatch, prepareBatch } from '../store/prepare';
import type { PreparedOtlp, PrepareWorkerData } from './prepare-messages';
import { holdsJson, redactBatch, redactDeep, redactionConfig } from '../core/guardrails';

/** What the preparing step stores: content or none, and in privacy mode content redacted under this configuration. */
export type ContentPolicy = Pick<PrepareWorkerData, 'storeContent' | 'privacy'>;

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

/**
 * `prepareOtlp` under a content policy: in privacy mode the decoded batch is redacted before
 * anything is read from it, so every column (the call, attributes, events, logs, previews, search
 * text) holds placeholders, never the original.
 */
export async function prepareOtlpUnder(req: OtlpIngestRequest, analyzer: Analyzer, policy: ContentPolicy): Promise<PreparedOtlp> {
  if (!policy.privacy || !policy.storeContent) return prepareOtlp(req, analyzer, policy.storeContent);
  const decoded = decodeOtlp(req);
  const batch = await redactBatch(decoded.batch, redactionConfig(policy.privacy));
  return { ...outcomeOf(req, decoded), batch: prepareBatch(batch, analyzer, true) };
}

/**
 * `prepareProxyCapture` under a content policy: in privacy mode the span, the call and the
 * exchange's bodies are redacted first. A response body that is not one JSON document (an event
 * stream, whose text arrives in fragments no check sees whole) is not stored; the call holds the
 * answer, assembled and redacted.
 */
export async function prepareProxyCaptureUnder(c: ProxyCapture, analyzer: Analyzer, policy: ContentPolicy): Promise<PreparedBatch> {
  if (!policy.privacy || !policy.storeContent) return prepareProxyCapture(c, analyzer, policy.storeContent);
  const s = c.span;
  const texts = [[s.name, s.statusMessage, s.attributes, s.events, s.resource], c.call, c.request.body, holdsJson(c.responseBody) ? c.responseBody : ''] as const;
  const [[name, statusMessage, attributes, events, resource], call, requestBody, responseBody] = await redactDeep(texts, redactionConfig(policy.privacy));
  const span = { ...s, name, statusMessage, attributes, events, resource };
  return prepareProxyCapture({ ...c, span, call, request: { ...c.request, body: requestBody }, responseBody }, analyzer, true);
}
