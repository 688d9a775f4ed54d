// Where the analysis runner's work runs: its own worker thread (dist/analysis-worker.js, with
// its own read-only connection), or, without one (no second core, no worker script, an
// in-memory store), the collector's thread on the store's connection, in small batches.

import os from 'node:os';
import type Database from 'better-sqlite3';
import type { Analysis } from '../core/analyses/analysis';
import { analysesFor, type AnalysesConfig } from '../core/analyses/registry';
import type { AnalyseReply, AnalysisWorkerData, FromAnalysisWorker, ToAnalysisWorker } from './analysis-messages';
import { CallAnalyser } from './analysis-reader';
import type { AnalysisBackend } from './analysis-runner';
import { WorkerChannel, type Envelope } from './worker-channel';
import { findWorkerScript, onMessages, startWorker } from './worker-threads';

/** A batch of calls should take well under this; a stuck worker is replaced. */
const REQUEST_TIMEOUT_MS = 60_000;
/** In-thread batches are small: they share the thread that answers exporters. */
const IN_THREAD_LIMIT = 32;

export async function workerBackend(script: string, data: AnalysisWorkerData): Promise<AnalysisBackend> {
  const worker = await startWorker(script, data);
  const channel = new WorkerChannel<ToAnalysisWorker, FromAnalysisWorker>((m) => worker.postMessage(m));
  onMessages(worker, (m: Envelope<FromAnalysisWorker>) => void channel.receive(m));
  const gone = (err: Error) => channel.close(err);
  worker.on('error', gone);
  worker.on('exit', (code) => gone(new Error(`the analysis thread stopped (exit code ${code})`)));
  return {
    analyse: (req) => channel.request<AnalyseReply>(req, REQUEST_TIMEOUT_MS),
    close: async () => {
      await worker.terminate();
    },
  };
}

export function inThreadBackend(db: Database.Database, analyses: readonly Analysis[]): AnalysisBackend {
  const analyser = new CallAnalyser(db, analyses);
  return {
    // Each batch in its own turn of the event loop, after whatever I/O is waiting.
    analyse: (req) => new Promise((resolve, reject) => setImmediate(() => {
      analyser.analyse({ ...req, limit: Math.min(req.limit, IN_THREAD_LIMIT) }).then(resolve, reject);
    })),
    close: async () => undefined,
  };
}

/** The worker when there is a second core, a worker script and a database file; else this thread. */
export function chooseBackend(
  script: string | null | undefined, dbPath: string, db: Database.Database, warn: (m: string) => void,
): (config: AnalysesConfig) => Promise<AnalysisBackend> {
  const file = script === undefined ? findWorkerScript('analysis-worker') : script;
  if (file === null || dbPath === ':memory:' || os.availableParallelism() < 2) return async (config) => inThreadBackend(db, analysesFor(config));
  return async (config) => {
    try {
      return await workerBackend(file, { dbPath, config });
    } catch (err) {
      warn(`analysing calls on the collector's thread: the analysis thread did not start (${(err as Error).message})`);
      return inThreadBackend(db, analysesFor(config));
    }
  };
}
