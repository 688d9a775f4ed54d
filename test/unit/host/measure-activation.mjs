// Activation figure: loads the built extension bundle (dist/extension.js) in a fresh Node
// process against the vscode mock and times require() + activate(), i.e. the extension host
// time VS Code attributes to activation. The collector start that follows is asynchronous and
// not part of it. Usage: node test/unit/host/measure-activation.mjs [runs]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(import.meta.dirname, '../../..');
const runs = Number(process.argv[2] ?? 15);
// SPYGLASS_BUNDLE=<file> measures another build of src/extension.ts (e.g. the minified one in the VSIX).
const bundle = process.env.SPYGLASS_BUNDLE ? path.resolve(process.env.SPYGLASS_BUNDLE) : path.join(root, 'dist/extension.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-act-'));
const mockJs = path.join(tmp, 'vscode-mock.cjs');
await esbuild.build({ entryPoints: [path.join(root, 'test/helpers/vscode-mock.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: mockJs, logLevel: 'error' });

const child = `
const Module = require('node:module');
const mockPath = ${JSON.stringify(mockJs)};
const orig = Module._resolveFilename;
Module._resolveFilename = function (req, ...rest) { return req === 'vscode' ? mockPath : orig.call(this, req, ...rest); };
const vscode = require(mockPath);
vscode.mock.config.set('spyglass.capture.autoStart', false); // time activation only
const ctx = vscode.makeExtensionContext(${JSON.stringify(root)}, ${JSON.stringify(path.join(tmp, 'storage'))});
performance.now(); process.cpuUsage();
const c0 = process.cpuUsage();
const t0 = performance.now();
const ext = require(${JSON.stringify(bundle)});
const t1 = performance.now();
ext.activate(ctx);
const t2 = performance.now();
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ load: t1 - t0, activate: t2 - t1, cpu: (c.user + c.system) / 1000 }));
process.exit(0);
`;
const results = [];
for (let i = 0; i < runs; i++) results.push(JSON.parse(execFileSync(process.execPath, ['-e', child], { encoding: 'utf8' })));
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const total = results.map((r) => r.load + r.activate);
const size = fs.statSync(bundle).size;
console.log(`${path.relative(root, bundle)} ${(size / 1024).toFixed(0)} KB, ${runs} fresh processes`);
console.log(`require(): p50 ${pct(results.map((r) => r.load), 50).toFixed(1)} ms`);
console.log(`activate(): p50 ${pct(results.map((r) => r.activate), 50).toFixed(1)} ms`);
console.log(`total wall: p50 ${pct(total, 50).toFixed(1)} ms, max ${Math.max(...total).toFixed(1)} ms (budget 50 ms)`);
const cpu = results.map((r) => r.cpu);
console.log(`total CPU (user+system, robust to a busy machine): p50 ${pct(cpu, 50).toFixed(1)} ms, max ${Math.max(...cpu).toFixed(1)} ms`);
console.log(`load average now: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
fs.rmSync(tmp, { recursive: true, force: true });
