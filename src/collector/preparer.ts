// Where OTLP bodies are decoded and spans prepared (conventions, pricing, token estimates, JSON
// columns), proxy captures included: on a worker thread when the machine has a second core (the
// collector's thread is then left with HTTP and SQL, and ingest runs on two cores), else on the
// collector's thread. The worker starts with the first body and stops after a while without
// any, so an idle collector holds one thread's memory, not two.

import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { OtlpDecodeError } from '../capture/otlp/context';
import type { OtlpIngestOutcome, OtlpIngestRequest, ProxyCapture } from '../capture/sink';
import type { Analyzer } from '../store/analyzer';
import type { PreparedBatch } from '../store/prepare';
import type { PreparedOtlp, PrepareReply, PrepareTask, PrepareWorkerData } from './prepare-messages';
import { prepareOtlpUnder, prepareProxyCaptureUnder, type ContentPolicy } from './prepare-otlp';
import { fromWire } from './prepared-wire';
import { WORKER_RESOURCE_LIMITS } from './heap';
import { findWorkerScript, onMessages, startWorker } from './worker-threads';

export interface Preparer {
  readonly where: 'worker thread' | 'main thread';
  /** Bodies given and not yet prepared. */
  readonly inFlight: number;
  /** Rejects with OtlpDecodeError for a body that cannot be decoded. */
  prepare(req: OtlpIngestRequest): Promise<PreparedOtlp>;
  prepareProxy(capture: ProxyCapture): Promise<PreparedBatch>;
  close(): Promise<void>;
}

export function mainThreadPreparer(analyzer: Analyzer, policy: ContentPolicy): Preparer {
  return {
    where: 'main thread',
    inFlight: 0,
    prepare: (req) => prepareOtlpUnder(req, analyzer, policy),
    prepareProxy: (capture) => prepareProxyCaptureUnder(capture, analyzer, policy),
    close: async () => undefined,
  };
}

/** What the worker sends back: the batch, and for an OTLP body what its answer reports. */
interface Prepared {
  outcome: OtlpIngestOutcome | null;
  batch: PreparedBatch;
}

interface Waiting {
  resolve: (p: Prepared) => void;
  reject: (err: Error) => void;
}

/** A worker that prepared nothing for this long is stopped; the next body starts another. */
const IDLE_STOP_MS = 20_000;

export interface WorkerPreparerOptions {
  idleStopMs?: number;
  /** Where bodies are prepared when the worker cannot start at all (told once why). */
  fallback?: { preparer: Preparer; warn: (message: string) => void };
}

export class WorkerPreparer implements Preparer {
  readonly where = 'worker thread';
  get inFlight(): number {
    return this.waiting.size;
  }
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private worker: Promise<Worker> | null = null;
  private closed = false;
  /** Set once the worker failed to start: everything is prepared here from then on. */
  private fallenBack: Preparer | null = null;
  private readonly idleStop: NodeJS.Timeout;

  constructor(
    private readonly script: string,
    private readonly data: PrepareWorkerData,
    private readonly opts: WorkerPreparerOptions = {},
  ) {
    this.idleStop = setTimeout(() => void this.stopIdle(), opts.idleStopMs ?? IDLE_STOP_MS);
    this.idleStop.unref();
  }

  /** Starts the worker now and resolves once it is ready for bodies. */
  static async start(script: string, data: PrepareWorkerData, opts?: WorkerPreparerOptions): Promise<WorkerPreparer> {
    const p = new WorkerPreparer(script, data, opts);
    await p.running();
    return p;
  }

  /** Whether a worker is running (or starting) now. */
  get started(): boolean {
    return this.worker !== null;
  }

