// OTLP/gRPC on loopback: TraceService/Export, LogsService/Export and MetricsService/Export. Requests are taken as raw
// bytes and decoded by the same protobufjs schema and validation as OTLP/HTTP (so both paths give
// identical batches, and the raw body can be forwarded untouched); no .proto file is read at run
// time. grpc-js undoes gzip/deflate message compression and enforces the size cap on the
// decompressed message (RESOURCE_EXHAUSTED), so a compressed bomb cannot fill memory.

import * as grpc from '@grpc/grpc-js';
import { OtlpDecodeError, type OtlpSignal } from './otlp';
import { ingestOtlp } from './otlp/ingest';
import type { OtlpForwardTarget } from './otlp/http-routes';
import { encodeExportResponseProto, encodeMetricsResponseProto, partialSuccessOf } from './otlp/responses';
import { LOGS_EXPORT_PATH, METRICS_EXPORT_PATH, TRACE_EXPORT_PATH } from './otlp/schema';
import type { MetricsSink, SpanSink } from './sink';

export interface GrpcServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1: capture never listens beyond this machine. */
  host?: string;
  sink: SpanSink;
  /** Cap on one message after decompression, in bytes. Default 32 MiB. */
  maxMessageBytes?: number;
  /** Longest string value kept; see DecodeOptions. */
  maxStringChars?: number;
  /** When given, every decodable request is also sent upstream as OTLP/HTTP protobuf. */
  forwarder?: OtlpForwardTarget;
  /** When given, MetricsService/Export is served too. */
  metrics?: MetricsSink;
}

export interface RunningGrpcServer {
  port: number;
  close(): Promise<void>;
}

const identity = (b: Buffer): Buffer => b;
const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function exportMethod(path: string): grpc.MethodDefinition<Buffer, Uint8Array> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: toBuffer,
    responseDeserialize: identity,
    originalName: 'export',
  };
}

function exportHandler(signal: OtlpSignal, opts: GrpcServerOptions): grpc.handleUnaryCall<Buffer, Uint8Array> {
  return (call, callback) => {
    const body = call.request;
    ingestOtlp(opts.sink, { signal, encoding: 'protobuf', body, maxStringChars: opts.maxStringChars }).then(
      (outcome) => {
        opts.forwarder?.forward(signal, body, 'application/x-protobuf');
        callback(null, encodeExportResponseProto(signal, partialSuccessOf(outcome.rejected, outcome.errors, outcome.warnings)));
      },
      (err: unknown) => {
        const message = (err as Error)?.message ?? String(err);
        if (err instanceof OtlpDecodeError) callback({ code: grpc.status.INVALID_ARGUMENT, details: message });
        // UNAVAILABLE is retryable for OTLP exporters: the data is not lost, it comes again.
        else callback({ code: grpc.status.UNAVAILABLE, details: `could not store the data, retry later: ${message}` });
      },
    );
  };
}

function metricsHandler(metrics: MetricsSink, opts: GrpcServerOptions): grpc.handleUnaryCall<Buffer, Uint8Array> {
  return (call, callback) => {
    const body = call.request;
    metrics.ingestMetrics({ encoding: 'protobuf', body }).then(
      (outcome) => {
        opts.forwarder?.forward('metrics', body, 'application/x-protobuf');
        callback(null, encodeMetricsResponseProto(partialSuccessOf(outcome.rejected, outcome.errors, outcome.warnings)));
      },
      (err: unknown) => {
        const message = (err as Error)?.message ?? String(err);
        if (err instanceof OtlpDecodeError) callback({ code: grpc.status.INVALID_ARGUMENT, details: message });
        else callback({ code: grpc.status.UNAVAILABLE, details: `could not store the data, retry later: ${message}` });
      },
    );
  };
}

function bindAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Starts the gRPC receiver; resolves with the bound port. A taken port rejects with code EADDRINUSE. */
export function startGrpcServer(opts: GrpcServerOptions): Promise<RunningGrpcServer> {
  const maxMessageBytes = opts.maxMessageBytes ?? 32 * 1024 * 1024;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': 1024 * 1024,
  });
  server.addService(
    { Export: exportMethod(TRACE_EXPORT_PATH) } as grpc.ServiceDefinition,
    { Export: exportHandler('traces', opts) } as grpc.UntypedServiceImplementation,
  );
  server.addService(
    { Export: exportMethod(LOGS_EXPORT_PATH) } as grpc.ServiceDefinition,
    { Export: exportHandler('logs', opts) } as grpc.UntypedServiceImplementation,
  );
  if (opts.metrics) {
    server.addService(
      { Export: exportMethod(METRICS_EXPORT_PATH) } as grpc.ServiceDefinition,
      { Export: metricsHandler(opts.metrics, opts) } as grpc.UntypedServiceImplementation,
    );
  }
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.bindAsync(bindAddress(host, opts.port), grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) {
        server.forceShutdown();
        const e = new Error(`cannot listen for gRPC on ${bindAddress(host, opts.port)}: ${err.message}`) as NodeJS.ErrnoException;
        if (/EADDRINUSE|address already in use/i.test(err.message)) e.code = 'EADDRINUSE';
        else if (/EACCES|permission denied/i.test(err.message)) e.code = 'EACCES';
        reject(e);
        return;
      }
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            // Give in-flight exports a moment to be answered, then cut what is left.
            const timer = setTimeout(() => {
              server.forceShutdown();
              done();
            }, 2_000);
            server.tryShutdown(() => {
              clearTimeout(timer);
              done();
            });
          }),
      });
    });
  });
}
