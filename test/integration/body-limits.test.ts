// No body can hang the collector or fill its memory: one budget for all bodies in flight (503 and
// Retry-After past it), a body that stalls is cut (408), a request that takes too long is cut by
// the server's own timeouts. Real sockets hold bodies open, against the real collector process
// and against the HTTP layer with short timeouts.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HttpLimits, startHttpServer, type RunningHttpServer } from '../../src/capture/http-server';
import { otlpHttpRoutes } from '../../src/capture/otlp';
import { MemorySink } from '../helpers/memory-sink';
import { startCli, type RunningCli } from '../helpers/cli-process';
import { post } from '../helpers/http-post';
import { startFakeOpenAI } from '../fakes/openai-fake';
import { startProxyHarness } from '../fakes/proxy-harness';
import { llmTrace } from '../unit/host/otlp-payload';

interface Held {
  socket: net.Socket;
  /** Everything the server sent back so far. */
  answer: () => string;
  closed: Promise<void>;
}

/** Sends a request's headers and `sent` bytes of its body, then holds the connection open. */
function holdBody(port: number, opts: { path?: string; contentType?: string; length: number; sent: number; extraHeaders?: string }): Held {
  const socket = net.connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d) => (answer += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    `POST ${opts.path ?? '/v1/traces'} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: ${opts.contentType ?? 'application/x-protobuf'}\r\n` +
      `content-length: ${opts.length}\r\n${opts.extraHeaders ?? ''}\r\n`,
  );
  const chunk = Buffer.alloc(1024 * 1024, 0x0a);
  let left = opts.sent;
  const pump = () => {
    while (left > 0 && !socket.destroyed) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!socket.write(chunk.subarray(0, n))) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
  return { socket, answer: () => answer, closed };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function statusOf(answer: string): number | null {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  return m ? Number(m[1]) : null;
}

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('the collector process holding 60 nearly complete 32 MB bodies', () => {
  let dir: string;
  let cli: RunningCli;
  const held: Held[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-bodies-'));
    cli = await startCli(['--db', path.join(dir, 'spyglass.db'), '--max-body-mb', '32']);
  });
  afterAll(async () => {
    for (const h of held) h.socket.destroy();
    await cli?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps two, tells the others to come back later, stays small, and takes bodies again once they are gone', async () => {
    const length = 32 * 1024 * 1024 - 1;
    for (let i = 0; i < 60; i++) held.push(holdBody(cli.httpPort, { length, sent: length - 4096 }));
    // The refused are answered at once, from their headers, and their connections closed: they
    // never send their bodies. (A client still sending when the connection closes may get a reset
    // before it reads the answer: the socket's end is what every refused one is sure to see.)
    const over = (h: Held) => statusOf(h.answer()) !== null || h.socket.destroyed || h.socket.readableEnded;
    await until(() => held.filter(over).length >= 58, 90_000, '58 refused connections');
    const answered = held.filter((h) => statusOf(h.answer()) !== null);
    expect(answered.length).toBeGreaterThan(0);
    for (const h of answered) {
      expect(statusOf(h.answer())).toBe(503);
      expect(h.answer()).toMatch(/\r\nretry-after: 1\r\n/i);
      expect(h.answer()).toMatch(/too many request bodies in flight/);
    }
    const kept = held.filter((h) => !over(h));
    expect(kept).toHaveLength(2);
    // The two kept bodies are sent almost whole (all but their last 4 KB), and held there.
    await until(() => kept.every((h) => h.socket.bytesWritten >= length - 4096 && h.socket.writableLength === 0), 60_000, 'the kept bodies to be sent');
    const peak = peakRssMb(cli.proc.pid!);
    console.log(`collector peak RSS with 2 × 32 MB bodies held and 58 refused: ${peak.toFixed(0)} MB`);
    expect(peak).toBeLessThan(300);

    // Still refusing while they are held …
    const trace = Buffer.from(llmTrace({ rootName: 'after the flood' }).body);
    expect((await post(cli.httpPort, '/v1/traces', trace, { headers: { 'content-type': 'application/json' } })).status).toBe(503);
    // … and taking bodies again once their clients are gone.
    for (const h of kept) h.socket.destroy();
    await Promise.all(kept.map((h) => h.closed));
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await post(cli.httpPort, '/v1/traces', trace, { headers: { 'content-type': 'application/json' } })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
  }, 120_000);
});

