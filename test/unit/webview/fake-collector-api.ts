// A local stand-in for the collector's JSON API (the contract in src/protocol/api.ts), on a real
// loopback HTTP server: trace detail, outline (with `since` patches), span detail, user
// annotations, stats, series, the paged trace list, and the SSE stream.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnnotationDto, CollectorEvent, NewUserAnnotation, StatsDto, StatsSeriesDto, TraceDetail, TraceSummary } from '../../../src/protocol/api';
import { outlineOf } from './fixtures';

export interface SeenRequest {
  path: string;
  query: Record<string, string>;
}

export class FakeCollectorApi {
  readonly traces = new Map<string, TraceDetail>();
  /** The store revision, and the revision each span was last written at (by `put`). */
  revision = 0;
  private readonly spanRevisions = new Map<string, number>();
  private annotationSeq = 0;
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

  /** Stores (or re-stores) a trace: its spans count as written now, for `since` patches. */
  put(detail: TraceDetail, changedSpanIds?: readonly string[]): void {
    this.revision++;
    this.traces.set(detail.trace.traceId, detail);
    for (const s of detail.spans) if (!changedSpanIds || changedSpanIds.includes(s.spanId)) this.spanRevisions.set(`${detail.trace.traceId}/${s.spanId}`, this.revision);
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
    const outlineMatch = /^\/api\/traces\/([^/]+)\/outline$/.exec(url.pathname);
    if (outlineMatch) {
      const id = decodeURIComponent(outlineMatch[1]);
      const t = this.traces.get(id);
      if (!t) return json(404, { error: 'trace not found', detail: id });
      const since = q.since === undefined ? null : Number(q.since);
      const spans = since === null ? t.spans : t.spans.filter((s) => (this.spanRevisions.get(`${id}/${s.spanId}`) ?? 0) > since);
      // ?limit=N (as the collector): the first N spans by start time, marked as a preview
      const limit = q.limit === undefined ? null : Number(q.limit);
      if (since === null && limit !== null && limit < spans.length) {
        const first = [...spans].sort((a, b) => a.startTime - b.startTime).slice(0, limit);
        json(200, { ...outlineOf(t, { revision: this.revision, partial: false, spans: first }), preview: true });
        return;
      }
      json(200, outlineOf(t, { revision: this.revision, partial: since !== null, spans }));
      return;
    }
    const spanMatch = /^\/api\/traces\/([^/]+)\/spans\/([^/]+)$/.exec(url.pathname);
    if (spanMatch) {
      const span = this.traces.get(decodeURIComponent(spanMatch[1]))?.spans.find((s) => s.spanId === decodeURIComponent(spanMatch[2]));
      if (span) json(200, span);
      else json(404, { error: 'span not found', detail: spanMatch[2] });
      return;
    }
    const annotateMatch = /^\/api\/traces\/([^/]+)(?:\/spans\/([^/]+))?\/annotations$/.exec(url.pathname);
    if (annotateMatch && req.method === 'POST') {
      const traceId = decodeURIComponent(annotateMatch[1]);
      const spanId = annotateMatch[2] ? decodeURIComponent(annotateMatch[2]) : null;
      const t = this.traces.get(traceId);
      const span = spanId ? t?.spans.find((s) => s.spanId === spanId) : null;
      if (!t || (spanId && !span)) return json(404, { error: 'not found' });
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const input = JSON.parse(body) as NewUserAnnotation;
        const a: AnnotationDto = {
          id: `ann${++this.annotationSeq}`, traceId, spanId, kind: input.kind, name: input.kind === 'feedback' ? 'thumbs' : 'note',
          label: input.kind === 'feedback' ? input.label : null, score: null, explanation: input.explanation ?? null, source: 'user',
          location: null, attributes: {}, createdAt: Date.now(), callRevision: null,
        };
        const list = span ? span.annotations : t.annotations;
        // the collector keeps one feedback per user and target
        if (a.kind === 'feedback') for (let i = list.length - 1; i >= 0; i--) if (list[i].kind === 'feedback' && list[i].source === 'user') list.splice(i, 1);
        list.push(a);
        this.put(t, span ? [span.spanId] : []);
        json(201, a);
      });
      return;
    }
    const deleteMatch = /^\/api\/annotations\/([^/]+)$/.exec(url.pathname);
    if (deleteMatch && req.method === 'DELETE') {
      const id = decodeURIComponent(deleteMatch[1]);
      for (const t of this.traces.values()) {
        for (const [list, spanId] of [[t.annotations, null], ...t.spans.map((s) => [s.annotations, s.spanId] as const)] as const) {
          const i = list.findIndex((a) => a.id === id);
          if (i < 0) continue;
          list.splice(i, 1);
          this.put(t, spanId ? [spanId] : []);
          res.writeHead(204).end();
          return;
        }
      }
      return json(404, { error: 'annotation not found', detail: id });
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
