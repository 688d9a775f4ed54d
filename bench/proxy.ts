// Recording-proxy benchmark (issue 3, "Figures"), measured in one run:
//   (a) time to first token added by the proxy versus going direct, p50 and p99, at 10
//       concurrent streams against a paced fake upstream;
//   (b) throughput with recording on versus a bare `pipe()` proxy on the same machine, with
//       every body checked byte-identical to the direct answer.
//
//   (d) with --checks: time to first token through the real collector's proxy (store, analysis
//       runner) with the guardrail checks off, on, and on in privacy mode (content redacted before
//       it is stored), on calls with 4 KB of text holding an e-mail address and a key.
//
//   node_modules/.bin/node scripts/run-ts.mjs bench/proxy.ts [--streams 10] [--per-stream 60]
//        [--requests 3000] [--concurrency 16] [--rounds 3] [--checks]
//
// This thread is the load client (the app); a worker thread runs the fake upstreams (the
// provider); a child process runs the two proxies (Spyglass), so their CPU time can be read
// apart (process.cpuUsage): on a busy 2-core machine wall-clock rates are noisy, CPU per
// request is not, and its ratio is the throughput ratio when the proxy is the bottleneck.
// The sink counts captures: the store's own cost is the collector's ingest bench.

import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { fork, type ChildProcess } from 'node:child_process';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { startHttpServer } from '../src/capture/http-server';
import { RecordingProxy } from '../src/capture/proxy';
import type { ProxyCapture, SpanSink } from '../src/capture/sink';
import { FakeServer } from '../test/fakes/fake-server';
import { chatCompletionFrames } from '../test/fakes/openai-fake';
import { Collector } from '../src/collector/collector';
import fs from 'node:fs';
import path from 'node:path';

interface Plan {
  streams: number;
  perStream: number;
  requests: number;
  concurrency: number;
  rounds: number;
}

