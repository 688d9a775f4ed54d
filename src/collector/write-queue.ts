// Group commit: every request that arrives in the same turn of the event loop shares one
// SQLite transaction, and each request is answered only once its data is stored.

import type { IngestResult, ProxyCapture, SpanSink } from '../capture/sink';
import type { IngestBatch } from '../core/model';
import type { PreparedBatch } from '../store/prepare';
import type { SpanWriter, WriteResult } from '../store/writer';

interface Pending {
  batch: PreparedBatch;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Spans per transaction at most: keeps one commit short so readers and new requests are not held up. */
const MAX_SPANS_PER_TRANSACTION = 20_000;

export class WriteQueue implements Pick<SpanSink, 'ingest' | 'recordProxyCall'> {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly writer: () => SpanWriter,
    private readonly onWritten: (result: WriteResult) => void,
  ) {}

  /** Prepares the batch on this thread, then queues it. */
  ingest(batch: IngestBatch): Promise<IngestResult> {
    return this.enqueue(this.writer().prepare(batch)).then(() => ({
      acceptedSpans: batch.spans.length,
      acceptedLogs: batch.logs.length,
      rejectedSpans: 0,
      rejectedLogs: 0,
      errors: [],
    }));
  }

  recordProxyCall(c: ProxyCapture): Promise<void> {
    const exchange = {
      method: c.request.method,
      path: c.request.path,
      headers: c.request.headers,
      requestBody: c.request.body,
      responseBody: c.responseBody,
      httpStatus: c.httpStatus,
      outcome: c.outcome,
      warnings: c.warnings,
    };
    return this.enqueue(this.writer().prepare({ spans: [c.span], logs: [] }, new Map([[c.span, { call: c.call, exchange }]])));
  }

  /** Queues a batch prepared elsewhere (the collector's worker thread). */
  enqueue(batch: PreparedBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes everything queued now. Exposed for shutdown. */
  flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const group: Pending[] = [];
      let spans = 0;
      while (this.pending.length > 0 && (group.length === 0 || spans + this.pending[0]!.batch.spans.length <= MAX_SPANS_PER_TRANSACTION)) {
        const p = this.pending.shift()!;
        spans += p.batch.spans.length;
        group.push(p);
      }
      try {
        const result = this.writer().writePrepared(group.map((p) => p.batch));
        for (const p of group) p.resolve();
        this.onWritten(result);
      } catch (err) {
        for (const p of group) p.reject(err as Error);
      }
    }
  }
}
