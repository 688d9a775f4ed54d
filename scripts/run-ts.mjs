// Runs a TypeScript entry (bench scripts, tools) on the provisioned Node: bundles it with
// esbuild into node_modules/.cache and executes it with the remaining arguments.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <file.ts> [args…]');
  process.exit(2);
}
const outfile = path.join(root, 'node_modules/.cache/run-ts', path.basename(entry).replace(/\.ts$/, '.cjs'));
await esbuild.build({
  absWorkingDir: root,
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: 'inline',
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
