// Forwarding to an upstream OTLP/HTTP receiver (a local fake that records what it gets): the raw
// bodies arrive untouched, gRPC batches go as protobuf, and a slow, failing or absent upstream
// never delays or fails the local answer.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { createForwarder, type Forwarder } from '../../src/capture/forward';
import { startGrpcServer } from '../../src/capture/grpc-server';
import { startHttpServer } from '../../src/capture/http-server';
import { otlpHttpRoutes } from '../../src/capture/otlp';
import { TRACE_EXPORT_PATH } from '../../src/capture/otlp/schema';
import { post } from '../helpers/http-post';
import { MemorySink } from '../helpers/memory-sink';
import { encodeTraceRequest, jsonBody, logsRequestJson, traceRequestJson } from '../unit/otlp/fixtures';
import { namedPort } from '../helpers/ports';

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A fake upstream: records requests; `mode` says how it answers. Held requests wait for release(). */
class FakeUpstream {
  readonly received: Received[] = [];
  mode: 'ok' | 'hold' | 'fail-once' = 'ok';
  private held: http.ServerResponse[] = [];
  private failed = false;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      if (this.mode === 'hold') this.held.push(res);
      else if (this.mode === 'fail-once' && !this.failed) {
        this.failed = true;
        res.writeHead(503).end();
      } else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }
  get heldCount(): number {
    return this.held.length;
  }
  release(): void {
    this.mode = 'ok';
    for (const res of this.held.splice(0)) res.writeHead(200).end('{}');
  }
  close(): Promise<void> {
    this.release();
    return new Promise((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const upstream = new FakeUpstream();
const forwarders: Forwarder[] = [];
beforeAll(() => upstream.start());
afterAll(() => upstream.close());
afterEach(async () => {
  upstream.release();
  await Promise.all(forwarders.splice(0).map((f) => f.close(2_000)));
  upstream.received.length = 0;
  upstream.mode = 'ok';
});

function forwarder(opts: Partial<Parameters<typeof createForwarder>[0]> = {}): Forwarder {
  const f = createForwarder({ endpoint: `http://127.0.0.1:${upstream.port}/`, ...opts });
  forwarders.push(f);
  return f;
}

async function receiver(f: Forwarder) {
  const sink = new MemorySink();
  const server = await startHttpServer({ port: 0, routes: otlpHttpRoutes(sink, { maxBodyBytes: 1 << 20, forwarder: f }) });
  return { sink, server };
}

describe('forwarding', () => {
  it('sends every decodable body upstream unchanged (decompressed), with the configured headers', async () => {
    const f = forwarder({ headers: { authorization: 'Bearer upstream-key' } });
    const { sink, server } = await receiver(f);
    try {
      const json = jsonBody(traceRequestJson());
      const proto = encodeTraceRequest(traceRequestJson());
      const logs = jsonBody(logsRequestJson());
      expect((await post(server.port, '/v1/traces', zlib.gzipSync(json), { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })).status).toBe(200);
      expect((await post(server.port, '/v1/traces', proto, { headers: { 'content-type': 'application/x-protobuf' } })).status).toBe(200);
      expect((await post(server.port, '/v1/logs', logs, { headers: { 'content-type': 'application/json' } })).status).toBe(200);
      // an undecodable body is answered 400 and not forwarded
      expect((await post(server.port, '/v1/traces', Buffer.from('{oops'), { headers: { 'content-type': 'application/json' } })).status).toBe(400);
      await until(() => f.stats().forwarded === 3, 'three forwarded bodies');
      const byBody = (b: Buffer) => upstream.received.find((r) => r.body.equals(b));
      expect(byBody(json)).toMatchObject({ url: '/v1/traces', headers: { 'content-type': 'application/json', authorization: 'Bearer upstream-key' } });
      expect(byBody(proto)).toMatchObject({ url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' } });
      expect(byBody(logs)).toMatchObject({ url: '/v1/logs', headers: { 'content-type': 'application/json' } });
      expect(upstream.received).toHaveLength(3);
      expect(sink.spans).toHaveLength(4);
      expect(f.stats()).toMatchObject({ failed: 0, dropped: 0, queued: 0, inFlight: 0 });
    } finally {
      await server.close();
    }
  });

  it('forwards a gRPC-received batch as OTLP/HTTP protobuf', async () => {
    const f = forwarder();
    const sink = new MemorySink();
    const grpcServer = await startGrpcServer({ port: 0, sink, forwarder: f });
    const client = new grpc.Client(`127.0.0.1:${grpcServer.port}`, grpc.credentials.createInsecure());
    try {
      const body = encodeTraceRequest(traceRequestJson());
      await new Promise<void>((resolve, reject) =>
        client.makeUnaryRequest(TRACE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, body, (err) => (err ? reject(err) : resolve())),
      );
      await until(() => f.stats().forwarded === 1, 'the forwarded batch');
      expect(upstream.received[0]).toMatchObject({ url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' } });
      expect(upstream.received[0]!.body.equals(body)).toBe(true);
    } finally {
      client.close();
      await grpcServer.close();
    }
  });

  it('answers locally while the upstream hangs, and bounds what waits for it', async () => {
    upstream.mode = 'hold';
    const f = forwarder({ concurrency: 1, maxQueueItems: 2, log: () => undefined });
    const { sink, server } = await receiver(f);
    try {
      const body = encodeTraceRequest(traceRequestJson());
      for (let i = 0; i < 5; i++) {
        const res = await post(server.port, '/v1/traces', body, { headers: { 'content-type': 'application/x-protobuf' } });
        expect(res.status).toBe(200);
      }
      expect(sink.spans).toHaveLength(10);
      await until(() => upstream.heldCount === 1, 'the upstream to hold one request');
      expect(f.stats()).toMatchObject({ inFlight: 1, queued: 2, dropped: 2, forwarded: 0 });
      expect(f.stats().lastError).toBe('queue full; body dropped');
      upstream.release();
      await until(() => f.stats().forwarded === 3, 'the queue to drain');
      expect(f.stats()).toMatchObject({ inFlight: 0, queued: 0, dropped: 2, failed: 0 });
    } finally {
      await server.close();
    }
  });

  it('retries a retryable failure', async () => {
    upstream.mode = 'fail-once';
    const f = forwarder();
    f.forward('traces', encodeTraceRequest(traceRequestJson()), 'application/x-protobuf');
    await until(() => f.stats().forwarded === 1, 'the retried body');
    expect(upstream.received).toHaveLength(2);
    expect(f.stats().failed).toBe(0);
  });

  it('counts and logs failures to an absent upstream without failing the local answer', async () => {
    const deadPort = await namedPort(); // nothing listens there, and the OS hands it to nobody
    const logged: string[] = [];
    const f = createForwarder({ endpoint: `http://127.0.0.1:${deadPort}`, maxAttempts: 1, log: (m) => logged.push(m) });
    forwarders.push(f);
    const { sink, server } = await receiver(f);
    try {
      for (let i = 0; i < 3; i++) {
        const res = await post(server.port, '/v1/traces', jsonBody(traceRequestJson()), { headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(200);
      }
      expect(sink.spans).toHaveLength(6);
      await until(() => f.stats().failed === 3, 'three failures');
      expect(logged).toHaveLength(1); // rate-limited
      expect(logged[0]).toMatch(new RegExp(`^spyglass: forwarding to http://127.0.0.1:${deadPort} failed \\(1 failure\\(s\\) since the last report\\): http://127.0.0.1:${deadPort}/v1/traces: .*ECONNREFUSED`));
    } finally {
      await server.close();
    }
  });

  it('refuses a malformed endpoint at creation', () => {
    expect(() => createForwarder({ endpoint: 'not a url' })).toThrow();
  });
});