  /** The worker, started if there is none (first body, after an idle stop, after it died). */
  private running(): Promise<Worker> {
    if (this.worker) return this.worker;
    const started: Promise<Worker> = startWorker(this.script, this.data, WORKER_RESOURCE_LIMITS).then(
      (w) => {
        // A reply that cannot be read on this side is lost with its id: fail every body in
        // flight (retryable) rather than leave one unanswered and the write queue waiting on it.
        // Before onMessages: a message listener refs the worker, and onMessages unrefs it last.
        w.on('messageerror', (err: Error) => this.failAll(new Error(`a prepared batch could not be received: ${err.message}`)));
        onMessages(w, (m: PrepareReply) => this.answer(m));
        // 'exit' follows 'error': only the first, and only while this is still the current worker, counts.
        const gone = (err: Error) => {
          if (this.worker === started) this.lost(err);
        };
        w.on('error', gone);
        w.on('exit', (code) => gone(new Error(`the preparing thread stopped (exit code ${code})`)));
        return w;
      },
      (err: Error) => {
        if (this.worker === started) this.worker = null;
        throw err;
      },
    );
    this.worker = started;
    return started;
  }

  private async stopIdle(): Promise<void> {
    if (this.waiting.size > 0 || !this.worker) return;
    const w = this.worker;
    this.worker = null;
    await (await w.catch(() => null))?.terminate();
  }

  private answer(m: PrepareReply): void {
    if (m.type === 'ready') return;
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    if (this.waiting.size === 0) this.idleStop.refresh();
    if (m.type === 'prepared') w.resolve({ outcome: m.outcome, batch: fromWire(m.wire) });
    else w.reject(m.invalid ? new OtlpDecodeError(m.message) : new Error(m.message));
  }

  /** The bodies it held are answered as retryable failures; exporters send them again. */
  private lost(err: Error): void {
    this.worker = null;
    this.failAll(err);
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  /** Sends a task to the worker (started if needed); null when it cannot start and there is a fallback. */
  private send(task: PrepareTask, transfer: ArrayBuffer[]): Promise<Prepared | null> {
    if (this.closed) return Promise.reject(new Error('the collector is stopping'));
    if (this.fallenBack) return Promise.resolve(null);
    // In flight from now on, while the worker starts too: an idle stop must not take it meanwhile.
    return new Promise<Prepared | null>((resolve, reject) => {
      this.waiting.set(task.id, { resolve, reject });
      this.running().then(
        (worker) => {
          if (this.waiting.has(task.id)) worker.postMessage(task, transfer);
        },
        (err: Error) => {
          this.waiting.delete(task.id);
          if (!this.opts.fallback) return reject(err);
          if (!this.fallenBack) this.opts.fallback.warn(`preparing spans on the collector's thread: the worker did not start (${err.message})`);
          this.fallenBack = this.opts.fallback.preparer;
          resolve(null);
        },
      );
    });
  }

  async prepare(req: OtlpIngestRequest): Promise<PreparedOtlp> {
    // A copy of just the body's bytes moves to the worker; the caller keeps its buffer (to forward it).
    const body = new Uint8Array(req.body);
    const task: PrepareTask = { kind: 'otlp', id: this.nextId++, signal: req.signal, encoding: req.encoding, body, maxStringChars: req.maxStringChars };
    const done = await this.send(task, [body.buffer]);
    if (done === null) return this.fallenBack!.prepare(req);
    return { ...done.outcome!, batch: done.batch };
  }

  async prepareProxy(capture: ProxyCapture): Promise<PreparedBatch> {
    const done = await this.send({ kind: 'proxy', id: this.nextId++, capture }, []);
    return done === null ? this.fallenBack!.prepareProxy(capture) : done.batch;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleStop);
    const w = this.worker;
    this.worker = null;
    if (w) await (await w.catch(() => null))?.terminate();
  }
}

/** A worker (started with the first body) when there is a second core and a worker script, else this thread. */
export function createPreparer(script: string | null | undefined, analyzer: Analyzer, data: PrepareWorkerData, warn: (message: string) => void): Preparer {
  const here = mainThreadPreparer(analyzer, data);
  const file = script === undefined ? findWorkerScript('prepare-worker') : script;
  if (file === null || os.availableParallelism() < 2) return here;
  return new WorkerPreparer(file, data, { fallback: { preparer: here, warn } });
}
