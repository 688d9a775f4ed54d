// Starts the real headless collector (`dist/cli.js serve`) on free ports and reads its
// first output line for the bound ports.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export const CLI = path.resolve(import.meta.dirname, '../../dist/cli.js');

export interface RunningCli {
  proc: ChildProcess;
  httpPort: number;
  grpcPort: number;
  base: string;
  stderr: () => string;
  stop(): Promise<void>;
}

export async function startCli(args: string[]): Promise<RunningCli> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--grpc-port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const lines = readline.createInterface({ input: proc.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${err}`)));
  });
  const m = /^listening http=(\d+) grpc=(\d+)$/.exec(first);
  if (!m) throw new Error(`unexpected first line: ${first}`);
  const httpPort = Number(m[1]);
  return {
    proc,
    httpPort,
    grpcPort: Number(m[2]),
    base: `http://127.0.0.1:${httpPort}`,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
