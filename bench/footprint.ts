// Footprint benchmark (issue 8): the collector process as the extension runs it (forked from
// dist/cli.js with `serve --ipc`, by the extension's own forkCollector) against a reference
// measured in the same run: a bare node:http server storing bodies with better-sqlite3
// (bench/lib/reference-server.cjs). For each: time from start to listening; resident memory idle,
// after a burst of ingest (once it has settled, and again after a quiet spell, when the collector's
// helper threads have stopped), at the ingest ceiling (8 exporters sending 512-span batches as fast
// as it answers); then, each on a fresh start, with 60 connections each holding a nearly complete
// 32 MB body, and while it takes one ~20 MB body of 30,000 spans (no target: see the README).
//
//   npm run bench:footprint -- [--cli dist/cli.js] [--spans 100000] [--burst 20480] [--starts 3] [--flood 60]
//                              [--quiet 35] [--big-spans 30000] [--node-flags "…"]
// (--cli and --node-flags "" measure another build as its extension forked it, e.g. an older checkout.)
//
// Resident memory is read from /proc/<pid>/status (Linux): VmRSS sampled every 25 ms for peaks.
// Targets: idle ≤ 120 MB, ≤ 300 MB at the ceiling.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { forkCollector } from '../src/host/connection/collector-process';
import { DEFAULT_OPTIONS } from '../src/collector/collector';
import { sendAll } from './lib/http-load';
import { CONTENT_TYPE, encode } from './lib/otlp-payloads';
import { exporterBatches } from './lib/spans';
import { int, machineNote, nowMs } from './lib/timing';

const IDLE_TARGET_MB = 120;
const CEILING_TARGET_MB = 300;
// run-ts.mjs runs this from node_modules/.cache/run-ts.
const ROOT = path.resolve(__dirname, '../../..');

interface Plan {
  cli: string;
  /** Node flags the collector is forked with; undefined: the extension's own. */
  nodeFlags: string[] | undefined;
  spans: number;
  burst: number;
  starts: number;
  flood: number;
  quietS: number;
  bigSpans: number;
}

function parsePlan(argv: string[]): Plan {
  const get = (name: string, dflt: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
  };
  return {
    cli: path.resolve(get('cli', path.join(ROOT, 'dist/cli.js'))),
    nodeFlags: argv.includes('--node-flags') ? get('node-flags', '').split(' ').filter(Boolean) : undefined,
    spans: Number(get('spans', '100000')),
    burst: Number(get('burst', '20480')),
    starts: Number(get('starts', '3')),
    flood: Number(get('flood', '60')),
    quietS: Number(get('quiet', '35')),
    bigSpans: Number(get('big-spans', '30000')),
  };
}

interface Running {
  pid: number;
  port: number;
  startupMs: number;
  stop(): Promise<void>;
}

interface Subject {
  name: string;
  start(dbPath: string): Promise<Running>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

function collectorSubject(cli: string, nodeFlags: string[] | undefined): Subject {
  return {
    name: 'collector',
    async start(dbPath) {
      const t0 = nowMs();
      const r = await forkCollector({ cliPath: cli, options: { ...DEFAULT_OPTIONS, httpPort: 0, grpcPort: 0, dbPath }, execPath: process.execPath, nodeFlags });
      if (r.kind !== 'listening') throw new Error(`the collector did not start: ${JSON.stringify(r)}`);
      const startupMs = nowMs() - t0;
      return { pid: r.process.pid!, port: r.httpPort, startupMs, stop: async () => void (await r.process.stop(10_000)) };
    },
  };
}

function referenceSubject(): Subject {
  return {
    name: 'reference',
    async start(dbPath) {
      const t0 = nowMs();
      const child = spawn(process.execPath, [path.join(ROOT, 'bench/lib/reference-server.cjs'), dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
      const line = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`the reference server exited (${code})`)));
      });
      const startupMs = nowMs() - t0;
      const port = Number(/^listening http=(\d+)$/.exec(line)![1]);
      return {
        pid: child.pid!,
        port,
        startupMs,
        stop: async () => {
          child.kill('SIGTERM');
          await exited(child);
        },
      };
    },
  };
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** Samples the process's resident memory every 25 ms while `work` runs; resolves to the peak. */
async function peakDuring(pid: number, work: () => Promise<unknown>): Promise<number> {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // the process went away; the work will say why
    }
  }, 25);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssMb(pid));
}

