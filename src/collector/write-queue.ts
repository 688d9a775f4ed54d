// Group commit: requests share SQLite transactions, and each is answered only once its data is
// committed. A batch is written as soon as it arrives; the transaction stays open while more
// batches are on their way (being prepared), up to a size or a short time, because each commit
// writes every page it touched: fewer, larger commits write the same index pages, trace
// summaries and rollup rows once instead of once per batch. With nothing on its way, the commit
// is immediate, so a lone exporter waits for nothing.

import type { IngestResult, SpanSink } from '../capture/sink';
import type { IngestBatch } from '../core/model';
import type { PreparedBatch } from '../store/prepare';
import type { SpanWriter, WriteResult } from '../store/writer';

interface Pending {
  batch: PreparedBatch;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** An open transaction commits once it holds this many spans. */
const COMMIT_SPANS = 4_096;
/** …or this long after it was last left open, whatever is still on its way. */
const COMMIT_AFTER_MS = 50;

export class WriteQueue implements Pick<SpanSink, 'ingest'> {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Written in the open transaction, answered when it commits. */
  private written: Pending[] = [];
  private writtenSpans = 0;
  private commitTimer: NodeJS.Timeout | null = null;

  /** `moreComing`: batches are on their way (being prepared), so an open transaction may wait for them. */
  constructor(
    private readonly writer: () => SpanWriter,
    private readonly onWritten: (result: WriteResult) => void,
    private readonly moreComing: () => boolean = () => false,
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

  /** Queues a batch prepared elsewhere (the collector's preparer). */
  enqueue(batch: PreparedBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      this.schedule();
    });
  }

  /** Writes what is queued soon; also to be told when something on its way will not come. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.write(false);
    });
  }

  /** Writes and commits everything queued now (shutdown, and before clearing or pruning). */
  flush(): void {
    this.write(true);
  }

  private write(commitNow: boolean): void {
    const writer = this.writer();
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0);
        this.written.push(...group);
        if (!writer.inTransaction) writer.begin();
        writer.add(group.map((p) => p.batch));
        this.writtenSpans += group.reduce((n, p) => n + p.batch.spans.length, 0);
        if (this.writtenSpans >= COMMIT_SPANS) this.commit();
      }
      if (this.written.length === 0) return;
      if (commitNow || !this.moreComing()) this.commit();
      else this.commitTimer ??= setTimeout(() => this.flush(), COMMIT_AFTER_MS);
    } catch (err) {
      writer.rollback();
      this.settle((p) => p.reject(err as Error));
    }
  }

  private commit(): void {
    const result = this.writer().commit();
    this.settle((p) => p.resolve());
    this.onWritten(result);
  }

  private settle(each: (p: Pending) => void): void {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    const done = this.written;
    this.written = [];
    this.writtenSpans = 0;
    for (const p of done) each(p);
  }
}
