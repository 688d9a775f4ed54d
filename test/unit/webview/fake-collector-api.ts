// A local stand-in for the collector's JSON API (the contract in src/protocol/api.ts), on a real
// loopback HTTP server: trace detail, stats, series, the paged trace list, and the SSE stream.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CollectorEvent, StatsDto, StatsSeriesDto, TraceDetail, TraceSummary } from '../../../src/protocol/api';

export interface SeenRequest {
  path: string;
  query: Record<string, string>;
}

export class FakeCollectorApi {
  readonly traces = new Map<string, TraceDetail>();
  list: TraceSummary[] = [];
  stats: StatsDto | null = null;
  /** null: answer 404 like a collector without the endpoint. */
  series: ((q: Record<string, string>) => StatsSeriesDto) | null = null;
  /** Paths that never answer (to exercise timeouts). */
  readonly hang = new Set<string>();
  readonly seen: SeenRequest[] = [];
  private readonly streams = new Set<http.ServerResponse>();
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly server: http.Server;
  private streamWaiters: (() => void)[] = [];
  port = 0;

  constructor() {
    this.server = http.createServer((req, res) => this.route(req, res));
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.streams) s.destroy();
    for (const s of this.hanging) s.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Resolves once at least `n` event streams are open. */
  waitForStreams(n: number): Promise<void> {
    if (this.streams.size >= n) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.streams.size >= n) resolve();
        else this.streamWaiters.push(check);
      };
      this.streamWaiters.push(check);
    });
  }

  emit(event: CollectorEvent | string): void {
    const data = typeof event === 'string' ? event : JSON.stringify(event);
    for (const s of this.streams) s.write(`data: ${data}\n\n`);
  }

  /** Ends every open event stream (a collector restart, seen from the client). */
  dropStreams(): void {
    for (const s of this.streams) s.end();
    this.streams.clear();
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
    if (this.hang.has(url.pathname)) {
      this.hanging.add(res);
      return;
    }
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const q = Object.fromEntries(url.searchParams);
    if (url.pathname === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(`data: ${JSON.stringify({ type: 'hello', version: 'test', httpPort: this.port, grpcPort: null, dbPath: ':memory:' })}\n\n`);
      this.streams.add(res);
      res.on('close', () => this.streams.delete(res));
      const waiters = this.streamWaiters.splice(0);
      for (const w of waiters) w();
      return;
    }
    const traceMatch = /^\/api\/traces\/([^/]+)$/.exec(url.pathname);
    if (traceMatch) {
      const t = this.traces.get(decodeURIComponent(traceMatch[1]));
      if (t) json(200, t);
      else json(404, { error: 'trace not found', detail: traceMatch[1] });
      return;
    }
    if (url.pathname === '/api/traces') {
      const limit = Number(q.limit ?? 50);
      const start = Number(q.cursor ?? 0);
      const page = this.list.slice(start, start + limit);
      json(200, { traces: page, nextCursor: start + limit < this.list.length ? String(start + limit) : null });
      return;
    }
    if (url.pathname === '/api/stats' && this.stats) {
      json(200, this.stats);
      return;
    }
    if (url.pathname === '/api/stats/series' && this.series) {
      json(200, this.series(q));
      return;
    }
    if (url.pathname === '/api/not-json') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('<html>surprise</html>');
      return;
    }
    json(404, { error: 'not found' });
  }
}
