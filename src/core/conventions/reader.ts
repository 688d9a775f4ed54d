import type { Convention, IngestLogRecord, IngestSpan, LlmCall, SpanCategory } from '../model';

/** What one convention makes of a span. */
export type Verdict =
  /** The convention recognises the span as a model call. */
  | { kind: 'call'; operation: string }
  /** The convention recognises the span and says it is NOT a model call (an outer Vercel span, an agent). */
  | { kind: 'not-call'; category: SpanCategory }
  /** The span carries nothing this convention knows. */
  | { kind: 'unknown' };

export interface ConventionReader {
  convention: Convention;
  /** Cheap: attribute lookups only, no JSON parsing. Shared by normalizeSpan and categorizeSpan. */
  classify(span: IngestSpan, logs: IngestLogRecord[]): Verdict;
  /** The call as this convention reads it. Only called after classify said 'call'. */
  read(span: IngestSpan, logs: IngestLogRecord[]): LlmCall;
}

export const UNKNOWN: Verdict = { kind: 'unknown' };

/** The event name of a log record: OTLP event_name, else the `event.name` attribute. */
export function logEventName(rec: IngestLogRecord): string | null {
  if (rec.eventName) return rec.eventName;
  const n = rec.attributes['event.name'];
  return typeof n === 'string' ? n : null;
}