function parseArgs(argv: string[]): Plan {
  const get = (name: string, dflt: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  return { streams: get('streams', 10), perStream: get('per-stream', 60), requests: get('requests', 3000), concurrency: get('concurrency', 16), rounds: get('rounds', 3) };
}

// ---- the upstream worker: a paced stream for TTFT, an unpaced one for throughput ----

const PACED_FRAMES = chatCompletionFrames({ content: Array.from({ length: 12 }, (_, i) => `token${i}`).join(' '), usage: { prompt: 20, completion: 12 } }, { includeUsage: true });
const FAST_FRAMES = chatCompletionFrames({ content: Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '), usage: { prompt: 30, completion: 60 } }, { includeUsage: true });

async function upstreamWorker(): Promise<void> {
  const paced = await new FakeServer(() => ({ type: 'stream', frames: PACED_FRAMES, firstDelayMs: 20, delayMs: 3 })).listen();
  const fast = await new FakeServer(() => ({ type: 'stream', frames: FAST_FRAMES })).listen();
  // The fakes keep every request for tests; a bench must not grow without bound.
  setInterval(() => {
    for (const f of [paced, fast]) {
      f.requests.length = 0;
      f.responses.length = 0;
    }
  }, 500).unref();
  parentPort!.postMessage({ paced: paced.url, fast: fast.url });
}

// ---- the proxy worker: the recording proxy and a bare pipe() proxy, side by side ----

class CountingSink implements SpanSink {
  captures = 0;
  outputChars = 0;
  async ingest() {
    return { acceptedSpans: 0, acceptedLogs: 0, rejectedSpans: 0, rejectedLogs: 0, errors: [] };
  }
  async recordProxyCall(c: ProxyCapture) {
    this.captures++;
    // Touch what a store would read so the work cannot be skipped.
    this.outputChars += c.responseBody.length + (c.call.outputTokens ?? 0);
  }
}

/** The reference a proxy is compared with: stream the upstream answer back with pipe(), nothing else. */
function startBarePipeProxy(upstreams: Record<string, string>): Promise<http.Server> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo', timeout: 4_000, noDelay: true });
  const server = http.createServer((req, res) => {
    const m = /^\/proxy\/([^/]+)(\/.*)?$/.exec(req.url ?? '');
    const base = m ? upstreams[m[1]!] : undefined;
    if (!m || !base) {
      res.writeHead(404).end();
      return;
    }
    const target = new URL(base);
    const headers = { ...req.headers, host: target.host };
    delete headers.connection;
    const up = http.request({ hostname: target.hostname, port: target.port, path: m[2] ?? '/', method: req.method, headers, agent }, (upRes) => {
      const h = { ...upRes.headers };
      delete h.connection;
      delete h['transfer-encoding'];
      delete h['keep-alive'];
      res.writeHead(upRes.statusCode ?? 502, h);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function proxyProcess(upstreams: Record<string, string>): Promise<void> {
  const sink = new CountingSink();
  const proxy = new RecordingProxy({ sink, upstreams, onRecordError: (e) => console.error('record error', e) });
  const recording = await startHttpServer({ port: 0, routes: proxy.routes });
  const bare = await startBarePipeProxy(upstreams);
  // The real collector, three times: checks off, on, on in privacy mode (for --checks).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-proxy-bench-'));
  const collectors = process.argv.includes('--checks')
    ? await Promise.all(
        ([{ analyses: false }, {}, { privacyMode: true }] as const).map((o, i) =>
          Collector.start({ httpPort: 0, grpcPort: null, dbPath: path.join(dir, `c${i}.db`), upstreams: { paced: upstreams.paced! }, alertsEnabled: false, ...o })),
      )
    : [];
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  process.on('message', (msg: string) => {
    if (msg === 'cpu') {
      // Recording finishes after each response; count it in the phase it belongs to.
      void proxy.flush().then(() => {
        const u = process.cpuUsage();
        process.send!({ cpuUs: u.user + u.system, captures: sink.captures });
      });
    } else if (msg === 'exit') process.exit(0);
  });
  process.send!({ recording: recording.port, bare: (bare.address() as AddressInfo).port, collectors: collectors.map((c) => c.httpPort) });
}

// ---- the load client ----

// Idle sockets close before the servers' 5 s keep-alive timeout would reset them under us.
const clientAgent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 4_000 });

interface Result {
  ttftMs: number;
  body: Buffer;
}

function request(url: string, body: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(url, { method: 'POST', agent: clientAgent, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      let ttft = -1;
      res.on('data', (c: Buffer) => {
        if (ttft < 0) ttft = performance.now() - start;
        chunks.push(c);
      });
      res.on('end', () => (res.statusCode === 200 ? resolve({ ttftMs: ttft, body: Buffer.concat(chunks) }) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const BODY = JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Benchmark me.' }] });
// 4 KB of text the checks read, with an e-mail address and a key in it (for --checks).
const CHECKED_TEXT = `${'Please summarise the refund policy for damaged parcels and tell me the next steps. '.repeat(48)}Mail me at kai.berg@fjordline-mail.no; the staging key is ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8.`;
const CHECKED_BODY = JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'system', content: 'You are a support assistant.' }, { role: 'user', content: CHECKED_TEXT }] });

/** TTFT direct, through the bare pipe() proxy and through the recording proxy, interleaved. */
async function ttftPhase(plan: Plan, targets: string[], expected: Buffer, body = BODY) {
  const samples: number[][] = targets.map(() => []);
  let mismatches = 0;
  const worker = async (w: number) => {
    for (let i = 0; i < plan.perStream * targets.length; i++) {
      // Interleaved, so all targets see the same machine state.
      const t = (i + w) % targets.length;
      const r = await request(targets[t]!, body);
      if (!r.body.equals(expected)) mismatches++;
      samples[t]!.push(r.ttftMs);
    }
  };
  await Promise.all(Array.from({ length: plan.streams }, (_, w) => worker(w)));
  const stats = samples.map((xs) => {
    xs.sort((a, b) => a - b);
    return { p50: pct(xs, 50), p99: pct(xs, 99), n: xs.length };
  });
  return { stats, mismatches };
}

function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

async function throughputPhase(url: string, total: number, concurrency: number, expected: Buffer, proxyChild: ChildProcess) {
  let next = 0;
  let mismatches = 0;
  const cpu0 = (await ask<{ cpuUs: number }>(proxyChild, 'cpu')).cpuUs;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const r = await request(url, BODY);
        if (!r.body.equals(expected)) mismatches++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = (await ask<{ cpuUs: number }>(proxyChild, 'cpu')).cpuUs;
  return { rps: total / seconds, cpuUsPerRequest: (cpu1 - cpu0) / total, mismatches };
}

function waitMessage<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

async function main(): Promise<void> {
  const plan = parseArgs(process.argv.slice(2));
  const upstreamThread = new Worker(__filename);
  const up = await waitMessage<{ paced: string; fast: string }>(upstreamThread);
  // SPYGLASS_BENCH_PROF=<dir> writes a CPU profile of the proxy process there.
  const prof = process.env.SPYGLASS_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SPYGLASS_BENCH_PROF}`] : [];
  const proxyChild = fork(__filename, ['--proxy-role', JSON.stringify({ paced: up.paced, fast: up.fast }), ...(process.argv.includes('--checks') ? ['--checks'] : [])], { execArgv: ['--enable-source-maps', ...prof] });
  const ports = await new Promise<{ recording: number; bare: number; collectors: number[] }>((resolve, reject) => {
    proxyChild.once('message', (m) => resolve(m as { recording: number; bare: number; collectors: number[] }));
    proxyChild.once('error', reject);
  });
  const via = (port: number, route: string) => `http://127.0.0.1:${port}/proxy/${route}/v1/chat/completions`;

  const pacedExpected = (await request(`${up.paced}/v1/chat/completions`, BODY)).body;
  const fastExpected = (await request(`${up.fast}/v1/chat/completions`, BODY)).body;
  if (ports.collectors.length > 0) await checksPhase(plan, up.paced, ports.collectors, via, pacedExpected);

  const targets = [`${up.paced}/v1/chat/completions`, via(ports.bare, 'paced'), via(ports.recording, 'paced')];
  // Warm-up: connections, JIT.
  await ttftPhase({ ...plan, perStream: 5 }, targets, pacedExpected);
  for (const port of [ports.bare, ports.recording]) await throughputPhase(via(port, 'fast'), 500, plan.concurrency, fastExpected, proxyChild);

  console.log(`# load average at the start: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  console.log(`# proxy bench: ${plan.streams} concurrent paced streams (first token after 20 ms), ${plan.perStream} requests per stream and target; throughput ${plan.requests} requests at concurrency ${plan.concurrency}, ${plan.rounds} rounds`);
  const t = await ttftPhase(plan, targets, pacedExpected);
  const [d, b, r] = t.stats as [{ p50: number; p99: number; n: number }, { p50: number; p99: number; n: number }, { p50: number; p99: number; n: number }];
  console.log(`(a) TTFT direct            p50 ${d.p50.toFixed(2)} ms  p99 ${d.p99.toFixed(2)} ms   (${d.n} samples each; body mismatches ${t.mismatches})`);
  console.log(`    TTFT bare pipe() proxy p50 ${b.p50.toFixed(2)} ms  p99 ${b.p99.toFixed(2)} ms   added p50 ${(b.p50 - d.p50).toFixed(3)} ms  p99 ${(b.p99 - d.p99).toFixed(3)} ms`);
  console.log(`    TTFT recording proxy   p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms   added p50 ${(r.p50 - d.p50).toFixed(3)} ms (target <= 1)  p99 ${(r.p99 - d.p99).toFixed(3)} ms (target <= 5)`);
  console.log(`    recording vs bare proxy: p50 ${(r.p50 - b.p50).toFixed(3)} ms  p99 ${(r.p99 - b.p99).toFixed(3)} ms`);

  const bare: Array<Awaited<ReturnType<typeof throughputPhase>>> = [];
  const rec: Array<Awaited<ReturnType<typeof throughputPhase>>> = [];
  for (let r = 0; r < plan.rounds; r++) {
    bare.push(await throughputPhase(via(ports.bare, 'fast'), plan.requests, plan.concurrency, fastExpected, proxyChild));
    rec.push(await throughputPhase(via(ports.recording, 'fast'), plan.requests, plan.concurrency, fastExpected, proxyChild));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bareRps = median(bare.map((x) => x.rps));
  const recRps = median(rec.map((x) => x.rps));
  const bareCpu = median(bare.map((x) => x.cpuUsPerRequest));
  const recCpu = median(rec.map((x) => x.cpuUsPerRequest));
  const mism = [...bare, ...rec].reduce((n, x) => n + x.mismatches, 0);
  console.log(`(b) bare pipe() proxy   ${bareRps.toFixed(0)} req/s   proxy CPU ${bareCpu.toFixed(0)} us/request`);
  console.log(`    recording proxy     ${recRps.toFixed(0)} req/s   proxy CPU ${recCpu.toFixed(0)} us/request   (${FAST_FRAMES.length} SSE frames, ${fastExpected.length} bytes each; body mismatches ${mism})`);
  console.log(`    throughput ratio (req/s) ${(recRps / bareRps).toFixed(3)}   per-round ${rec.map((x, i) => (x.rps / bare[i]!.rps).toFixed(3)).join(' ')}`);
  console.log(`    capacity ratio (CPU/request, bare / recording) ${(bareCpu / recCpu).toFixed(3)}   (target >= 0.85)   per-round ${rec.map((x, i) => (bare[i]!.cpuUsPerRequest / x.cpuUsPerRequest).toFixed(3)).join(' ')}`);
  // (c) The same comparison with streams paced as real ones are (each token its own write):
  // forwarding then costs a read and a write per token for both proxies.
  const pacedBare: number[] = [];
  const pacedRec: number[] = [];
  for (let r = 0; r < Math.max(1, Math.ceil(plan.rounds / 2)); r++) {
    pacedBare.push((await throughputPhase(via(ports.bare, 'paced'), plan.streams * 40, plan.streams, pacedExpected, proxyChild)).cpuUsPerRequest);
    pacedRec.push((await throughputPhase(via(ports.recording, 'paced'), plan.streams * 40, plan.streams, pacedExpected, proxyChild)).cpuUsPerRequest);
  }
  const pb = median(pacedBare);
  const pr = median(pacedRec);
  console.log(`(c) paced streams (${PACED_FRAMES.length} frames, 3 ms apart): proxy CPU bare ${pb.toFixed(0)} us/request, recording ${pr.toFixed(0)} us/request, capacity ratio ${(pb / pr).toFixed(3)}`);
  const stats = await ask<{ captures: number }>(proxyChild, 'cpu');
  console.log(`    captures recorded: ${stats.captures}   load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  clientAgent.destroy();
  proxyChild.send('exit');
  await upstreamThread.terminate();
}

/** (d): direct against the collector's proxy with checks off, on, and on in privacy mode, interleaved. */
async function checksPhase(plan: Plan, paced: string, collectors: number[], via: (port: number, route: string) => string, expected: Buffer): Promise<void> {
  const targets = [`${paced}/v1/chat/completions`, ...collectors.map((p) => via(p, 'paced'))];
  await ttftPhase({ ...plan, perStream: 5 }, targets, expected, CHECKED_BODY);
  console.log(`# load average at the start of (d): ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  const rounds = Array.from({ length: plan.rounds }, () => null);
  const all: Array<Array<{ p50: number; p99: number }>> = [];
  for (const _ of rounds) all.push((await ttftPhase(plan, targets, expected, CHECKED_BODY)).stats);
  const names = ['direct', 'collector, checks off', 'collector, checks on', 'collector, checks on + privacy mode'];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const p50 = names.map((_, t) => median(all.map((r) => r[t]!.p50)));
  const p99 = names.map((_, t) => median(all.map((r) => r[t]!.p99)));
  console.log(`(d) TTFT through the real collector, ${CHECKED_BODY.length} B requests (medians of ${plan.rounds} rounds):`);
  names.forEach((n, t) => console.log(`    ${n.padEnd(36)} p50 ${p50[t]!.toFixed(2)} ms  p99 ${p99[t]!.toFixed(2)} ms${t > 0 ? `   added p50 ${(p50[t]! - p50[0]!).toFixed(3)} ms  p99 ${(p99[t]! - p99[0]!).toFixed(3)} ms` : ''}`));
  for (const t of [2, 3]) {
    console.log(`    ${names[t]} vs checks off: p50 ratio ${(p50[t]! / p50[1]!).toFixed(3)} (per round ${all.map((r) => (r[t]!.p50 / r[1]!.p50).toFixed(3)).join(' ')}), p99 ratio ${(p99[t]! / p99[1]!).toFixed(3)}`);
  }
}

const roleArg = process.argv.indexOf('--proxy-role');
if (roleArg !== -1) {
  void proxyProcess(JSON.parse(process.argv[roleArg + 1]!) as Record<string, string>);
} else if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  void upstreamWorker();
}
