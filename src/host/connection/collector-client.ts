// The collector's lifecycle as seen from one VS Code window: find a running Spyglass collector
// and read from it, or fork one and own the ports; when the owner goes away, try to take over.
// No vscode import: the same class is driven by the extension and by tests with real processes.

import type { CollectorEvent } from '../../protocol/api';
import type { CollectorStartOptions } from '../../protocol/collector-ipc';
import { ApiClient, probeHealth } from './api-client';
import { forkCollector, type CollectorProcess, type ForkResult, type LogLevel } from './collector-process';
import {
  apiPortOf,
  decideOnProbe,
  decideOnStartOutcome,
  shouldRestartAfterCrash,
  takeoverDelayMs,
  type CollectorState,
} from './ownership-model';
import { SseClient } from './event-stream';
import { LOOPBACK_HOST } from './loopback';

export interface CollectorClientOptions {
  cliPath: string;
  /** The window's one API client; its port follows this client's state. Made here when omitted. */
  api?: ApiClient;
  /** Read fresh on every start, so a restart picks up changed settings. */
  getStartOptions: () => CollectorStartOptions;
  execPath?: string;
  log?: (level: LogLevel, message: string) => void;
  probeTimeoutMs?: number;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Delay before a reader tries to take over (randomised so readers do not all fork at once). */
  takeoverDelay?: () => number;
  random?: () => number;
}

