// Server-sent events for live views: change notifications coalesced so a burst of 10,000
// spans/s becomes a few events per second, never one per span.

import type http from 'node:http';
import type { CollectorEvent } from '../protocol/api';

const COALESCE_MS = 100;
const MAX_IDS = 200;

export class EventHub {
  private clients = new Set<http.ServerResponse>();
  private pendingIds = new Set<string>();
  private pendingSpans = 0;
  private pendingCalls = 0;
  private tracesPending = false;
  private pendingAnnotated = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly hello: () => CollectorEvent) {}

  attach(res: http.ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    res.flushHeaders();
    this.clients.add(res);
    this.send(res, this.hello());
    res.on('close', () => this.clients.delete(res));
  }

  tracesChanged(traceIds: string[], spans: number, llmCalls: number): void {
    for (const id of traceIds) if (this.pendingIds.size < MAX_IDS) this.pendingIds.add(id);
    this.pendingSpans += spans;
    this.pendingCalls += llmCalls;
    this.tracesPending = true;
    this.schedule();
  }

  /** Annotations of these traces were added, replaced or removed. */
  annotationsChanged(traceIds: string[]): void {
    if (traceIds.length === 0) return;
    for (const id of traceIds) if (this.pendingAnnotated.size < MAX_IDS) this.pendingAnnotated.add(id);
    this.schedule();
  }

  private schedule(): void {
    if (!this.timer) this.timer = setTimeout(() => this.emitChanges(), COALESCE_MS);
  }

  broadcast(event: CollectorEvent): void {
    for (const res of this.clients) this.send(res, event);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private emitChanges(): void {
    this.timer = null;
    const at = Date.now();
    if (this.tracesPending) {
      this.broadcast({ type: 'traces-changed', traceIds: [...this.pendingIds], spans: this.pendingSpans, llmCalls: this.pendingCalls, at });
    }
    if (this.pendingAnnotated.size > 0) this.broadcast({ type: 'annotations-changed', traceIds: [...this.pendingAnnotated], at });
    this.pendingIds.clear();
    this.pendingSpans = 0;
    this.pendingCalls = 0;
    this.tracesPending = false;
    this.pendingAnnotated.clear();
  }

  private send(res: http.ServerResponse, event: CollectorEvent): void {
    res.write(`data: ${JSON.stringify(event)}\n\n`);
  }
}
