// Where the e2e suite finds its tools (installed by scripts/e2e-setup.mjs) and writes its output.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// import.meta.dirname under vitest (ESM); __dirname when a bench bundles this file to CommonJS
// (scripts/run-ts.mjs writes to node_modules/.cache/run-ts: also three levels below the root).
export const repoRoot = path.resolve(import.meta.dirname ?? __dirname, '..', '..', '..');
export const outputRoot = path.join(repoRoot, 'test-output', 'e2e');

const config = JSON.parse(readFileSync(path.join(repoRoot, 'test', 'e2e', 'e2e-config.json'), 'utf8')) as {
  codeServerVersion: string;
  chromium: string;
};

/** The provisioned Node 22 (npm package `node`): code-server and its extension host run on it. */
export const node22 = path.join(repoRoot, 'node_modules', 'node', 'bin', 'node');

export const chromiumPath = config.chromium;

export function codeServerEntry(): string {
  const cache = process.env.SPYGLASS_E2E_CACHE || path.join(os.homedir(), '.cache', 'spyglass-e2e');
  const major = spawnSync(node22, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.split('.')[0];
  const entry = path.join(cache, `code-server-${config.codeServerVersion}-node${major}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) throw new Error(`code-server is not installed at ${entry}: run node scripts/e2e-setup.mjs (npm run test:e2e does)`);
  return entry;
}
