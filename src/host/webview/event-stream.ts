// A small subscription to the collector's `GET /api/events` (server-sent events), so open
// panels refresh when their trace changes. Reconnects after a drop and when the collector
// appears or moves (another window took over the ports).

import type { CollectorEvent } from '../../protocol/api';

export interface CollectorEventsOptions {
  getBase: () => string | undefined;
  onEvent: (event: CollectorEvent) => void;
  /** Called on each (re)connection, after the stream's first bytes. */
  onConnected?: () => void;
  onDisconnected?: (reason: string) => void;
  /** Wait between attempts while there is no collector or the stream dropped. */
  retryMs?: number;
}

const MAX_EVENT_BYTES = 1 << 20;

export function isCollectorEvent(value: unknown): value is CollectorEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  switch (e.type) {
    case 'hello':
      return typeof e.httpPort === 'number';
    case 'traces-changed':
      return Array.isArray(e.traceIds) && e.traceIds.every((id) => typeof id === 'string');
    case 'cleared':
      return true;
    default:
      return false;
  }
}

/** Splits an SSE byte stream into the `data` of each event (multi-line data joined with \n). */
export class SseParser {
  private buffer = '';

  push(chunk: string): string[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const out: string[] = [];
    let cut: number;
    while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''));
      if (data.length > 0) out.push(data.join('\n'));
    }
    // A stream that never ends an event must not grow without bound.
    if (this.buffer.length > MAX_EVENT_BYTES) this.buffer = '';
    return out;
  }
}

export class CollectorEvents {
  private abort: AbortController | null = null;
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(private readonly options: CollectorEventsOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Reconnect now (the host knows the collector moved). */
  reconnect(): void {
    this.abort?.abort();
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    const retryMs = this.options.retryMs ?? 2_000;
    while (this.running) {
      const base = this.options.getBase()?.replace(/\/+$/, '');
      if (base) {
        const reason = await this.consume(base);
        if (!this.running) break;
        this.options.onDisconnected?.(reason);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async consume(base: string): Promise<string> {
    const abort = new AbortController();
    this.abort = abort;
    try {
      const response = await fetch(`${base}/api/events`, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
      if (!response.ok || !response.body) return `HTTP ${response.status}`;
      this.options.onConnected?.();
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'stream ended';
        for (const data of parser.push(decoder.decode(value, { stream: true }))) {
          let event: unknown;
          try {
            event = JSON.parse(data);
          } catch {
            continue; // a malformed event is skipped, the stream goes on
          }
          if (isCollectorEvent(event)) this.options.onEvent(event);
        }
      }
    } catch (err) {
      return abort.signal.aborted ? 'aborted' : err instanceof Error ? err.message : String(err);
    } finally {
      abort.abort();
      if (this.abort === abort) this.abort = null;
    }
  }
}
