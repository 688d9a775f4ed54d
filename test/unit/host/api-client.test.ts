// The API and event-stream clients against real HTTP servers on 127.0.0.1 (port 0).
import * as http from 'node:http';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectorEvent, HealthDto } from '../../../src/protocol/api';
import { ApiClient, ApiRequestError, probeHealth } from '../../../src/host/connection/api-client';
import { SseClient } from '../../../src/host/connection/event-stream';
import { namedPort } from '../../helpers/ports';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

const health: HealthDto = { ok: true, app: 'spyglass', version: '0.1.0', pid: 123, httpPort: 0, grpcPort: null, dbPath: '/tmp/x.db', startedAt: 1 };

describe('probeHealth', () => {
  it('recognises a Spyglass collector', async () => {
    const port = await listen(
      http.createServer((req, res) => {
        expect(req.headers.host).toBe(`127.0.0.1:${(req.socket.address() as net.AddressInfo).port}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...health, httpPort: 4318 }));
      }),
    );
    const probe = await probeHealth(port);
    expect(probe).toEqual({ kind: 'spyglass', health: { ...health, httpPort: 4318 } });
  });

  it('reports nothing listening as "none"', async () => {
    expect(await probeHealth(await namedPort())).toEqual({ kind: 'none' });
  });

  it('reports another web server as "other", naming what answered', async () => {
    const port = await listen(http.createServer((_req, res) => res.writeHead(404, { server: 'nginx/1.25' }).end('not found')));
    const probe = await probeHealth(port);
    expect(probe.kind).toBe('other');
    expect(probe.kind === 'other' && probe.detail).toMatch(/not Spyglass: GET \/api\/health answered HTTP 404 \(server: nginx\/1.25\)/);
  });

  it('reports a JSON health answer of some other app as "other"', async () => {
    const port = await listen(http.createServer((_req, res) => res.writeHead(200).end(JSON.stringify({ ok: true, app: 'jaeger' }))));
    expect((await probeHealth(port)).kind).toBe('other');
  });

  it('reports a non-HTTP program and a silent one as "other" (within the deadline)', async () => {
    const garbage = await listen(net.createServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n')));
    expect((await probeHealth(garbage)).kind).toBe('other');
    const port = await listen(net.createServer(() => undefined));
    const t0 = Date.now();
    const probe = await probeHealth(port, 300);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(probe).toEqual({ kind: 'other', detail: `a program on port ${port} accepted the connection but did not answer within 300 ms` });
  });
});

describe('ApiClient', () => {
  it('sends typed requests and decodes answers; errors carry the server message and status', async () => {
    const seen: string[] = [];
    const port = await listen(
      http.createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          if (req.url?.startsWith('/api/traces?')) return res.writeHead(200).end(JSON.stringify({ traces: [], nextCursor: null }));
          if (req.url === '/api/traces/abc') return res.writeHead(404).end(JSON.stringify({ error: 'trace not found', detail: 'abc' }));
          if (req.url === '/api/traces' && req.method === 'DELETE') return res.writeHead(204).end();
          if (req.url === '/api/import') return res.writeHead(200).end(JSON.stringify({ acceptedSpans: body.length, type: req.headers['content-type'] }));
          if (req.url === '/api/export?traceId=t1') return res.writeHead(200).end('{"resourceSpans":[]}');
          if (req.url === '/api/summary/today') return res.writeHead(200).end('not json');
          res.writeHead(500).end('boom');
        });
      }),
    );
    const api = new ApiClient(port, 2000);
    expect(api.baseUrl).toBe(`http://127.0.0.1:${port}`);
    expect(await api.listTraces({ limit: 5, model: 'gpt 4o', text: '', service: undefined })).toEqual({ traces: [], nextCursor: null });
    await expect(api.getTrace('abc')).rejects.toMatchObject({ status: 404, message: 'trace not found: abc' });
    await api.clearAll();
    expect(await api.importTraces('{"resourceSpans":[]}', true)).toEqual({ acceptedSpans: 20, type: 'application/x-ndjson' });
    expect((await api.exportTraces('t1')).toString()).toBe('{"resourceSpans":[]}');
    await expect(api.todaySummary()).rejects.toThrow('/api/summary/today did not answer with JSON');
    await expect(api.stats()).rejects.toMatchObject({ status: 500, message: 'HTTP 500 from /api/stats: boom' });
    expect(seen).toContain('GET /api/traces?limit=5&model=gpt+4o');
  });

  it('gives up after its deadline when the server hangs', async () => {
    const port = await listen(http.createServer(() => undefined));
    const api = new ApiClient(port, 200);
    const err = await api.health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect((err as ApiRequestError).code).toBe('timeout');
    expect((err as ApiRequestError).errno).toBe('ETIMEDOUT');
  });
});

describe('SseClient', () => {
  it('delivers events, survives malformed ones, and reconnects with backoff after the server drops it', async () => {
    const streams = new Set<http.ServerResponse>();
    let connections = 0;
    const port = await listen(
      http.createServer((req, res) => {
        expect(req.url).toBe('/api/events');
        connections++;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: {"type":"hello","version":"t","httpPort":1,"grpcPort":null,"dbPath":"x"}\n\n`);
        streams.add(res);
        res.on('close', () => streams.delete(res));
      }),
    );
    const events: CollectorEvent[] = [];
    let opens = 0;
    const drops: boolean[] = [];
    const sse = new SseClient({ port, reconnect: true, random: () => 0, onEvent: (e) => events.push(e), onOpen: () => opens++, onDrop: (_r, again) => drops.push(again) });
    cleanups.push(() => sse.close());
    sse.start();
    await expect.poll(() => streams.size).toBe(1);
    const [first] = streams;
    first.write('data: {not json}\n\ndata: {"type":"traces-changed","traceIds":["a"],"spans":2,"llmCalls":1,"at":5}\n\n');
    await expect.poll(() => events.map((e) => e.type)).toEqual(['hello', 'traces-changed']);
    expect(sse.connected).toBe(true);
    first.end();
    await expect.poll(() => opens).toBe(2);
    expect(drops).toEqual([true]);
    expect(connections).toBe(2);
    expect(events.map((e) => e.type)).toEqual(['hello', 'traces-changed', 'hello']);
  });

  it('without reconnect, reports the drop once and stays closed', async () => {
    const port = await namedPort(); // nothing listens there, and nothing will
    const drops: string[] = [];
    const sse = new SseClient({ port, reconnect: false, onEvent: () => undefined, onDrop: (r) => drops.push(r) });
    sse.start();
    await expect.poll(() => drops.length).toBe(1);
    expect(drops[0]).toMatch(/ECONNREFUSED/);
    expect(sse.connected).toBe(false);
    sse.close();
  });
});
