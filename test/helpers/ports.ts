// Ports for tests whose subject is a port named before anything listens on it: windows that
// share a collector by its port, take it over, or start on it at the same moment. Every other
// test listens on port 0 in the process that serves and reads back the port it got.
//
// Picking a port by opening and closing a socket races with every other process on the machine:
// the OS hands out the same ephemeral ports for port-0 listeners and outgoing connections. A port
// below the ephemeral range is never handed out that way; test processes pick different ones
// (by process id), one found held (by something that named it) is skipped, and each pick is
// reserved by a file only one process can create, because a port stays free between its pick and
// the moment its test's collector binds it, and another test process may pick it meanwhile.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The lowest port of the OS's ephemeral range (Linux reads it; elsewhere the IANA range). */
function ephemeralLow(): number {
  try {
    const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && low > 2048) return low;
  } catch {
    // not Linux
  }
  return 49152;
}

const SPAN = 8192;
let next = 0;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const RESERVATIONS = path.join(os.tmpdir(), 'spyglass-test-ports');
/** A reservation older than this was left by a test process that died. */
const STALE_MS = 30 * 60_000;
const mine: string[] = [];
process.once('exit', () => {
  for (const f of mine) fs.rmSync(f, { force: true });
});

function reserve(port: number): boolean {
  fs.mkdirSync(RESERVATIONS, { recursive: true });
  const file = path.join(RESERVATIONS, String(port));
  try {
    if (Date.now() - fs.statSync(file).mtimeMs > STALE_MS) fs.rmSync(file, { force: true });
  } catch {
    // not reserved
  }
  try {
    fs.closeSync(fs.openSync(file, 'wx'));
  } catch {
    return false;
  }
  mine.push(file);
  return true;
}

/** A port outside the ephemeral range, not held by anything now, not handed out by the OS, and not picked by another test process. */
export async function namedPort(): Promise<number> {
  const top = ephemeralLow();
  const bottom = Math.max(1024, top - SPAN);
  for (let attempt = 0; attempt < 64; attempt++) {
    const port = bottom + ((process.pid * 61 + next++ * 7) % (top - bottom));
    if (reserve(port) && (await isFree(port))) return port;
  }
  throw new Error(`no free port between ${bottom} and ${top}`);
}
