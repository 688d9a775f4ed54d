// The one event stream: keeps `GET /api/events` open and hands each CollectorEvent to a
// listener. The owner window reconnects with backoff; a reader window is told when the stream
// drops so it can try to take over the ports (see collector-client.ts).

import * as http from 'node:http';
import type { CollectorEvent } from '../../protocol/api';
import { LOOPBACK_HOST as LOOPBACK } from './loopback';
import { backoffDelayMs } from './ownership-model';
import { SseParser } from './sse-parser';

export interface SseClientOptions {
  port: number;
  path?: string;
  onEvent: (event: CollectorEvent) => void;
  /** The stream is open (called again after every reconnect: listeners should resync). */
  onOpen?: () => void;
  /** The stream ended or could not be opened. `reconnecting` says whether we will retry. */
  onDrop?: (reason: string, reconnecting: boolean) => void;
  reconnect: boolean;
  connectTimeoutMs?: number;
  random?: () => number;
}

const isIdList = (v: unknown): v is string[] => Array.isArray(v) && v.every((id) => typeof id === 'string');

/** The events this host understands, checked field by field: a bad one is skipped, not trusted. */
export function isCollectorEvent(value: unknown): value is CollectorEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  switch (e.type) {
    case 'hello':
      return typeof e.httpPort === 'number';
    case 'traces-changed':
    case 'annotations-changed':
      return isIdList(e.traceIds);
    case 'cleared':
      return true;
    case 'alerts-changed':
      return typeof e.firing === 'number' && Array.isArray(e.raised)
        && e.raised.every((a) => typeof a === 'object' && a !== null && typeof (a as { id?: unknown }).id === 'string' && /^P[0-3]$/.test(String((a as { severity?: unknown }).severity)) && typeof (a as { message?: unknown }).message === 'string');
    default:
      return false;
  }
}

export class SseClient {
  private req: http.ClientRequest | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private attempt = 0;
  private isOpen = false;

  constructor(private readonly opts: SseClientOptions) {}

  get connected(): boolean {
    return this.isOpen;
  }

  start(): void {
    this.closed = false;
    this.connect();
  }

  close(): void {
    this.closed = true;
    this.isOpen = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.req?.destroy();
    this.req = null;
  }

  private connect(): void {
    if (this.closed) return;
    const parser = new SseParser();
    let dropped = false;
    const drop = (reason: string) => {
      if (dropped) return;
      dropped = true;
      this.isOpen = false;
      this.req?.destroy();
      this.req = null;
      if (this.closed) return;
      const reconnecting = this.opts.reconnect;
      this.opts.onDrop?.(reason, reconnecting);
      if (reconnecting && !this.closed) {
        const delay = backoffDelayMs(this.attempt++, this.opts.random ?? Math.random);
        this.timer = setTimeout(() => {
          this.timer = null;
          this.connect();
        }, delay);
      }
    };
    const req = http.request(
      {
        host: LOOPBACK,
        port: this.opts.port,
        path: this.opts.path ?? '/api/events',
        method: 'GET',
        headers: { accept: 'text/event-stream' },
        agent: false,
        timeout: this.opts.connectTimeoutMs ?? 3000,
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          drop(`HTTP ${res.statusCode} from /api/events`);
          return;
        }
        // Connected: the idle timeout applied to connecting only; the stream may be quiet for hours.
        req.setTimeout(0);
        this.isOpen = true;
        this.attempt = 0;
        this.opts.onOpen?.();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          for (const data of parser.push(chunk)) {
            let value: unknown;
            try {
              value = JSON.parse(data);
            } catch {
              continue; // a malformed event must not end the stream
            }
            if (isCollectorEvent(value) && !this.closed) this.opts.onEvent(value);
          }
        });
        res.on('end', () => drop('the collector closed the event stream'));
        res.on('aborted', () => drop('the event stream was cut off'));
        res.on('error', (e) => drop(e.message));
        res.on('close', () => drop('the event stream closed'));
      },
    );
    req.on('timeout', () => drop('connecting to the event stream timed out'));
    req.on('error', (e) => drop(e.message));
    req.end();
    this.req = req;
  }
}
