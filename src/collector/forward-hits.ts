// Guardrail hits for the team's backend: when the collector forwards to another OTLP endpoint,
// the hits the analysis runner found (after the spans went on) follow as OTLP log records named
// `gen_ai.guardrail.result`, in the span's context and with the same attributes an export puts on
// its span events (annotationEvent), so the backend shows them beside the call.

import { annotationEvent } from '../core/annotations/export-events';
import type { NewAnnotation } from '../core/annotations/model';
import type { IngestLogRecord } from '../core/model';
import { toOtlpLogsJson } from './otlp-export';

/** An OTLP/JSON ExportLogsServiceRequest of the guardrail annotations among `annotations`; null when there are none. */
export function guardrailLogsBody(annotations: readonly NewAnnotation[], nowUs = Date.now() * 1000): Uint8Array | null {
  const records = annotations.filter((a) => a.kind === 'guardrail' && a.spanId !== null).map((a): IngestLogRecord => {
    const event = annotationEvent({ ...a, createdUs: a.createdUs ?? nowUs, callRevision: a.callRevision ?? null });
    return {
      timeUs: a.atUs,
      observedTimeUs: nowUs,
      traceId: a.traceId,
      spanId: a.spanId,
      severityNumber: 0,
      severityText: '',
      eventName: event.name,
      body: null,
      attributes: { ...event.attributes, 'event.name': event.name },
      resource: { 'service.name': 'spyglass' },
      scope: { name: 'spyglass.guardrails' },
    };
  });
  if (records.length === 0) return null;
  return new TextEncoder().encode(JSON.stringify(toOtlpLogsJson(records)));
}
