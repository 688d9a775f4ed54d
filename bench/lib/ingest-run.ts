// The ingest benchmark's machinery, shared by bench:ingest and bench:analysis: the raw
// better-sqlite3 reference, and one receiver run (a collector on a fresh database file, fed by a
// sender thread posting pre-encoded OTLP bodies, checked against the reference's row counts).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Collector, type CollectorOptions } from '../../src/collector/collector';
import { createAnalyzer } from '../../src/collector/analyzer';
import { sendAll } from './http-load';
import { CONTENT_TYPE, encode, type Encoding } from './otlp-payloads';
import { captureWriterRows, openRawInserter, type RawRows } from './raw-rows';
import { exporterBatches } from './spans';
import { int, nowMs, threadCpuMs } from './timing';

export interface Plan {
  spans: number;
  warmup: number;
  batch: number;
  concurrency: number;
  encodings: Encoding[];
  repeat: number;
  baseUs: number;
  /** The post-capture analysis runner on (as shipped) or off. */
  analyses: boolean;
  /** An index whose cost is measured: each round also runs the receiver with it dropped. */
  withoutIndex: string | null;
}

const WARM_SEED = 7;
const TIMED_SEED = 11;
export function parseArgs(argv: string[]): Plan {
  const get = (name: string, dflt: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
  };
  const encodings = get('encodings', 'protobuf,json').split(',') as Encoding[];
  for (const e of encodings) if (e !== 'protobuf' && e !== 'json') throw new Error(`unknown encoding ${e}`);
  return {
    spans: Number(get('spans', '100000')),
    warmup: Number(get('warmup', '10240')),
    batch: Number(get('batch', '512')),
    concurrency: Number(get('concurrency', '8')),
    encodings,
    repeat: Number(get('repeat', '3')),
    analyses: get('analyses', 'on') !== 'off',
    withoutIndex: indexName(get('without-index', '')),
    // An hour ago, so every span is recent and lands in a handful of minute rollups.
    baseUs: Math.floor(Date.now() / 60_000) * 60_000_000 - 3_600_000_000,
  };
}

function indexName(name: string): string | null {
  if (name === '') return null;
  if (!/^\w+$/.test(name)) throw new Error(`--without-index: not an index name: ${name}`);
  return name;
}

function batchesOf(plan: Plan) {
  // Trace starts ~2 ms apart: a busy app, a few hundred traces per minute.
  const warm = exporterBatches({ seed: WARM_SEED, spans: plan.warmup, startUs: plan.baseUs, gapUs: 2_000, batchSpans: plan.batch });
  const timed = exporterBatches({ seed: TIMED_SEED, spans: plan.spans, startUs: plan.baseUs + 600_000_000, gapUs: 2_000, batchSpans: plan.batch });
  return { warm, timed };
}

// ---- the sender thread ----

/** The sender thread: runs in a worker started on the bench's own bundle (`new Worker(__filename)`). */
export async function clientMain(): Promise<void> {
  const { plan, encoding, port } = workerData as { plan: Plan; encoding: Encoding; port: number };
  const { warm, timed } = batchesOf(plan);
  const warmBodies = warm.map((b) => encode(encoding, b));
  const timedBodies = timed.map((b) => encode(encoding, b));
  const bytes = timedBodies.reduce((n, b) => n + b.length, 0);
  parentPort!.postMessage({ type: 'ready', bytes });
  await new Promise((resolve) => parentPort!.once('message', resolve));
  const w = await sendAll(port, warmBodies, CONTENT_TYPE[encoding], plan.concurrency);
  // Tells the collector thread to start its CPU clock: every warm-up request is answered by now.
  parentPort!.postMessage({ type: 'timed' });
  const c0 = threadCpuMs();
  const t = await sendAll(port, timedBodies, CONTENT_TYPE[encoding], plan.concurrency);
  parentPort!.postMessage({ type: 'done', elapsedMs: t.elapsedMs, senderCpuMs: threadCpuMs() - c0, failures: [...w.failures, ...t.failures] });
}

// ---- the collector thread ----

