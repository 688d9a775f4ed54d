import { describe, expect, it } from 'vitest';
import { decodeLogsJson, decodeLogsProtobuf, decodeTracesJson, decodeTracesProtobuf } from '../../../src/capture/otlp';
import {
  CHILD_SPAN_ID,
  encodeLogsRequest,
  encodeTraceRequest,
  jsonBody,
  LINK_SPAN_ID,
  LINK_TRACE_ID,
  logsRequestJson,
  ROOT_SPAN_ID,
  TRACE_ID,
  traceRequestJson,
} from './fixtures';

const opts = { receivedUs: 1_800_000_000_000_000 };

describe('OTLP trace decoding', () => {
  const fromJson = decodeTracesJson(jsonBody(traceRequestJson()), opts);
  const fromProto = decodeTracesProtobuf(encodeTraceRequest(traceRequestJson()), opts);

  it('gives the same result for protobuf and JSON', () => {
    expect(fromProto).toEqual(fromJson);
    expect(fromJson.batch.spans).toHaveLength(2);
    expect(fromJson.rejectedSpans).toBe(0);
    expect(fromJson.errors).toEqual([]);
    expect(fromJson.warnings).toEqual([]);
  });

  it('converts ids, times, kind, status, resource and scope', () => {
    for (const { batch } of [fromJson, fromProto]) {
      const [root, child] = batch.spans;
      expect(root).toMatchObject({
        traceId: TRACE_ID,
        spanId: ROOT_SPAN_ID,
        parentSpanId: null,
        name: 'agent run',
        kind: 1,
        // nanoseconds cut (not rounded) to exact microseconds
        startUs: 1_700_000_000_123_456,
        endUs: 1_700_000_002_000_000,
        statusCode: 2,
        statusMessage: 'boom',
        resource: { 'service.name': 'chat-app', 'process.pid': 4242 },
        scope: { name: 'spyglass-test', version: '1.2.3' },
      });
      expect(child).toMatchObject({ parentSpanId: ROOT_SPAN_ID, spanId: CHILD_SPAN_ID, kind: 3, statusCode: 0, statusMessage: '' });
    }
  });

  it('converts every AnyValue kind', () => {
    for (const { batch } of [fromJson, fromProto]) {
      expect(batch.spans[0]!.attributes).toEqual({
        str: 'héllo ✓',
        bool: true,
        int: -42,
        big: 9007199254740991,
        double: 0.25,
        array: ['a', 1, false],
        kv: { inner: 'x', nested: { deep: 1.5 } },
        bytes: 'AAECAwQ=',
        empty: null,
      });
    }
  });

  it('converts events and links', () => {
    const root = fromProto.batch.spans[0]!;
    expect(root.events).toEqual([{ timeUs: 1_700_000_001_000_000, name: 'gen_ai.user.message', attributes: { content: 'hi' } }]);
    expect(root.links).toEqual([{ traceId: LINK_TRACE_ID, spanId: LINK_SPAN_ID, attributes: { why: 'retry' } }]);
    expect(fromProto.batch.spans[1]!.events).toEqual([]);
  });

  it('is deterministic: the same body decodes to the same batch', () => {
    const body = encodeTraceRequest(traceRequestJson());
    expect(decodeTracesProtobuf(body, opts)).toEqual(decodeTracesProtobuf(body, opts));
    expect(decodeTracesProtobuf(body)).toEqual(decodeTracesProtobuf(body));
    const json = jsonBody(traceRequestJson());
    expect(decodeTracesJson(json)).toEqual(decodeTracesJson(json));
  });

  it('decodes an empty request to an empty batch', () => {
    expect(decodeTracesProtobuf(Buffer.alloc(0)).batch).toEqual({ spans: [], logs: [] });
    expect(decodeTracesJson(jsonBody({})).batch).toEqual({ spans: [], logs: [] });
    expect(decodeTracesJson(jsonBody({ resourceSpans: [] })).batch).toEqual({ spans: [], logs: [] });
  });

  it('accepts what older or looser senders write in JSON', () => {
    const span = {
      trace_id: TRACE_ID.toUpperCase(),
      span_id: Buffer.from(ROOT_SPAN_ID, 'hex').toString('base64'),
      parentSpanId: Buffer.from(CHILD_SPAN_ID, 'hex').toString('base64'),
      name: 'loose',
      kind: 'SPAN_KIND_CLIENT',
      start_time_unix_nano: 1_700_000_000_000_000_000,
      endTimeUnixNano: '1700000001000000000',
      attributes: [{ key: 'n', value: { intValue: 7 } }, { key: 'nan', value: { doubleValue: 'NaN' } }],
      status: { code: 'STATUS_CODE_OK' },
    };
    const body = { resource_spans: [{ instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old' }, spans: [span] }] }] };
    const text = `\uFEFF${JSON.stringify(body)}`;
    const r = decodeTracesJson(Buffer.from(text));
    expect(r.errors).toEqual([]);
    expect(r.batch.spans[0]).toMatchObject({
      traceId: TRACE_ID,
      spanId: ROOT_SPAN_ID,
      parentSpanId: CHILD_SPAN_ID,
      kind: 3,
      statusCode: 1,
      startUs: 1_700_000_000_000_000,
      endUs: 1_700_000_001_000_000,
      attributes: { n: 7, nan: 'NaN' },
      scope: { name: 'old' },
    });
  });

  it('keeps an attribute named __proto__ as data', () => {
    const r = decodeTracesJson(
      jsonBody({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: TRACE_ID,
                    spanId: ROOT_SPAN_ID,
                    startTimeUnixNano: '1700000000000000000',
                    endTimeUnixNano: '1700000000001000000',
                    attributes: [{ key: '__proto__', value: { stringValue: 'polluted' } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const attrs = r.batch.spans[0]!.attributes;
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.keys(attrs)).toEqual(['__proto__']);
    expect(JSON.stringify(attrs)).toBe('{"__proto__":"polluted"}');
  });
});

describe('OTLP log decoding', () => {
  const fromJson = decodeLogsJson(jsonBody(logsRequestJson()), opts);
  const fromProto = decodeLogsProtobuf(encodeLogsRequest(logsRequestJson()), opts);

  it('gives the same result for protobuf and JSON', () => {
    expect(fromProto).toEqual(fromJson);
    expect(fromJson.batch.logs).toHaveLength(2);
    expect(fromJson.batch.spans).toEqual([]);
  });

  it('keeps event name, body, ids, severity and falls back on event.name and observed time', () => {
    for (const { batch } of [fromJson, fromProto]) {
      const [first, second] = batch.logs;
      expect(first).toEqual({
        timeUs: 1_700_000_001_000_000,
        observedTimeUs: 1_700_000_001_000_001,
        traceId: TRACE_ID,
        spanId: CHILD_SPAN_ID,
        severityNumber: 9,
        severityText: 'INFO',
        eventName: 'gen_ai.client.inference.operation.details',
        body: { content: 'hello' },
        attributes: { 'gen_ai.provider.name': 'openai' },
        resource: { 'service.name': 'chat-app' },
        scope: { name: 'spyglass-test' },
      });
      expect(second).toMatchObject({
        timeUs: 1_700_000_003_000_000,
        observedTimeUs: 1_700_000_003_000_000,
        traceId: null,
        spanId: null,
        eventName: 'gen_ai.choice',
        body: 'plain text',
        severityNumber: 5,
      });
    }
  });

  it('accepts severity names in JSON', () => {
    const json = logsRequestJson();
    const rec = (json.resourceLogs as { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[])[0]!.scopeLogs[0]!.logRecords[0]!;
    rec.severityNumber = 'SEVERITY_NUMBER_WARN2';
    expect(decodeLogsJson(jsonBody(json)).batch.logs[0]!.severityNumber).toBe(14);
  });

  it('uses the receive time for a record with no time at all', () => {
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] }] };
    for (const r of [decodeLogsJson(jsonBody(body), opts), decodeLogsProtobuf(encodeLogsRequest(body), opts)]) {
      expect(r.batch.logs[0]).toMatchObject({ timeUs: opts.receivedUs, observedTimeUs: opts.receivedUs, eventName: null });
    }
  });
});
