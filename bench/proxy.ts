// Recording-proxy benchmark (issue 3, "Figures"), measured in one run:
//   (a) time to first token added by the proxy versus going direct, p50 and p99, at 10
//       concurrent streams against a paced fake upstream;
//   (b) throughput with recording on versus a bare `pipe()` proxy on the same machine, with
//       every body checked byte-identical to the direct answer.
//
//   node_modules/.bin/node scripts/run-ts.mjs bench/proxy.ts [--streams 10] [--per-stream 60]
//        [--requests 3000] [--concurrency 16] [--rounds 3]
//
// Three threads: this one is the load client (the app), one worker runs the fake upstreams (the
// provider), one runs the two proxies (Spyglass); the proxies' busy time comes from that
// worker's event-loop utilisation. The sink counts captures: the store's own cost is the
// collector's ingest bench.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startHttpServer } from '../src/capture/http-server';
import { RecordingProxy } from '../src/capture/proxy';
import type { ProxyCapture, SpanSink } from '../src/capture/sink';
import { FakeServer } from '../test/fakes/fake-server';
import { chatCompletionFrames } from '../test/fakes/openai-fake';

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
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });
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

async function proxyWorker(upstreams: Record<string, string>): Promise<void> {
  const sink = new CountingSink();
  const proxy = new RecordingProxy({ sink, upstreams, onRecordError: (e) => console.error('record error', e) });
  const recording = await startHttpServer({ port: 0, routes: proxy.routes });
  const bare = await startBarePipeProxy(upstreams);
  parentPort!.on('message', (msg: string) => {
    if (msg === 'stats') void proxy.flush().then(() => parentPort!.postMessage({ captures: sink.captures }));
  });
  parentPort!.postMessage({ recording: recording.port, bare: (bare.address() as AddressInfo).port });
}

// ---- the load client ----

const clientAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

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

async function ttftPhase(plan: Plan, direct: string, proxied: string, expected: Buffer) {
  const d: number[] = [];
  const p: number[] = [];
  let mismatches = 0;
  const worker = async (w: number) => {
    for (let i = 0; i < plan.perStream * 2; i++) {
      // Interleaved, so both see the same machine state.
      const viaProxy = (i + w) % 2 === 1;
      const r = await request(viaProxy ? proxied : direct, BODY);
      if (!r.body.equals(expected)) mismatches++;
      (viaProxy ? p : d).push(r.ttftMs);
    }
  };
  await Promise.all(Array.from({ length: plan.streams }, (_, w) => worker(w)));
  d.sort((a, b) => a - b);
  p.sort((a, b) => a - b);
  return { direct: { p50: pct(d, 50), p99: pct(d, 99) }, proxy: { p50: pct(p, 50), p99: pct(p, 99) }, samples: d.length + p.length, mismatches };
}

async function throughputPhase(url: string, total: number, concurrency: number, expected: Buffer, proxyThread: Worker) {
  let next = 0;
  let mismatches = 0;
  const elu0 = proxyThread.performance.eventLoopUtilization();
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
  const elu = proxyThread.performance.eventLoopUtilization(elu0);
  return { rps: total / seconds, busyUsPerRequest: (elu.active * 1000) / total, mismatches };
}

function waitMessage<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

async function main(): Promise<void> {
  const plan = parseArgs(process.argv.slice(2));
  const upstreamThread = new Worker(__filename, { workerData: { role: 'upstream' } });
  const up = await waitMessage<{ paced: string; fast: string }>(upstreamThread);
  const proxyThread = new Worker(__filename, { workerData: { role: 'proxy', upstreams: { paced: up.paced, fast: up.fast } } });
  const ports = await waitMessage<{ recording: number; bare: number }>(proxyThread);
  const via = (port: number, route: string) => `http://127.0.0.1:${port}/proxy/${route}/v1/chat/completions`;

  const pacedExpected = (await request(`${up.paced}/v1/chat/completions`, BODY)).body;
  const fastExpected = (await request(`${up.fast}/v1/chat/completions`, BODY)).body;

  // Warm-up: connections, JIT.
  await ttftPhase({ ...plan, perStream: 5 }, `${up.paced}/v1/chat/completions`, via(ports.recording, 'paced'), pacedExpected);
  for (const port of [ports.bare, ports.recording]) await throughputPhase(via(port, 'fast'), 500, plan.concurrency, fastExpected, proxyThread);

  console.log(`# proxy bench: ${plan.streams} concurrent paced streams x ${plan.perStream * 2} requests; throughput ${plan.requests} requests at concurrency ${plan.concurrency}, ${plan.rounds} rounds`);
  const t = await ttftPhase(plan, `${up.paced}/v1/chat/completions`, via(ports.recording, 'paced'), pacedExpected);
  const addedP50 = t.proxy.p50 - t.direct.p50;
  const addedP99 = t.proxy.p99 - t.direct.p99;
  console.log(`(a) TTFT direct  p50 ${t.direct.p50.toFixed(2)} ms  p99 ${t.direct.p99.toFixed(2)} ms`);
  console.log(`    TTFT proxied p50 ${t.proxy.p50.toFixed(2)} ms  p99 ${t.proxy.p99.toFixed(2)} ms   (${t.samples} samples, body mismatches ${t.mismatches})`);
  console.log(`    added TTFT   p50 ${addedP50.toFixed(3)} ms (target <= 1)   p99 ${addedP99.toFixed(3)} ms (target <= 5)   ratio p50 ${(t.proxy.p50 / t.direct.p50).toFixed(3)}`);

  const bare: Array<Awaited<ReturnType<typeof throughputPhase>>> = [];
  const rec: Array<Awaited<ReturnType<typeof throughputPhase>>> = [];
  for (let r = 0; r < plan.rounds; r++) {
    bare.push(await throughputPhase(via(ports.bare, 'fast'), plan.requests, plan.concurrency, fastExpected, proxyThread));
    rec.push(await throughputPhase(via(ports.recording, 'fast'), plan.requests, plan.concurrency, fastExpected, proxyThread));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bareRps = median(bare.map((x) => x.rps));
  const recRps = median(rec.map((x) => x.rps));
  const bareBusy = median(bare.map((x) => x.busyUsPerRequest));
  const recBusy = median(rec.map((x) => x.busyUsPerRequest));
  const mism = [...bare, ...rec].reduce((n, x) => n + x.mismatches, 0);
  console.log(`(b) bare pipe() proxy   ${bareRps.toFixed(0)} req/s   proxy thread busy ${bareBusy.toFixed(0)} us/request`);
  console.log(`    recording proxy     ${recRps.toFixed(0)} req/s   proxy thread busy ${recBusy.toFixed(0)} us/request   (${FAST_FRAMES.length} SSE frames, ${fastExpected.length} bytes each; body mismatches ${mism})`);
  console.log(`    throughput ratio ${(recRps / bareRps).toFixed(3)} (target >= 0.85)   per-round ratios ${rec.map((x, i) => (x.rps / bare[i]!.rps).toFixed(3)).join(' ')}`);
  proxyThread.postMessage('stats');
  const stats = await waitMessage<{ captures: number }>(proxyThread);
  console.log(`    captures recorded: ${stats.captures}`);
  clientAgent.destroy();
  await Promise.all([proxyThread.terminate(), upstreamThread.terminate()]);
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if ((workerData as { role: string }).role === 'upstream') {
  void upstreamWorker();
} else {
  void proxyWorker((workerData as { upstreams: Record<string, string> }).upstreams);
}