function tempDb(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spyglass-bench-${label}-`));
  return path.join(dir, 'bench.db');
}

function removeDb(file: string): void {
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

export interface Counts {
  spans: number;
  calls: number;
  traces: number;
}

function countRows(db: import('better-sqlite3').Database): Counts {
  const n = (t: string) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
  return { spans: n('spans'), calls: n('llm_calls'), traces: n('traces') };
}

export interface Rates {
  /** Spans per second of wall-clock time. */
  rate: number;
  /** Spans per second of the writing thread's CPU time (what the rate would be with no one else on its core). */
  cpuRate: number;
  /** Spans per second of CPU time of all the collector's threads (raw: its one thread). */
  allCpuRate: number;
}

export function captureRaw(plan: Plan): { rows: RawRows; warmBatches: number } {
  const { warm, timed } = batchesOf(plan);
  const { analyzer } = createAnalyzer([]);
  return { rows: captureWriterRows([...warm, ...timed], analyzer), warmBatches: warm.length };
}

export function measureRaw({ rows, warmBatches }: { rows: RawRows; warmBatches: number }): Rates & { counts: Counts } {
  const file = tempDb('raw');
  const raw = openRawInserter(file, rows.resources);
  try {
    raw.insert(rows.batches.slice(0, warmBatches));
    const timed = rows.batches.slice(warmBatches);
    const c0 = threadCpuMs();
    const t0 = nowMs();
    const n = raw.insert(timed);
    const elapsed = nowMs() - t0;
    const cpu = threadCpuMs() - c0;
    return { rate: (n / elapsed) * 1000, cpuRate: (n / cpu) * 1000, allCpuRate: (n / cpu) * 1000, counts: countRows(raw.db) };
  } finally {
    raw.close();
    removeDb(file);
  }
}

function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * One receiver run: a collector (with `options`) on a fresh file, fed by the sender thread;
 * `dropIndex`: without that index (dropped before the first span arrives).
 */
export async function measureReceiver(plan: Plan, encoding: Encoding, expect: Counts, options: Partial<CollectorOptions> = {}, dropIndex: string | null = null): Promise<Rates & { mb: number }> {
  const file = tempDb(encoding);
  const collector = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: file, ...options });
  if (dropIndex) collector.store.db.exec(`DROP INDEX ${dropIndex}`);
  const worker = new Worker(__filename, { workerData: { plan, encoding, port: collector.httpPort } });
  try {
    const result = await new Promise<{ elapsedMs: number; cpuMs: number; allCpuMs: number; failures: string[]; bytes: number }>((resolve, reject) => {
      let bytes = 0;
      let cpu0 = 0;
      let all0 = 0;
      worker.on('message', (m: { type: string; bytes?: number; elapsedMs?: number; senderCpuMs?: number; failures?: string[] }) => {
        if (m.type === 'ready') {
          bytes = m.bytes!;
          worker.postMessage('go');
        } else if (m.type === 'timed') {
          cpu0 = threadCpuMs();
          all0 = processCpuMs();
        } else if (m.type === 'done') {
          // The whole process's CPU less the sender's thread: the collector's threads.
          const allCpuMs = processCpuMs() - all0 - m.senderCpuMs!;
          resolve({ elapsedMs: m.elapsedMs!, cpuMs: threadCpuMs() - cpu0, allCpuMs, failures: m.failures!, bytes });
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`sender thread exited (${code}) before finishing`)));
    });
    if (result.failures.length) throw new Error(`${encoding}: ${result.failures.length} failed requests, first: ${result.failures[0]}`);
    const got = countRows(collector.store.db);
    if (got.spans !== expect.spans || got.calls !== expect.calls || got.traces !== expect.traces) {
      throw new Error(`${encoding}: stored ${JSON.stringify(got)}, the raw reference holds ${JSON.stringify(expect)}`);
    }
    return {
      rate: (plan.spans / result.elapsedMs) * 1000,
      cpuRate: (plan.spans / result.cpuMs) * 1000,
      allCpuRate: (plan.spans / result.allCpuMs) * 1000,
      mb: result.bytes / 1e6,
    };
  } finally {
    await worker.terminate();
    await collector.stop();
    removeDb(file);
  }
}

export const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

export const medianRates = (rs: Rates[]): Rates => ({
  rate: median(rs.map((r) => r.rate)),
  cpuRate: median(rs.map((r) => r.cpuRate)),
  allCpuRate: median(rs.map((r) => r.allCpuRate)),
});
