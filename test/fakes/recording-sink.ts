// An in-memory SpanSink for tests: keeps every batch and proxy capture it is given, and lets a
// test wait (on events, with a deadline) until some number of them has arrived.

import type { IngestBatch } from '../../src/core/model';
import type { IngestResult, ProxyCapture, SpanSink } from '../../src/capture/sink';

export class RecordingSink implements SpanSink {
  readonly batches: IngestBatch[] = [];
  readonly captures: ProxyCapture[] = [];
  /** When set, recordProxyCall rejects with it (to prove a failing store never hurts the proxy). */
  failWith: Error | null = null;
  private readonly waiters = new Set<() => void>();
  private taken = 0;

  async ingest(batch: IngestBatch): Promise<IngestResult> {
    this.batches.push(batch);
    this.notify();
    return { acceptedSpans: batch.spans.length, acceptedLogs: batch.logs.length, rejectedSpans: 0, rejectedLogs: 0, errors: [] };
  }

  async recordProxyCall(capture: ProxyCapture): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.captures.push(capture);
    this.notify();
  }

  /** Resolves with the captures once at least `count` have been recorded. */
  waitForCaptures(count: number, timeoutMs = 5_000): Promise<ProxyCapture[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.captures.length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(this.captures);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`recording sink: ${this.captures.length} of ${count} capture(s) after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** The next capture not yet taken (in arrival order), once it has arrived. */
  async nextCapture(timeoutMs = 5_000): Promise<ProxyCapture> {
    const [c] = await this.take(1, timeoutMs);
    return c!;
  }

  /** The next `count` captures not yet taken, once they have arrived. */
  async take(count: number, timeoutMs = 5_000): Promise<ProxyCapture[]> {
    const from = this.taken;
    this.taken += count;
    await this.waitForCaptures(from + count, timeoutMs);
    return this.captures.slice(from, from + count);
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
