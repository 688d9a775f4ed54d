// The collector's one HTTP listener: OTLP routes, the provider proxy and the JSON API all
// hang off this. Loopback only, Host header checked (DNS rebinding), no CORS headers.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export interface RequestContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  /** Named groups from the route's pattern. */
  params: Record<string, string>;
}

export interface Route {
  /** HTTP method, or '*' for any. */
  method: string;
  /** Matched against the path (no query string); named groups land in ctx.params. */
  pattern: RegExp;
  handler: (ctx: RequestContext) => void | Promise<void>;
}

export interface HttpServerOptions {
  host?: string;
  port: number;
  routes: Route[];
}

export interface RunningHttpServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True when the Host header names this machine's loopback (with or without a port). */
export function isAllowedHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]!;
  return LOOPBACK_NAMES.has(host.toLowerCase());
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

export function sendError(res: http.ServerResponse, status: number, error: string, detail?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, detail === undefined ? { error } : { error, detail });
}

export interface ReadBodyOptions {
  /** Cap on the body after decompression, in bytes. Over it: HttpError 413. */
  maxBytes: number;
}

/**
 * Reads a whole request body, undoing gzip/deflate content-encoding, with the size cap applied
 * to both the wire bytes and the inflated bytes (a small gzip bomb must not fill memory).
 */
export async function readBody(req: http.IncomingMessage, opts: ReadBodyOptions): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toString().toLowerCase().trim();
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    req.resume();
    throw new HttpError(413, 'request body too large', `content-length ${declared} exceeds the limit of ${opts.maxBytes} bytes`);
  }
  let source: NodeJS.ReadableStream = req;
  if (encoding === 'gzip' || encoding === 'x-gzip') source = req.pipe(zlib.createGunzip());
  else if (encoding === 'deflate') source = req.pipe(zlib.createInflate());
  else if (encoding === 'br') source = req.pipe(zlib.createBrotliDecompress());
  else if (encoding !== 'identity' && encoding !== '') {
    req.resume();
    throw new HttpError(415, 'unsupported content-encoding', encoding);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > opts.maxBytes) {
        req.resume();
        throw new HttpError(413, 'request body too large', `body exceeds the limit of ${opts.maxBytes} bytes`);
      }
      chunks.push(buf);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, 'could not read request body', (err as Error).message);
  }
  return Buffer.concat(chunks, total);
}

export function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const server = http.createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    void dispatch(opts.routes, req, res);
  });
  // A slow or broken client must never take the collector down.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        server,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function dispatch(routes: Route[], req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    if (!isAllowedHost(req.headers.host)) {
      req.resume();
      sendError(res, 403, 'forbidden host', 'Spyglass only answers requests addressed to 127.0.0.1, localhost or [::1]');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let pathMatched = false;
    for (const route of routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== '*' && route.method !== req.method) continue;
      await route.handler({ req, res, url, params: { ...(m.groups ?? {}) } });
      return;
    }
    req.resume();
    if (pathMatched) sendError(res, 405, 'method not allowed', `${req.method} ${url.pathname}`);
    else sendError(res, 404, 'not found', url.pathname);
  } catch (err) {
    if (err instanceof HttpError) sendError(res, err.status, err.message, err.detail);
    else sendError(res, 500, 'internal error', (err as Error)?.message ?? String(err));
  }
}
