// The fast wire decoder against the protobufjs reference decoder of the same schema: same
// results for real SDK output, for generated requests, and for mutated bytes.

import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { decodeLogsProtobuf, decodeTracesProtobuf, OtlpDecodeError } from '../../../src/capture/otlp';
import { decodeLogsProtobufWithSchema, decodeTracesProtobufWithSchema } from '../../../src/capture/otlp/decode-protobuf-schema';
import type { DecodeResult } from '../../../src/capture/otlp';
import { encodeLogsRequest, encodeTraceRequest, logsRequestJson, oneSpan, traceRequestJson } from './fixtures';

const opts = { receivedUs: 1_750_000_000_000_000, maxStringChars: 4096 };

function outcome(fn: () => DecodeResult): DecodeResult | string {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OtlpDecodeError) return `refused: ${err.message}`;
    throw err;
  }
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random but well-formed OTLP/JSON trace request (all AnyValue kinds, events, links, odd values). */
function randomRequest(rnd: () => number): Record<string, unknown> {
  const int = (n: number) => Math.floor(rnd() * n);
  const hex = (bytes: number) => Array.from({ length: bytes * 2 }, () => '0123456789abcdef'[int(16)]).join('');
  const value = (depth: number): Record<string, unknown> => {
    switch (int(depth > 2 ? 5 : 7)) {
      case 0: return { stringValue: pick(['', 'plain', 'ünïcödé ✓', '😀'.repeat(int(3000)), '\uFFFD', 'x'.repeat(int(5000))]) };
      case 1: return { boolValue: rnd() < 0.5 };
      case 2: return { intValue: String(pick([0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, int(1e9)])) };
      case 3: return { doubleValue: pick([0, -0.5, 1e-300, 3.14, 1e300]) };
      case 4: return { bytesValue: Buffer.from(hex(int(20)), 'hex').toString('base64') };
      case 5: return { arrayValue: { values: Array.from({ length: int(4) }, () => value(depth + 1)) } };
      default: return { kvlistValue: { values: attrs(depth + 1) } };
    }
  };
  const pick = <T>(xs: T[]): T => xs[int(xs.length)]!;
  const attrs = (depth: number) => Array.from({ length: int(6) }, (_, i) => ({ key: pick(['a', 'b.c', `k${i}`, '__proto__', '']), value: value(depth) }));
  const ns = () => String(1_700_000_000_000_000_000n + BigInt(int(1e9)) * 1000n + BigInt(int(1000)));
  const id = (bytes: number) => (rnd() < 0.05 ? pick(['', hex(bytes - 1), '0'.repeat(bytes * 2)]) : hex(bytes));
  const span = () => ({
    traceId: id(16),
    spanId: id(8),
    parentSpanId: rnd() < 0.5 ? '' : id(8),
    name: pick(['chat', 'tool', '', 'ä'.repeat(int(10))]),
    kind: int(7),
    startTimeUnixNano: rnd() < 0.03 ? '0' : ns(),
    endTimeUnixNano: ns(),
    attributes: attrs(0),
    events: Array.from({ length: int(3) }, () => ({ timeUnixNano: ns(), name: 'ev', attributes: attrs(1) })),
    links: Array.from({ length: int(2) }, () => ({ traceId: id(16), spanId: id(8), attributes: attrs(1) })),
    status: rnd() < 0.5 ? undefined : { code: int(4), message: pick(['', 'boom']) },
  });
  return {
    resourceSpans: Array.from({ length: 1 + int(2) }, () => ({
      resource: { attributes: attrs(1) },
      scopeSpans: Array.from({ length: 1 + int(2) }, () => ({
        scope: { name: pick(['s', '']), version: pick(['', '1.0']) },
        spans: Array.from({ length: int(5) }, span),
      })),
    })),
  };
}

/** Bit flips, a cut, random bytes, a repeated region (fields occurring twice) or a splice. */
function mutate(seed: Buffer, other: Buffer, rnd: () => number): Buffer {
  const int = (n: number) => Math.floor(rnd() * n);
  const body = Buffer.from(seed);
  switch (int(5)) {
    case 0:
      for (let n = 1 + int(4); n > 0; n--) body[int(body.length)]! ^= 1 << int(8);
      return body;
    case 1:
      return body.subarray(0, int(body.length));
    case 2:
      return Buffer.from(Array.from({ length: int(300) }, () => int(256)));
    case 3: {
      const at = int(body.length);
      const len = int(200);
      return Buffer.concat([body.subarray(0, at + len), body.subarray(at, at + len), body.subarray(at + len)]);
    }
    default:
      return Buffer.concat([body.subarray(0, int(body.length)), other.subarray(int(other.length))]);
  }
}

