// WAL checkpoints off the writing thread. A checkpoint copies the WAL's pages into the database
// file and waits on fsync; SQLite's automatic checkpoint does that on the thread that commits,
// which here is the one answering exporters. Instead, while its thread runs, the writer's
// connection checkpoints never (wal_autocheckpoint = 0) and the thread checkpoints every so many
// spans, or at the first write after a few seconds without one. The thread starts with the first
// write and stops after a while without writes (an idle collector holds no thread for it); while
// it is not running, or if it is lost, the writer's automatic checkpoint is back.

import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { CheckpointReply, CheckpointWorkerData } from './checkpoint-messages';
import { findWorkerScript, onMessages, startWorker } from './worker-threads';

/** Spans stored between checkpoints: about 10–20 MB of WAL with this layout. */
const EVERY_SPANS = 10_000;
/** A little traffic is checkpointed too: at the first write this long after the last checkpoint. */
const EVERY_MS = 5_000;
/** The thread stops this long after the last write, once a last checkpoint has copied the WAL. */
const IDLE_STOP_MS = 30_000;
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
  idleStopMs?: number;
  /** Told of each checkpoint the thread finished. */
  onCheckpointed?: (walFrames: number, copiedFrames: number) => void;
}

export class Checkpointer {
  private spansSince = 0;
  private lastAt = Date.now();
  private running = false;
  private walFrames = 0;
  /** Frames the last checkpoint could not copy (a reader held them). */
  private uncopied = 0;
  private closing = false;
  private worker: Worker | null = null;
  private starting: Promise<void> | null = null;
  private readonly idleStop: NodeJS.Timeout;

  private readonly everySpans: number;
  private readonly everyMs: number;
  private readonly catchUpFrames: number;

  private constructor(
    private readonly db: Database.Database,
    private readonly script: string,
    private readonly dbPath: string,
    private readonly opts: CheckpointerOptions,
  ) {
    this.everySpans = opts.everySpans ?? EVERY_SPANS;
    this.everyMs = opts.everyMs ?? EVERY_MS;
    this.catchUpFrames = opts.catchUpFrames ?? CATCH_UP_FRAMES;
    this.idleStop = setTimeout(() => this.stopIdle(), opts.idleStopMs ?? IDLE_STOP_MS);
    this.idleStop.unref();
  }

  /** A checkpointer whose thread starts with the first write; null without a worker script or for a memory database. */
  static create(db: Database.Database, dbPath: string, script = findWorkerScript('checkpoint-worker'), opts: CheckpointerOptions = {}): Checkpointer | null {
    if (script === null || dbPath === ':memory:') return null;
    return new Checkpointer(db, script, dbPath, opts);
  }

  /** Starts the thread now; null when there is no script or it does not start. */
  static async start(db: Database.Database, dbPath: string, script = findWorkerScript('checkpoint-worker'), opts: CheckpointerOptions = {}): Promise<Checkpointer | null> {
    const c = Checkpointer.create(db, dbPath, script, opts);
    if (!c) return null;
    await c.ensureWorker();
    if (c.worker) return c;
    await c.close();
    return null;
  }

  /** Whether its thread is running now. */
  get threadRunning(): boolean {
    return this.worker !== null;
  }

  private ensureWorker(): Promise<void> {
    if (this.worker || this.closing) return Promise.resolve();
    this.starting ??= startWorker(this.script, { dbPath: this.dbPath } satisfies CheckpointWorkerData).then(
      (w) => {
        this.starting = null;
        if (this.closing) {
          void w.terminate();
          return;
        }
        this.worker = w;
        this.running = false;
        this.db.pragma('wal_autocheckpoint = 0');
        onMessages(w, (m: CheckpointReply) => {
          if (m.type !== 'checkpointed') return;
          this.running = false;
          this.walFrames = m.walFrames;
          this.uncopied = m.walFrames - m.copiedFrames;
          this.opts.onCheckpointed?.(m.walFrames, m.copiedFrames);
        });
        // Lost, or stopped when idle: SQLite's own checkpoints come back.
        const gone = () => {
          if (this.worker !== w) return;
          this.worker = null;
          if (!this.closing) this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
        };
        w.once('error', gone);
        w.once('exit', gone);
      },
      () => {
        // No thread: the writer keeps SQLite's automatic checkpoints.
        this.starting = null;
      },
    );
    return this.starting;
  }

  private stopIdle(): void {
    const w = this.worker;
    if (!w || this.closing) return;
    if (this.running || this.uncopied > 0 || this.spansSince > 0) {
      // A last checkpoint first, so the WAL the thread leaves behind is copied.
      if (!this.running) this.checkpointNow();
      this.idleStop.refresh();
      return;
    }
    void w.terminate();
  }

  private checkpointNow(): void {
    this.running = true;
    this.spansSince = 0;
    this.lastAt = Date.now();
    this.worker!.postMessage('checkpoint');
  }

  /** Told after every write transaction, on the writing thread. */
  wrote(spans: number): void {
    this.idleStop.refresh();
    if (!this.worker) {
      void this.ensureWorker();
      return;
    }
    this.spansSince += spans;
    if (this.walFrames > this.catchUpFrames && !this.running) {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.walFrames = 0;
    }
    if (!this.running && (this.spansSince >= this.everySpans || Date.now() - this.lastAt >= this.everyMs)) this.checkpointNow();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.idleStop);
    await this.starting;
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}
