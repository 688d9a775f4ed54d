// Ingest benchmark (issue 2, "Figures"): spans/s stored through the real OTLP/HTTP receiver
// (protobuf and JSON) against the raw better-sqlite3 insert rate of the same rows into the same
// schema and indexes, measured in one run.
//
//   npm run bench:ingest -- [--spans 100000] [--warmup 10240] [--batch 512] [--concurrency 8]
//                           [--encodings protobuf,json] [--repeat 3]
//
// The collector runs in this process with a fresh database file per encoding: its own thread
// answers HTTP and runs SQL, its preparing thread decodes and analyses bodies, its checkpoint
// thread copies the WAL into the file. The senders run in another worker thread (the app's
// process, in real life), posting bodies that were encoded before the clock starts. A run counts
// as stored only when every request got a 200 and the database holds every span and LLM call the
// raw reference holds. Raw inserts run on one thread with SQLite's own checkpoints. The warm-up
// batches are answered before the clock starts (the preparing thread started, the tokenizer tables
// for calls without usage built), so the figure is its steady state.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Collector } from '../src/collector/collector';
import { createAnalyzer } from '../src/collector/analyzer';
import { sendAll } from './lib/http-load';
import { CONTENT_TYPE, encode, type Encoding } from './lib/otlp-payloads';
import { captureWriterRows, openRawInserter, type RawRows } from './lib/raw-rows';
import { exporterBatches } from './lib/spans';
import { int, machineNote, nowMs, threadCpuMs } from './lib/timing';

interface Plan {
  spans: number;
  warmup: number;
  batch: number;
  concurrency: number;
  encodings: Encoding[];
  repeat: number;
  baseUs: number;
}

const WARM_SEED = 7;
const TIMED_SEED = 11;
const TARGET_RATIO = 0.75;
const TARGET_RATE = 20_000;

function parseArgs(argv: string[]): Plan {
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
    // An hour ago, so every span is recent and lands in a handful of minute rollups.
    baseUs: Math.floor(Date.now() / 60_000) * 60_000_000 - 3_600_000_000,
  };
}

function batchesOf(plan: Plan) {
  // Trace starts ~2 ms apart: a busy app, a few hundred traces per minute.
  const warm = exporterBatches({ seed: WARM_SEED, spans: plan.warmup, startUs: plan.baseUs, gapUs: 2_000, batchSpans: plan.batch });
  const timed = exporterBatches({ seed: TIMED_SEED, spans: plan.spans, startUs: plan.baseUs + 600_000_000, gapUs: 2_000, batchSpans: plan.batch });
  return { warm, timed };
}

// ---- the sender thread ----

async function clientMain(): Promise<void> {
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

interface Counts {
  spans: number;
  calls: number;
  traces: number;
}

function countRows(db: import('better-sqlite3').Database): Counts {
  const n = (t: string) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
  return { spans: n('spans'), calls: n('llm_calls'), traces: n('traces') };
}

interface Rates {
  /** Spans per second of wall-clock time. */
  rate: number;
  /** Spans per second of the writing thread's CPU time (what the rate would be with no one else on its core). */
  cpuRate: number;
  /** Spans per second of CPU time of all the collector's threads (raw: its one thread). */
  allCpuRate: number;
}

function captureRaw(plan: Plan): { rows: RawRows; warmBatches: number } {
  const { warm, timed } = batchesOf(plan);
  const { analyzer } = createAnalyzer([]);
  return { rows: captureWriterRows([...warm, ...timed], analyzer), warmBatches: warm.length };
}

function measureRaw({ rows, warmBatches }: { rows: RawRows; warmBatches: number }): Rates & { counts: Counts } {
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

async function measureReceiver(plan: Plan, encoding: Encoding, expect: Counts): Promise<Rates & { mb: number }> {
  const file = tempDb(encoding);
  const collector = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: file });
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

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

function verdict(r: Rates, raw: Rates, key: keyof Rates): { text: string; met: boolean } {
  const ratio = r[key] / raw[key];
  const met = ratio >= TARGET_RATIO && r[key] >= TARGET_RATE;
  return { text: `${int(r[key])} spans/s = ${ratio.toFixed(2)} of raw (${int(raw[key])} spans/s): ${met ? 'met' : 'MISSED'}`, met };
}

async function main(): Promise<void> {
  const plan = parseArgs(process.argv.slice(2));
  console.log(
    `ingest bench: ${int(plan.spans)} timed spans (+${int(plan.warmup)} warm-up) in batches of ${plan.batch}, ` +
      `${plan.concurrency} concurrent senders, ${plan.repeat} rounds, node ${process.version}, ${machineNote()}`,
  );
  console.log(`targets: ≥ ${TARGET_RATIO} of the raw insert rate and ≥ ${int(TARGET_RATE)} spans/s, wall clock; "cpu" rates divide by the writing thread's CPU time, "all cpu" by all the collector's threads`);
  const captured = captureRaw(plan);
  const raws: Rates[] = [];
  const got: Record<string, Rates[]> = {};
  for (let round = 0; round < plan.repeat; round++) {
    // Rounds interleave the three measures, so a busy spell on the machine hits all of them.
    const raw = measureRaw(captured);
    raws.push(raw);
    console.log(
      `round ${round + 1}: raw better-sqlite3 inserts: wall ${int(raw.rate)} spans/s, cpu ${int(raw.cpuRate)} spans/s ` +
        `(${int(raw.counts.spans)} spans, ${int(raw.counts.calls)} LLM calls, ${int(raw.counts.traces)} traces)`,
    );
    for (const encoding of plan.encodings) {
      const r = await measureReceiver(plan, encoding, raw.counts);
      (got[encoding] ??= []).push(r);
      console.log(`round ${round + 1}: ingest ${encoding}: wall ${int(r.rate)} spans/s, cpu ${int(r.cpuRate)} spans/s, all cpu ${int(r.allCpuRate)} spans/s [${r.mb.toFixed(1)} MB of bodies]`);
    }
  }
  const med = (rs: Rates[]): Rates => ({
    rate: median(rs.map((r) => r.rate)),
    cpuRate: median(rs.map((r) => r.cpuRate)),
    allCpuRate: median(rs.map((r) => r.allCpuRate)),
  });
  const raw = med(raws);
  let ok = true;
  console.log(`medians over ${plan.repeat} round(s):`);
  for (const encoding of plan.encodings) {
    const r = med(got[encoding]!);
    const wall = verdict(r, raw, 'rate');
    const cpu = verdict(r, raw, 'cpuRate');
    ok &&= wall.met;
    console.log(`ingest ${encoding}: wall ${wall.text}; cpu ${cpu.text}; all cpu ${int(r.allCpuRate)} spans/s (${(1e6 / r.allCpuRate).toFixed(0)} µs a span)`);
  }
  console.log(`targets ${ok ? 'all met' : 'NOT all met'} (wall clock); ${machineNote()}`);
  process.exitCode = ok ? 0 : 1;
}

if (isMainThread) {
  main().catch((err) => {
    console.error(err);
    process.exit(2);
  });
} else {
  clientMain().catch((err) => {
    console.error(err);
    process.exit(2);
  });
}