describe('fast protobuf decoder = protobufjs reference decoder', () => {
  it('on the fixtures', () => {
    for (const body of [encodeTraceRequest(traceRequestJson()), encodeTraceRequest(oneSpan({ endTimeUnixNano: '5' }))]) {
      expect(decodeTracesProtobuf(body, opts)).toEqual(decodeTracesProtobufWithSchema(body, opts));
    }
    const logs = encodeLogsRequest(logsRequestJson());
    expect(decodeLogsProtobuf(logs, opts)).toEqual(decodeLogsProtobufWithSchema(logs, opts));
  });

  it('on what the OpenTelemetry SDK serializes', async () => {
    const memory = new InMemorySpanExporter();
    const resource = resourceFromAttributes({ 'service.name': 'eq', 'a.list': ['x', 'y'] });
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] });
    const tracer = provider.getTracer('eq', '1');
    for (let i = 0; i < 20; i++) {
      const s = tracer.startSpan(`span ${i}`, { kind: SpanKind.CLIENT, attributes: { i, f: i / 3, b: i % 2 === 0, s: 'x'.repeat(i), arr: [i, i + 1] } });
      s.addEvent('e', { n: i });
      if (i % 3 === 0) s.setStatus({ code: SpanStatusCode.ERROR, message: `err ${i}` });
      s.end();
    }
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())!);
    const fast = decodeTracesProtobuf(body, opts);
    expect(fast.batch.spans).toHaveLength(20);
    expect(fast).toEqual(decodeTracesProtobufWithSchema(body, opts));

    const logsMemory = new InMemoryLogRecordExporter();
    const lp = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logsMemory })] });
    const logger = lp.getLogger('eq');
    for (let i = 0; i < 5; i++) logger.emit({ body: { i, text: 'hello' }, eventName: `ev${i}`, attributes: { i } });
    await lp.forceFlush();
    const logBody = Buffer.from(ProtobufLogsSerializer.serializeRequest(logsMemory.getFinishedLogRecords())!);
    const fastLogs = decodeLogsProtobuf(logBody, opts);
    expect(fastLogs.batch.logs).toHaveLength(5);
    expect(fastLogs).toEqual(decodeLogsProtobufWithSchema(logBody, opts));
  });

  it('on 300 generated requests', () => {
    const rnd = prng(42);
    let spans = 0;
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      const body = encodeTraceRequest(randomRequest(rnd));
      const fast = decodeTracesProtobuf(body, opts);
      const reference = decodeTracesProtobufWithSchema(body, opts);
      expect(fast, `request ${i}`).toEqual(reference);
      spans += fast.batch.spans.length;
      rejected += fast.rejectedSpans;
    }
    expect(spans).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(20);
  });

  it('on 3,000 mutated bodies (flipped, cut, random, repeated, spliced): both refuse, or both give the same result', () => {
    const rnd = prng(Number(process.env.EQ_SEED ?? 7));
    const int = (n: number) => Math.floor(rnd() * n);
    const seeds = Array.from({ length: 20 }, () => encodeTraceRequest(randomRequest(rnd)));
    let refused = 0;
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      const mutated = mutate(seeds[int(seeds.length)]!, seeds[int(seeds.length)]!, rnd);
      const fast = outcome(() => decodeTracesProtobuf(mutated, opts));
      const reference = outcome(() => decodeTracesProtobufWithSchema(mutated, opts));
      if (typeof fast === 'string' || typeof reference === 'string') {
        expect(typeof fast === 'string' ? 'refused' : fast, `mutation ${i}: ${String(reference)}`).toBe(typeof reference === 'string' ? 'refused' : reference);
        refused++;
      } else {
        expect(fast.batch, `mutation ${i}`).toEqual(reference.batch);
        expect(fast.rejectedSpans).toBe(reference.rejectedSpans);
        decoded++;
      }
    }
    expect(refused).toBeGreaterThan(300);
    expect(decoded).toBeGreaterThan(300);
  });

  it('on 1,000 mutated log requests', () => {
    const rnd = prng(Number(process.env.EQ_SEED ?? 7) + 1);
    const seeds = [encodeLogsRequest(logsRequestJson()), encodeTraceRequest(traceRequestJson())];
    let decoded = 0;
    for (let i = 0; i < 1000; i++) {
      const mutated = mutate(seeds[0]!, seeds[Math.floor(rnd() * 2)]!, rnd);
      const fast = outcome(() => decodeLogsProtobuf(mutated, opts));
      const reference = outcome(() => decodeLogsProtobufWithSchema(mutated, opts));
      if (typeof fast === 'string' || typeof reference === 'string') {
        expect(typeof fast === 'string' ? 'refused' : fast, `mutation ${i}: ${String(reference)}`).toBe(typeof reference === 'string' ? 'refused' : reference);
      } else {
        expect(fast.batch, `mutation ${i}`).toEqual(reference.batch);
        expect(fast.rejectedLogs).toBe(reference.rejectedLogs);
        decoded++;
      }
    }
    expect(decoded).toBeGreaterThan(100);
  });
});
