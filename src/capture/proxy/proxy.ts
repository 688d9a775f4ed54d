// The recording reverse proxy: `/proxy/<name>/<rest>` on the collector's HTTP port is forwarded
// to `<upstream baseURL>/<rest>` (query kept) and the answer streamed back chunk by chunk as it
// arrives — status, headers (minus hop-by-hop) and bytes unchanged, compressed bodies included.
//
// The hot path is: a chunk arrives → it is written to the client → a reference and a timestamp
// are pushed for the recording. All parsing happens after the exchange ends (Exchange.finish),
// so recording never delays a token. node:http/https with keep-alive agents, not fetch: fewer
// layers and no body re-framing.

import http from 'node:http';
import https from 'node:https';
import { bodyIdleTimeoutOf, budgetHoldOf, type Route, type RequestContext } from '../http-server';
import type { SpanSink } from '../sink';
import { Exchange, type Outcome, type ProxyFailure } from './exchange';
import { parseTraceparent } from './trace-context';
import { forwardableHeaders, responseHeadersToForward } from './headers';
import { REPLAY_HEADER, type ReplayTickets } from './replay-tickets';
import { UpstreamTable, type Upstream } from './upstreams';

export interface ProxyOptions {
  sink: SpanSink;
  /** name → base URL; overrides the built-ins (openai, anthropic, gemini) of the same name. */
  upstreams?: Record<string, string>;
  /** Longest wait for the upstream's response headers, and for each next chunk. Default 10 min. */
  timeoutMs?: number;
  /** Bodies are stored up to this size. Default 4 MiB. */
  maxRecordedBodyBytes?: number;
  /** Responses are reassembled up to this size. Default 64 MiB. */
  maxParsedBodyBytes?: number;
  /** Told about recording failures (the sink rejected, a parser bug); the proxy carries on. */
  onRecordError?: (err: Error) => void;
  /** The collector's open replay tickets: an exchange carrying one is recorded as that replay. */
  replays?: ReplayTickets;
  /**
   * Names the service a call belongs to and may refuse it (the collector's circuit breaker).
   * Without it a call belongs to the service its `x-spyglass-service` header names, else the route's.
   */
  admit?: (call: ProxyCallOrigin) => ProxyAdmission;
}

/** What the proxy knows of a call's origin before forwarding it. */
export interface ProxyCallOrigin {
  route: string;
  /** The trace its `traceparent` joins, or null. */
  traceId: string | null;
  /** The `x-spyglass-service` request header (stripped before forwarding), or null. */
  serviceHeader: string | null;
}

export interface ProxyAdmission {
  service: string;
  /** Set: answer 429 with this reason instead of forwarding. */
  refuse: string | null;
}

/** The request header that names the calling service; never forwarded. */
export const SERVICE_HEADER = 'x-spyglass-service';

function serviceHeaderOf(value: string | string[] | undefined): string | null {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  return v ? v.slice(0, 200) : null;
}

export const PROXY_ROUTE = /^\/proxy\/(?<provider>[^/]+)(?<rest>\/.*)?$/;

/** The error body the proxy itself answers with: OpenAI-shaped (and `type: 'error'` for Anthropic's SDK). */
export function proxyErrorBody(code: string, message: string, extra: Record<string, unknown> = {}) {
  return { type: 'error', error: { message, type: 'spyglass_proxy_error', code, param: null, ...extra } };
}

