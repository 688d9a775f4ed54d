// Throws random and mutated OTLP payloads (bit flips, truncation, splices, random bytes, JSON
// values of the wrong type, wrong or missing content types, broken gzip) at the real receivers.
// Every answer must be a clear 200/400/413/415 with a JSON or protobuf body, never a 500 or a
// crash, and a valid request must still be accepted at the end.
// Reproduce a failure with FUZZ_SEED=<seed printed in the failure> npx vitest run test/integration/fuzz-otlp.test.ts

import zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGrpcServer, startGrpcServer } from '../../src/capture/grpc-server';
import { type RunningHttpServer, startHttpServer } from '../../src/capture/http-server';
import { otlpHttpRoutes } from '../../src/capture/otlp';
import { LOGS_EXPORT_PATH, LogsResponseType, RpcStatusType, TRACE_EXPORT_PATH, TraceResponseType } from '../../src/capture/otlp/schema';
import { post } from '../helpers/http-post';
import { MemorySink } from '../helpers/memory-sink';
import { encodeLogsRequest, encodeTraceRequest, jsonBody, logsRequestJson, oneSpan, traceRequestJson } from '../unit/otlp/fixtures';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const HTTP_CASES = 2_000;
const GRPC_CASES = 300;
const MAX_BODY = 256 * 1024;

/** mulberry32: small, fast, seeded. */
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

type Signal = 'traces' | 'logs';
interface Case {
  signal: Signal;
  body: Buffer;
  headers: Record<string, string>;
  how: string;
}

function makeFuzzer(seed: number) {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

  const bigAttr = oneSpan({ attributes: [{ key: 'big', value: { stringValue: 'q'.repeat(100_000) } }] });
  const seeds: Record<Signal, { json: unknown[]; proto: Buffer[] }> = {
    traces: {
      json: [traceRequestJson(), oneSpan({}), bigAttr, oneSpan({ events: [{ timeUnixNano: '1', name: 'e' }], links: [] })],
      proto: [encodeTraceRequest(traceRequestJson()), encodeTraceRequest(oneSpan({})), encodeTraceRequest(bigAttr)],
    },
    logs: { json: [logsRequestJson()], proto: [encodeLogsRequest(logsRequestJson())] },
  };

  function randomJsonValue(depth = 0): unknown {
    switch (int(depth > 2 ? 6 : 8)) {
      case 0: return null;
      case 1: return rnd() < 0.5;
      case 2: return pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]);
      case 3: return pick(['', 'x', 'NaN', '1700000000000000000', 'ffffffffffffffffffffffffffffffff', 'AAAA', '\u0000', '😀', '-5', 'SPAN_KIND_SERVER']);
      case 4: return 'w'.repeat(int(5000));
      case 5: return '0123456789abcdef'.slice(0, int(17));
      case 6: return Array.from({ length: int(4) }, () => randomJsonValue(depth + 1));
      default: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['stringValue', 'intValue', 'values', 'key', 'value', 'kvlistValue', 'arrayValue', 'bytesValue', '__proto__', 'x']), randomJsonValue(depth + 1)]));
    }
  }

  /** Replaces one value somewhere in the tree with a random one (of any type). */
  function mutateJson(doc: unknown): unknown {
    const copy = JSON.parse(JSON.stringify(doc)) as unknown;
    const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach((x, i) => { slots.push({ parent: v, key: i }); walk(x); });
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) { slots.push({ parent: v as Record<string, unknown>, key: k }); walk(x); }
    };
    walk(copy);
    for (let n = 1 + int(3); n > 0 && slots.length > 0; n--) {
      const slot = pick(slots);
      if (rnd() < 0.15 && !Array.isArray(slot.parent)) delete (slot.parent as Record<string, unknown>)[slot.key as string];
      else (slot.parent as Record<string | number, unknown>)[slot.key] = randomJsonValue();
    }
    return copy;
  }

  function mutateBytes(b: Buffer, other: Buffer): [Buffer, string] {
    const out = Buffer.from(b);
    switch (int(7)) {
      case 0: {
        const n = 1 + int(8);
        for (let i = 0; i < n && out.length > 0; i++) out[int(out.length)]! ^= 1 << int(8);
        return [out, `flip ${n} bits`];
      }
      case 1: return [out.subarray(0, int(out.length)), 'truncate'];
      case 2: return [Buffer.concat([out.subarray(0, int(out.length)), other.subarray(int(other.length))]), 'splice'];
      case 3: return [Buffer.from(Array.from({ length: int(512) }, () => int(256))), 'random bytes'];
      case 4: {
        const at = int(out.length);
        return [Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256))), out.subarray(at)]), 'insert bytes'];
      }
      case 5: {
        const at = int(out.length);
        return [Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + int(16))]), 'delete bytes'];
      }
      default: {
        const at = int(out.length);
        const len = int(64);
        return [Buffer.concat([out.subarray(0, at + len), out.subarray(at, at + len), out.subarray(at + len)]), 'duplicate region'];
      }
    }
  }

  function next(): Case {
    const signal: Signal = rnd() < 0.75 ? 'traces' : 'logs';
    const asJson = rnd() < 0.5;
    let body: Buffer;
    let how: string;
    if (asJson) {
      const doc = pick(seeds[signal].json);
      if (rnd() < 0.5) {
        body = jsonBody(mutateJson(doc));
        how = 'json value mutation';
      } else {
        [body, how] = mutateBytes(jsonBody(doc), jsonBody(pick(seeds[signal].json)));
        how = `json ${how}`;
      }
    } else {
      [body, how] = mutateBytes(pick(seeds[signal].proto), pick(seeds[signal].proto));
      how = `protobuf ${how}`;
      if (rnd() < 0.1) {
        body = Buffer.alloc(0);
        how = 'empty protobuf';
      }
    }
    let contentType = asJson ? 'application/json' : 'application/x-protobuf';
    const r = rnd();
    if (r < 0.05) contentType = asJson ? 'application/x-protobuf' : 'application/json'; // mismatched
    else if (r < 0.08) contentType = pick(['text/plain', 'application/xml', '', 'application/json-seq', 'multipart/form-data']);
    const headers: Record<string, string> = contentType === '' ? {} : { 'content-type': contentType };
    const z = rnd();
    if (z < 0.1) {
      body = zlib.gzipSync(body);
      headers['content-encoding'] = 'gzip';
      how += ' gzipped';
    } else if (z < 0.13) {
      headers['content-encoding'] = 'gzip'; // says gzip, is not
      how += ' false gzip';
    } else if (z < 0.15) {
      body = Buffer.concat([body, Buffer.alloc(MAX_BODY)]);
      how += ' oversized';
    }
    return { signal, body, headers, how: `${how} as ${contentType || 'no content-type'}` };
  }

  return { next };
}