/** Resident memory once it stops moving (within 0.5 MB over a second), or after 20 s. */
async function settledMb(pid: number): Promise<number> {
  const deadline = nowMs() + 20_000;
  const window: number[] = [];
  for (;;) {
    window.push(rssMb(pid));
    if (window.length > 5) window.shift();
    if (window.length === 5 && Math.max(...window) - Math.min(...window) < 0.5) return window.at(-1)!;
    if (nowMs() > deadline) return window.at(-1)!;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `count` connections each sending the headers and all but 4 KB of a 32 MB body, held open. */
async function flood(port: number, count: number): Promise<{ held: () => number; close: () => void }> {
  const length = 32 * 1024 * 1024 - 1;
  const chunk = Buffer.alloc(1024 * 1024, 0x0a);
  const sockets: net.Socket[] = [];
  const answered = new Set<net.Socket>();
  await Promise.all(
    Array.from({ length: count }, () => new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      sockets.push(s);
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.on('data', () => {
        answered.add(s);
        resolve();
      });
      s.write(`POST /v1/traces HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/x-protobuf\r\ncontent-length: ${length}\r\n\r\n`);
      let left = length - 4096;
      const pump = (): void => {
        while (left > 0 && !s.destroyed && !answered.has(s)) {
          const n = Math.min(left, chunk.length);
          left -= n;
          const last = left === 0;
          const ok = s.write(chunk.subarray(0, n), () => last && resolve());
          if (!ok && !last) {
            s.once('drain', pump);
            return;
          }
        }
      };
      pump();
    })),
  );
  return { held: () => sockets.filter((s) => !answered.has(s) && !s.destroyed).length, close: () => sockets.forEach((s) => s.destroy()) };
}

