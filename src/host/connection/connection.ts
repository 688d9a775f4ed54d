// The window's one way to the collector: one API client, one event stream, the collector's
// state and one log, shared by the tree, the status bar, every panel and the commands. The
// lifecycle half (CollectorClient: probe, fork, take over) is loaded on first use, so
// activation stays cheap. No vscode import: the host adapts it to vscode events.

import type { CollectorEvent } from '../../protocol/api';
import type { CollectorStartOptions } from '../../protocol/collector-ipc';
import { ApiClient } from './api-client';
import type { CollectorClient } from './collector-client';
import { forkCollector, type CollectorProcess } from './collector-process';
import { SseClient } from './event-stream';
import { LOOPBACK_HOST } from './loopback';
import { apiPortOf, type CollectorState } from './ownership-model';

/** What a `vscode.LogOutputChannel` offers; tests pass an array-backed one. */
export interface LogSink {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface CollectorConnectionOptions {
  cliPath: string;
  execPath?: string;
  /** Read fresh on every start, so a restart picks up changed settings. */
  getStartOptions: () => CollectorStartOptions;
  log: LogSink;
  apiTimeoutMs?: number;
}

type Listener<T> = (value: T) => void;

export interface Unsubscribe {
  dispose(): void;
}

export class CollectorConnection {
  /** Answers `no-collector` while there is no collector to read from; never replaced. */
  readonly api: ApiClient;
  readonly log: LogSink;
  private current: CollectorState = { kind: 'stopped' };
  private client: CollectorClient | null = null;
  private loading: Promise<CollectorClient> | null = null;
  private readonly stateListeners = new Set<Listener<CollectorState>>();
  private readonly eventListeners = new Set<Listener<CollectorEvent>>();
  private disposed = false;
  /**
   * The store without capture (`serve --read-only` on an ephemeral port): read while this window
   * has no collector to read from, so stored traces stay visible with capture stopped.
   */
  private storeReader: { process: CollectorProcess; port: number; events: SseClient } | null = null;
  private storeOpening: Promise<void> | null = null;
  private storeGeneration = 0;

  constructor(private readonly opts: CollectorConnectionOptions) {
    this.log = opts.log;
    this.api = new ApiClient(() => apiPortOf(this.current) ?? this.storeReader?.port ?? null, opts.apiTimeoutMs);
  }

  /** True while the API reads the store alone (capture stopped or failed). */
  get readOnly(): boolean {
    return apiPortOf(this.current) === null && this.storeReader !== null;
  }

  /**
   * Reads the stored data without capturing: forks the collector's read-only mode, once. A
   * missing or unreadable database leaves nothing to read (logged, not shown as an error).
   */
  readStore(): Promise<void> {
    if (this.disposed || this.storeReader || apiPortOf(this.current) !== null) return Promise.resolve();
    const gen = this.storeGeneration;
    this.storeOpening ??= (async () => {
      const options = this.opts.getStartOptions();
      const result = await forkCollector({
        cliPath: this.opts.cliPath,
        execPath: this.opts.execPath,
        options,
        extraArgs: ['--read-only', '--port', '0'],
        onLog: (level, message) => this.log[level](`[store] ${message}`),
      });
      if (result.kind !== 'listening') {
        this.log.info(`stored traces cannot be read without capture: ${'message' in result ? result.message : result.kind}`);
        return;
      }
      if (gen !== this.storeGeneration || this.disposed || apiPortOf(this.current) !== null) {
        await result.process.stop();
        return;
      }
      const events = new SseClient({ port: result.httpPort, reconnect: true, onEvent: (e) => this.fan(this.eventListeners, e, 'event') });
      this.storeReader = { process: result.process, port: result.httpPort, events };
      this.log.info(`reading stored traces without capture (${result.dbPath}, port ${result.httpPort}, pid ${result.process.pid})`);
      result.process.onExit(() => {
        if (this.storeReader?.process !== result.process) return;
        this.storeReader.events.close();
        this.storeReader = null;
      });
      events.start();
    })().finally(() => {
      this.storeOpening = null;
    });
    return this.storeOpening;
  }

  private async closeStore(): Promise<void> {
    this.storeGeneration++;
    const r = this.storeReader;
    this.storeReader = null;
    if (!r) return;
    r.events.close();
    await r.process.stop();
  }

  get state(): CollectorState {
    return this.current;
  }

  /** Whether there is a collector to read from right now (this window's or another's). */
  get connected(): boolean {
    return apiPortOf(this.current) !== null || this.storeReader !== null;
  }

  get apiBase(): string | undefined {
    const port = apiPortOf(this.current) ?? this.storeReader?.port ?? null;
    return port === null ? undefined : `http://${LOOPBACK_HOST}:${port}`;
  }

  /** Whether the event stream is open. */
  get live(): boolean {
    return this.client?.live ?? false;
  }

  onDidChangeState(listener: Listener<CollectorState>): Unsubscribe {
    this.stateListeners.add(listener);
    return { dispose: () => this.stateListeners.delete(listener) };
  }

  /**
   * `traces-changed`, `annotations-changed`, `cleared`, and `hello` after every (re)connect,
   * which listeners treat as "events may have been missed: catch up".
   */
  onEvent(listener: Listener<CollectorEvent>): Unsubscribe {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }

  private fan<T>(listeners: Set<Listener<T>>, value: T, what: string): void {
    for (const l of [...listeners]) {
      try {
        l(value);
      } catch (e) {
        this.log.error(`${what} listener failed: ${(e as Error).stack ?? e}`);
      }
    }
  }

  private setState(state: CollectorState): void {
    this.current = state;
    // Capture's collector serves the same reads; without one, the store reader does.
    if (apiPortOf(state) !== null) void this.closeStore();
    else if (state.kind === 'failed' || state.kind === 'port-conflict') void this.readStore();
    this.fan(this.stateListeners, state, 'state');
  }

  private lifecycle(): Promise<CollectorClient> {
    if (this.client) return Promise.resolve(this.client);
    this.loading ??= import('./collector-client').then(({ CollectorClient }) => {
      const client = new CollectorClient({
        cliPath: this.opts.cliPath,
        execPath: this.opts.execPath,
        getStartOptions: this.opts.getStartOptions,
        api: this.api,
        log: (level, message) => this.log[level](message),
      });
      client.onDidChangeState((s) => this.setState(s));
      client.onEvent((e) => this.fan(this.eventListeners, e, 'event'));
      this.client = client;
      return client;
    });
    return this.loading;
  }

  /** Starts capture, or joins the collector another window runs; a failed start is retried. */
  async start(): Promise<CollectorState> {
    if (this.disposed) return this.current;
    const client = await this.lifecycle();
    if (client.state.kind === 'failed' || client.state.kind === 'port-conflict') return client.restart();
    return client.start();
  }

  /** Stops capture; the stored traces stay readable (readStore). */
  async stop(): Promise<void> {
    if (!this.client) this.setState({ kind: 'stopped' });
    else await this.client.stop();
    await this.readStore();
  }

  async restart(): Promise<CollectorState> {
    return (await this.lifecycle()).restart();
  }

  /** The owned collector flushes and frees the ports; listeners are dropped. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const client = this.client ?? (this.loading ? await this.loading : null);
    await Promise.all([client?.dispose(), this.storeOpening?.then(() => this.closeStore()) ?? this.closeStore()]);
    this.stateListeners.clear();
    this.eventListeners.clear();
  }
}
