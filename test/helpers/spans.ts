// Builders for canonical spans in tests: only what a test states differs from a plain span.
import type { IngestLogRecord, IngestSpan } from '../../src/core/model';

let counter = 0;
export function hexId(bytes: number, seed = ++counter): string {
  return (seed.toString(16).padStart(8, '0') + 'a1b2c3d4e5f60718293a4b5c6d7e8f90').slice(0, bytes * 2);
}

export function span(over: Partial<IngestSpan> = {}): IngestSpan {
  const start = over.startUs ?? 1_700_000_000_000_000;
  return {
    traceId: hexId(16),
    spanId: hexId(8),
    parentSpanId: null,
    name: 'span',
    kind: 1,
    startUs: start,
    endUs: start + 1000,
    statusCode: 0,
    statusMessage: '',
    attributes: {},
    events: [],
    links: [],
    resource: { 'service.name': 'test-app' },
    scope: { name: 'test' },
    ...over,
  };
}

export function logRecord(over: Partial<IngestLogRecord> = {}): IngestLogRecord {
  return {
    timeUs: 1_700_000_000_000_000,
    observedTimeUs: 1_700_000_000_000_000,
    traceId: null,
    spanId: null,
    severityNumber: 9,
    severityText: 'INFO',
    eventName: null,
    body: null,
    attributes: {},
    resource: { 'service.name': 'test-app' },
    scope: { name: 'test' },
    ...over,
  };
}
