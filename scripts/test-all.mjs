// `npm test`: unit and integration tests (vitest), then the end-to-end suite in a real VS Code
// host (code-server + Chromium) when it is set up. Prints each runner's summary and ends with
// one line `N passed, N failed` over all of them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'test-output');
fs.mkdirSync(out, { recursive: true });
const skipE2e = process.argv.includes('--no-e2e') || process.env.SPYGLASS_SKIP_E2E === '1';

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

/** Counts from a vitest JSON report; a missing report counts as one failure (the runner broke). */
function counts(file) {
  try {
    const j = JSON.parse(fs.readFileSync(file, 'utf8'));
    return { passed: j.numPassedTests, failed: j.numFailedTests + (j.numTotalTestSuites > 0 && j.success === false && j.numFailedTests === 0 ? 1 : 0) };
  } catch {
    return { passed: 0, failed: 1 };
  }
}

const vitestJson = path.join(out, 'vitest.json');
fs.rmSync(vitestJson, { force: true });
run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
const total = counts(vitestJson);

if (!skipE2e && fs.existsSync(path.join(root, 'test/e2e/run.mjs'))) {
  const e2eJson = path.join(out, 'e2e', 'results.json');
  fs.rmSync(e2eJson, { force: true });
  run('node', ['test/e2e/run.mjs', `--json=${e2eJson}`]);
  const e = counts(e2eJson);
  total.passed += e.passed;
  total.failed += e.failed;
}

console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed === 0 ? 0 : 1);
