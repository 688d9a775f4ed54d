// A SpanSink that keeps what it is given in memory, for capture tests. It stores everything it
// receives (no dedup: the real store does that) and lets a test wait for a condition.

import type { IngestBatch, IngestLogRecord, IngestSpan } from '../../src/core/model';
import type { IngestResult, ProxyCapture, SpanSink } from '../../src/capture/sink';

export class MemorySink implements SpanSink {
  readonly spans: IngestSpan[] = [];
  readonly logs: IngestLogRecord[] = [];
  readonly batches: IngestBatch[] = [];
  readonly proxyCalls: ProxyCapture[] = [];
  /** When set, ingest fails with this error (to test how capture answers a failing store). */
  failWith: Error | null = null;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  async ingest(batch: IngestBatch): Promise<IngestResult> {
    if (this.failWith) throw this.failWith;
    this.batches.push(batch);
    this.spans.push(...batch.spans);
    this.logs.push(...batch.logs);
    this.wake();
    return { acceptedSpans: batch.spans.length, acceptedLogs: batch.logs.length, rejectedSpans: 0, rejectedLogs: 0, errors: [] };
  }

  async recordProxyCall(capture: ProxyCapture): Promise<void> {
    this.proxyCalls.push(capture);
    this.wake();
  }

  /** Resolves once `check()` holds, or rejects after `timeoutMs` with what was received so far. */
  waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}: have ${this.spans.length} spans, ${this.logs.length} logs`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  waitForSpans(n: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.spans.length >= n, timeoutMs, `${n} spans`);
  }

  waitForLogs(n: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.logs.length >= n, timeoutMs, `${n} logs`);
  }

  clear(): void {
    this.spans.length = 0;
    this.logs.length = 0;
    this.batches.length = 0;
    this.proxyCalls.length = 0;
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.check());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
