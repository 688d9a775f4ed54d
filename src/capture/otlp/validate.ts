// Checks shared by both encodings, applied to an item once its fields are in canonical form.
//
// Decisions (the OTLP spec leaves them to the receiver):
// - trace_id / span_id missing, of the wrong length or all zeros: the span is rejected.
//   parent_span_id of the wrong length: rejected; all zeros: treated as no parent.
// - start_time_unix_nano missing: rejected (there is no time to place the span at).
// - end before start, or end missing: kept, end clamped to start, and a warning stored on the span
//   (the data is not lost, and the waterfall never draws a negative bar).
// - times that do not fit an exact integer of microseconds (past the year 2255): rejected.
// - log record ids of the wrong length: rejected; all zeros: no span context.

import type { IngestLogRecord, IngestSpan, InstrumentationScope, StatusCodeValue } from '../../core/model';
import { capString, type DecodeContext, ItemRejected, OtlpDecodeError, WARNINGS_ATTRIBUTE } from './context';

export function checkTime(us: number, field: string): number {
  if (!Number.isSafeInteger(us)) throw new ItemRejected(`${field} is out of range`);
  return us;
}

export function checkSpanTimes(span: IngestSpan, ctx: DecodeContext): void {
  checkTime(span.startUs, 'start_time_unix_nano');
  checkTime(span.endUs, 'end_time_unix_nano');
  if (span.startUs === 0) throw new ItemRejected('start_time_unix_nano is missing');
  if (span.endUs === 0) {
    ctx.warnItem('end_time_unix_nano is missing; end set to start');
    span.endUs = span.startUs;
  } else if (span.endUs < span.startUs) {
    ctx.warnItem(`end_time_unix_nano is ${span.startUs - span.endUs} µs before start_time_unix_nano; end set to start`);
    span.endUs = span.startUs;
  }
}

/** Kinds past CONSUMER and unknown status codes are read as unspecified/unset, with a warning. */
export function checkKind(kind: number, ctx: DecodeContext): number {
  if (Number.isInteger(kind) && kind >= 0 && kind <= 5) return kind;
  ctx.warnItem(`unknown span kind ${kind} read as SPAN_KIND_UNSPECIFIED`);
  return 0;
}

export function checkStatusCode(code: number, ctx: DecodeContext): StatusCodeValue {
  if (code === 0 || code === 1 || code === 2) return code;
  ctx.warnItem(`unknown status code ${code} read as STATUS_CODE_UNSET`);
  return 0;
}

/** A scope as the model holds it: name and version capped, an empty version left out. */
export function buildScope(name: string, version: string, ctx: DecodeContext): InstrumentationScope {
  const capped = capString(name, ctx, 'scope name');
  const scope: InstrumentationScope = version === '' ? { name: capped } : { name: capped, version: capString(version, ctx, 'scope version') };
  ctx.takeItemWarnings('scope');
  return scope;
}

export function spanLabel(name: unknown, spanIdHex: string): string {
  const n = typeof name === 'string' ? JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name) : '(unnamed)';
  return spanIdHex.length === 16 ? `span ${n} (${spanIdHex})` : `span ${n}`;
}

/**
 * Why an item is refused, for the answer: an ItemRejected already names the item; any other
 * error met inside one item refuses that item only, named by `label`.
 */
export function rejectionReason(err: unknown, label: string): string {
  // What refuses a body whole (nesting past the cap) refuses it from inside an item too.
  if (err instanceof OtlpDecodeError) throw err;
  return err instanceof ItemRejected ? err.message : `${label}: ${(err as Error).message}`;
}

/** Stores the span's warnings on it, in the attribute the UI shows, and in the answer. */
export function attachSpanWarnings(span: IngestSpan, ctx: DecodeContext): void {
  if (ctx.itemWarnings === null) return;
  span.attributes[WARNINGS_ATTRIBUTE] = ctx.takeItemWarnings(spanLabel(span.name, span.spanId))!;
}

export function attachLogWarnings(log: IngestLogRecord, index: number, ctx: DecodeContext): void {
  if (ctx.itemWarnings === null) return;
  log.attributes[WARNINGS_ATTRIBUTE] = ctx.takeItemWarnings(`log record ${index}`)!;
}

/** Time of a log record: its own time, else when it was observed, else when we received it. */
export function settleLogTimes(log: IngestLogRecord, ctx: DecodeContext): void {
  checkTime(log.timeUs, 'time_unix_nano');
  checkTime(log.observedTimeUs, 'observed_time_unix_nano');
  if (log.timeUs === 0) log.timeUs = log.observedTimeUs !== 0 ? log.observedTimeUs : ctx.receivedUs;
  if (log.observedTimeUs === 0) log.observedTimeUs = log.timeUs;
}

/** OTLP LogRecord.event_name, or the `event.name` attribute when only that is set. */
export function eventNameOf(eventName: string, attributes: Record<string, unknown>): string | null {
  if (eventName !== '') return eventName;
  const attr = attributes['event.name'];
  return typeof attr === 'string' && attr !== '' ? attr : null;
}
