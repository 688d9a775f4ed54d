// `dist/cli.js`, the `spyglass` command: runs the collector CLI (dist/collector.js) on Node 22 or
// later. better-sqlite3 13 needs Node 22 and crashes with a segmentation fault, saying nothing, on
// older ones; so on an older Node this finds the Node 22+ the project provisioned (npm install puts
// the `node` package in node_modules) and runs the CLI with it, passing the terminal, the exit code,
// signals and, when forked, IPC through. Without one it says which Node is needed and how to run it.
// Bundled for old Nodes (esbuild target node12): no newer syntax or APIs here.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { COLLECTOR_NODE_FLAGS } from './node-flags';

const NEEDED_MAJOR = 22;
const CLI = path.join(__dirname, 'collector.js');

function major(version: string): number {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

/** Node binaries to try, best first: one named by SPYGLASS_NODE, then the ones npm provisioned. */
function candidates(): string[] {
  const out: string[] = [];
  if (process.env.SPYGLASS_NODE) out.push(process.env.SPYGLASS_NODE);
  // From a checkout (dist/ beside node_modules/), and as an installed package (…/node_modules/spyglass/dist).
  for (let dir = path.resolve(__dirname, '..'); ; dir = path.dirname(dir)) {
    for (const bin of ['node', 'node.exe']) out.push(path.join(dir, 'node_modules', 'node', 'bin', bin));
    if (path.dirname(dir) === dir) break;
  }
  return out;
}

function versionOf(file: string): string | null {
  if (!fs.existsSync(file)) return null;
  const r = spawnSync(file, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 15_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

function findNode(): string | null {
  for (const file of candidates()) {
    const v = versionOf(file);
    if (v !== null && major(v) >= NEEDED_MAJOR) return file;
  }
  return null;
}

function reexec(node: string): void {
  const forked = typeof process.send === 'function';
  const child = spawn(node, [...COLLECTOR_NODE_FLAGS, CLI, ...process.argv.slice(2)], {
    stdio: forked ? ['inherit', 'inherit', 'inherit', 'ipc'] : 'inherit',
    env: process.env,
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  if (forked) {
    child.on('message', (m) => process.send!(m));
    process.on('message', (m) => child.send(m as Parameters<typeof child.send>[0]));
    process.on('disconnect', () => child.connected && child.disconnect());
    child.on('disconnect', () => process.disconnect && process.disconnect());
  }
  child.on('error', (err) => {
    process.stderr.write(`spyglass: could not run ${node}: ${err.message}\n`);
    process.exit(2);
  });
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code === null ? 1 : code);
  });
}

function main(): void {
  if (major(process.versions.node) >= NEEDED_MAJOR) {
    require(CLI);
    return;
  }
  const node = findNode();
  if (node) {
    reexec(node);
    return;
  }
  process.stderr.write(
    `spyglass: this is Node.js ${process.version}; the collector needs Node.js ${NEEDED_MAJOR} or later ` +
      `(its SQLite driver, better-sqlite3 13, crashes on older versions) and found none.\n` +
      `  In a checkout: run \`npm install\` (it provisions Node ${NEEDED_MAJOR} in node_modules), then \`npx spyglass serve\`.\n` +
      `  Elsewhere: install Node.js ${NEEDED_MAJOR}+ (https://nodejs.org), or set SPYGLASS_NODE to a Node.js ${NEEDED_MAJOR}+ binary,\n` +
      `  or let npm fetch one: \`npx -y -p node@${NEEDED_MAJOR} -p <spyglass package or .tgz> spyglass serve\`.\n`,
  );
  process.exit(1);
}

main();
