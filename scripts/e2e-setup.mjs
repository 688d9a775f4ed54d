#!/usr/bin/env node
// Installs what the end-to-end tests need, idempotently, on a Debian machine that reaches only the
// npm registry and Debian's archive: Debian Chromium, and code-server (real VS Code in a browser)
// installed with the project's Node 22 and cached outside the repository.
//
// Usage: node scripts/e2e-setup.mjs            (npm run test:e2e runs it first)
// Env:   SPYGLASS_E2E_CACHE  cache root (default ~/.cache/spyglass-e2e)
//
// The first run installs Debian packages with apt-get (as root, or through sudo): chromium, and
// for code-server's build libkrb5-dev, ripgrep, g++ and make. Where apt-get is missing or fails it
// says what to install by hand, or how to skip the suite (scripts/lib/apt.mjs).
//
// Offline facts this relies on (see shared/DESIGN.md, "Running it for real here"):
// - code-server's postinstall refuses to run unless npm itself runs on Node 22 and, as root, with
//   --unsafe-perm; node-pty's postinstall runs npx, which must not prompt (npm_config_yes).
// - kerberos builds from source (Debian libkrb5-dev).
// - @vscode/ripgrep's postinstall downloads rg from GitHub unless the release archive it wants is
//   already in $TMPDIR/vscode-ripgrep-cache-<package version>/; we pack Debian's rg into that file.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, createWriteStream, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { aptFailed, aptPlan } from './lib/apt.mjs';

const root = path.resolve(import.meta.dirname, '..');
const config = JSON.parse(readFileSync(path.join(root, 'test/e2e/e2e-config.json'), 'utf8'));
const started = Date.now();

function log(msg) {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[e2e-setup ${s}s] ${msg}`);
}

function fail(msg) {
  console.error(`[e2e-setup] FAILED: ${msg}`);
  process.exit(1);
}

function cacheRoot() {
  return process.env.SPYGLASS_E2E_CACHE || path.join(os.homedir(), '.cache', 'spyglass-e2e');
}

/** The Node 22+ binary the project provisions (npm package `node`), falling back to this process. */
function findNode22() {
  const candidates = [path.join(root, 'node_modules', 'node', 'bin', 'node'), process.execPath];
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const r = spawnSync(c, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const major = Number((r.stdout || '').split('.')[0]);
    if (r.status === 0 && major >= 22) return { bin: c, version: r.stdout.trim(), major };
  }
  fail('no Node >= 22 found: run `npm ci` first (the project provisions Node 22 as node_modules/.bin/node)');
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return r;
}

function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function aptInstall(pkgs) {
  const isRoot = !process.getuid || process.getuid() === 0;
  const plan = aptPlan({ pkgs, hasAptGet: onPath('apt-get'), isRoot, hasSudo: onPath('sudo'), interactive: Boolean(process.stdin.isTTY) });
  if (plan.kind === 'nothing') return;
  if (plan.kind === 'cannot') fail(plan.message);
  log(`apt-get update, then apt-get install ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const [cmd, ...args] of plan.commands) {
    const r = spawnSync(cmd, args, { stdio: 'inherit', env });
    if (r.error || r.status !== 0) fail(aptFailed(pkgs, [cmd, ...args], r.error ? null : r.status, isRoot));
  }
}

/** Runs a long command with its output in a log file and a heartbeat on stdout. */
function runLogged(cmd, args, opts, logFile, label) {
  return new Promise((resolve) => {
    const out = createWriteStream(logFile);
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    const t0 = Date.now();
    const beat = setInterval(() => log(`${label}: still running (${Math.round((Date.now() - t0) / 1000)}s), log ${logFile}`), 30_000);
    child.on('close', (code) => {
      clearInterval(beat);
      out.end(() => resolve(code));
    });
    child.on('error', (err) => {
      clearInterval(beat);
      out.end(() => fail(`${label}: ${err.message}`));
    });
  });
}

/**
 * The environment without what a parent `npm run`/`npm test` exports (npm_config_*, npm_package_*,
 * npm_lifecycle_*): inherited, npm_config_user_agent names the parent's Node (code-server's
 * postinstall then refuses to run) and npm_config_local_prefix points at this repository.
 */
function npmFreeEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'INIT_CWD' || k === 'NODE') continue;
    env[k] = v;
  }
  return env;
}

function ripgrepTarget() {
  // The names @vscode/ripgrep's postinstall (lib/postinstall.js getTarget) uses on Linux.
  const arch = process.env.npm_config_arch || os.arch();
  if (arch === 'x64') return 'x86_64-unknown-linux-musl';
  if (arch === 'arm64') return 'aarch64-unknown-linux-musl';
  fail(`unsupported architecture for the ripgrep cache: ${arch}`);
}

