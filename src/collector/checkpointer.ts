// WAL checkpoints off the writing thread. A checkpoint copies the WAL's pages into the database
// file and waits on fsync; SQLite's automatic checkpoint does that on the thread that commits,
// which here is the one answering exporters. Instead the writer's connection checkpoints never
// (wal_autocheckpoint = 0) and a thread of its own checkpoints every so many spans, or at the
// first write after a few seconds without one. If that thread is lost, the writer's automatic checkpoint comes back.

import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { CheckpointReply, CheckpointWorkerData } from './checkpoint-messages';
import { findWorkerScript, onMessages, startWorker } from './worker-threads';

/** Spans stored between checkpoints: about 10–20 MB of WAL with this layout. */
const EVERY_SPANS = 10_000;
/** A little traffic is checkpointed too: at the first write this long after the last checkpoint. */
const EVERY_MS = 5_000;
/**
 * While writes never pause, a checkpoint never catches the WAL's end and the WAL cannot start
 * over from its beginning. Past this many frames the writer copies the last few frames itself,
 * so the next transaction restarts the WAL.
 */
const CATCH_UP_FRAMES = 4_096;
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1_000;

export interface CheckpointerOptions {
  everySpans?: number;
  everyMs?: number;
  catchUpFrames?: number;
  /** Told of each checkpoint the thread finished. */
  onCheckpointed?: (walFrames: number, copiedFrames: number) => void;
}

export class Checkpointer {
  private spansSince = 0;
  private lastAt = Date.now();
  private running = false;
  private walFrames = 0;
  private closing = false;

  private readonly everySpans: number;
  private readonly everyMs: number;
  private readonly catchUpFrames: number;

  private constructor(
    private readonly worker: Worker,
    private readonly db: Database.Database,
    opts: CheckpointerOptions,
  ) {
    this.everySpans = opts.everySpans ?? EVERY_SPANS;
    this.everyMs = opts.everyMs ?? EVERY_MS;
    this.catchUpFrames = opts.catchUpFrames ?? CATCH_UP_FRAMES;
    db.pragma('wal_autocheckpoint = 0');
    onMessages(worker, (m: CheckpointReply) => {
      if (m.type !== 'checkpointed') return;
      this.running = false;
      this.walFrames = m.walFrames;
      opts.onCheckpointed?.(m.walFrames, m.copiedFrames);
    });
    const lost = () => {
      if (!this.closing) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    };
    worker.once('error', lost);
    worker.once('exit', lost);
  }

  /** Null when there is no worker script or it does not start: SQLite's own checkpoints then stay. */
  static async start(
    db: Database.Database,
    dbPath: string,
    script = findWorkerScript('checkpoint-worker'),
    opts: CheckpointerOptions = {},
  ): Promise<Checkpointer | null> {
    if (script === null || dbPath === ':memory:') return null;
    try {
      return new Checkpointer(await startWorker(script, { dbPath } satisfies CheckpointWorkerData), db, opts);
    } catch {
      return null;
    }
  }

  /** Told after every write transaction, on the writing thread. */
  wrote(spans: number): void {
    this.spansSince += spans;
    if (this.walFrames > this.catchUpFrames && !this.running) {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.walFrames = 0;
    }
    if (!this.running && (this.spansSince >= this.everySpans || Date.now() - this.lastAt >= this.everyMs)) {
      this.running = true;
      this.spansSince = 0;
      this.lastAt = Date.now();
      this.worker.postMessage('checkpoint');
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
