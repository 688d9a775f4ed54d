// Privacy mode with forwarding: the OTLP received holds the text before redaction, so it does not
// go on as it came. The batch as it is stored goes instead, every span and log record with its
// placeholders, encoded again as OTLP/JSON by the export's encoder: the team's backend sees each
// call, redacted, and the guardrail hits that follow (forward-hits.ts).

import type { PreparedBatch } from '../store/prepare';
import { spanFromColumns } from '../store/prepare';
import type { OtlpSignal } from '../capture/otlp';
import { toOtlpJson, toOtlpLogsJson } from './otlp-export';

export interface OtlpJsonBody {
  signal: OtlpSignal;
  body: Uint8Array;
}

/** The prepared (redacted) batch as OTLP/JSON request bodies: one for its spans, one for its log records. */
export function redactedOtlpBodies(batch: PreparedBatch): OtlpJsonBody[] {
  const out: OtlpJsonBody[] = [];
  const encoder = new TextEncoder();
  if (batch.spans.length > 0) {
    const spans = batch.spans.map((p) => spanFromColumns(p, batch.resources[p.resource]?.json ?? null));
    out.push({ signal: 'traces', body: encoder.encode(JSON.stringify(toOtlpJson(spans))) });
  }
  if (batch.logs.length > 0) out.push({ signal: 'logs', body: encoder.encode(JSON.stringify(toOtlpLogsJson(batch.logs))) });
  return out;
}
