// Bad input at the real OTLP/HTTP receiver: each gets a clear answer in the request's encoding,
// nothing valid is lost, and the receiver keeps answering.

import zlib from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningHttpServer, startHttpServer } from '../../src/capture/http-server';
import { otlpHttpRoutes, WARNINGS_ATTRIBUTE } from '../../src/capture/otlp';
import { RpcStatusType, TraceResponseType } from '../../src/capture/otlp/schema';
import { post } from '../helpers/http-post';
import { MemorySink } from '../helpers/memory-sink';
import { encodeTraceRequest, jsonBody, oneSpan, ROOT_SPAN_ID, TRACE_ID, traceRequestJson } from '../unit/otlp/fixtures';

const MAX_BODY = 8 * 1024 * 1024;
const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_CT = { 'content-type': 'application/json' };

const sink = new MemorySink();
let server: RunningHttpServer;

beforeAll(async () => {
  server = await startHttpServer({ port: 0, routes: otlpHttpRoutes(sink, { maxBodyBytes: MAX_BODY }) });
});
afterAll(() => server?.close());
beforeEach(() => {
  sink.clear();
  sink.failWith = null;
});

const postTraces = (body: Uint8Array, headers: Record<string, string>, chunked = false) =>
  post(server.port, '/v1/traces', body, { headers, chunked });

function protoStatus(body: Buffer): { code: number; message: string } {
  return RpcStatusType.toObject(RpcStatusType.decode(body), { defaults: true }) as { code: number; message: string };
}
function protoPartial(body: Buffer): { rejectedSpans?: number; errorMessage?: string } | undefined {
  const msg = TraceResponseType.toObject(TraceResponseType.decode(body), { longs: Number }) as {
    partialSuccess?: { rejectedSpans?: number; errorMessage?: string };
  };
  return msg.partialSuccess;
}

/** A valid request goes through: the receiver still works after whatever came before. */
async function expectStillServing(): Promise<void> {
  sink.clear();
  const res = await postTraces(encodeTraceRequest(traceRequestJson()), PROTO);
  expect(res.status).toBe(200);
  expect(sink.spans).toHaveLength(2);
}

describe('whole bodies that cannot be decoded', () => {
  it('answers malformed JSON with 400 and a JSON Status', async () => {
    const res = await postTraces(Buffer.from('{"resourceSpans": [{"scopeSpans": [}'), JSON_CT);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    const status = JSON.parse(res.body.toString()) as { code: number; message: string };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^body is not valid JSON: /);
    await expectStillServing();
  });

  it('answers truncated protobuf with 400 and a protobuf Status', async () => {
    const whole = encodeTraceRequest(traceRequestJson());
    const res = await postTraces(whole.subarray(0, whole.length - 7), PROTO);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    const status = protoStatus(res.body);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^body is not a valid protobuf ExportTraceServiceRequest: length \d+ past the end of the message at offset \d+$/);
    await expectStillServing();
  });

  it('answers random bytes that are not protobuf with 400', async () => {
    const res = await postTraces(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), PROTO);
    expect(res.status).toBe(400);
    expect(protoStatus(res.body).message).toMatch(/ExportTraceServiceRequest/);
  });

  it('answers a JSON body of the wrong shape with 400 naming the path', async () => {
    const res = await postTraces(jsonBody({ resourceSpans: [{ scopeSpans: [{ spans: 'nope' }] }] }), JSON_CT);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).message).toBe('resourceSpans[0].scopeSpans[0].spans must be an array, got string');
  });

  it('answers corrupt gzip with 400', async () => {
    const gz = zlib.gzipSync(jsonBody(traceRequestJson()));
    gz[gz.length - 6] ^= 0xff; // break the CRC
    const res = await postTraces(gz, { ...JSON_CT, 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).message).toMatch(/^could not read request body/);
    await expectStillServing();
  });
});

