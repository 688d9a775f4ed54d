// Decoding and preparing one OTLP body: the same on the worker thread and, where there is no
// worker, on the collector's own thread.

import type { OtlpIngestRequest } from '../capture/sink';
import { decodeOtlp, outcomeOf } from '../capture/otlp/ingest';
import type { Analyzer } from '../store/analyzer';
import { prepareBatch } from '../store/prepare';
import type { PreparedOtlp } from './prepare-messages';

/** Throws OtlpDecodeError for a body that cannot be decoded. */
export function prepareOtlp(req: OtlpIngestRequest, analyzer: Analyzer, storeContent: boolean): PreparedOtlp {
  const decoded = decodeOtlp(req);
  return { ...outcomeOf(req, decoded), batch: prepareBatch(decoded.batch, analyzer, storeContent) };
}