function sendProxyError(res: http.ServerResponse, status: number, code: string, message: string, extra?: Record<string, unknown>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(proxyErrorBody(code, message, extra));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

const SKIP_REQUEST_HEADERS = new Set(['host', REPLAY_HEADER, SERVICE_HEADER]);

export class RecordingProxy {
  readonly upstreams: UpstreamTable;
  readonly routes: Route[];
  // Idle upstream connections are closed after 4 s, before the 5 s most servers (Node's
  // default among them) use, so a request is rarely sent on a connection being closed.
  // No Nagle delay: a small final write (a chunked body's terminator) must not wait for an ACK.
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo', timeout: 4_000, noDelay: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo', timeout: 4_000, noDelay: true });
  private readonly pending = new Set<Promise<void>>();
  private readonly watched = new Set<{ since: number; expire: () => void }>();
  private watchdog: NodeJS.Timeout | null = null;
  private readonly timeoutMs: number;
  private readonly limits: { maxRecordedBodyBytes: number; maxParsedBodyBytes: number };
  private readonly onRecordError: (err: Error) => void;

  constructor(private readonly opts: ProxyOptions) {
    this.upstreams = new UpstreamTable(opts.upstreams);
    this.timeoutMs = opts.timeoutMs ?? 600_000;
    this.limits = {
      maxRecordedBodyBytes: opts.maxRecordedBodyBytes ?? 4 * 1024 * 1024,
      maxParsedBodyBytes: Math.max(opts.maxParsedBodyBytes ?? 64 * 1024 * 1024, opts.maxRecordedBodyBytes ?? 0),
    };
    this.onRecordError = opts.onRecordError ?? ((err) => console.error(`spyglass proxy: recording failed: ${err.message}`));
    this.routes = [{ method: '*', pattern: PROXY_ROUTE, handler: (ctx) => this.handle(ctx) }];
  }

  /** Resolves when every exchange seen so far has been handed to the sink. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Closes idle upstream connections and stops the watchdog. */
  close(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /**
   * One timer for every exchange: an upstream that sends nothing (no headers, no next chunk)
   * for timeoutMs is given up on. Checked at a quarter of the timeout (between 10 ms and 1 s).
   */
  private startWatchdog(): void {
    if (this.watchdog) return;
    const every = Math.min(1_000, Math.max(10, Math.floor(this.timeoutMs / 4)));
    this.watchdog = setInterval(() => {
      const now = performance.now();
      for (const w of this.watched) if (now - w.since >= this.timeoutMs) w.expire();
    }, every);
    this.watchdog.unref();
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private handle({ req, res, params }: RequestContext): void {
    const name = params.provider!;
    const upstream = this.upstreams.get(name);
    if (!upstream) {
      req.resume();
      const known = this.upstreams.names();
      sendProxyError(res, 404, 'unknown_upstream', `Spyglass has no upstream named "${name}". Known: ${known.join(', ')}. Add one with --upstream ${name}=<baseURL>.`, { known });
      return;
    }
    const rawUrl = req.url ?? '/';
    const prefix = `/proxy/${name}`;
    // The raw request target, not the parsed URL, so the upstream sees exactly the bytes sent.
    let restAndQuery = rawUrl.startsWith(prefix) ? rawUrl.slice(prefix.length) : `${params.rest ?? ''}`;
    if (restAndQuery !== '' && restAndQuery[0] !== '/' && restAndQuery[0] !== '?') restAndQuery = `/${restAndQuery}`;
    const q = restAndQuery.indexOf('?');
    const rest = q === -1 ? restAndQuery : restAndQuery.slice(0, q);
    // A request target always starts with '/', also for `/proxy/<name>?query` on a bare host.
    const upstreamPath = `${upstream.basePath}${rest}` || '/';
    const upstreamTarget = q === -1 ? upstreamPath : `${upstreamPath}${restAndQuery.slice(q)}`;
    const method = req.method ?? 'GET';
    const ticket = this.opts.replays?.take(req.headers[REPLAY_HEADER]);
    const rawHeaders = req.headers[REPLAY_HEADER] === undefined ? req.rawHeaders : withoutHeader(req.rawHeaders, REPLAY_HEADER);

    const exchange = new Exchange(
      this.opts.sink,
      this.onRecordError,
      this.limits,
      upstream,
      method,
      `${prefix}${restAndQuery}`,
      rest,
      rawHeaders,
      req.headers.traceparent,
      budgetHoldOf(req),
      ticket,
    );
    const origin: ProxyCallOrigin = { route: name, traceId: parseTraceparent(req.headers.traceparent)?.traceId ?? null, serviceHeader: serviceHeaderOf(req.headers[SERVICE_HEADER]) };
    const admission = this.opts.admit?.(origin) ?? { service: origin.serviceHeader ?? name, refuse: null };
    exchange.service = admission.service;
    if (admission.refuse !== null) {
      this.refuse(req, res, exchange, admission);
      return;
    }
    this.forward(req, res, upstream, upstreamTarget, method, exchange);
  }

  /** The circuit breaker is open for the call's service: a clear JSON 429, recorded with the reason. */
  private refuse(req: http.IncomingMessage, res: http.ServerResponse, ex: Exchange, admission: ProxyAdmission): void {
    const reason = admission.refuse!;
    ex.refusedBecause = reason;
    const answer = () => {
      if (ex.isFinished) return;
      sendProxyError(res, 429, 'circuit_open', `Spyglass circuit breaker: ${reason}`, { service: admission.service });
      this.track(ex.finish('error', { type: 'circuit_open', message: reason }, 429));
    };
    req.on('data', (c: Buffer) => ex.onRequestChunk(c));
    req.on('end', answer);
    req.on('error', () => {});
    // A client that never finishes its body is answered anyway.
    const stall = setTimeout(answer, bodyIdleTimeoutOf(req));
    stall.unref();
    res.once('close', () => clearTimeout(stall));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, upstream: Upstream, path: string, method: string, ex: Exchange): void {
    const headers = forwardableHeaders(req.rawHeaders, SKIP_REQUEST_HEADERS);
    headers.push('host', upstream.base.host);
    const isHttps = upstream.base.protocol === 'https:';
    const options: http.RequestOptions = {
      protocol: upstream.base.protocol,
      hostname: upstream.base.hostname.replace(/^\[|\]$/g, ''),
      port: upstream.base.port || (isHttps ? 443 : 80),
      method,
      path,
      headers,
      setHost: false,
      agent: isHttps ? this.httpsAgent : this.httpAgent,
    };
    let timedOut = false;
    let clientGone = false;
    let upstreamFailed = false;
    let requestEnded = false;
    let upReq!: http.ClientRequest;
    const watch = {
      since: ex.startPerf,
      expire: () => {
        timedOut = true;
        upReq.destroy(new Error(`no answer from upstream within ${this.timeoutMs} ms`));
      },
    };
    this.watched.add(watch);
    this.startWatchdog();
    const done = (outcome: Outcome, failure: ProxyFailure | null, clientStatus: number | null) => {
      this.watched.delete(watch);
      if (!ex.isFinished) this.track(ex.finish(outcome, failure, clientStatus));
    };

    // A client that stops sending its body half way is given up on, as readBody does.
    const idleMs = bodyIdleTimeoutOf(req);
    const bodyIdle = setTimeout(() => {
      if (requestEnded || res.headersSent) return;
      clientGone = true;
      upReq.destroy();
      sendProxyError(res, 408, 'request_timeout', `Spyglass proxy: the request body stalled (no data for ${idleMs} ms)`, { upstream: upstream.name });
      res.once('finish', () => req.destroy());
      done('cancelled', { type: 'request_timeout', message: `request body stalled for ${idleMs} ms` }, 408);
    }, idleMs);
    bodyIdle.unref();
    req.on('data', (c: Buffer) => {
      bodyIdle.refresh();
      ex.onRequestChunk(c);
    });
    req.on('end', () => {
      requestEnded = true;
      clearTimeout(bodyIdle);
    });
    res.once('close', () => clearTimeout(bodyIdle));
    req.on('error', () => {
      // The client broke off while sending; the 'close' handler below records it.
    });

    res.on('close', () => {
      if (res.writableFinished || upstreamFailed) return;
      clientGone = true;
      upReq.destroy();
      done('cancelled', null, null);
    });

    const attempt = (retry: boolean) => {
      try {
        upReq = (isHttps ? https : http).request(options);
      } catch (err) {
        // Node refuses some header values its server side accepted; say so instead of crashing.
        upstreamFailed = true;
        req.resume();
        const message = `Spyglass proxy could not forward the request: ${(err as Error).message}`;
        sendProxyError(res, 502, 'invalid_request', message, { upstream: upstream.name });
        done('error', { type: 'invalid_request', message }, 502);
        return;
      }
      // No per-socket timer while the request is active (it would be re-armed on every read);
      // the proxy's watchdog checks all exchanges at once instead.
      upReq.setTimeout(0);
      if (retry) upReq.end(ex.completeRequestBody());
      else req.pipe(upReq);
      upReq.on('error', (err: NodeJS.ErrnoException) => onUpstreamError(upReq, err, retry));
      upReq.on('response', onResponse);
    };

    const onUpstreamError = (failed: http.ClientRequest, err: NodeJS.ErrnoException, wasRetry: boolean) => {
      if (clientGone || ex.isFinished || failed !== upReq) return;
      // A kept-alive connection the upstream had just closed: the request never reached it, so
      // sending it again on a fresh connection is safe (what browsers and undici do too).
      if (!wasRetry && !timedOut && failed.reusedSocket && !res.headersSent && requestEnded && ex.completeRequestBody() !== null && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
        attempt(true);
        return;
      }
      upstreamFailed = true;
      if (res.headersSent) {
        // The stream had started: the client sees it break, as it would have directly.
        res.destroy();
        done('error', { type: timedOut ? 'upstream_timeout' : 'upstream_disconnected', message: err.message }, null);
        return;
      }
      const where = `upstream "${upstream.name}" (${upstream.base.origin})`;
      if (timedOut) {
        const message = `Spyglass proxy: ${where} did not answer within ${this.timeoutMs} ms`;
        sendProxyError(res, 504, 'upstream_timeout', message, { upstream: upstream.name });
        done('error', { type: 'upstream_timeout', message }, 504);
      } else {
        const message = `Spyglass proxy could not reach ${where}: ${err.message}`;
        sendProxyError(res, 502, 'upstream_unreachable', message, { upstream: upstream.name });
        done('error', { type: 'upstream_unreachable', message }, 502);
      }
    };

    const onResponse = (upRes: http.IncomingMessage) => {
      watch.since = performance.now();
      const status = upRes.statusCode ?? 502;
      ex.onResponseHead(status, upRes.headers);
      // The upstream's CORS headers are its own answer to the world; the collector's HTTP layer
      // decides which pages may read this answer.
      const outHeaders = responseHeadersToForward(upRes.rawHeaders);
      if (clientGone) {
        upRes.destroy();
        return;
      }
      try {
        res.writeHead(status, upRes.statusMessage, outHeaders);
      } catch (err) {
        upstreamFailed = true;
        upRes.destroy();
        const message = `Spyglass proxy got a response it cannot pass on from upstream "${upstream.name}": ${(err as Error).message}`;
        res.removeHeader('content-length');
        sendProxyError(res, 502, 'invalid_upstream_response', message, { upstream: upstream.name });
        done('error', { type: 'invalid_upstream_response', message }, 502);
        return;
      }
      // A streamed answer's headers reach the client when they reached us: with the first chunk
      // when it came in the same read, else on their own right after this turn of the loop.
      let wroteBody = false;
      if (upRes.headers['content-length'] === undefined) {
        setImmediate(() => {
          if (!wroteBody && !res.headersSent && !res.destroyed) res.flushHeaders();
        });
      }

      upRes.on('data', (chunk: Buffer) => {
        wroteBody = true;
        if (!res.write(chunk)) {
          upRes.pause();
          res.once('drain', () => upRes.resume());
        }
        watch.since = ex.onResponseChunk(chunk);
      });
      upRes.on('end', () => {
        res.end();
        done(status >= 400 ? 'error' : 'ok', null, status);
      });
      upRes.on('error', () => {
        // Followed by 'close', where the cut is handled.
      });
      upRes.on('close', () => {
        if (upRes.complete || clientGone || ex.isFinished) return;
        upstreamFailed = true;
        res.destroy();
        done('error', { type: timedOut ? 'upstream_timeout' : 'upstream_disconnected', message: 'upstream closed the connection before the response ended' }, null);
      });
    };

    attempt(false);
  }
}

function withoutHeader(raw: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() !== name) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

/** The proxy's routes for the collector's HTTP server. */
export function createProxyRoutes(opts: ProxyOptions): Route[] {
  return new RecordingProxy(opts).routes;
}

/** The same, with the sink apart (the collector's call shape). */
export function proxyRoutes(sink: SpanSink, opts: Omit<ProxyOptions, 'sink'> = {}): Route[] {
  return createProxyRoutes({ ...opts, sink });
}
