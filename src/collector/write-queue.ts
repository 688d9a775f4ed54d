// Group commit: every request that arrives in the same turn of the event loop shares one
// SQLite transaction, and each request is answered only once its data is stored.

import type { IngestResult, ProxyCapture, SpanSink } from '../capture/sink';
import type { IngestBatch, IngestSpan } from '../core/model';
import type { ForcedCall, SpanWriter, WriteResult } from '../store/writer';

interface Pending {
  batch: IngestBatch;
  forced?: [IngestSpan, ForcedCall];
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Spans per transaction at most: keeps one commit short so readers and new requests are not held up. */
const MAX_SPANS_PER_TRANSACTION = 20_000;

export class WriteQueue implements SpanSink {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly writer: () => SpanWriter,
    private readonly onWritten: (result: WriteResult) => void,
  ) {}

  ingest(batch: IngestBatch): Promise<IngestResult> {
    return this.enqueue(batch).then(() => ({
      acceptedSpans: batch.spans.length,
      acceptedLogs: batch.logs.length,
      rejectedSpans: 0,
      rejectedLogs: 0,
      errors: [],
    }));
  }

  recordProxyCall(c: ProxyCapture): Promise<void> {
    const forced: ForcedCall = {
      call: c.call,
      exchange: {
        method: c.request.method,
        path: c.request.path,
        headers: c.request.headers,
        requestBody: c.request.body,
        responseBody: c.responseBody,
        httpStatus: c.httpStatus,
        outcome: c.outcome,
        warnings: c.warnings,
      },
    };
    return this.enqueue({ spans: [c.span], logs: [] }, [c.span, forced]);
  }

  private enqueue(batch: IngestBatch, forced?: [IngestSpan, ForcedCall]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, forced, resolve, reject });
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
      const forced = new Map<IngestSpan, ForcedCall>();
      for (const p of group) if (p.forced) forced.set(p.forced[0], p.forced[1]);
      try {
        const result = this.writer().write(
          group.map((p) => p.batch),
          forced.size ? forced : undefined,
        );
        for (const p of group) p.resolve();
        this.onWritten(result);
      } catch (err) {
        for (const p of group) p.reject(err as Error);
      }
    }
  }
}
