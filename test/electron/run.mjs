#!/usr/bin/env node
// `npm run test:electron`: the @vscode/test-electron suite (test/electron/suite.ts) in a desktop
// VS Code downloaded by @vscode/test-electron (or the one at $VSCODE_EXECUTABLE). Not part of CI:
// it needs the VS Code download site. On a Linux machine without a display it re-runs itself
// under `xvfb-run -a` when that exists (Debian: apt-get install xvfb).
//   node test/electron/run.mjs [--no-build] [--version <vscode version, default stable>]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const versionArg = args.includes('--version') ? args[args.indexOf('--version') + 1] : undefined;

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.SPYGLASS_UNDER_XVFB) {
  const xvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' });
  if (xvfb.status === 0) {
    const r = spawnSync('xvfb-run', ['-a', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, SPYGLASS_UNDER_XVFB: '1' } });
    process.exit(r.status ?? 1);
  }
  console.warn('[test:electron] no DISPLAY and no xvfb-run: VS Code may fail to start (apt-get install xvfb)');
}

if (!args.includes('--no-build')) {
  const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const outDir = path.join(root, 'out', 'test-electron');
mkdirSync(outDir, { recursive: true });
await esbuild.build({
  entryPoints: [path.join(root, 'test', 'electron', 'suite.ts')],
  outfile: path.join(outDir, 'suite.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
});

const home = mkdtempSync(path.join(os.tmpdir(), 'spyglass-electron-'));
const userData = path.join(home, 'user-data');
const workspace = path.join(home, 'workspace');
mkdirSync(path.join(userData, 'User'), { recursive: true });
mkdirSync(workspace, { recursive: true });
writeFileSync(
  path.join(userData, 'User', 'settings.json'),
  JSON.stringify({
    // Any free port: the suite reads the one the collector took from the extension's API.
    'spyglass.httpPort': 0,
    'spyglass.grpcPort': 0,
    'spyglass.databasePath': path.join(home, 'spyglass.db'),
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
  }),
);

let code = 1;
try {
  code = await runTests({
    version: versionArg,
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(outDir, 'suite.js'),
    launchArgs: [workspace, '--user-data-dir', userData, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--disable-gpu'],
  });
} catch (err) {
  console.error(`[test:electron] failed: ${err instanceof Error ? err.message : String(err)}`);
  console.log('\nelectron: 0 passed, 1 failed');
  code = 1;
} finally {
  rmSync(home, { recursive: true, force: true });
}
process.exit(code);
