// OTLP capture: decoders into the canonical model, the OTLP/HTTP routes, and the shared schema
// (also used by the gRPC server in ../grpc-server.ts).
//
//   decodeTracesProtobuf(body, opts?) / decodeTracesJson / decodeLogsProtobuf / decodeLogsJson
//     → DecodeResult { batch, rejectedSpans, rejectedLogs, errors, warnings }
//     throw OtlpDecodeError when the body as a whole cannot be read (answer 400 / INVALID_ARGUMENT).
//     Deterministic for a given body and options (pass opts.receivedUs to fix the one clock read:
//     the time given to a log record that carries no time at all).
//     Protobuf is read by a direct wire decoder (decode-protobuf.ts), tested against protobufjs'
//     decoder of the same schema (decode-protobuf-schema.ts).
//   otlpHttpRoutes(sink, { maxBodyBytes, maxStringChars?, forwarder? }) → Route[] for startHttpServer.

export { DEFAULT_MAX_STRING_CHARS, type DecodeOptions, OtlpDecodeError, WARNINGS_ATTRIBUTE } from './context';
export { decodeLogsJson, decodeTracesJson } from './decode-json';
export { decodeLogsProtobuf, decodeTracesProtobuf } from './decode-protobuf';
export type { DecodeResult } from './decode-result';
export { encodingOf, type OtlpForwardTarget, type OtlpHttpOptions, otlpHttpRoutes } from './http-routes';
export { type OtlpEncoding, type OtlpSignal, partialSuccessOf, type PartialSuccess } from './responses';
