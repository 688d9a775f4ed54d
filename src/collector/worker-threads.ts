// The collector's helper threads: finding their bundled scripts, and starting one.

import fs from 'node:fs';
import path from 'node:path';
import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * A worker script beside this bundle (dist/<name>.js); from sources (tests, benches) the built
 * one in the repository's dist. Null when there is none.
 */
export function findWorkerScript(name: string): string | null {
  const candidates = [path.join(__dirname, `${name}.js`), path.resolve(__dirname, `../../dist/${name}.js`),
    path.resolve(__dirname, `../../../dist/${name}.js`)];
  return candidates.find((f) => fs.existsSync(f)) ?? null;
}

/**
 * Starts a worker and resolves once it posts { type: 'ready' }; rejects if it fails or exits
 * first. The worker is then unref'd: the collector's listeners keep the process alive, not it
 * (attach 'message' listeners with onMessages, which keeps it so).
 */
export function startWorker(script: string, workerData: unknown, resourceLimits?: ResourceLimits): Promise<Worker> {
  const worker = new Worker(script, { workerData, resourceLimits });
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type?: string }) => {
      if (m?.type !== 'ready') return;
      settle();
      worker.unref();
      resolve(worker);
    };
    const onError = (err: Error) => {
      settle();
      reject(err);
    };
    const onExit = (code: number) => onError(new Error(`the thread stopped before it was ready (exit code ${code})`));
    const settle = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * Listens to a worker's messages. A 'message' listener refs the worker's port again, so a worker
 * unref'd before would keep the process alive (a CLI that should exit would hang): it is unref'd
 * once more.
 */
export function onMessages<T>(worker: Worker, handle: (m: T) => void): void {
  worker.on('message', handle);
  worker.unref();
}
