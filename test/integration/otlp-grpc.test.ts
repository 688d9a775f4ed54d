// The OTLP/gRPC receiver spoken to with a raw grpc-js client: answers, partial success, errors
// with the right status codes, size caps (also for compressed messages), and a taken port.

import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningGrpcServer, startGrpcServer } from '../../src/capture/grpc-server';
import { LOGS_EXPORT_PATH, LogsResponseType, TRACE_EXPORT_PATH, TraceResponseType } from '../../src/capture/otlp/schema';
import { MemorySink } from '../helpers/memory-sink';
import { encodeLogsRequest, encodeTraceRequest, logsRequestJson, oneSpan, traceRequestJson } from '../unit/otlp/fixtures';

const MAX_MESSAGE = 1024 * 1024;
const sink = new MemorySink();
let server: RunningGrpcServer;
let client: grpc.Client;
let gzipClient: grpc.Client;

beforeAll(async () => {
  server = await startGrpcServer({ port: 0, sink, maxMessageBytes: MAX_MESSAGE });
  client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  gzipClient = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure(), {
    'grpc.default_compression_algorithm': 2, // gzip
  });
});
afterAll(async () => {
  client?.close();
  gzipClient?.close();
  await server?.close();
});
beforeEach(() => {
  sink.clear();
  sink.failWith = null;
});

function call(path: string, body: Buffer, via = client): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    via.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      (err, res) => (err ? reject(err) : resolve(res!)),
    );
  });
}

async function callError(path: string, body: Buffer, via = client): Promise<grpc.ServiceError> {
  try {
    await call(path, body, via);
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('the call succeeded');
}

describe('OTLP/gRPC receiver', () => {
  it('accepts a trace export and answers with an empty response', async () => {
    const res = await call(TRACE_EXPORT_PATH, encodeTraceRequest(traceRequestJson()));
    expect(res.length).toBe(0);
    expect(sink.spans.map((s) => s.name)).toEqual(['agent run', 'chat gpt-4o']);
  });

  it('accepts a gzip-compressed logs export', async () => {
    await call(LOGS_EXPORT_PATH, encodeLogsRequest(logsRequestJson()), gzipClient);
    expect(sink.logs).toHaveLength(2);
    expect(sink.logs[0]!.eventName).toBe('gen_ai.client.inference.operation.details');
  });

  it('reports rejected spans through partial success', async () => {
    const res = await call(TRACE_EXPORT_PATH, encodeTraceRequest(oneSpan({ spanId: '00' })));
    const msg = TraceResponseType.toObject(TraceResponseType.decode(res), { longs: Number });
    expect(msg).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: '1 rejected: span "one": span_id must be 8 bytes, got 1' } });
  });

  it('reports rejected log records through partial success', async () => {
    const body = encodeLogsRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ spanId: 'abcd', traceId: '11'.repeat(16) }] }] }] });
    const res = await call(LOGS_EXPORT_PATH, body);
    const msg = LogsResponseType.toObject(LogsResponseType.decode(res), { longs: Number });
    expect(msg).toEqual({ partialSuccess: { rejectedLogRecords: 1, errorMessage: '1 rejected: log record 0: span_id must be 8 bytes or empty, got 2' } });
  });

  it('answers undecodable data with INVALID_ARGUMENT', async () => {
    const err = await callError(TRACE_EXPORT_PATH, Buffer.from([0x0a, 0x05, 0x01]));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^body is not a valid protobuf ExportTraceServiceRequest: /);
  });

  it('answers a message over the cap with RESOURCE_EXHAUSTED', async () => {
    const err = await callError(TRACE_EXPORT_PATH, Buffer.alloc(MAX_MESSAGE + 1));
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('answers a compressed message that inflates past the cap with RESOURCE_EXHAUSTED', async () => {
    const err = await callError(TRACE_EXPORT_PATH, Buffer.alloc(64 * 1024 * 1024), gzipClient);
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(/larger than/);
  });

  it('answers UNAVAILABLE (retryable) when the store fails', async () => {
    sink.failWith = new Error('database is locked');
    const err = await callError(TRACE_EXPORT_PATH, encodeTraceRequest(traceRequestJson()));
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(err.details).toBe('could not store the data, retry later: database is locked');
  });

  it('keeps serving after all of the above', async () => {
    await call(TRACE_EXPORT_PATH, encodeTraceRequest(traceRequestJson()));
    expect(sink.spans).toHaveLength(2);
  });

  it('refuses a port that is taken with code EADDRINUSE', async () => {
    await expect(startGrpcServer({ port: server.port, sink })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