interface Figures {
  startupMs: number;
  idleMb: number;
  burstMb: number;
  quietMb: number;
  ceilingMb: number;
  ceilingRate: number;
  floodMb: number;
  floodHeld: number;
  bigMb: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs `fn` against a fresh instance of the subject on its own database, stopping it after. */
async function withFresh<T>(subject: Subject, dir: string, name: string, fn: (run: Running) => Promise<T>): Promise<T> {
  const run = await subject.start(path.join(dir, `${name}.db`));
  try {
    return await fn(run);
  } finally {
    await run.stop();
  }
}

async function measure(subject: Subject, plan: Plan, bodies: { burst: Buffer[]; ceiling: Buffer[]; big: Buffer | null }): Promise<Figures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spyglass-footprint-${subject.name}-`));
  try {
    const startups: number[] = [];
    for (let i = 1; i < plan.starts; i++) startups.push(await withFresh(subject, dir, `start-${i}`, async (r) => r.startupMs));
    const f = await withFresh(subject, dir, 'load', async (run) => {
      startups.push(run.startupMs);
      const idleMb = await settledMb(run.pid);
      const burst = await sendAll(run.port, bodies.burst, CONTENT_TYPE.protobuf, 8);
      if (burst.failures.length) throw new Error(`${subject.name}: burst: ${burst.failures[0]}`);
      const burstMb = await settledMb(run.pid);
      // Long enough for the collector's helper threads to stop when idle (20 s and 30 s).
      await new Promise((r) => setTimeout(r, plan.quietS * 1000));
      const quietMb = await settledMb(run.pid);
      let elapsed = 0;
      const ceilingMb = await peakDuring(run.pid, async () => {
        const r = await sendAll(run.port, bodies.ceiling, CONTENT_TYPE.protobuf, 8);
        if (r.failures.length) throw new Error(`${subject.name}: ceiling: ${r.failures[0]}`);
        elapsed = r.elapsedMs;
      });
      return { idleMb, burstMb, quietMb, ceilingMb, ceilingRate: (plan.spans / elapsed) * 1000 };
    });
    let floodHeld = 0;
    const floodMb = plan.flood === 0 ? NaN : await withFresh(subject, dir, 'flood', async (run) => {
      await settledMb(run.pid);
      return peakDuring(run.pid, async () => {
        const held = await flood(run.port, plan.flood);
        // Held bodies sit in memory now; a moment for the peak to be sampled.
        await new Promise((r) => setTimeout(r, 500));
        floodHeld = held.held();
        held.close();
      });
    });
    const big = bodies.big;
    const bigMb = big === null ? NaN : await withFresh(subject, dir, 'big', async (run) => {
      await settledMb(run.pid);
      return peakDuring(run.pid, async () => {
        const r = await sendAll(run.port, [big], CONTENT_TYPE.protobuf, 1);
        if (r.failures.length) throw new Error(`${subject.name}: one big body: ${r.failures[0]}`);
      });
    });
    return { startupMs: median(startups), ...f, floodMb, floodHeld, bigMb };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const plan = parsePlan(process.argv.slice(2));
  if (!fs.existsSync('/proc/self/status')) throw new Error('bench:footprint reads /proc/<pid>/status: Linux only');
  console.log(`footprint bench: ${plan.cli}${plan.nodeFlags ? ` with node flags [${plan.nodeFlags.join(' ')}]` : ''}, node ${process.version}, ${machineNote()}`);
  console.log(`burst ${int(plan.burst)} spans, ceiling ${int(plan.spans)} spans at 8 concurrent exporters, flood ${plan.flood} × 32 MB held bodies; targets: idle ≤ ${IDLE_TARGET_MB} MB, ceiling ≤ ${CEILING_TARGET_MB} MB`);
  const encodeAll = (spans: number, seed: number) =>
    exporterBatches({ seed, spans, startUs: Math.floor(Date.now() / 60_000) * 60_000_000 - 3_600_000_000, gapUs: 2_000, batchSpans: 512 }).map((b) => encode('protobuf', b));
  const bodies = { burst: encodeAll(plan.burst, 5), ceiling: encodeAll(plan.spans, 11), big: plan.bigSpans > 0 ? encode('protobuf', exporterBatches({ seed: 3, spans: plan.bigSpans, startUs: Date.now() * 1000 - 3_600_000_000, gapUs: 2_000, batchSpans: plan.bigSpans })[0]!) : null };
  const reference = await measure(referenceSubject(), plan, bodies);
  const collector = await measure(collectorSubject(plan.cli, plan.nodeFlags), plan, bodies);
  const row = (what: string, c: number, r: number, unit: string, target?: number) => {
    const verdict = target === undefined ? '' : c <= target ? `  (target ≤ ${target}: met)` : `  (target ≤ ${target}: MISSED)`;
    console.log(`${what.padEnd(34)} collector ${c.toFixed(0).padStart(5)} ${unit}  reference ${r.toFixed(0).padStart(5)} ${unit}  ratio ${(c / r).toFixed(2)}${verdict}`);
  };
  row('start to listening', collector.startupMs, reference.startupMs, 'ms');
  row('resident memory idle', collector.idleMb, reference.idleMb, 'MB', IDLE_TARGET_MB);
  row('resident memory after a burst', collector.burstMb, reference.burstMb, 'MB');
  row(`  … and ${plan.quietS} s later`, collector.quietMb, reference.quietMb, 'MB');
  row('resident memory at the ceiling', collector.ceilingMb, reference.ceilingMb, 'MB', CEILING_TARGET_MB);
  if (plan.flood > 0) {
    row(`resident memory, ${plan.flood} × 32 MB bodies`, collector.floodMb, reference.floodMb, 'MB', CEILING_TARGET_MB);
    console.log(`  bodies held at once: collector ${collector.floodHeld}, reference ${reference.floodHeld}`);
  }
  if (bodies.big) row(`peak, one ${(bodies.big.length / 1e6).toFixed(0)} MB body (${int(plan.bigSpans)} spans)`, collector.bigMb, reference.bigMb, 'MB');
  console.log(`ingest rate at the ceiling: collector ${int(collector.ceilingRate)} spans/s, reference ${int(reference.ceilingRate)} spans/s (bodies stored undecoded)`);
  const ok = collector.idleMb <= IDLE_TARGET_MB && collector.ceilingMb <= CEILING_TARGET_MB && !(collector.floodMb > CEILING_TARGET_MB);
  console.log(`targets ${ok ? 'all met' : 'NOT all met'}; ${machineNote()}`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
