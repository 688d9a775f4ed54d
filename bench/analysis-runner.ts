// Analysis runner benchmark (issue 9, "post-capture analysis, off the capture path"):
//   1. bench:ingest's measure (OTLP/HTTP protobuf into a real collector) with the analysis
//      runner on against off, rounds interleaved: at most 10% slower;
//   2. a burst of `--burst-s` seconds (default 60) at the ingest ceiling (8 senders posting as fast
//      as they are answered), runner on: how far behind the runner is when the burst ends (calls
//      stored but not analysed yet), and how fast it catches up after (calls/s), against the rate
//      calls arrived at during the burst.
//
//   npm run bench:analysis -- [--spans 100000] [--repeat 3] [--burst-s 60] [--concurrency 8]

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Collector } from '../src/collector/collector';
import { captureRaw, clientMain, measureRaw, measureReceiver, medianRates, parseArgs, type Plan, type Rates } from './lib/ingest-run';
import { CONTENT_TYPE, encode } from './lib/otlp-payloads';
import { exporterBatches } from './lib/spans';
import { int, machineNote, nowMs } from './lib/timing';

const TARGET_RATIO = 0.9;
/** The first bytes of every trace id in the burst's bodies, replaced per pass so each pass stores new traces. */
const MAGIC = Buffer.from('deadbeef', 'hex');
const POOL_BATCHES = 100;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

// ---- the burst's sender thread ----

interface BurstData {
  kind: 'burst';
  port: number;
  seconds: number;
  concurrency: number;
  batch: number;
}

async function burstSender(d: BurstData): Promise<void> {
  const pool = exporterBatches({ seed: 23, spans: POOL_BATCHES * d.batch, startUs: Date.now() * 1000 - 1_800_000_000, gapUs: 2_000, batchSpans: d.batch })
    .map((spans) => encode('protobuf', spans.map((s) => ({ ...s, traceId: 'deadbeef' + s.traceId.slice(8) }))));
  const offsets = pool.map((body) => {
    const at: number[] = [];
    for (let i = body.indexOf(MAGIC); i >= 0; i = body.indexOf(MAGIC, i + 1)) at.push(i);
    return at;
  });
  const spansPerBody = pool.map(() => d.batch);
  parentPort!.postMessage({ type: 'ready' });
  await new Promise((resolve) => parentPort!.once('message', resolve));
  const agent = new http.Agent({ keepAlive: true, maxSockets: d.concurrency });
  const deadline = nowMs() + d.seconds * 1000;
  let next = 0;
  let spans = 0;
  const failures: string[] = [];
  const t0 = nowMs();
  const lane = async () => {
    while (nowMs() < deadline) {
      const n = next++;
      const i = n % pool.length;
      const body = Buffer.from(pool[i]!);
      const pass = Math.floor(n / pool.length) + 1;
      for (const at of offsets[i]!) body.writeUInt32BE(pass, at);
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: d.port, path: '/v1/traces', method: 'POST', agent,
          headers: { 'content-type': CONTENT_TYPE.protobuf, 'content-length': body.length } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      }).catch(() => 0);
      if (status === 200) spans += spansPerBody[i]!;
      else failures.push(`request ${n}: ${status}`);
    }
  };
  await Promise.all(Array.from({ length: d.concurrency }, lane));
  agent.destroy();
  parentPort!.postMessage({ type: 'done', elapsedMs: nowMs() - t0, spans, failures });
}

// ---- the collector's side ----

