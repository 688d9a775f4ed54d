// Where OTLP bodies are decoded and their spans prepared: on a worker thread when the machine
// has a second core (the collector's thread is then left with HTTP and SQL, and ingest runs on
// two cores), else on the collector's thread.

import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { OtlpDecodeError } from '../capture/otlp/context';
import type { OtlpIngestRequest } from '../capture/sink';
import type { Analyzer } from '../store/analyzer';
import type { PreparedOtlp, PrepareReply, PrepareTask, PrepareWorkerData } from './prepare-messages';
import { prepareOtlp } from './prepare-otlp';
import { fromWire } from './prepared-wire';
import { YOUNG_GENERATION_MB } from './heap';
import { findWorkerScript, startWorker } from './worker-threads';

export interface Preparer {
  readonly where: 'worker thread' | 'main thread';
  /** Resolves once its start-up work is done (see Collector.warmedUp). */
  warm(): Promise<void>;
  /** Bodies given and not yet prepared. */
  readonly inFlight: number;
  /** Rejects with OtlpDecodeError for a body that cannot be decoded. */
  prepare(req: OtlpIngestRequest): Promise<PreparedOtlp>;
  close(): Promise<void>;
}

export function mainThreadPreparer(analyzer: Analyzer, storeContent: boolean): Preparer {
  return {
    where: 'main thread',
    inFlight: 0,
    warm: async () => undefined,
    prepare: async (req) => prepareOtlp(req, analyzer, storeContent),
    close: async () => undefined,
  };
}

interface Waiting {
  resolve: (p: PreparedOtlp) => void;
  reject: (err: Error) => void;
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
  private markWarm: () => void = () => undefined;
  private readonly warmed = new Promise<void>((resolve) => (this.markWarm = resolve));

  private constructor(
    private readonly script: string,
    private readonly data: PrepareWorkerData,
  ) {}

  /** Resolves once the worker has loaded and is ready for bodies. */
  static async start(script: string, data: PrepareWorkerData): Promise<WorkerPreparer> {
    const p = new WorkerPreparer(script, data);
    await p.running();
    return p;
  }

  /** The worker, started again if it died. */
  private running(): Promise<Worker> {
    if (this.worker) return this.worker;
    // Its own young generation as the collector's thread has (heap.ts), whatever flags the process has.
    const started: Promise<Worker> = startWorker(this.script, this.data, { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB }).then(
      (w) => {
        w.on('message', (m: PrepareReply) => this.answer(m));
        // A reply that cannot be read on this side is lost with its id: fail every body in
        // flight (retryable) rather than leave one unanswered and the write queue waiting on it.
        w.on('messageerror', (err: Error) => this.failAll(new Error(`a prepared batch could not be received: ${err.message}`)));
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

  warm(): Promise<void> {
    return this.warmed;
  }

  private answer(m: PrepareReply): void {
    if (m.type === 'ready') return;
    if (m.type === 'warm') {
      this.markWarm();
      return;
    }
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    if (m.type === 'prepared') w.resolve({ ...m.outcome, batch: fromWire(m.wire) });
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

  async prepare(req: OtlpIngestRequest): Promise<PreparedOtlp> {
    if (this.closed) throw new Error('the collector is stopping');
    const worker = await this.running();
    const id = this.nextId++;
    // A copy of just the body's bytes moves to the worker; the caller keeps its buffer (to forward it).
    const body = new Uint8Array(req.body);
    const task: PrepareTask = { id, signal: req.signal, encoding: req.encoding, body, maxStringChars: req.maxStringChars };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage(task, [body.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.markWarm();
    const w = this.worker;
    this.worker = null;
    if (w) await (await w.catch(() => null))?.terminate();
  }
}

/** A worker when there is a second core and a worker script, else this thread. */
export async function startPreparer(
  script: string | null | undefined,
  analyzer: Analyzer,
  data: PrepareWorkerData,
  warn: (message: string) => void,
): Promise<Preparer> {
  const file = script === undefined ? findWorkerScript('prepare-worker') : script;
  if (file === null || os.availableParallelism() < 2) return mainThreadPreparer(analyzer, data.storeContent);
  try {
    return await WorkerPreparer.start(file, data);
  } catch (err) {
    warn(`preparing spans on the collector's thread: the worker did not start (${(err as Error).message})`);
    return mainThreadPreparer(analyzer, data.storeContent);
  }
}
