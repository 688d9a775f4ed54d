// Annotations that applications send themselves: evaluation and guardrail results as span
// events or as log records (see spellings.ts), guardrail spans that carry their own result, and
// annotations Spyglass exported earlier coming back through an import.

import type { AttrValue, Attributes, IngestLogRecord, IngestSpan, SpanEvent } from '../model';
import { isRecord, nonEmpty, num, parseJson } from '../conventions/values';
import { logEventName } from '../conventions/reader';
import { SOURCE_INSTRUMENTATION, type AnnotationFacts, type AnnotationLocation, type NewAnnotation } from './model';
import { EXPORT_KEYS, GUARDRAIL, spellingOfEvent, type Spelling } from './spellings';

/** Reads one event's or log record's attributes (and body) in a spelling. */
export function readFacts(spelling: Spelling, attrs: Attributes, body: AttrValue, storeContent: boolean): AnnotationFacts {
  // Earlier emitters put the explanation and extra attributes in the body.
  const fromBody = isRecord(body) ? (body as Attributes) : {};
  const extra = isRecord(fromBody['gen_ai.evaluation.attributes']) ? (fromBody['gen_ai.evaluation.attributes'] as Attributes) : {};
  const all: Attributes = { ...extra, ...fromBody, ...attrs };
  const used = new Set<string>(['gen_ai.evaluation.attributes', 'event.name']);
  const take = (keys: readonly string[]): AttrValue | undefined => {
    for (const k of keys) {
      const v = all[k];
      if (v === undefined || v === null || v === '') continue;
      used.add(k);
      return v;
    }
    return undefined;
  };
  // Every spelling of a field is the field: the ones not chosen do not reappear among the attributes.
  for (const keys of [spelling.name, spelling.score, spelling.explanation, ...Object.values(spelling.facts)]) {
    for (const k of keys) if (all[k] !== undefined) used.add(k);
  }
  const name = nonEmpty(take(spelling.name)) ?? spelling.defaultName;
  let label: string | null = null;
  for (const l of spelling.label) {
    const v = all[l.key];
    if (v === undefined || v === null || v === '') continue;
    used.add(l.key);
    label ??= typeof v === 'boolean' && l.whenTrue ? (v ? l.whenTrue : l.whenFalse!) : nonEmpty(v);
  }
  const score = num(take(spelling.score));
  let explanation = storeContent ? nonEmpty(take(spelling.explanation)) : null;
  if (explanation === null && storeContent && typeof body === 'string' && body.trim() !== '') explanation = body;
  const attributes: Attributes = {};
  for (const [short, keys] of Object.entries(spelling.facts)) {
    const v = take(keys);
    if (v !== undefined) attributes[short] = v;
  }
  for (const [k, v] of Object.entries(all)) {
    if (used.has(k) || k.startsWith('spyglass.annotation.')) continue;
    if (!storeContent && spelling.contentPrefixes.some((p) => k.startsWith(p))) continue;
    attributes[k] = v;
  }
  return { kind: spelling.kind, name, label, score, explanation, location: stageLocation(attributes.stage), attributes };
}

/** A guardrail's stage (`INPUT`, `tool_output`, …) says which side of the call it looked at. */
function stageLocation(stage: AttrValue | undefined): AnnotationLocation | null {
  if (typeof stage !== 'string') return null;
  if (/output|response|completion/i.test(stage)) return { side: 'output' };
  if (/input|prompt|request/i.test(stage)) return { side: 'input' };
  return null;
}

/** What an exported annotation says about itself (kind, source, time, location), applied over the facts. */
function applyExported(a: NewAnnotation, attrs: Attributes): NewAnnotation {
  const kind = nonEmpty(attrs[EXPORT_KEYS.kind]);
  if (kind === null) return a;
  const location = parseJson(attrs[EXPORT_KEYS.location]);
  const createdUs = num(attrs[EXPORT_KEYS.createdAt]);
  const callRevision = num(attrs[EXPORT_KEYS.callRevision]);
  return {
    ...a,
    kind,
    source: nonEmpty(attrs[EXPORT_KEYS.source]) ?? a.source,
    location: isLocation(location) ? location : a.location,
    spanId: attrs[EXPORT_KEYS.scope] === 'trace' ? null : a.spanId,
    origin: null,
    ...(createdUs !== null ? { createdUs } : {}),
    ...(callRevision !== null ? { callRevision } : {}),
  };
}

function isLocation(v: unknown): v is AnnotationLocation {
  return isRecord(v) && (v.side === 'input' || v.side === 'output' || v.side === 'system');
}

/** True for an event Spyglass exported: it is stored as an annotation, not kept among the span's events. */
export function isExportedAnnotation(e: SpanEvent): boolean {
  return spellingOfEvent(e.name) !== undefined && typeof e.attributes[EXPORT_KEYS.kind] === 'string';
}

/** The annotations a span carries: its evaluation and guardrail events, and its own result if it is a guardrail span. */
export function annotationsOfSpan(span: IngestSpan, storeContent: boolean): NewAnnotation[] {
  const out: NewAnnotation[] = [];
  span.events.forEach((e, i) => {
    const spelling = spellingOfEvent(e.name);
    if (!spelling) return;
    const facts = readFacts(spelling, e.attributes, null, storeContent);
    const a: NewAnnotation = {
      ...facts, traceId: span.traceId, spanId: span.spanId, source: SOURCE_INSTRUMENTATION, atUs: e.timeUs || span.startUs,
      origin: `event:${span.spanId}:${i}`, createdUs: e.timeUs || span.endUs,
    };
    out.push(applyExported(a, e.attributes));
  });
  const op = span.attributes['gen_ai.operation.name'];
  if (op === 'apply_guardrail' && GUARDRAIL.label.some((l) => span.attributes[l.key] !== undefined)) {
    out.push({
      ...readFacts(GUARDRAIL, span.attributes, null, storeContent), traceId: span.traceId, spanId: span.spanId,
      source: SOURCE_INSTRUMENTATION, atUs: span.startUs, origin: `span:${span.spanId}`, createdUs: span.endUs,
    });
  }
  return out;
}

/** The annotation a log record carries, if it is an evaluation or guardrail result tied to a trace. */
export function annotationOfLog(log: IngestLogRecord, storeContent: boolean): NewAnnotation | null {
  const spelling = spellingOfEvent(logEventName(log));
  if (!spelling || !log.traceId) return null;
  const facts = readFacts(spelling, log.attributes, log.body, storeContent);
  const timeUs = log.timeUs || log.observedTimeUs;
  const a: NewAnnotation = {
    ...facts, traceId: log.traceId, spanId: log.spanId, source: SOURCE_INSTRUMENTATION, atUs: timeUs,
    origin: `log:${log.spanId ?? ''}:${timeUs}:${hash(JSON.stringify([log.attributes, log.body]))}`, createdUs: timeUs,
  };
  return applyExported(a, log.attributes);
}

/** FNV-1a, 32 bits, as hex: tells apart two records of the same span and time. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
