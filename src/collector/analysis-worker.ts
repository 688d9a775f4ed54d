// The analysis thread (bundled as dist/analysis-worker.js): reads stored calls through its own
// read-only connection and runs the registered analyses on them; the collector's thread writes
// what they find. It runs at the lowest scheduling priority, so under a burst it falls behind
// the threads that take spans in, and catches up after.

import Database from 'better-sqlite3';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { analysesFor } from '../core/analyses/registry';
import type { AnalysisWorkerData, FromAnalysisWorker, ToAnalysisWorker } from './analysis-messages';
import { CallAnalyser } from './analysis-reader';
import { WorkerChannel, type Envelope } from './worker-channel';

const port = parentPort;
if (!port) throw new Error('analysis-worker.js runs as a worker thread of the collector');
const { dbPath, config } = workerData as AnalysisWorkerData;

// On Linux a nice value belongs to a thread, so this lowers only this one; elsewhere it would
// lower the whole collector, so there it runs at normal priority.
if (process.platform === 'linux') {
  try {
    os.setPriority(19);
  } catch {
    // not allowed: normal priority
  }
}
const db = new Database(dbPath, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -4096'); // 4 MB: it reads each call once, in order
const analyser = new CallAnalyser(db, analysesFor(config));
const channel = new WorkerChannel<FromAnalysisWorker, ToAnalysisWorker>(
  (m) => port.postMessage(m),
  (m) => (m.type === 'analyse' ? analyser.analyse(m) : undefined),
);
port.on('message', (m: Envelope<ToAnalysisWorker>) => void channel.receive(m));
port.postMessage({ type: 'ready' });
