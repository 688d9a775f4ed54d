// The collector's one HTTP listener: OTLP routes, the provider proxy and the JSON API all
// hang off this. Loopback only, Host header checked (DNS rebinding), cross-site requests refused
// and preflights answered here (cross-site.ts), request bodies held within one budget
// (body-budget.ts) and timed out when they stall.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { BodyBudget, type BudgetHold } from './body-budget';
import { corsResponseHeaders, type CrossSiteRefusal, crossSiteRefusal, preflightAnswer } from './cross-site';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: string,
    /** Extra response headers (Retry-After on a 503). */
    readonly headers?: Record<string, string>,
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

export interface HttpLimits {
  /** Bytes of request bodies held at once, across all requests. Default 64 MiB. */
  bodyBudgetBytes?: number;
  /** A body that sends nothing for this long is answered 408 and its connection closed. Default 15 s. */
  bodyIdleTimeoutMs?: number;
  /** Longest wait for a request's headers. Default 15 s. */
  headersTimeoutMs?: number;
  /** Longest wait for a whole request, headers and body (not the answer). Default 60 s. */
  requestTimeoutMs?: number;
}

export interface HttpServerOptions {
  host?: string;
  port: number;
  routes: Route[];
  limits?: HttpLimits;
  /** Told of each request refused as cross-site (the collector logs them). */
  onRefused?: (refusal: CrossSiteRefusal, method: string, path: string) => void;
}

export interface RunningHttpServer {
  server: http.Server;
  port: number;
  /** Bytes of request bodies held right now. */
  readonly bodyBytesInFlight: number;
  close(): Promise<void>;
}

const DEFAULT_BODY_IDLE_TIMEOUT_MS = 15_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 15_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Seconds an exporter is asked to wait before retrying a body the budget had no room for. */
const RETRY_AFTER_SECONDS = 1;

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True when the Host header names this machine's loopback (with or without a port). */
export function isAllowedHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]!;
  return LOOPBACK_NAMES.has(host.toLowerCase());
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

export function sendError(res: http.ServerResponse, status: number, error: string, detail?: string, headers?: Record<string, string>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, detail === undefined ? { error } : { error, detail }, headers);
}

/** What the server holds for one request: its share of the body budget and its idle timeout. */
interface RequestLimits {
  hold: BudgetHold;
  bodyIdleTimeoutMs: number;
}

const limitsOf = new WeakMap<http.IncomingMessage, RequestLimits>();

/** The body budget share of a request this server is answering (undefined for other requests). */
export function budgetHoldOf(req: http.IncomingMessage): BudgetHold | undefined {
  return limitsOf.get(req)?.hold;
}

/** How long a body of this request may stall. */
export function bodyIdleTimeoutOf(req: http.IncomingMessage): number {
  return limitsOf.get(req)?.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;
}