describe('bodies that stall or crawl, against the HTTP layer with short timeouts', () => {
  let server: RunningHttpServer;
  const sink = new MemorySink();
  const open: net.Socket[] = [];

  async function start(limits: HttpLimits): Promise<void> {
    server = await startHttpServer({ port: 0, routes: otlpHttpRoutes(sink, { maxBodyBytes: 1024 * 1024 }), limits });
  }
  afterEach(async () => {
    for (const s of open.splice(0)) s.destroy();
    await server?.close();
  });

  it('answers 408 to a body that stops sending, and closes its connection', async () => {
    await start({ bodyIdleTimeoutMs: 300 });
    const t0 = performance.now();
    const h = holdBody(server.port, { length: 10_000, sent: 100 });
    open.push(h.socket);
    await h.closed;
    const waited = performance.now() - t0;
    expect(statusOf(h.answer())).toBe(408);
    expect(h.answer()).toMatch(/request body timed out/);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(5_000);
    expect(server.bodyBytesInFlight).toBe(0);
  });

  it('cuts a body that trickles a byte at a time, never idle but never done, at the request timeout', async () => {
    await start({ bodyIdleTimeoutMs: 10_000, requestTimeoutMs: 1_000 });
    const h = holdBody(server.port, { length: 10_000, sent: 10 });
    open.push(h.socket);
    const drip = setInterval(() => h.socket.write('x'), 50);
    const t0 = performance.now();
    await h.closed;
    clearInterval(drip);
    expect(statusOf(h.answer())).toBe(408);
    expect(performance.now() - t0).toBeLessThan(6_000);
    expect(sink.batches).toEqual([]);
  });

  it('closes a connection whose headers never end', async () => {
    await start({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const socket = net.connect(server.port, '127.0.0.1');
    open.push(socket);
    socket.on('error', () => undefined);
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.write('POST /v1/traces HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ');
    const drip = setInterval(() => socket.write('a'), 50);
    await new Promise((r) => socket.once('close', r));
    clearInterval(drip);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('gives the budget back when a held body is abandoned, and a gzip body counts by its inflated size', async () => {
    await start({ bodyBudgetBytes: 200_000 });
    const h = holdBody(server.port, { length: 150_000, sent: 1000 });
    open.push(h.socket);
    await until(() => server.bodyBytesInFlight === 150_000, 5_000, 'the held body to count');
    const second = await post(server.port, '/v1/traces', Buffer.alloc(100_000), { headers: { 'content-type': 'application/x-protobuf' } });
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBe('1');
    h.socket.destroy();
    await until(() => server.bodyBytesInFlight === 0, 5_000, 'the budget to be given back');
    const zlib = await import('node:zlib');
    // 300 KB of zeros gzip to a few hundred bytes: the budget sees the 300 KB.
    const bomb = zlib.gzipSync(Buffer.alloc(300_000));
    const r = await post(server.port, '/v1/traces', bomb, { headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' } });
    expect(r.status).toBe(503);
    expect(server.bodyBytesInFlight).toBe(0);
  });
});

describe('the proxy', () => {
  it('answers 408 to a request body that stalls and does not wait for it forever', async () => {
    const upstream = await startFakeOpenAI();
    const h = await startProxyHarness({ upstreams: { openai: upstream.url }, limits: { bodyIdleTimeoutMs: 300 } });
    try {
      const held = holdBody(h.port, { path: '/proxy/openai/v1/chat/completions', contentType: 'application/json', length: 5_000, sent: 10 });
      await held.closed;
      expect(statusOf(held.answer())).toBe(408);
      expect(held.answer()).toMatch(/request body stalled/);
      const capture = await h.sink.nextCapture();
      expect(capture.outcome).toBe('cancelled');
    } finally {
      await h.close();
      await upstream.close();
    }
  });

  it('keeps forwarding when the body budget is full, and says the recording is partial', async () => {
    const upstream = await startFakeOpenAI({ chat: { content: 'fine' } });
    const h = await startProxyHarness({ upstreams: { openai: upstream.url }, limits: { bodyBudgetBytes: 1_000 } });
    try {
      const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(5_000) }] });
      const r = await post(h.port, '/proxy/openai/v1/chat/completions', Buffer.from(body), { headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(200);
      expect(upstream.lastRequest.body.toString()).toBe(body);
      const capture = await h.sink.nextCapture();
      expect(capture.warnings).toContain('the collector held too many bodies at once: part of this exchange was not kept for recording');
      expect(h.server.bodyBytesInFlight).toBe(0);
    } finally {
      await h.close();
      await upstream.close();
    }
  });
});
