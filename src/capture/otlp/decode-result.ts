// What every decoder returns: the valid items, and what the OTLP partial-success answer says.

import type { IngestBatch } from '../../core/model';
import type { DecodeContext } from './context';

export interface DecodeResult {
  batch: IngestBatch;
  /** Items refused, each with a reason in `errors` (only the first 20 reasons are kept). */
  rejectedSpans: number;
  rejectedLogs: number;
  errors: string[];
  /** Things changed on accepted items (truncation, clamped times, invalid UTF-8). */
  warnings: string[];
}

export function finishResult(ctx: DecodeContext, batch: IngestBatch): DecodeResult {
  return {
    batch,
    rejectedSpans: ctx.rejectedSpans,
    rejectedLogs: ctx.rejectedLogs,
    errors: ctx.errorSummary(),
    warnings: ctx.warningSummary(),
  };
}
