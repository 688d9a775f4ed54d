// The store without capture (`spyglass serve --read-only`): the JSON API's reads over a database
// file opened read-only, on a loopback port (usually an ephemeral one), with no OTLP, proxy or
// gRPC listener, no writer and no analyses. The extension starts it when capture is stopped, or
// when the window that owned the collector is gone, so the tree, the explorer and the panels
// still read what is stored. Another process may still write the file (a CLI import, a
// collector started later): the reader looks at the store's revision and tells its event
// stream when it moved.

import { startHttpServer, type RunningHttpServer } from '../capture/http-server';
import type { HealthDto } from '../protocol/api';
import { Store } from '../store/store';
import { annotationRoutes } from './annotation-routes';
import { apiRoutes } from './api-routes';
import { CollectorStartError, VERSION } from './collector';
import { EventHub } from './events';
import { toOtlpJson } from './otlp-export';
import { OncePerMinute } from './once-per-minute';

export interface StoreReaderOptions {
  dbPath: string;
  httpPort: number;
  host?: string;
  /** How often the store's revision is looked at for writes by other processes. */
  pollMs?: number;
  warn?: (message: string) => void;
}

const READ_ONLY = (): never => {
  throw new ReadOnlyError();
};

class ReadOnlyError extends Error {
  constructor() {
    super('this Spyglass process reads the store only (capture is stopped)');
  }
}

export class StoreReader {
  readonly store: Store;
  readonly events: EventHub;
  private http: RunningHttpServer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  private lastRevision: number;
  private lastCount: number;
  private readonly refusals: OncePerMinute;

  private constructor(readonly options: StoreReaderOptions) {
    try {
      this.store = new Store(options.dbPath, null, { readonly: true });
    } catch (err) {
      throw new CollectorStartError('DB', null, `cannot read the database at ${options.dbPath}: ${(err as Error).message}`);
    }
    this.refusals = new OncePerMinute((m) => options.warn?.(m));
    this.events = new EventHub(() => ({ type: 'hello', version: VERSION, httpPort: this.httpPort, grpcPort: null, dbPath: options.dbPath }));
    this.lastRevision = this.store.queries.revision();
    this.lastCount = this.traceCount();
  }

  static async start(options: StoreReaderOptions): Promise<StoreReader> {
    const r = new StoreReader(options);
    try {
      await r.listen();
    } catch (err) {
      await r.stop();
      throw err;
    }
    return r;
  }

  get httpPort(): number {
    return this.http?.port ?? this.options.httpPort;
  }

  health(): HealthDto {
    return {
      ok: true, app: 'spyglass', version: VERSION, pid: process.pid, httpPort: this.httpPort, grpcPort: null,
      dbPath: this.options.dbPath, startedAt: this.startedAt, readOnly: true,
    };
  }

  private traceCount(): number {
    return this.store.db.prepare('SELECT count(*) FROM (SELECT 1 FROM traces LIMIT 1)').pluck().get() as number;
  }

  /** Another process wrote: the revision moved (or the store was emptied). */
  private poll(): void {
    const revision = this.store.queries.revision();
    const count = this.traceCount();
    if (count === 0 && this.lastCount > 0) this.events.broadcast({ type: 'cleared', at: Date.now() });
    else if (revision !== this.lastRevision) this.events.tracesChanged([], 0, 0);
    this.lastRevision = revision;
    this.lastCount = count;
  }

  private async listen(): Promise<void> {
    // Only the API's reads: every route that would change the store is left out (404, not a silent no-op).
    const routes = [
      ...apiRoutes({
        store: this.store,
        events: this.events,
        health: () => this.health(),
        metricsText: () => '',
        importOtlpJson: READ_ONLY,
        exportOtlpJson: (id) => toOtlpJson(this.store.iterateSpans(id)),
        clear: READ_ONLY,
        maxImportBytes: 0,
        genAiMetrics: READ_ONLY, // its route is left out below: the metrics' reader belongs to capture
      }),
      ...annotationRoutes({ store: this.store, write: READ_ONLY }),
    ].filter((r) => r.method === 'GET' && !/metrics/.test(r.pattern.source));
    try {
      this.http = await startHttpServer({
        host: this.options.host ?? '127.0.0.1',
        port: this.options.httpPort,
        routes,
        onRefused: (r, method, path) => this.refusals.note(`refused ${method} ${path} from ${r.from}: ${r.error}`),
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new CollectorStartError(e.code === 'EADDRINUSE' ? 'EADDRINUSE' : 'OTHER', this.options.httpPort, e.message);
    }
    this.timer = setInterval(() => {
      try {
        this.poll();
      } catch (err) {
        this.options.warn?.(`reading the store's revision failed: ${(err as Error).message}`);
      }
    }, this.options.pollMs ?? 2_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.events.close();
    await this.http?.close();
    this.store.close();
  }
}
