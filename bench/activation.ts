// Activation figure (issue 4, "Figures"): at most 50 ms of extension host time, measured in one
// run against a reference: a no-op extension loaded and activated by the same harness.
//
//   npm run bench:activation -- [--runs 20] [--no-start]
//
// Each sample is a fresh Node process (VS Code loads an extension once per host), with the
// vscode mock already loaded, as VS Code's API object is. It times require() of the bundle plus
// activate(): wall clock and the main thread's CPU time (the extension host's thread; robust to
// a busy machine). The bundles are built from the current sources as scripts/build.mjs does:
// minified (what `npm run package` ships) and unminified (dist/ in development). Node's http,
// child_process, net and os are loaded before the clock, as they are in VS Code's extension host
// (one more line times the minified bundle with them cold). Default settings
// (capture starts automatically), so activate() takes the path users get. Unless --no-start,
// it also reports the deferred work on the host thread after activate() returned, up to the
// collector child listening: not activation time, but host time all the same.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { buildExtension, ROOT } from './lib/host-extension';
import { machineNote, summarize } from './lib/timing';

const BUDGET_MS = 50;

interface Sample {
  requireMs: number;
  activateMs: number;
  cpuMs: number;
  startCpuMs?: number;
  startWallMs?: number;
  state?: string;
}

function childScript(mockJs: string, extensionDir: string, storage: string, start: boolean, coldBuiltins = false): string {
  return `
// VS Code's extension host has Node's http, child_process, net and os loaded before any extension.
if (!${coldBuiltins}) for (const m of ['node:http', 'node:child_process', 'node:net', 'node:os']) require(m);
const Module = require('node:module');
const mockPath = ${JSON.stringify(mockJs)};
const orig = Module._resolveFilename;
Module._resolveFilename = function (req, ...rest) { return req === 'vscode' ? mockPath : orig.call(this, req, ...rest); };
const vscode = require(mockPath);
const cpu = () => { const u = process.threadCpuUsage(); return (u.user + u.system) / 1000; };
(async () => {
  // Any free port: the collector takes one and reports it.
  vscode.mock.config.set('spyglass.httpPort', 0);
  vscode.mock.config.set('spyglass.grpcPort', 0);
  if (!${start}) vscode.mock.config.set('spyglass.capture.autoStart', false);
  const ctx = vscode.makeExtensionContext(${JSON.stringify(extensionDir)}, require('node:fs').mkdtempSync(${JSON.stringify(storage + '/s-')}));
  performance.now(); cpu();
  const c0 = cpu();
  const t0 = performance.now();
  const ext = require(${JSON.stringify(path.join(extensionDir, 'dist/extension.js'))});
  const t1 = performance.now();
  const api = ext.activate(ctx);
  const t2 = performance.now();
  const c1 = cpu();
  const out = { requireMs: t1 - t0, activateMs: t2 - t1, cpuMs: c1 - c0 };
  if (${start}) {
    const deadline = Date.now() + 20000;
    while (api.state && api.state.kind !== 'owner' && api.state.kind !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    out.startWallMs = performance.now() - t2;
    out.startCpuMs = cpu() - c1;
    out.state = api.state.kind;
    await ext.deactivate();
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
`;
}

function run(script: string): Sample {
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out) as Sample;
}

function line(label: string, samples: Sample[]): { cpuP50: number; wallP50: number; text: string } {
  const wall = summarize(samples.map((s) => s.requireMs + s.activateMs));
  const cpu = summarize(samples.map((s) => s.cpuMs));
  const req = summarize(samples.map((s) => s.requireMs));
  const act = summarize(samples.map((s) => s.activateMs));
  return {
    cpuP50: cpu.p50,
    wallP50: wall.p50,
    text:
      `${label}: require+activate wall p50 ${wall.p50.toFixed(1)} ms, p95 ${wall.p95.toFixed(1)} ms, max ${wall.max.toFixed(1)} ms; ` +
      `host-thread CPU p50 ${cpu.p50.toFixed(1)} ms, p95 ${cpu.p95.toFixed(1)} ms ` +
      `(require p50 ${req.p50.toFixed(1)} ms, activate() p50 ${act.p50.toFixed(1)} ms)`,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--runs');
  const runs = i >= 0 ? Number(argv[i + 1]) : 20;
  const start = !argv.includes('--no-start');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-actbench-'));
  try {
    const mockJs = path.join(tmp, 'vscode-mock.cjs');
    await esbuild.build({ entryPoints: [path.join(ROOT, 'test/helpers/vscode-mock.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: mockJs, logLevel: 'error' });
    const noopDir = path.join(tmp, 'noop');
    fs.mkdirSync(path.join(noopDir, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(noopDir, 'dist/extension.js'), "'use strict';\nexports.activate = function (context) { return { state: { kind: 'owner' } }; };\nexports.deactivate = async function () {};\n");
    const [prod, dev] = [await buildExtension({ minify: true }), await buildExtension()];
    const size = (d: string) => `${(fs.statSync(path.join(d, 'dist/extension.js')).size / 1024).toFixed(0)} KB`;
    console.log(`activation bench: ${runs} fresh processes per bundle, node ${process.version}, ${machineNote()}`);
    const storage = path.join(tmp, 'storage');
    fs.mkdirSync(storage);

    const samples = { ref: [] as Sample[], prod: [] as Sample[], cold: [] as Sample[], dev: [] as Sample[] };
    // Interleaved, so a burst of load on the machine hits every bundle alike.
    for (let r = 0; r < runs; r++) {
      samples.ref.push(run(childScript(mockJs, noopDir, storage, false)));
      samples.prod.push(run(childScript(mockJs, prod, storage, start)));
      samples.dev.push(run(childScript(mockJs, dev, storage, false)));
      samples.cold.push(run(childScript(mockJs, prod, storage, false, true)));
    }
    const ref = line('reference (no-op extension)        ', samples.ref);
    const p = line(`Spyglass, minified as shipped (${size(prod)})`, samples.prod);
    const d = line(`Spyglass, unminified dist (${size(dev)})  `, samples.dev);
    const c = line(`Spyglass, minified, Node built-ins cold  `, samples.cold);
    console.log(ref.text);
    console.log(p.text);
    console.log(d.text);
    console.log(c.text);
    if (start) {
      const ok = samples.prod.filter((s) => s.state === 'owner').length;
      const sc = summarize(samples.prod.map((s) => s.startCpuMs!));
      const sw = summarize(samples.prod.map((s) => s.startWallMs!));
      console.log(
        `after activate() returned, until the collector child listened (${ok}/${runs} reached 'owner'): host-thread CPU p50 ${sc.p50.toFixed(1)} ms, p95 ${sc.p95.toFixed(1)} ms; ` +
          `wall p50 ${sw.p50.toFixed(0)} ms (the child's own start-up; the host thread is free meanwhile)`,
      );
    }
    const net = p.cpuP50 - ref.cpuP50;
    const pass = p.cpuP50 <= BUDGET_MS && p.wallP50 <= BUDGET_MS;
    console.log(
      `FIGURE activation (minified bundle): host-thread CPU p50 ${p.cpuP50.toFixed(1)} ms (${net.toFixed(1)} ms above the no-op reference's ${ref.cpuP50.toFixed(1)} ms), ` +
        `wall p50 ${p.wallP50.toFixed(1)} ms (reference ${ref.wallP50.toFixed(1)} ms); budget ${BUDGET_MS} ms: ${pass ? 'PASS' : 'MISS'}`,
    );
    console.log(machineNote());
    process.exitCode = pass ? 0 : 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(e);
  process.exit(2);
});
