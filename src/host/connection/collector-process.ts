// Forks the collector (`dist/cli.js serve --ipc --options-json ...`) as a child process, so
// decoding and writing spans never run on the extension host's thread, and stops it again.

import { fork, type ChildProcess } from 'node:child_process';
import type { CollectorStartOptions, CollectorToHost, HostToCollector, StoreUpgrade } from '../../protocol/collector-ipc';
import { COLLECTOR_NODE_FLAGS } from '../../collector/node-flags';
import type { StartOutcome } from './ownership-model';

export type LogLevel = 'info' | 'warn' | 'error';

export interface ForkCollectorOptions {
  cliPath: string;
  options: CollectorStartOptions;
  /** The runtime to run the CLI with; default: this process's own (Electron runs as Node). */
  execPath?: string;
  /** Node flags for the collector's process; default COLLECTOR_NODE_FLAGS (bench:footprint measures without them too). */
  nodeFlags?: readonly string[];
  startTimeoutMs?: number;
  onLog?: (level: LogLevel, message: string) => void;
  /** The collector is upgrading an existing store first: the start deadline no longer applies. */
  onUpgrading?: (u: StoreUpgrade) => void;
  /** More `serve` arguments (`--read-only --port 0` for the store without capture). */
  extraArgs?: readonly string[];
}

export type ForkResult =
  | (Extract<StartOutcome, { kind: 'listening' }> & { process: CollectorProcess })
  | Exclude<StartOutcome, { kind: 'listening' }>;

function isCollectorMessage(m: unknown): m is CollectorToHost {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}

/** Last few KB of a stream, for error messages when the child dies early. */
class Tail {
  private text = '';
  constructor(private readonly max = 4000) {}
  add(s: string): void {
    this.text = (this.text + s).slice(-this.max);
  }
  toString(): string {
    return this.text;
  }
}

export class CollectorProcess {
  private exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private stopping = false;

  constructor(private readonly child: ChildProcess) {
    child.once('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      for (const l of this.exitListeners.splice(0)) l(code, signal);
    });
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  get exited(): boolean {
    return this.exitInfo !== null;
  }

  /** True once stop() was called: an exit after that is expected, not a crash. */
  get isStopping(): boolean {
    return this.stopping;
  }

  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    if (this.exitInfo) listener(this.exitInfo.code, this.exitInfo.signal);
    else this.exitListeners.push(listener);
  }

  send(message: HostToCollector): boolean {
    if (!this.child.connected) return false;
    try {
      return this.child.send(message);
    } catch {
      return false;
    }
  }

  private waitExit(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.exitInfo) return resolve(true);
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.onExit(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Asks the collector to flush and exit; kills it if it has not exited after `timeoutMs`.
   * Resolves with how it ended.
   */
  async stop(timeoutMs = 3000): Promise<'exited' | 'killed'> {
    this.stopping = true;
    if (this.exitInfo) return 'exited';
    const asked = this.send({ type: 'shutdown' });
    if (!asked) this.child.kill('SIGTERM');
    if (await this.waitExit(timeoutMs)) return 'exited';
    this.child.kill('SIGKILL');
    await this.waitExit(2000);
    return 'killed';
  }
}

/**
 * Forks the collector and waits for it to report `listening` (→ a running CollectorProcess)
 * or why it could not (port taken, database unusable, crash, timeout).
 */
export function forkCollector(opts: ForkCollectorOptions): Promise<ForkResult> {
  const startTimeoutMs = opts.startTimeoutMs ?? 15_000;
  const log = opts.onLog ?? (() => undefined);
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = fork(opts.cliPath, ['serve', '--ipc', '--options-json', JSON.stringify(opts.options), ...(opts.extraArgs ?? [])], {
        execPath: opts.execPath,
        // The extension host's own flags (inspector ports, Electron switches) must not leak in;
        // the collector's own (its heap's size) must be there from its start.
        execArgv: [...(opts.nodeFlags ?? COLLECTOR_NODE_FLAGS)],
        // Under desktop VS Code the runtime is Electron; this makes it behave as plain Node.
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        windowsHide: true,
      });
    } catch (e) {
      resolve({ kind: 'spawn-error', message: (e as Error).message });
      return;
    }

    const stderrTail = new Tail();
    let settled = false;
    const proc = new CollectorProcess(child);
    const settle = (result: ForkResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };

    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (s: string) => {
      for (const line of s.split(/\r?\n/)) if (line.trim()) log('info', line);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      stderrTail.add(s);
      for (const line of s.split(/\r?\n/)) if (line.trim()) log('warn', line);
    });

    child.on('message', (m: unknown) => {
      if (!isCollectorMessage(m)) return;
      switch (m.type) {
        case 'listening':
          settle({ kind: 'listening', httpPort: m.httpPort, grpcPort: m.grpcPort, dbPath: m.dbPath, process: proc });
          break;
        case 'start-failed':
          // It exits by itself (code 2); make sure it does not linger if it does not.
          void proc.stop(2000);
          settle({ kind: 'start-failed', code: m.code, port: m.port, message: m.message });
          break;
        case 'log':
          log(m.level, m.message);
          break;
        case 'upgrading':
          // An upgrade of a large store takes minutes; it ends in 'listening', 'start-failed'
          // (the store stayed locked, a migration failed) or an exit, each settled here.
          clearTimeout(timer);
          log('info', `upgrading the store from schema ${m.fromSchema} to ${m.toSchema} (${m.bytes} bytes)`);
          opts.onUpgrading?.({ fromSchema: m.fromSchema, toSchema: m.toSchema, bytes: m.bytes });
          break;
      }
    });
    child.on('error', (e) => {
      settle({ kind: 'spawn-error', message: e.message });
    });
    proc.onExit((code, signal) => {
      // IPC messages sent just before exiting can be delivered after 'exit': let them land first.
      setTimeout(() => settle({ kind: 'exited', exitCode: code, signal, stderrTail: stderrTail.toString() }), 50);
    });
    const timer = setTimeout(() => {
      void proc.stop(1000);
      settle({ kind: 'timeout', afterMs: startTimeoutMs });
    }, startTimeoutMs);
  });
}