type Listener<T> = (value: T) => void;

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class CollectorClient {
  private current: CollectorState = { kind: 'stopped' };
  private generation = 0;
  private process: CollectorProcess | null = null;
  private events: SseClient | null = null;
  private readonly api: ApiClient;
  private crashTimes: number[] = [];
  private starting: Promise<CollectorState> | null = null;
  private readonly stateListeners = new Set<Listener<CollectorState>>();
  private readonly eventListeners = new Set<Listener<CollectorEvent>>();

  constructor(private readonly opts: CollectorClientOptions) {
    this.api = opts.api ?? new ApiClient(() => apiPortOf(this.current));
  }

  get state(): CollectorState {
    return this.current;
  }

  /** The API client of the collector this window reads from, if any. */
  get apiClient(): ApiClient | null {
    return apiPortOf(this.current) === null ? null : this.api;
  }

  get apiBase(): string | null {
    const port = apiPortOf(this.current);
    return port === null ? null : `http://${LOOPBACK_HOST}:${port}`;
  }

  /** Whether the live event stream is connected right now. */
  get live(): boolean {
    return this.events?.connected ?? false;
  }

  onDidChangeState(listener: Listener<CollectorState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * Collector events (`traces-changed`, `cleared`, and `hello` after every (re)connect, which
   * listeners should treat as "reload everything": events may have been missed meanwhile).
   */
  onEvent(listener: Listener<CollectorEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private log(level: LogLevel, message: string): void {
    this.opts.log?.(level, message);
  }

  private setState(state: CollectorState): void {
    this.current = state;
    for (const l of [...this.stateListeners]) {
      try {
        l(state);
      } catch (e) {
        this.log('error', `state listener failed: ${(e as Error).message}`);
      }
    }
  }

  private emit(event: CollectorEvent): void {
    for (const l of [...this.eventListeners]) {
      try {
        l(event);
      } catch (e) {
        this.log('error', `event listener failed: ${(e as Error).message}`);
      }
    }
  }

  /** Starts capture (or joins a running collector). Concurrent calls share one attempt. */
  start(): Promise<CollectorState> {
    if (this.current.kind === 'owner' || this.current.kind === 'reader') return Promise.resolve(this.current);
    if (this.starting) return this.starting;
    const gen = ++this.generation;
    this.starting = this.run(gen).finally(() => {
      if (this.generation === gen) this.starting = null;
    });
    return this.starting;
  }

  private async run(gen: number): Promise<CollectorState> {
    this.setState({ kind: 'starting' });
    const options = this.opts.getStartOptions();
    const ports = { httpPort: options.httpPort, grpcPort: options.grpcPort };
    const cancelled = () => this.generation !== gen;
    const maxAttempts = 4;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      // Port 0 means "any free port": nobody could be sharing it, so there is nothing to probe.
      if (options.httpPort !== 0) {
        const probe = await probeHealth(options.httpPort, this.opts.probeTimeoutMs);
        if (cancelled()) return this.current;
        const decision = decideOnProbe(probe);
        if (decision.action === 'read') {
          this.becomeReader(decision.health.httpPort, decision.health.grpcPort, decision.health.dbPath, decision.health.pid, gen);
          return this.current;
        }
        if (decision.action === 'conflict') {
          this.log('warn', decision.detail);
          this.setState({ kind: 'port-conflict', port: options.httpPort, setting: 'httpPort', detail: decision.detail });
          return this.current;
        }
      }
      this.log('info', `starting the collector on port ${options.httpPort} (database ${options.dbPath})`);
      const result: ForkResult = await forkCollector({
        cliPath: this.opts.cliPath,
        options,
        execPath: this.opts.execPath,
        startTimeoutMs: this.opts.startTimeoutMs,
        onLog: (level, message) => this.log(level, `[collector] ${message}`),
        onUpgrading: (upgrade) => {
          if (!cancelled()) this.setState({ kind: 'starting', upgrade });
        },
      });
      if (cancelled()) {
        if (result.kind === 'listening') await result.process.stop(this.opts.stopTimeoutMs);
        return this.current;
      }
      const next = decideOnStartOutcome(result, attempt, ports, maxAttempts);
      switch (next.action) {
        case 'own':
          if (result.kind === 'listening') this.becomeOwner(result, gen);
          return this.current;
        case 'recheck':
          this.log('info', `port in use (${result.kind === 'start-failed' ? result.message : ''}); checking who took it`);
          await delay(next.delayMs);
          if (cancelled()) return this.current;
          continue;
        case 'conflict': {
          const detail = `port ${next.port} is in use by another program`;
          this.setState({ kind: 'port-conflict', port: next.port, setting: next.setting, detail });
          return this.current;
        }
        case 'fail':
          this.log('error', next.message);
          this.setState({ kind: 'failed', message: next.message });
          return this.current;
      }
    }
    const message = 'Could not start a collector or find the one that holds the port';
    this.setState({ kind: 'failed', message });
    return this.current;
  }

  private becomeOwner(result: Extract<ForkResult, { kind: 'listening' }>, gen: number): void {
    const proc = result.process;
    this.process = proc;
    this.log('info', `collector listening: http=${result.httpPort} grpc=${result.grpcPort ?? 'off'} (pid ${proc.pid})`);
    this.setState({ kind: 'owner', httpPort: result.httpPort, grpcPort: result.grpcPort, dbPath: result.dbPath, pid: proc.pid });
    proc.onExit((code, signal) => {
      if (proc.isStopping || this.generation !== gen || this.process !== proc) return;
      this.process = null;
      this.closeEvents();
      const now = Date.now();
      this.crashTimes.push(now);
      const message = `The collector process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`;
      this.log('error', message);
      if (shouldRestartAfterCrash(this.crashTimes.slice(0, -1), now)) {
        this.setState({ kind: 'starting' });
        void this.start();
      } else {
        this.setState({ kind: 'failed', message: `${message}, repeatedly; not restarting` });
      }
    });
    this.openEvents(result.httpPort, true, gen);
  }

  private becomeReader(httpPort: number, grpcPort: number | null, dbPath: string, ownerPid: number, gen: number): void {
    this.log('info', `reading from the collector of another window (pid ${ownerPid}) on port ${httpPort}`);
    this.setState({ kind: 'reader', httpPort, grpcPort, dbPath, ownerPid });
    this.openEvents(httpPort, false, gen);
  }

  private openEvents(port: number, reconnect: boolean, gen: number): void {
    this.closeEvents();
    const sse = new SseClient({
      port,
      reconnect,
      random: this.opts.random,
      onEvent: (e) => this.emit(e),
      onDrop: (reason) => {
        if (this.generation !== gen || this.events !== sse) return;
        this.log('info', `event stream dropped: ${reason}`);
        if (!reconnect) void this.takeOver(gen);
      },
    });
    this.events = sse;
    sse.start();
  }

  /** A reader lost the owner: wait a random moment, then start over (probe, maybe fork). */
  private async takeOver(gen: number): Promise<void> {
    this.closeEvents();
    const wait = this.opts.takeoverDelay?.() ?? takeoverDelayMs(this.opts.random ?? Math.random);
    await delay(wait);
    if (this.generation !== gen) return;
    this.setState({ kind: 'starting' });
    await this.start();
  }

  private closeEvents(): void {
    this.events?.close();
    this.events = null;
  }

  /** Stops capture in this window: the owned collector exits, a reader stops reading. */
  async stop(): Promise<void> {
    this.generation++;
    this.starting = null;
    this.closeEvents();
    const proc = this.process;
    this.process = null;
    if (proc) {
      const how = await proc.stop(this.opts.stopTimeoutMs);
      this.log('info', `collector ${how === 'killed' ? 'killed after the shutdown timeout' : 'stopped'}`);
    }
    this.setState({ kind: 'stopped' });
  }

  async restart(): Promise<CollectorState> {
    await this.stop();
    return this.start();
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.stateListeners.clear();
    this.eventListeners.clear();
  }
}