async function installCodeServer(node, cache, dest) {
  const version = config.codeServerVersion;
  const work = `${dest}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const tmp = path.join(work, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const env = {
    ...npmFreeEnv(),
    PATH: `${path.dirname(node.bin)}${path.delimiter}${process.env.PATH}`,
    TMPDIR: tmp,
    npm_config_yes: 'true',
    npm_config_unsafe_perm: 'true',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  // node-gyp would otherwise fetch headers from the Node website; Node-API headers of any recent
  // version build addons that load on Node 22.
  if (!env.npm_config_nodedir && !/nodedir/.test(capture('npm', ['config', 'list'], { env }))) {
    if (existsSync('/usr/include/node/node_api.h')) env.npm_config_nodedir = '/usr';
  }

  log(`fetching code-server@${version} tarball`);
  const packOut = capture('npm', ['pack', `code-server@${version}`, '--pack-destination', work, '--silent'], { env, cwd: work });
  const tgz = path.join(work, packOut.trim().split('\n').pop());
  const shrink = JSON.parse(capture('tar', ['-xzOf', tgz, 'package/lib/vscode/npm-shrinkwrap.json']));
  const rgPkgVersion = shrink.packages?.['node_modules/@vscode/ripgrep']?.version;
  if (!rgPkgVersion) fail('cannot find @vscode/ripgrep in code-server\'s lib/vscode/npm-shrinkwrap.json');

  log(`reading @vscode/ripgrep@${rgPkgVersion}'s postinstall for the ripgrep release it expects`);
  const rgPack = capture('npm', ['pack', `@vscode/ripgrep@${rgPkgVersion}`, '--pack-destination', work, '--silent'], { env, cwd: work });
  const rgTgz = path.join(work, rgPack.trim().split('\n').pop());
  const postinstall = capture('tar', ['-xzOf', rgTgz, 'package/lib/postinstall.js']);
  const rgRelease = /const VERSION = '([^']+)'/.exec(postinstall)?.[1];
  if (!rgRelease) fail('cannot read VERSION from @vscode/ripgrep lib/postinstall.js');
  const rgBin = capture('sh', ['-c', 'command -v rg']).trim();
  const rgCacheDir = path.join(tmp, `vscode-ripgrep-cache-${rgPkgVersion}`);
  mkdirSync(rgCacheDir, { recursive: true });
  const rgStage = path.join(work, 'rg-stage');
  mkdirSync(rgStage, { recursive: true });
  copyFileSync(rgBin, path.join(rgStage, 'rg'));
  const rgArchive = path.join(rgCacheDir, `ripgrep-${rgRelease}-${ripgrepTarget()}.tar.gz`);
  run('tar', ['-czf', rgArchive, '-C', rgStage, 'rg']);
  log(`placed Debian rg as ${path.relative(work, rgArchive)}`);

  writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'spyglass-e2e-code-server', private: true }, null, 2));
  const logFile = path.join(cache, `code-server-${version}-install.log`);
  log(`npm install code-server@${version} with Node ${node.version} (a few minutes: native modules compile)`);
  const code = await runLogged(
    'npm',
    ['install', tgz, '--unsafe-perm', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=http'],
    { env, cwd: work },
    logFile,
    'npm install code-server',
  );
  if (code !== 0) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
    console.error(tail);
    fail(`npm install code-server exited with ${code}; full log: ${logFile}`);
  }
  rmSync(tgz, { force: true });
  rmSync(rgTgz, { force: true });
  rmSync(tmp, { recursive: true, force: true });
  rmSync(rgStage, { recursive: true, force: true });
  writeFileSync(path.join(work, '.spyglass-complete'), JSON.stringify({ version, node: node.version, at: new Date().toISOString() }));
  try {
    renameSync(work, dest);
  } catch (err) {
    // Another setup finished first; keep its copy.
    if (!existsSync(path.join(dest, '.spyglass-complete'))) throw err;
    rmSync(work, { recursive: true, force: true });
  }
}

function codeServerDir(nodeMajor) {
  return path.join(cacheRoot(), `code-server-${config.codeServerVersion}-node${nodeMajor}`);
}

async function main() {
  const node = findNode22();
  const cache = cacheRoot();
  mkdirSync(cache, { recursive: true });
  log(`cache ${cache}; Node ${node.version} at ${node.bin}`);

  const dest = codeServerDir(node.major);
  const entry = path.join(dest, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const haveCodeServer = existsSync(path.join(dest, '.spyglass-complete')) && existsSync(entry);

  const apt = [];
  if (!existsSync(config.chromium)) apt.push('chromium');
  if (!haveCodeServer) {
    if (!dpkgInstalled('libkrb5-dev')) apt.push('libkrb5-dev');
    if (!onPath('rg')) apt.push('ripgrep');
    if (!onPath('g++') || !onPath('make')) apt.push('g++', 'make');
  }
  aptInstall(apt);
  if (!existsSync(config.chromium)) fail(`${config.chromium} is still missing after apt-get install chromium`);
  log(`chromium: ${capture(config.chromium, ['--version']).trim()}`);

  if (haveCodeServer) {
    log(`code-server ${config.codeServerVersion} cached at ${dest}`);
  } else {
    await installCodeServer(node, cache, dest);
  }
  const v = capture(node.bin, [entry, '--version'], { env: { ...process.env, XDG_CONFIG_HOME: path.join(cache, 'xdg-config') } });
  log(`code-server --version: ${v.split('\n').find((l) => /^\d+\.\d+\.\d+/.test(l)) ?? v.trim()}`);
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

await main();
