// What every decoder returns: the valid items, and what the OTLP partial-success answer says.

import type { IngestBatch, IngestSpan } from '../../core/model';
import type { DecodeContext } from './context';
import { spanLabel } from './validate';

export interface DecodeResult {
  batch: IngestBatch;
  /** Items refused, each with a reason in `errors` (only the first 20 reasons are kept). */
  rejectedSpans: number;
  rejectedLogs: number;
  errors: string[];
  /** Things changed on accepted items (truncation, clamped times, invalid UTF-8). */
  warnings: string[];
}

/**
 * A span whose trace and span id came earlier in the same request is refused, with a reason:
 * the store keeps one span per id (the first), and an exporter should hear about the others.
 * (The same span sent again in a later request is a retry, stored once and not reported.)
 */
function dropRepeatedSpans(spans: IngestSpan[], ctx: DecodeContext): IngestSpan[] {
  if (spans.length < 2) return spans;
  const seen = new Set<string>();
  let kept: IngestSpan[] | null = null;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const key = s.traceId + s.spanId;
    if (!seen.has(key)) {
      seen.add(key);
      kept?.push(s);
      continue;
    }
    kept ??= spans.slice(0, i);
    ctx.reject('span', `${spanLabel(s.name, s.spanId)}: the same trace and span id came earlier in this request; the first one was kept`);
  }
  return kept ?? spans;
}

export function finishResult(ctx: DecodeContext, batch: IngestBatch): DecodeResult {
  return {
    batch: { ...batch, spans: dropRepeatedSpans(batch.spans, ctx) },
    rejectedSpans: ctx.rejectedSpans,
    rejectedLogs: ctx.rejectedLogs,
    errors: ctx.errorSummary(),
    warnings: ctx.warningSummary(),
  };
}