async function ingestOnOff(plan: Plan): Promise<boolean> {
  const captured = captureRaw(plan);
  const on: Rates[] = [];
  const off: Rates[] = [];
  for (let round = 0; round < plan.repeat; round++) {
    const raw = measureRaw(captured);
    // Alternate which goes first, so a busy spell on the machine does not always hit the same one.
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const analyses of order) {
      const r = await measureReceiver(plan, 'protobuf', raw.counts, { analyses });
      (analyses ? on : off).push(r);
      console.log(`round ${round + 1}: runner ${analyses ? 'on ' : 'off'}: wall ${int(r.rate)} spans/s, collector thread cpu ${int(r.cpuRate)} spans/s, all cpu ${int(r.allCpuRate)} spans/s`);
    }
  }
  const a = medianRates(on);
  const b = medianRates(off);
  const ratio = a.rate / b.rate;
  const met = ratio >= TARGET_RATIO;
  console.log(`ingest with the runner on: ${int(a.rate)} spans/s = ${ratio.toFixed(3)} of off (${int(b.rate)} spans/s), ` +
    `${((1 - ratio) * 100).toFixed(1)}% slower; target ≤ ${Math.round((1 - TARGET_RATIO) * 100)}% slower: ${met ? 'met' : 'MISSED'}`);
  const best = (rs: Rates[], k: keyof Rates) => Math.max(...rs.map((r) => r[k]));
  console.log(`  best round: on ${int(best(on, 'rate'))} spans/s = ${(best(on, 'rate') / best(off, 'rate')).toFixed(3)} of off (${int(best(off, 'rate'))} spans/s)`);
  console.log(`  the collector's thread (answers exporters, writes): ${int(a.cpuRate)} spans/s of its CPU on = ${(a.cpuRate / b.cpuRate).toFixed(3)} of off (${int(b.cpuRate)})`);
  console.log(`  all threads' CPU: on ${int(a.allCpuRate)} spans/s = ${(a.allCpuRate / b.allCpuRate).toFixed(3)} of off (${int(b.allCpuRate)}; the runner's own thread counts in "on")`);
  console.log(`  per round, wall on/off: ${on.map((r, i) => (r.rate / off[i]!.rate).toFixed(3)).join(', ')}`);
  return met;
}

async function burst(seconds: number, concurrency: number, batch: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-bench-analysis-'));
  const collector = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: path.join(dir, 'burst.db') });
  const runner = collector.analysisRunner!;
  const worker = new Worker(__filename, { workerData: { kind: 'burst', port: collector.httpPort, seconds, concurrency, batch } satisfies BurstData });
  const pending = () => Math.max(...runner.status().map((s) => s.pending));
  const calls = () => collector.store.db.prepare('SELECT count(*) FROM llm_calls').pluck().get() as number;
  try {
    const done = await new Promise<{ elapsedMs: number; spans: number; failures: string[] }>((resolve, reject) => {
      worker.on('message', (m: { type: string }) => {
        if (m.type === 'ready') worker.postMessage('go');
        else if (m.type === 'done') resolve(m as unknown as { elapsedMs: number; spans: number; failures: string[] });
      });
      worker.on('error', reject);
    });
    const tEnd = nowMs();
    const stored = calls();
    const lag = pending();
    const analysedDuring = runner.callsAnalysed;
    if (done.failures.length) console.log(`  ${done.failures.length} requests failed during the burst, first: ${done.failures[0]}`);
    const callRate = (stored / done.elapsedMs) * 1000;
    console.log(`burst of ${seconds} s at the ceiling: ${int(done.spans)} spans = ${int((done.spans / done.elapsedMs) * 1000)} spans/s stored, ` +
      `${int(stored)} LLM calls = ${int(callRate)} calls/s`);
    console.log(`  the runner analysed ${int(analysedDuring)} calls during the burst (${int((analysedDuring / done.elapsedMs) * 1000)} calls/s)`);
    console.log(`  lag when the burst ended: ${int(lag)} calls not analysed yet = ${(lag / callRate).toFixed(1)} s of the burst's arrivals`);
    const deadline = tEnd + 20 * 60_000;
    while (pending() > 0) {
      if (nowMs() > deadline) throw new Error(`the runner did not catch up within 20 minutes (${pending()} pending)`);
      await runner.idle();
      await new Promise((r) => setTimeout(r, 20));
    }
    const catchUpMs = nowMs() - tEnd;
    const rate = lag / (catchUpMs / 1000);
    console.log(`  caught up ${(catchUpMs / 1000).toFixed(1)} s after the burst: ${int(rate)} calls/s = ${(rate / callRate).toFixed(2)}× the rate calls arrived at during the burst`);
  } finally {
    await worker.terminate();
    await collector.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const plan = { ...parseArgs(process.argv.slice(2)), encodings: ['protobuf' as const] };
  const seconds = Number(arg('burst-s', '60'));
  console.log(`analysis bench: ingest of ${int(plan.spans)} spans, runner on against off, ${plan.repeat} rounds; then a ${seconds} s burst; ` +
    `node ${process.version}, ${machineNote()}`);
  const met = await ingestOnOff(plan);
  if (seconds > 0) await burst(seconds, plan.concurrency, plan.batch);
  console.log(`target ${met ? 'met' : 'NOT met'}; ${machineNote()}`);
  process.exitCode = met ? 0 : 1;
}

if (isMainThread) {
  main().catch((err) => {
    console.error(err);
    process.exit(2);
  });
} else {
  ((workerData as { kind?: string })?.kind === 'burst' ? burstSender(workerData as BurstData) : clientMain()).catch((err) => {
    console.error(err);
    process.exit(2);
  });
}
