// The checkpointing thread (bundled as dist/checkpoint-worker.js): copies the WAL's pages into
// the database file over its own connection, so the fsyncs a checkpoint waits on never stall
// the thread that writes spans. PASSIVE never waits for, nor blocks, the writer or readers.

import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointReply, CheckpointWorkerData } from './checkpoint-messages';

const port = parentPort;
if (!port) throw new Error('checkpoint-worker.js runs as a worker thread of the collector');
const db = new Database((workerData as CheckpointWorkerData).dbPath, { fileMustExist: true });

port.on('message', () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  port.postMessage({ type: 'checkpointed', walFrames: r!.log, copiedFrames: r!.checkpointed } satisfies CheckpointReply);
});
port.postMessage({ type: 'ready' } satisfies CheckpointReply);
