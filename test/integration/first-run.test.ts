// A newcomer's first run: the README's `node dist/cli.js serve` with the machine's Node (20 here,
// which better-sqlite3 13 crashes on), `npx spyglass serve` from a checkout and from the packed
// package, and the end-to-end setup on a machine where apt-get is missing or fails.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HealthDto } from '../../src/protocol/api';
import { aptFailed, aptPlan } from '../../scripts/lib/apt.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LAUNCHER = path.join(ROOT, 'dist/cli.js');
let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-first-run-'));
});
afterEach(() => {
  // Each was started in its own process group (npx runs the command as a child of its own).
  for (const c of children.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** PATH as a newcomer's shell has it: without this repository's node_modules/.bin (which npm and vitest put first). */
function userPath(): string {
  return (process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.includes(`${path.sep}node_modules${path.sep}`)).join(path.delimiter);
}

function onUserPath(cmd: string): string | null {
  for (const d of userPath().split(path.delimiter)) {
    const f = path.join(d, cmd);
    if (d && fs.existsSync(f)) return f;
  }
  return null;
}

const machineNode = onUserPath('node');
const machineNodeMajor = machineNode ? Number(execFileSync(machineNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).split('.')[0]) : NaN;

/** Starts a command in its own process group and resolves with the collector's HTTP port from its first line. */
async function serve(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, PATH: userPath() }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const port = await new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^listening http=(\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited with ${code} before listening:\n${err}`)));
  });
  return { child, port, stderr: () => err };
}

async function health(port: number): Promise<HealthDto> {
  return (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as HealthDto;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

describe('node dist/cli.js serve, with the machine’s Node', () => {
  it('starts the collector: on Node 22+ in this process, on an older Node with the Node 22 the project provisioned', async () => {
    expect(machineNode).not.toBeNull();
    const { child, port } = await serve(machineNode!, [LAUNCHER, 'serve', '--port', '0', '--grpc-port', 'none', '--db', path.join(dir, 'a.db')]);
    const h = await health(port);
    expect(h.app).toBe('spyglass');
    if (machineNodeMajor < 22) {
      // Re-run under the provisioned Node: the collector is a child of the launcher, with the collector's heap flags.
      expect(h.pid).not.toBe(child.pid);
      const cmdline = fs.readFileSync(`/proc/${h.pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline[0]).toBe(path.join(ROOT, 'node_modules/node/bin/node'));
      expect(cmdline).toContain('--max-old-space-size=512');
    } else {
      expect(h.pid).toBe(child.pid);
    }
    // Ctrl-C (or any stop) reaches the collector, and the exit code comes back.
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    await expect.poll(async () => fetch(`http://127.0.0.1:${port}/api/health`).then(() => 'up', () => 'down'), { timeout: 10_000 }).toBe('down');
  });

  it('without any Node 22, says which Node it needs and how to run it, instead of crashing', () => {
    // The launcher alone, away from any node_modules: nothing to re-run with.
    const lone = path.join(dir, 'lone', 'dist');
    fs.mkdirSync(lone, { recursive: true });
    fs.copyFileSync(LAUNCHER, path.join(lone, 'cli.js'));
    const r = spawnSync(machineNode!, [path.join(lone, 'cli.js'), 'serve'], { encoding: 'utf8', env: { ...process.env, PATH: userPath(), SPYGLASS_NODE: '' } });
    if (machineNodeMajor >= 22) {
      // Nothing to guard on this machine: the launcher goes straight to the CLI (missing here).
      expect(r.stderr).toMatch(/Cannot find module/);
      return;
    }
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^spyglass: this is Node\.js v\d+\.\d+\.\d+; the collector needs Node\.js 22 or later/);
    expect(r.stderr).toMatch(/npx spyglass serve/);
    expect(r.stderr).toMatch(/SPYGLASS_NODE/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('npx spyglass serve', () => {
  it('works from a checkout', async () => {
    const { port } = await serve('npx', ['spyglass', 'serve', '--port', '0', '--grpc-port', 'none', '--db', path.join(dir, 'b.db')]);
    expect((await health(port)).app).toBe('spyglass');
  });

  it('works from the packed package installed in another project', async () => {
    const pack = path.join(dir, 'pack');
    const project = path.join(dir, 'project');
    fs.mkdirSync(pack);
    fs.mkdirSync(project);
    const env = { ...process.env, PATH: userPath() };
    const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', pack], { cwd: ROOT, env, encoding: 'utf8' }).trim().split('\n').pop()!;
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'an-app', private: true }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(pack, tgz)], { cwd: project, env, stdio: 'pipe' });
    const { port } = await serve('npx', ['spyglass', 'serve', '--port', '0', '--grpc-port', 'none', '--db', path.join(dir, 'c.db')], { cwd: project });
    const h = await health(port);
    expect(h.app).toBe('spyglass');
    // It is the installed copy that runs, with its worker threads beside it.
    expect(fs.readFileSync(`/proc/${h.pid}/cmdline`, 'utf8')).toContain(path.join(project, 'node_modules'));
    expect(h.preparing).toBe('worker thread');
  }, 240_000);
});

