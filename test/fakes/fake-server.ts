// A scriptable fake HTTP server on 127.0.0.1 port 0, shared by the per-provider fakes
// (openai-fake.ts, anthropic-fake.ts, gemini-fake.ts). It records every request it receives
// (exact body bytes and raw headers) so a test can assert what a proxy forwarded, and it answers
// each request with a reply chosen by the test: a JSON body, raw bytes, an SSE stream paced
// frame by frame, an error, a hang, or a dropped connection.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface RecordedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Header names and values in the order and spelling received (name, value, name, value…). */
  rawHeaders: string[];
  body: Buffer;
  /** performance.now() when the request's last byte arrived. */
  receivedAt: number;
}

export function requestJson<T = Record<string, unknown>>(req: RecordedRequest): T {
  return JSON.parse(req.body.toString('utf8')) as T;
}

interface ReplyBase {
  status?: number;
  headers?: Record<string, string>;
}

/** One JSON document (stringified once, compactly, as the real APIs do). */
export interface JsonReply extends ReplyBase {
  type: 'json';
  body: unknown;
  /** Compress the body and set content-encoding, as providers do when asked. */
  gzip?: boolean;
}

export interface RawReply extends ReplyBase {
  type: 'raw';
  body: string | Buffer;
  gzip?: boolean;
}

/**
 * A stream written frame by frame: each entry of `frames` is one write() on the socket, so a
 * test controls the chunk boundaries the proxy sees (a frame may be half an SSE event).
 */
export interface StreamReply extends ReplyBase {
  type: 'stream';
  frames: Array<string | Buffer>;
  /** Delay before the first frame (headers go out at once). */
  firstDelayMs?: number;
  /** Delay between frames. */
  delayMs?: number;
  /** How the stream ends: normally, by destroying the socket, or never. */
  end?: 'normal' | 'destroy' | 'hang';
  gzip?: boolean;
}

/** Read the request, never answer. */
export interface HangReply {
  type: 'hang';
}

/** Drop the connection without any response. */
export interface DestroyReply {
  type: 'destroy';
}

export type FakeReply = JsonReply | RawReply | StreamReply | HangReply | DestroyReply;
export type FakeHandler = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface ResponseRecord {
  request: RecordedRequest;
  /** True when the client closed the connection before the reply was complete. */
  aborted: boolean;
  /** Bytes written on the wire (after compression, when compressed). */
  bytesWritten: number;
  done: Promise<void>;
}

export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  readonly responses: ResponseRecord[] = [];
  private readonly queue: Array<FakeReply | FakeHandler> = [];
  private handler: FakeHandler;
  private readonly waiters = new Set<() => void>();
  private readonly server: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  port = 0;

  constructor(defaultHandler: FakeHandler) {
    this.handler = defaultHandler;
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Replies used for the next requests, first in first out; then the default handler answers. */
  enqueue(...replies: Array<FakeReply | FakeHandler>): this {
    this.queue.push(...replies);
    return this;
  }

  setHandler(handler: FakeHandler): this {
    this.handler = handler;
    return this;
  }

  get lastRequest(): RecordedRequest {
    const r = this.requests.at(-1);
    if (!r) throw new Error('the fake has received no request');
    return r;
  }

  /** Resolves once `count` requests have arrived in total; rejects after the deadline. */
  waitForRequests(count: number, timeoutMs = 5_000): Promise<void> {
    return this.waitUntil(() => this.requests.length >= count, timeoutMs, `${count} request(s)`);
  }

  get abortedCount(): number {
    return this.responses.filter((r) => r.aborted).length;
  }

  /** Resolves once `count` responses in total were cut short by their client (a proxy aborting upstream). */
  waitForAbortedResponses(count: number, timeoutMs = 5_000): Promise<void> {
    return this.waitUntil(() => this.abortedCount >= count, timeoutMs, `${count} aborted response(s)`);
  }

  private waitUntil(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`fake server: timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return; // the client (a proxy giving up on its own client) broke off mid-body: no request to answer
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      url,
      path: q === -1 ? url : url.slice(0, q),
      query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: Buffer.concat(chunks),
      receivedAt: performance.now(),
    };
    this.requests.push(recorded);
    let markDone!: () => void;
    const record: ResponseRecord = {
      request: recorded,
      aborted: false,
      bytesWritten: 0,
      done: new Promise((r) => (markDone = r)),
    };
    this.responses.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
      markDone();
      this.notify();
    });
    this.notify();

    let reply: FakeReply;
    try {
      const next = this.queue.shift() ?? this.handler;
      reply = typeof next === 'function' ? await next(recorded) : next;
    } catch (err) {
      reply = { type: 'json', status: 500, body: { error: { message: `fake handler threw: ${(err as Error).message}` } } };
    }
    await writeReply(reply, res, record);
  }
}

export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  return new FakeServer(handler).listen();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function writeReply(reply: FakeReply, res: http.ServerResponse, record: ResponseRecord): Promise<void> {
  switch (reply.type) {
    case 'hang':
      return;
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'json':
    case 'raw': {
      let body = reply.type === 'json' ? Buffer.from(JSON.stringify(reply.body)) : Buffer.from(reply.body);
      const headers: Record<string, string | number> = {
        'content-type': reply.type === 'json' ? 'application/json' : 'text/plain; charset=utf-8',
        ...reply.headers,
      };
      if (reply.gzip) {
        body = zlib.gzipSync(body);
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = body.length;
      res.writeHead(reply.status ?? 200, headers);
      record.bytesWritten = body.length;
      res.end(body);
      return;
    }
    case 'stream': {
      res.writeHead(reply.status ?? 200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        ...(reply.gzip ? { 'content-encoding': 'gzip' } : {}),
        ...reply.headers,
      });
      res.flushHeaders();
      let gz: zlib.Gzip | null = null;
      if (reply.gzip) {
        gz = zlib.createGzip();
        gz.on('data', (c: Buffer) => {
          record.bytesWritten += c.length;
          if (!res.destroyed) res.write(c);
        });
      }
      if (reply.firstDelayMs) await sleep(reply.firstDelayMs);
      let written: Promise<void> = Promise.resolve();
      for (let i = 0; i < reply.frames.length; i++) {
        if (res.destroyed) return;
        if (i > 0 && reply.delayMs) await sleep(reply.delayMs);
        if (res.destroyed) return;
        const frame = reply.frames[i]!;
        if (gz) {
          gz.write(frame);
          await new Promise<void>((r) => gz!.flush(() => r()));
        } else {
          record.bytesWritten += Buffer.byteLength(frame);
          written = new Promise<void>((r) => res.write(frame, () => r()));
        }
      }
      const end = reply.end ?? 'normal';
      if (end === 'destroy') {
        // Let what was written reach the wire first: the cut comes after the frames.
        await written;
        res.socket?.destroy();
      }
      else if (end === 'normal') {
        if (gz) {
          gz.end();
          await new Promise<void>((r) => gz!.once('end', () => r()));
        }
        res.end();
      }
      return;
    }
  }
}

/** SSE helpers: one event per frame, with an optional `event:` line. */
export function sseData(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** Splits text into token-like pieces ("Hello", " world", "!") the way models stream them. */
export function tokenize(text: string): string[] {
  return text.match(/\s*[^\s]+|\s+$/g) ?? (text ? [text] : []);
}
