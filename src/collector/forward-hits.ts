// Guardrail hits for the team's backend: when the collector forwards to another OTLP endpoint,
// the hits the analysis runner found (after the spans went on) follow as OTLP log records named
// `gen_ai.guardrail.result`, in the span's context and with the same attributes an export puts on
// its span events (annotationEvent), so the backend shows them beside the call.

import { annotationEvent } from '../core/annotations/export-events';
import type { NewAnnotation } from '../core/annotations/model';
import { keyValues } from './otlp-export';

/** An OTLP/JSON ExportLogsServiceRequest of the guardrail annotations among `annotations`; null when there are none. */
export function guardrailLogsBody(annotations: readonly NewAnnotation[], nowUs = Date.now() * 1000): Uint8Array | null {
  const records = annotations.filter((a) => a.kind === 'guardrail' && a.spanId !== null).map((a) => {
    const event = annotationEvent({ ...a, createdUs: a.createdUs ?? nowUs, callRevision: a.callRevision ?? null });
    return {
      timeUnixNano: String(BigInt(Math.round(a.atUs)) * 1000n),
      observedTimeUnixNano: String(BigInt(Math.round(nowUs)) * 1000n),
      eventName: event.name,
      traceId: a.traceId,
      spanId: a.spanId,
      attributes: keyValues({ ...event.attributes, 'event.name': event.name }),
    };
  });
  if (records.length === 0) return null;
  const body = {
    resourceLogs: [{
      resource: { attributes: keyValues({ 'service.name': 'spyglass' }) },
      scopeLogs: [{ scope: { name: 'spyglass.guardrails' }, logRecords: records }],
    }],
  };
  return new TextEncoder().encode(JSON.stringify(body));
}
