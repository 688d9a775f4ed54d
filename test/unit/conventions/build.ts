// Hand-built spans and log records for the convention tests.
import type { Attributes, IngestLogRecord, IngestSpan, SpanEvent } from '../../../src/core/model';

export const TRACE = '0af7651916cd43dd8448eb211c80319c';
export const SPAN = 'b7ad6b7169203331';

export function span(attributes: Attributes, extra: Partial<IngestSpan> = {}): IngestSpan {
  return {
    traceId: TRACE,
    spanId: SPAN,
    parentSpanId: null,
    name: 'chat',
    kind: 3,
    startUs: 1_700_000_000_000_000,
    endUs: 1_700_000_001_000_000,
    statusCode: 0,
    statusMessage: '',
    attributes,
    events: [],
    links: [],
    resource: { 'service.name': 'test' },
    scope: { name: 'test' },
    ...extra,
  };
}

export function event(name: string, attributes: Attributes, timeUs = 1_700_000_000_100_000): SpanEvent {
  return { name, attributes, timeUs };
}

export function log(eventName: string | null, body: IngestLogRecord['body'], attributes: Attributes = {}, timeUs = 1_700_000_000_100_000): IngestLogRecord {
  return {
    timeUs,
    observedTimeUs: timeUs,
    traceId: TRACE,
    spanId: SPAN,
    severityNumber: 9,
    severityText: 'INFO',
    eventName,
    body,
    attributes,
    resource: {},
    scope: { name: 'test' },
  };
}