function checkBody(status: number, contentType: string | undefined, body: Buffer, signal: Signal): void {
  if (contentType === 'application/json') {
    const parsed = JSON.parse(body.toString()) as Record<string, unknown>;
    if (status === 200) {
      const partial = parsed.partialSuccess as Record<string, unknown> | undefined;
      if (partial !== undefined) expect(typeof partial.errorMessage).toBe('string');
    } else {
      expect(parsed).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
      expect((parsed.message as string).length).toBeGreaterThan(0);
    }
  } else {
    expect(contentType).toBe('application/x-protobuf');
    if (status === 200) (signal === 'traces' ? TraceResponseType : LogsResponseType).decode(body);
    else expect((RpcStatusType.decode(body) as unknown as { message: string }).message.length).toBeGreaterThan(0);
  }
}

const sink = new MemorySink();
let http: RunningHttpServer;
let grpcServer: RunningGrpcServer;
let client: grpc.Client;

beforeAll(async () => {
  http = await startHttpServer({ port: 0, routes: otlpHttpRoutes(sink, { maxBodyBytes: MAX_BODY }) });
  grpcServer = await startGrpcServer({ port: 0, sink, maxMessageBytes: MAX_BODY });
  client = new grpc.Client(`127.0.0.1:${grpcServer.port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await Promise.all([http?.close(), grpcServer?.close()]);
});

describe(`OTLP fuzz (seed ${SEED})`, () => {
  it(`answers ${HTTP_CASES} random and mutated HTTP payloads clearly and keeps serving`, { timeout: 120_000 }, async () => {
    const fuzz = makeFuzzer(SEED);
    const seen: Record<number, number> = {};
    for (let i = 0; i < HTTP_CASES; i++) {
      const c = fuzz.next();
      const where = `case ${i} (FUZZ_SEED=${SEED}): ${c.how}`;
      const res = await post(http.port, `/v1/${c.signal}`, c.body, { headers: c.headers });
      seen[res.status] = (seen[res.status] ?? 0) + 1;
      expect([200, 400, 413, 415], `${where}: status ${res.status} ${res.body.toString().slice(0, 300)}`).toContain(res.status);
      try {
        checkBody(res.status, res.headers['content-type'], res.body, c.signal);
      } catch (err) {
        throw new Error(`${where}: bad answer body: ${(err as Error).message}`);
      }
      if (i % 200 === 0) sink.clear();
    }
    // the mutations must reach every kind of answer, or the fuzzer is not doing its job
    for (const status of [200, 400, 413, 415]) expect(seen[status], `answers with status ${status}: ${JSON.stringify(seen)}`).toBeGreaterThan(20);

    sink.clear();
    const res = await post(http.port, '/v1/traces', encodeTraceRequest(traceRequestJson()), { headers: { 'content-type': 'application/x-protobuf' } });
    expect(res.status).toBe(200);
    expect(sink.spans.map((s) => s.name)).toEqual(['agent run', 'chat gpt-4o']);
  });

  it(`answers ${GRPC_CASES} mutated gRPC payloads with OK, INVALID_ARGUMENT or RESOURCE_EXHAUSTED`, { timeout: 60_000 }, async () => {
    const fuzz = makeFuzzer(SEED + 1);
    const seen: Record<number, number> = {};
    for (let i = 0; i < GRPC_CASES; i++) {
      let c = fuzz.next();
      while (c.headers['content-type'] !== 'application/x-protobuf') c = fuzz.next();
      const code = await new Promise<number>((resolve) =>
        client.makeUnaryRequest(
          c.signal === 'traces' ? TRACE_EXPORT_PATH : LOGS_EXPORT_PATH,
          (b: Buffer) => b,
          (b: Buffer) => b,
          c.body,
          (err) => resolve(err ? err.code : grpc.status.OK),
        ),
      );
      seen[code] = (seen[code] ?? 0) + 1;
      expect([grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED], `case ${i} (FUZZ_SEED=${SEED + 1}): ${c.how}`).toContain(code);
    }
    expect(seen[grpc.status.OK]).toBeGreaterThan(0);
    expect(seen[grpc.status.INVALID_ARGUMENT]).toBeGreaterThan(0);
  });
});