function budgetExceeded(capacity: number): HttpError {
  return new HttpError(
    503,
    'too many request bodies in flight',
    `the collector holds at most ${Math.round(capacity / 1048576)} MiB of request bodies at once; retry after ${RETRY_AFTER_SECONDS} s`,
    { 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' },
  );
}

export interface ReadBodyOptions {
  /** Cap on the body after decompression, in bytes. Over it: HttpError 413. */
  maxBytes: number;
}

/**
 * Reads a whole request body, undoing gzip/deflate/br content-encoding, with the size cap applied
 * to both the wire bytes and the inflated bytes (a small gzip bomb must not fill memory). The
 * bytes count against the server's body budget (over it: HttpError 503 with Retry-After), and a
 * body that stalls for the idle timeout is given up on (HttpError 408).
 */
export function readBody(req: http.IncomingMessage, opts: ReadBodyOptions): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toString().toLowerCase().trim();
  const declared = Number(req.headers['content-length']);
  const known = req.headers['content-length'] !== undefined && Number.isSafeInteger(declared) && declared >= 0;
  const hold = budgetHoldOf(req);
  const refuse = (err: HttpError): Promise<never> => {
    // Not read, not kept: the rest of the body is discarded as it comes.
    req.resume();
    return Promise.reject(err);
  };
  if (known && declared > opts.maxBytes) {
    return refuse(new HttpError(413, 'request body too large', `content-length ${declared} exceeds the limit of ${opts.maxBytes} bytes`, { connection: 'close' }));
  }
  let source: NodeJS.ReadableStream = req;
  let inflater: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null = null;
  if (encoding === 'gzip' || encoding === 'x-gzip') inflater = zlib.createGunzip();
  else if (encoding === 'deflate') inflater = zlib.createInflate();
  else if (encoding === 'br') inflater = zlib.createBrotliDecompress();
  else if (encoding !== 'identity' && encoding !== '') return refuse(new HttpError(415, 'unsupported content-encoding', encoding));
  // A plain body of known length is taken from the budget whole and read straight into its place.
  const direct = inflater === null && known;
  if (direct && hold && !hold.take(declared)) return refuse(budgetExceeded(hold.capacity));
  if (inflater) source = req.pipe(inflater);

  return new Promise<Buffer>((resolve, reject) => {
    const whole = direct ? Buffer.allocUnsafe(declared) : null;
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const idleMs = bodyIdleTimeoutOf(req);
    const idle = setTimeout(() => fail(new HttpError(408, 'request body timed out', `no data for ${idleMs} ms`, { connection: 'close' })), idleMs);
    const cleanup = () => {
      settled = true;
      clearTimeout(idle);
      source.removeListener('data', onData);
      source.removeListener('end', onEnd);
      source.removeListener('error', onError);
      req.removeListener('close', onClose);
    };
    const fail = (err: HttpError) => {
      if (settled) return;
      cleanup();
      if (inflater) {
        req.unpipe(inflater);
        inflater.destroy();
      }
      req.resume();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      idle.refresh();
      if (total + chunk.length > opts.maxBytes) {
        fail(new HttpError(413, 'request body too large', `body exceeds the limit of ${opts.maxBytes} bytes`, { connection: 'close' }));
        return;
      }
      if (whole) chunk.copy(whole, total);
      else {
        if (hold && !hold.take(chunk.length)) {
          fail(budgetExceeded(hold.capacity));
          return;
        }
        chunks.push(chunk);
      }
      total += chunk.length;
    };
    const onEnd = () => {
      if (settled) return;
      cleanup();
      if (whole) resolve(total === declared ? whole : whole.subarray(0, total));
      else resolve(Buffer.concat(chunks, total));
    };
    const onError = (err: Error) => fail(new HttpError(400, 'could not read request body', err.message));
    const onClose = () => {
      if (!req.complete) fail(new HttpError(400, 'could not read request body', 'the client closed the connection'));
    };
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', onError);
    req.once('close', onClose);
  });
}

export function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const limits = opts.limits ?? {};
  const budget = new BodyBudget(limits.bodyBudgetBytes);
  const bodyIdleTimeoutMs = limits.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;
  const requestTimeout = limits.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const server = http.createServer(
    {
      keepAliveTimeout: 5_000,
      headersTimeout: Math.min(limits.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout),
      requestTimeout,
      // How often Node looks for requests past those timeouts.
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(requestTimeout / 4))),
    },
    (req, res) => {
      const hold = budget.open();
      limitsOf.set(req, { hold, bodyIdleTimeoutMs });
      res.once('close', () => hold.release());
      void dispatch(opts, req, res);
    },
  );
  // A slow or broken client must never take the collector down.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        server,
        port,
        get bodyBytesInFlight() {
          return budget.inUse;
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function dispatch(opts: HttpServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    if (!isAllowedHost(req.headers.host)) {
      req.resume();
      sendError(res, 403, 'forbidden host', 'Spyglass only answers requests addressed to 127.0.0.1, localhost or [::1]');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      req.resume();
      const answer = preflightAnswer(url.pathname, req.headers);
      if (answer.refusal) {
        opts.onRefused?.(answer.refusal, method, url.pathname);
        sendError(res, answer.status, answer.refusal.error, answer.refusal.detail, answer.headers);
      } else res.writeHead(answer.status, answer.headers).end();
      return;
    }
    const refusal = crossSiteRefusal(method, url.pathname, req.headers);
    if (refusal) {
      req.resume();
      opts.onRefused?.(refusal, method, url.pathname);
      sendError(res, refusal.status, refusal.error, refusal.detail, { connection: 'close' });
      return;
    }
    const cors = corsResponseHeaders(url.pathname, req.headers);
    if (cors) for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    let pathMatched = false;
    for (const route of opts.routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== '*' && route.method !== method) continue;
      await route.handler({ req, res, url, params: { ...(m.groups ?? {}) } });
      return;
    }
    req.resume();
    if (pathMatched) sendError(res, 405, 'method not allowed', `${method} ${url.pathname}`);
    else sendError(res, 404, 'not found', url.pathname);
  } catch (err) {
    if (err instanceof HttpError) sendError(res, err.status, err.message, err.detail, err.headers);
    else sendError(res, 500, 'internal error', (err as Error)?.message ?? String(err));
  }
}
