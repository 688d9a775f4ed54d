// The window's one way to the collector: one API client, one event stream, the collector's
// state and one log, shared by the tree, the status bar, every panel and the commands. The
// lifecycle half (CollectorClient: probe, fork, take over) is loaded on first use, so
// activation stays cheap. No vscode import: the host adapts it to vscode events.

import type { CollectorEvent } from '../../protocol/api';
import type { CollectorStartOptions } from '../../protocol/collector-ipc';
import { ApiClient } from './api-client';
import type { CollectorClient } from './collector-client';
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

  constructor(private readonly opts: CollectorConnectionOptions) {
    this.log = opts.log;
    this.api = new ApiClient(() => apiPortOf(this.current), opts.apiTimeoutMs);
  }

  get state(): CollectorState {
    return this.current;
  }

  /** Whether there is a collector to read from right now (this window's or another's). */
  get connected(): boolean {
    return apiPortOf(this.current) !== null;
  }

  get apiBase(): string | undefined {
    const port = apiPortOf(this.current);
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

  async stop(): Promise<void> {
    if (!this.client) {
      this.setState({ kind: 'stopped' });
      return;
    }
    await this.client.stop();
  }

  async restart(): Promise<CollectorState> {
    return (await this.lifecycle()).restart();
  }

  /** The owned collector flushes and frees the ports; listeners are dropped. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const client = this.client ?? (this.loading ? await this.loading : null);
    await client?.dispose();
    this.stateListeners.clear();
    this.eventListeners.clear();
  }
}
