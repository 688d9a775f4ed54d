// Optional forwarding of every received OTLP body to an upstream OTLP/HTTP endpoint (an
// OpenTelemetry Collector, Jaeger, Tempo, Phoenix, Langfuse…). Fire and forget: forward() only
// queues, so the local answer is never delayed or failed by the upstream; the queue is bounded
// (what does not fit is dropped and counted), failures are retried a little, counted and logged
// (rate-limited), never thrown.

import type { OtlpSignal } from './otlp';

export interface ForwarderOptions {
  /**
   * Base URL of the upstream OTLP/HTTP receiver, as in OTEL_EXPORTER_OTLP_ENDPOINT:
   * bodies go to `<endpoint>/v1/traces` and `<endpoint>/v1/logs`.
   */
  endpoint: string;
  /** Sent with every request (e.g. an upstream's API key). */
  headers?: Record<string, string>;
  /** Most bodies waiting at once. Default 1,000. */
  maxQueueItems?: number;
  /** Most bytes waiting at once. Default 64 MiB. */
  maxQueueBytes?: number;
  /** Requests in flight at once. Default 2. */
  concurrency?: number;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** Attempts per body for retryable failures (network, 429, 502, 503, 504). Default 3. */
  maxAttempts?: number;
  /** Where failures are reported. Default console.warn. */
  log?: (message: string) => void;
}

export interface ForwarderStats {
  /** Bodies the upstream accepted (2xx). */
  forwarded: number;
  /** Bodies given up on after their attempts (or refused with a non-retryable status). */
  failed: number;
  /** Bodies not queued because the queue was full or the forwarder closed. */
  dropped: number;
  queued: number;
  inFlight: number;
  lastError: string | null;
}

export interface Forwarder {
  /** Queues one raw OTLP body (decompressed) for the upstream. Never throws, never waits. */
  forward(signal: OtlpSignal | 'metrics', body: Uint8Array, contentType: string): void;
  stats(): ForwarderStats;
  /** Stops taking bodies and waits (up to timeoutMs, default 5 s) for the queue to drain. */
  close(timeoutMs?: number): Promise<void>;
}

interface Item {
  signal: OtlpSignal | 'metrics';
  body: Uint8Array;
  contentType: string;
  attempts: number;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const LOG_EVERY_MS = 30_000;

export function createForwarder(opts: ForwarderOptions): Forwarder {
  const base = opts.endpoint.replace(/\/+$/, '');
  const urls: Record<OtlpSignal | 'metrics', string> = { traces: `${base}/v1/traces`, logs: `${base}/v1/logs`, metrics: `${base}/v1/metrics` };
  for (const url of Object.values(urls)) new URL(url); // a bad endpoint fails at start, not per body
  const maxItems = opts.maxQueueItems ?? 1_000;
  const maxBytes = opts.maxQueueBytes ?? 64 * 1024 * 1024;
  const concurrency = opts.concurrency ?? 2;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxAttempts = opts.maxAttempts ?? 3;
  const log = opts.log ?? ((m: string) => console.warn(m));

  const queue: Item[] = [];
  let queuedBytes = 0;
  let inFlight = 0;
  let waitingRetries = 0;
  let closed = false;
  const stats = { forwarded: 0, failed: 0, dropped: 0, lastError: null as string | null };
  let lastLogAt = 0;
  let unlogged = 0;
  const idleWaiters: (() => void)[] = [];

  function report(message: string): void {
    stats.lastError = message;
    unlogged++;
    const now = Date.now();
    if (now - lastLogAt < LOG_EVERY_MS) return;
    lastLogAt = now;
    log(`spyglass: forwarding to ${base} failed (${unlogged} failure(s) since the last report): ${message}`);
    unlogged = 0;
  }

  function enqueue(item: Item): void {
    if (closed || queue.length >= maxItems || queuedBytes + item.body.byteLength > maxBytes) {
      stats.dropped++;
      report(closed ? 'forwarder closed; body dropped' : 'queue full; body dropped');
      return;
    }
    queue.push(item);
    queuedBytes += item.body.byteLength;
    pump();
  }

  function pump(): void {
    while (inFlight < concurrency && queue.length > 0) {
      const item = queue.shift()!;
      queuedBytes -= item.body.byteLength;
      inFlight++;
      void send(item).finally(() => {
        inFlight--;
        pump();
        settleIdle();
      });
    }
  }

  function settleIdle(): void {
    if (queue.length === 0 && inFlight === 0 && waitingRetries === 0) idleWaiters.splice(0).forEach((w) => w());
  }

  async function send(item: Item): Promise<void> {
    item.attempts++;
    let retryable: boolean;
    let reason: string;
    try {
      const res = await fetch(urls[item.signal], {
        method: 'POST',
        headers: { ...opts.headers, 'content-type': item.contentType },
        body: item.body as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined); // free the connection
      if (res.ok) {
        stats.forwarded++;
        return;
      }
      retryable = RETRYABLE.has(res.status);
      reason = `${urls[item.signal]} answered ${res.status}`;
    } catch (err) {
      retryable = true;
      const e = err as Error & { cause?: Error };
      reason = `${urls[item.signal]}: ${e.cause?.message ?? e.message}`;
    }
    if (retryable && item.attempts < maxAttempts && !closed) {
      waitingRetries++;
      const timer = setTimeout(() => {
        waitingRetries--;
        if (closed) {
          stats.failed++;
          settleIdle();
          return;
        }
        queue.unshift(item);
        queuedBytes += item.body.byteLength;
        pump();
      }, 250 * 2 ** item.attempts);
      timer.unref();
      return;
    }
    stats.failed++;
    report(reason);
  }

  return {
    forward(signal, body, contentType) {
      enqueue({ signal, body, contentType, attempts: 0 });
    },
    stats: () => ({ ...stats, queued: queue.length, inFlight }),
    close(closeTimeoutMs = 5_000) {
      closed = true;
      if (queue.length === 0 && inFlight === 0 && waitingRetries === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, closeTimeoutMs);
        timer.unref();
        idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