describe('the end-to-end setup without apt-get', () => {
  const run = (extraPath: string) => {
    const bin = path.join(dir, `bin-${path.basename(extraPath)}`);
    fs.mkdirSync(bin, { recursive: true });
    if (!fs.existsSync(path.join(bin, 'node'))) fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    // A fresh cache: code-server is not there, so its build packages are needed too.
    return spawnSync(process.execPath, [path.join(ROOT, 'scripts/e2e-setup.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: [bin, extraPath].filter(Boolean).join(path.delimiter), SPYGLASS_E2E_CACHE: path.join(dir, 'e2e-cache') },
    });
  };

  it('says what to install and how to skip the suite when there is no apt-get', () => {
    const r = run('');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\[e2e-setup\] FAILED: the end-to-end tests need .*libkrb5-dev.*, and this machine has no apt-get/);
    expect(r.stderr).toContain('SPYGLASS_SKIP_E2E=1 npm test');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('says what to do when apt-get fails', () => {
    const fake = path.join(dir, 'fake-apt');
    fs.mkdirSync(fake, { recursive: true });
    fs.writeFileSync(path.join(fake, 'apt-get'), '#!/bin/sh\necho "E: Could not open lock file" >&2\nexit 100\n', { mode: 0o755 });
    fs.symlinkSync('/bin/sh', path.join(fake, 'sh'));
    const r = run(fake);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('E: Could not open lock file');
    expect(r.stderr).toMatch(/`apt-get update -q` failed \(exit code 100; its output is above\)/);
    expect(r.stderr).toContain('SPYGLASS_SKIP_E2E=1 npm test');
  });

  it('plans sudo without a password prompt when there is no terminal, and refuses without root or sudo', () => {
    expect(aptPlan({ pkgs: ['chromium'], hasAptGet: true, isRoot: false, hasSudo: true, interactive: false })).toEqual({
      kind: 'run',
      commands: [['sudo', '-n', '--preserve-env=DEBIAN_FRONTEND', 'apt-get', 'update', '-q'], ['sudo', '-n', '--preserve-env=DEBIAN_FRONTEND', 'apt-get', 'install', '-y', '-q', 'chromium']],
    });
    const cannot = aptPlan({ pkgs: ['chromium'], hasAptGet: true, isRoot: false, hasSudo: false, interactive: true });
    expect(cannot.kind === 'cannot' && cannot.message).toMatch(/this user is not root and has no sudo\.\n {2}Ask an administrator to run: apt-get install -y chromium/);
    expect(aptPlan({ pkgs: [], hasAptGet: false, isRoot: false, hasSudo: false, interactive: false })).toEqual({ kind: 'nothing' });
    expect(aptFailed(['chromium'], ['apt-get', 'install'], null, true)).toMatch(/^`apt-get install` failed \(it did not run/);
  });
});
