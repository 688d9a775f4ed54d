// One OTLP request written in OTLP/JSON (the spec's form), and the same data as protobuf bytes,
// so tests can check that both decoders agree.

import { LogsRequestType, TraceRequestType } from '../../../src/capture/otlp/schema';

export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
export const ROOT_SPAN_ID = 'eee19b7ec3c1b174';
export const CHILD_SPAN_ID = 'eee19b7ec3c1b173';
export const LINK_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const LINK_SPAN_ID = 'b7ad6b7169203331';

type Json = Record<string, unknown>;

export function traceRequestJson(): Json {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'chat-app' } },
            { key: 'process.pid', value: { intValue: '4242' } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'spyglass-test', version: '1.2.3' },
            spans: [
              {
                traceId: TRACE_ID,
                spanId: ROOT_SPAN_ID,
                name: 'agent run',
                kind: 1,
                startTimeUnixNano: '1700000000123456789',
                endTimeUnixNano: '1700000002000000999',
                attributes: [
                  { key: 'str', value: { stringValue: 'héllo ✓' } },
                  { key: 'bool', value: { boolValue: true } },
                  { key: 'int', value: { intValue: '-42' } },
                  { key: 'big', value: { intValue: '9007199254740991' } },
                  { key: 'double', value: { doubleValue: 0.25 } },
                  { key: 'array', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }, { boolValue: false }] } } },
                  {
                    key: 'kv',
                    value: {
                      kvlistValue: {
                        values: [
                          { key: 'inner', value: { stringValue: 'x' } },
                          { key: 'nested', value: { kvlistValue: { values: [{ key: 'deep', value: { doubleValue: 1.5 } }] } } },
                        ],
                      },
                    },
                  },
                  { key: 'bytes', value: { bytesValue: 'AAECAwQ=' } },
                  { key: 'empty', value: {} },
                ],
                events: [
                  {
                    timeUnixNano: '1700000001000000000',
                    name: 'gen_ai.user.message',
                    attributes: [{ key: 'content', value: { stringValue: 'hi' } }],
                  },
                ],
                links: [{ traceId: LINK_TRACE_ID, spanId: LINK_SPAN_ID, attributes: [{ key: 'why', value: { stringValue: 'retry' } }] }],
                status: { code: 2, message: 'boom' },
              },
              {
                traceId: TRACE_ID,
                spanId: CHILD_SPAN_ID,
                parentSpanId: ROOT_SPAN_ID,
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: '1700000000500000000',
                endTimeUnixNano: '1700000001500000000',
                attributes: [
                  { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                  { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

export function logsRequestJson(): Json {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'chat-app' } }] },
        scopeLogs: [
          {
            scope: { name: 'spyglass-test' },
            logRecords: [
              {
                timeUnixNano: '1700000001000000000',
                observedTimeUnixNano: '1700000001000001000',
                severityNumber: 9,
                severityText: 'INFO',
                eventName: 'gen_ai.client.inference.operation.details',
                body: { kvlistValue: { values: [{ key: 'content', value: { stringValue: 'hello' } }] } },
                attributes: [{ key: 'gen_ai.provider.name', value: { stringValue: 'openai' } }],
                traceId: TRACE_ID,
                spanId: CHILD_SPAN_ID,
              },
              {
                observedTimeUnixNano: '1700000003000000000',
                severityNumber: 5,
                body: { stringValue: 'plain text' },
                attributes: [{ key: 'event.name', value: { stringValue: 'gen_ai.choice' } }],
              },
            ],
          },
        ],
      },
    ],
  };
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** OTLP/JSON object → the object protobufjs' fromObject takes (hex ids and base64 to bytes). */
function toProtoObject(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => toProtoObject(x));
  if (v !== null && typeof v === 'object') {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) out[k] = toProtoObject(x, k);
    return out;
  }
  if (typeof v === 'string' && ID_KEYS.has(key)) return Buffer.from(v, 'hex');
  if (typeof v === 'string' && key === 'bytesValue') return Buffer.from(v, 'base64');
  return v;
}

export function encodeTraceRequest(json: Json): Buffer {
  return Buffer.from(TraceRequestType.encode(TraceRequestType.fromObject(toProtoObject(json) as Json)).finish());
}

export function encodeLogsRequest(json: Json): Buffer {
  return Buffer.from(LogsRequestType.encode(LogsRequestType.fromObject(toProtoObject(json) as Json)).finish());
}

export function jsonBody(json: unknown): Buffer {
  return Buffer.from(JSON.stringify(json));
}

/** A request holding exactly one span with the given fields over a valid base. */
export function oneSpan(fields: Json): Json {
  return {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: TRACE_ID,
                spanId: ROOT_SPAN_ID,
                name: 'one',
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000001000000000',
                ...fields,
              },
            ],
          },
        ],
      },
    ],
  };
}
