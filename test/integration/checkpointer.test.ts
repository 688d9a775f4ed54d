// WAL checkpoints on their own thread (dist/checkpoint-worker.js, built by the global setup):
// the writer's connection never checkpoints, the thread copies the WAL into the database file,
// a WAL that never catches up is caught up by the writer, and a lost thread gives SQLite its
// own checkpoints back.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Checkpointer, type CheckpointerOptions } from '../../src/collector/checkpointer';
import { Store } from '../../src/store/store';
import { span } from '../helpers/spans';
import { testAnalyzer } from '../helpers/test-analyzer';

const WORKER = path.resolve(import.meta.dirname, '../../dist/checkpoint-worker.js');
let dir: string;
let n = 0;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(() => {
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: run npm run build`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-checkpoint-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function openStore(): { store: Store; file: string } {
  const file = path.join(dir, `db-${++n}.sqlite`);
  const store = new Store(file, testAnalyzer);
  cleanups.push(() => store.close());
  return { store, file };
}

async function start(store: Store, file: string, opts: CheckpointerOptions, script = WORKER): Promise<Checkpointer> {
  const c = await Checkpointer.start(store.db, file, script, opts);
  if (!c) throw new Error('the checkpointer did not start');
  cleanups.push(() => c.close());
  return c;
}

function writeSpans(store: Store, count: number): void {
  const spans = Array.from({ length: count }, () => span({ name: 'x'.repeat(2000) }));
  store.writer.write([{ spans, logs: [] }]);
}

async function until(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('checkpointer', () => {
  it('turns the writer’s own checkpoints off and copies the WAL into the file on its thread', async () => {
    const { store, file } = openStore();
    const done: { wal: number; copied: number }[] = [];
    const c = await start(store, file, { everySpans: 200, everyMs: 60_000, onCheckpointed: (wal, copied) => done.push({ wal, copied }) });
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = fs.statSync(file).size;
    writeSpans(store, 150);
    c.wrote(150);
    expect(done).toHaveLength(0);
    // The WAL grows past SQLite's own threshold (1000 pages) without the writer checkpointing.
    writeSpans(store, 150);
    expect(fs.statSync(file).size).toBe(before);
    c.wrote(150);
    await until('a checkpoint', () => done.length === 1);
    expect(done[0]!.copied).toBe(done[0]!.wal);
    expect(done[0]!.wal).toBeGreaterThan(0);
    expect(fs.statSync(file).size).toBeGreaterThan(before + 300 * 2000);
  });

  it('has the writer copy the last frames itself when the WAL grew past the catch-up mark', async () => {
    const { store, file } = openStore();
    let checkpoints = 0;
    const c = await start(store, file, { everySpans: 100, everyMs: 60_000, catchUpFrames: 10, onCheckpointed: () => checkpoints++ });
    writeSpans(store, 100);
    c.wrote(100);
    await until('a checkpoint', () => checkpoints === 1);
    writeSpans(store, 50); // after the thread's checkpoint: in the WAL only
    const size = fs.statSync(file).size;
    c.wrote(50); // not enough spans for the thread; the WAL is past the mark, so the writer copies now
    expect(checkpoints).toBe(1);
    expect(fs.statSync(file).size).toBeGreaterThan(size + 50 * 2000);
  });

  it('starts its thread with the first write and stops it when writes stop, after a last checkpoint', async () => {
    const { store, file } = openStore();
    let checkpoints = 0;
    const c = Checkpointer.create(store.db, file, WORKER, { everySpans: 1_000_000, everyMs: 60_000, idleStopMs: 300, onCheckpointed: () => checkpoints++ })!;
    cleanups.push(() => c.close());
    expect(c.threadRunning).toBe(false);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    writeSpans(store, 10);
    c.wrote(10); // starts the thread; until it is ready SQLite's own checkpoints stay on
    await until('the thread to start', () => c.threadRunning);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    writeSpans(store, 10);
    c.wrote(10);
    // No more writes: a last checkpoint copies the WAL, then the thread stops and SQLite checkpoints again.
    await until('the thread to stop', () => !c.threadRunning, 10_000);
    expect(checkpoints).toBeGreaterThanOrEqual(1);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    writeSpans(store, 10);
    c.wrote(10);
    await until('the thread to start again', () => c.threadRunning);
  });

  it('gives SQLite its own checkpoints back when the thread is lost', async () => {
    const script = path.join(dir, 'dies.js');
    fs.writeFileSync(script, "const { parentPort } = require('node:worker_threads');\n" +
      "parentPort.on('message', () => process.exit(5));\nparentPort.postMessage({ type: 'ready' });\n");
    const { store, file } = openStore();
    const c = await start(store, file, { everySpans: 1 }, script);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    writeSpans(store, 1);
    c.wrote(1);
    await until('the automatic checkpoint to come back', () => store.db.pragma('wal_autocheckpoint', { simple: true }) === 1000);
  });
});