describe('single bad items are rejected alone (partial success)', () => {
  it('rejects the span with wrong field types and keeps the rest (JSON)', async () => {
    const json = traceRequestJson();
    const spans = (json.resourceSpans as { scopeSpans: { spans: unknown[] }[] }[])[0]!.scopeSpans[0]!.spans;
    spans.push({ ...(spans[0] as object), spanId: 'aaaaaaaaaaaaaaaa', name: 'typed wrong', attributes: [{ key: 'k', value: { intValue: 'x' } }] });
    const res = await postTraces(jsonBody(json), JSON_CT);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: '1 rejected: span "typed wrong" (aaaaaaaaaaaaaaaa): attribute "k": intValue must be an integer or a decimal string, got "x"',
      },
    });
    expect(sink.spans.map((s) => s.name)).toEqual(['agent run', 'chat gpt-4o']);
  });

  it('rejects ids of the wrong length (protobuf) and says why', async () => {
    const res = await postTraces(encodeTraceRequest(oneSpan({ traceId: 'abcdef01' })), PROTO);
    expect(res.status).toBe(200);
    expect(protoPartial(res.body)).toEqual({ rejectedSpans: 1, errorMessage: `1 rejected: span "one" (${ROOT_SPAN_ID}): trace_id must be 16 bytes, got 4` });
    expect(sink.batches).toHaveLength(0); // nothing valid: the sink is not bothered
  });

  it('keeps a span that ends before it starts, clamped, with a warning', async () => {
    const res = await postTraces(encodeTraceRequest(oneSpan({ endTimeUnixNano: '1699999999000000000' })), PROTO);
    expect(res.status).toBe(200);
    const partial = protoPartial(res.body)!;
    expect(partial.rejectedSpans ?? 0).toBe(0);
    expect(partial.errorMessage).toMatch(/^warnings: span "one" .*end set to start$/);
    expect(sink.spans[0]).toMatchObject({ traceId: TRACE_ID, startUs: 1_700_000_000_000_000, endUs: 1_700_000_000_000_000 });
  });

  it('keeps a multi-megabyte attribute cut to 1 MiB, marked as cut', async () => {
    const huge = 'z'.repeat(5 * 1024 * 1024);
    for (const [body, headers] of [
      [encodeTraceRequest(oneSpan({ attributes: [{ key: 'gen_ai.output.messages', value: { stringValue: huge } }] })), PROTO],
      [jsonBody(oneSpan({ attributes: [{ key: 'gen_ai.output.messages', value: { stringValue: huge } }] })), JSON_CT],
    ] as const) {
      sink.clear();
      const res = await postTraces(body, headers);
      expect(res.status).toBe(200);
      const attrs = sink.spans[0]!.attributes;
      expect((attrs['gen_ai.output.messages'] as string).length).toBe(1024 * 1024);
      expect(attrs[WARNINGS_ATTRIBUTE]).toEqual(['attribute "gen_ai.output.messages" truncated from 5242880 to 1048576 characters']);
    }
  });

  it('keeps strings with invalid UTF-8 as replacement characters, with a warning', async () => {
    const body = encodeTraceRequest(oneSpan({ name: 'NAME' }));
    body[body.indexOf('NAME')] = 0xc0;
    const res = await postTraces(body, PROTO);
    expect(res.status).toBe(200);
    expect(protoPartial(res.body)!.errorMessage).toBe('warnings: 1 string field(s) held invalid UTF-8; each bad sequence was stored as U+FFFD');
    expect(sink.spans[0]!.name).toBe('\uFFFDAME');
  });
});

describe('size, type and encoding limits', () => {
  it('answers a body over the cap with 413 (declared length)', async () => {
    const res = await postTraces(Buffer.alloc(MAX_BODY + 1), PROTO);
    expect(res.status).toBe(413);
    expect(protoStatus(res.body)).toEqual({ code: 8, message: `request body too large: content-length ${MAX_BODY + 1} exceeds the limit of ${MAX_BODY} bytes` });
    await expectStillServing();
  });

  it('answers a chunked body over the cap with 413', async () => {
    const res = await postTraces(Buffer.alloc(MAX_BODY + 100_000, 0x20), JSON_CT, true);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toEqual({ code: 8, message: `request body too large: body exceeds the limit of ${MAX_BODY} bytes` });
    await expectStillServing();
  });

  it('answers a gzip bomb with 413 without inflating it all', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(MAX_BODY / 16);
    const res = await postTraces(bomb, { ...PROTO, 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(protoStatus(res.body).code).toBe(8);
    await expectStillServing();
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }, 'unsupported media type: content-type "text/plain"; send application/x-protobuf or application/json'],
    ['no content type', {}, 'unsupported media type: no content-type; send application/x-protobuf or application/json'],
  ])('answers %s with 415', async (_name, headers, message) => {
    const res = await postTraces(jsonBody(traceRequestJson()), headers);
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body.toString())).toEqual({ code: 3, message });
    expect(sink.spans).toHaveLength(0);
  });

  it('answers an unknown content-encoding with 415', async () => {
    const res = await postTraces(jsonBody(traceRequestJson()), { ...JSON_CT, 'content-encoding': 'zstd' });
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body.toString()).message).toBe('unsupported content-encoding: zstd');
  });

  it('accepts content types with parameters and the unprefixed protobuf type', async () => {
    expect((await postTraces(jsonBody(traceRequestJson()), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    expect((await postTraces(encodeTraceRequest(traceRequestJson()), { 'content-type': 'application/protobuf' })).status).toBe(200);
    expect(sink.spans).toHaveLength(4);
  });
});

describe('answers', () => {
  it('answers an accepted protobuf request with an empty ExportTraceServiceResponse', async () => {
    const res = await postTraces(encodeTraceRequest(traceRequestJson()), PROTO);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(res.body.length).toBe(0); // no partial_success: everything was accepted
  });

  it('answers an accepted JSON request with {}', async () => {
    const res = await postTraces(jsonBody(traceRequestJson()), JSON_CT);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{}');
  });

  it('answers logs with rejected_log_records', async () => {
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: 'ab', body: { stringValue: 'x' } }, { body: { stringValue: 'ok' } }] }] }] };
    const res = await post(server.port, '/v1/logs', jsonBody(body), { headers: JSON_CT });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({
      partialSuccess: { rejectedLogRecords: '1', errorMessage: '1 rejected: log record 0: traceId must be 16 bytes or empty, got 1' },
    });
    expect(sink.logs.map((l) => l.body)).toEqual(['ok']);
  });

  it('answers 503 (retryable) when the store fails, and recovers', async () => {
    sink.failWith = new Error('disk full');
    const res = await postTraces(jsonBody(traceRequestJson()), JSON_CT);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body.toString())).toEqual({ code: 14, message: 'could not store the data, retry later: disk full' });
    sink.failWith = null;
    await expectStillServing();
  });
});
