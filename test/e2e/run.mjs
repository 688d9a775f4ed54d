#!/usr/bin/env node
// `npm run test:e2e`: installs what the suite needs (scripts/e2e-setup.mjs, cached), then runs the
// e2e files (test/e2e/*.e2e.ts) with vitest. Closes with "e2e: N passed, N failed".
//   node test/e2e/run.mjs [--json=<vitest JSON report path>] [vitest args...]
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const json = args.find((a) => a.startsWith('--json='))?.slice('--json='.length);
const rest = args.filter((a) => !a.startsWith('--json='));
const node22 = path.join(root, 'node_modules', 'node', 'bin', 'node');
const env = { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` };

const setup = spawnSync(node22, [path.join(root, 'scripts', 'e2e-setup.mjs')], { cwd: root, stdio: 'inherit', env });
if (setup.status !== 0) {
  console.log('\ne2e: 0 passed, 1 failed');
  process.exit(1);
}

// The summary reporter goes last so its line closes the output.
const reporters = ['--reporter=default'];
if (json) {
  mkdirSync(path.dirname(path.resolve(json)), { recursive: true });
  reporters.push('--reporter=json', `--outputFile.json=${path.resolve(json)}`);
}
reporters.push('--reporter=./test/e2e/harness/summary-reporter.ts');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(node22, [vitest, 'run', '--config', 'test/e2e/vitest.config.mts', ...reporters, ...rest], { cwd: root, stdio: 'inherit', env });
process.exit(r.status ?? 1);
