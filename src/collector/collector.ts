// The collector: one HTTP listener (OTLP, proxy, API, metrics), one gRPC listener, the store
// and its group-commit writer. The CLI runs it directly; the extension runs it in a child
// process so decoding and writing never touch the extension host's thread.

import path from 'node:path';
import { startGrpcServer } from '../capture/grpc-server';
import { createForwarder } from '../capture/forward';
import { DEFAULT_BODY_BUDGET_BYTES } from '../capture/body-budget';
import { startHttpServer, type Route, type RunningHttpServer } from '../capture/http-server';
import { otlpHttpRoutes } from '../capture/otlp';
import { RecordingProxy, type ProxyAdmission, type ProxyCallOrigin } from '../capture/proxy';
import { ReplayTickets } from '../capture/proxy/replay-tickets';
import { createMetrics } from '../core/metrics';
import type { HealthDto } from '../protocol/api';
import { DEFAULT_ALERT_CONFIG } from '../protocol/alerts';
import type { SpanSink } from '../capture/sink';
import type { CollectorStartOptions } from '../protocol/collector-ipc';
import type { FileUpgrade } from '../store/database';
import { Store } from '../store/store';
import type { Analyzer } from '../store/analyzer';
import type { AnnotationOp } from '../store/annotation-writes';
import { createAnalyzer } from './analyzer';
import { analysesFor, type AnalysesConfig } from '../core/analyses/registry';
import { GUARDRAIL_ANALYSIS_NAME, redactBatch, redactionConfig, type GuardrailsConfig } from '../core/guardrails';
import type { IngestBatch } from '../core/model';
import type { GuardrailConfigDto, GuardrailConfigRequest } from '../protocol/api';
import { checkGuardrailsConfig } from './guardrail-config';
import { guardrailRoutes } from './guardrail-routes';
import { guardrailLogsBody } from './forward-hits';
import { redactedOtlpBodies } from './forward-redacted';
import { chooseBackend } from './analysis-backends';
import { analysisRoutes } from './analysis-routes';
import { AnalysisRunner } from './analysis-runner';
import { promptRoutes } from './prompt-routes';
import { annotationRoutes } from './annotation-routes';
import { alertRoutes } from './alert-routes';
import { AlertService } from './alert-service';
import { apiRoutes } from './api-routes';
import { replayRoutes } from './replay-routes';
import { dashboardRoutes } from './dashboard-routes';
import { parsePriceOverrides } from '../core/pricing';
import { EventHub } from './events';
import { toOtlpJson } from './otlp-export';
import { importOtlpJson } from './otlp-import';
import { Checkpointer } from './checkpointer';
import { MetricsIngest } from './metrics-ingest';
import { COLLECTOR_SQLITE_CACHE_KIB } from './heap';
import { createPreparer, type Preparer } from './preparer';
import { OncePerMinute } from './once-per-minute';
import { WriteQueue } from './write-queue';

export const VERSION = '0.1.0';

export type CollectorOptions = CollectorStartOptions & {
  host?: string;
  /** The preparing worker's script; undefined finds dist/prepare-worker.js, null prepares on this thread. */
  prepareWorker?: string | null;
  /** The checkpointing worker's script; undefined finds dist/checkpoint-worker.js, null leaves checkpoints to SQLite. */
  checkpointWorker?: string | null;
  /** The analysis runner's worker script; undefined finds dist/analysis-worker.js, null analyses on this thread. */
  analysisWorker?: string | null;
  /** False: no post-capture analyses (the CLI's --no-analyses). */
  analyses?: boolean;
  /** Where replays read provider keys a request does not bring (default: the process environment). */
  replayEnv?: Record<string, string | undefined>;
  /** Told of what an operator should know (the CLI prints it on stderr). */
  warn?: (message: string) => void;
  /** Told of each alert raised or resolved (the CLI prints it on stderr). */
  reportAlert?: (line: string) => void;
  /** Told before an existing store is upgraded to this version's schema, which can take minutes. */
  onUpgrade?: (u: FileUpgrade) => void;
  /** False: no alert evaluation and no circuit breaker. */
  alertsEnabled?: boolean;
};

export const DEFAULT_OPTIONS: CollectorOptions = {
  httpPort: 4318,
  grpcPort: 4317,
  dbPath: path.join(process.env.HOME ?? '.', '.spyglass', 'spyglass.db'),
  upstreams: {},
  forwardEndpoint: null,
  storeContent: true,
  retentionDays: null,
  retentionMaxMb: null,
  priceOverrides: [],
  maxBodyBytes: 32 * 1024 * 1024,
};

/** A listener could not start; `code` says why (EADDRINUSE: the port belongs to another program). */
export class CollectorStartError extends Error {
  constructor(
    readonly code: 'EADDRINUSE' | 'EACCES' | 'DB' | 'OTHER',
    readonly port: number | null,
    message: string,
  ) {
    super(message);
  }
}

const RETENTION_EVERY_MS = 10 * 60_000;
/** Capture counts as busy this long after its last stored span. */
const CAPTURE_BUSY_MS = 250;

export class Collector {
  readonly store: Store;
  readonly events: EventHub;
  private readonly queue: WriteQueue;
  private readonly analyzer: Analyzer;
  private preparer: Preparer | null = null;
  private checkpointer: Checkpointer | null = null;
  private runner: AnalysisRunner | null = null;
  private alertService: AlertService | null = null;
  /** The guardrails configuration in force (the host's, checked) and privacy mode. */
  private guardrails: { config: GuardrailsConfig; privacyMode: boolean } = { config: {}, privacyMode: false };
  /** When the last write that stored spans committed (the runner stands aside while capture is busy). */
  private lastSpansAt = 0;
  private readonly metrics = createMetrics();
  private readonly otlpMetrics = new MetricsIngest(() => this.store.genAiMetrics);
  private http: RunningHttpServer | null = null;
  private proxy: RecordingProxy | null = null;
  private grpc: { port: number; close(): Promise<void> } | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private readonly forwarder: ReturnType<typeof createForwarder> | undefined;
  private readonly startedAt = Date.now();
  readonly priceWarnings: string[];
  /** Web pages that tried to write into the store: the operator hears of each once a minute. */
  private readonly refusals = new OncePerMinute((m) => this.options.warn?.(m));

  /** Bytes of request bodies held at once: room for two of the largest. */
  private get bodyBudgetBytes(): number {
    return Math.max(DEFAULT_BODY_BUDGET_BYTES, 2 * this.options.maxBodyBytes);
  }

  private constructor(readonly options: CollectorOptions) {
    const { analyzer, warnings } = createAnalyzer(options.priceOverrides);
    this.analyzer = analyzer;
    this.priceWarnings = warnings;
    try {
      this.store = new Store(options.dbPath, analyzer, {
        storeContent: options.storeContent,
        onUpgrade: options.onUpgrade,
        onCall: (f) =>
          this.metrics.observeCall({
            model: f.model,
            provider: f.provider,
            service: f.service,
            status: f.isError ? 'error' : 'ok',
            durationMs: f.durationUs / 1000,
            ttftMs: f.call.ttftMs,
            inputTokens: f.call.inputTokens,
            outputTokens: f.call.outputTokens,
            cachedInputTokens: f.call.cachedInputTokens,
            reasoningTokens: f.call.reasoningTokens,
            costUsd: f.call.costUsd,
          }),
      });
    } catch (err) {
      throw new CollectorStartError('DB', null, `cannot open the database at ${options.dbPath}: ${(err as Error).message}`);
    }
    this.store.db.pragma(`cache_size = -${COLLECTOR_SQLITE_CACHE_KIB}`);
    const checked = checkGuardrailsConfig(options.guardrails);
    if (!checked.ok) options.warn?.(`guardrails: the configuration was not valid, checking with the defaults (${checked.errors.join('; ')})`);
    this.guardrails = { config: checked.ok ? checked.config : {}, privacyMode: options.privacyMode === true };
    this.forwarder = options.forwardEndpoint ? createForwarder({ endpoint: options.forwardEndpoint }) : undefined;
    if (this.forwarder && this.redacting) {
      options.warn?.('privacy mode: what is forwarded is the spans and log records as stored, with PII and secrets replaced by placeholders (never the OTLP as received), and the guardrail hits');
    }
    this.events = new EventHub(() => ({
      type: 'hello',
      version: VERSION,
      httpPort: this.httpPort,
      grpcPort: this.grpcPort,
      dbPath: this.options.dbPath,
    }));
    if (options.alertsEnabled !== false) {
      this.alertService = new AlertService({
        store: this.store,
        events: this.events,
        config: { ...DEFAULT_ALERT_CONFIG, ...(options.alerts ?? {}) },
        report: (line) => (options.reportAlert ?? options.warn)?.(line),
        warn: (m) => this.refusals.note(m),
      });
    }
    this.queue = new WriteQueue(
      () => this.store.writer,
      (r) => {
        this.metrics.observeSpans('all', r.stored);
        this.checkpointer?.wrote(r.stored + r.logs);
        if (r.stored > 0 || r.logs > 0) this.events.tracesChanged(r.touchedTraceIds, r.stored, r.llmCalls);
        this.events.annotationsChanged(r.annotatedTraceIds);
        if (r.stored > 0) this.lastSpansAt = Date.now();
        if (r.callsChanged > 0) this.runner?.wake();
        if (r.llmCalls > 0) this.alertService?.onNewCalls();
      },
      () => (this.preparer?.inFlight ?? 0) > 0,
    );
  }

  static async start(opts: Partial<CollectorOptions> = {}): Promise<Collector> {
    const c = new Collector({ ...DEFAULT_OPTIONS, ...opts });
    try {
      await c.listen();
    } catch (err) {
      await c.stop();
      throw err;
    }
    return c;
  }

  get httpPort(): number {
    return this.http?.port ?? this.options.httpPort;
  }

  get grpcPort(): number | null {
    return this.grpc?.port ?? null;
  }

  health(): HealthDto {
    return {
      ok: true,
      app: 'spyglass',
      version: VERSION,
      pid: process.pid,
      httpPort: this.httpPort,
      grpcPort: this.grpcPort,
      dbPath: this.options.dbPath,
      startedAt: this.startedAt,
      preparing: this.preparer?.where ?? 'main thread',
    };
  }

  /** The post-capture analysis runner; null when analyses are off. */
  get analysisRunner(): AnalysisRunner | null {
    return this.runner;
  }

  /** Alert evaluation and the proxy's circuit breakers; null when alerts are off. */
  get alerts(): AlertService | null {
    return this.alertService;
  }

  /** The service a proxied call belongs to, and whether the breaker refuses it. */
  private admitProxyCall(origin: ProxyCallOrigin): ProxyAdmission {
    let service = origin.serviceHeader ?? origin.route;
    if (origin.traceId) {
      const joined = this.store.queries.getTraceSummary(origin.traceId)?.serviceName;
      if (joined) service = joined;
    }
    const a = this.alertService?.breakers.admit(service, Date.now());
    return { service, refuse: a && !a.ok ? a.reason ?? 'circuit breaker open' : null };
  }

  /**
   * What the analyses run under. In privacy mode (with content stored at all) calls are stored
   * redacted by the preparing step, and the checks read the placeholders as hits.
   */
  private analysesConfig(): AnalysesConfig {
    return { guardrails: this.guardrails.config, privacyMode: this.redacting };
  }

  /** Where received OTLP goes on as it came: nowhere in privacy mode, where it holds what redaction takes out (see redactedForwarder). */
  private get rawForwarder(): ReturnType<typeof createForwarder> | undefined {
    return this.redacting ? undefined : this.forwarder;
  }

  /** Where the redacted batches go in privacy mode, encoded again: the forwarder then, else nowhere. */
  private get redactedForwarder(): ReturnType<typeof createForwarder> | undefined {
    return this.redacting ? this.forwarder : undefined;
  }

  private get redacting(): boolean {
    return this.guardrails.privacyMode && this.options.storeContent;
  }

  /** The guardrails configuration in force. */
  guardrailConfig(): GuardrailConfigDto {
    const version = this.runner?.status().find((a) => a.name === GUARDRAIL_ANALYSIS_NAME)?.version
      ?? analysesFor(this.analysesConfig()).find((a) => a.name === GUARDRAIL_ANALYSIS_NAME)?.version ?? null;
    return { config: this.guardrails.config, privacyMode: this.guardrails.privacyMode, version };
  }

  /**
   * A new guardrails configuration: the checks run with it on calls stored from now on; the calls
   * stored before keep their hits, marked as checked by an older version, until a rerun.
   */
  async configureGuardrails(req: GuardrailConfigRequest): Promise<GuardrailConfigDto | { errors: string[] }> {
    const checked = checkGuardrailsConfig(req.config);
    if (!checked.ok) return { errors: checked.errors };
    // Privacy mode decides what the preparing step stores: it applies when the collector starts (the host restarts it).
    this.guardrails = { config: checked.config, privacyMode: this.guardrails.privacyMode };
    await this.runner?.reconfigure(analysesFor(this.analysesConfig()));
    return this.guardrailConfig();
  }

  /** Sends the guardrail hits the runner just stored on to the forward endpoint (as log records). */
  private forwardHits(ops: AnnotationOp[]): void {
    if (!this.forwarder) return;
    const body = guardrailLogsBody(ops.flatMap((op) => (op.op === 'replace' || op.op === 'add' ? op.annotations : [])));
    if (body) this.forwarder.forward('logs', body, 'application/json');
  }

  /** Writes annotation changes (and the runner's cursor) through the group-commit queue. */
  private writeOps(ops: AnnotationOp[]): Promise<void> {
    return this.queue.enqueue({ resources: [], spans: [], logs: [], annotations: [], ops });
  }

  /** Imports OTLP/JSON: one ExportTraceServiceRequest, or JSONL with one per line. */
  importOtlpJson(text: string): Promise<number> {
    return importOtlpJson(text, async (batch) => (await this.queue.ingest(await this.redacted(batch))).acceptedSpans);
  }

  /** A decoded batch as privacy mode lets it be stored (the preparer redacts the bodies it decodes itself). */
  private async redacted(batch: IngestBatch): Promise<IngestBatch> {
    return this.redacting ? redactBatch(batch, redactionConfig(this.guardrails.config)) : batch;
  }

  exportOtlpJson(traceId?: string): unknown {
    return toOtlpJson(this.store.iterateSpans(traceId));
  }

  clear(): void {
    this.queue.flush();
    this.store.clear();
    this.events.broadcast({ type: 'cleared', at: Date.now() });
    this.alertService?.clear();
  }

  /** What the OTLP receivers and the proxy store into: bodies and captures go to the preparer, then to the group-commit queue. */
  private readonly otlpSink: SpanSink = {
    ingest: async (batch) => this.queue.ingest(await this.redacted(batch)),
    recordProxyCall: async (capture) => this.queue.enqueue(await this.preparer!.prepareProxy(capture)),
    ingestOtlp: async (req) => {
      // A body that will not come after all must not hold up an open transaction waiting for it.
      const { batch, ...outcome } = await this.preparer!.prepare(req).catch((err: unknown) => {
        this.queue.schedule();
        throw err;
      });
      const redactedForwarder = this.redactedForwarder;
      if (redactedForwarder) for (const b of redactedOtlpBodies(batch)) redactedForwarder.forward(b.signal, b.body, 'application/json');
      if (batch.spans.length > 0 || batch.logs.length > 0) await this.queue.enqueue(batch);
      return outcome;
    },
  };

  private routes(): Route[] {
    const tickets = new ReplayTickets();
    this.proxy = new RecordingProxy({ sink: this.otlpSink, upstreams: this.options.upstreams, replays: tickets, admit: (o) => this.admitProxyCall(o) });
    return [
      ...otlpHttpRoutes(this.otlpSink, { maxBodyBytes: this.options.maxBodyBytes, forwarder: this.rawForwarder, metrics: this.otlpMetrics }),
      ...this.proxy.routes,
      ...apiRoutes({
        store: this.store,
        events: this.events,
        health: () => this.health(),
        metricsText: () => this.metrics.render(),
        importOtlpJson: (t) => this.importOtlpJson(t),
        exportOtlpJson: (id) => this.exportOtlpJson(id),
        clear: () => this.clear(),
        maxImportBytes: Math.min(this.options.maxBodyBytes * 4, this.bodyBudgetBytes),
        genAiMetrics: (q) => this.otlpMetrics.query(q),
      }),
      ...annotationRoutes({ store: this.store, write: (ops) => this.writeOps(ops) }),
      ...analysisRoutes(() => this.runner),
      ...promptRoutes(this.store),
      ...replayRoutes({
        store: this.store,
        write: (ops) => this.writeOps(ops),
        upstreams: this.proxy.upstreams,
        tickets,
        port: () => this.httpPort,
        env: this.options.replayEnv ?? process.env,
        maxBodyBytes: this.options.maxBodyBytes,
      }),
      ...alertRoutes(() => this.alertService),
      ...dashboardRoutes(this.store, { priceOverrides: parsePriceOverrides(this.options.priceOverrides ?? []).overrides }),
      ...guardrailRoutes({ store: this.store, config: () => this.guardrailConfig(), configure: (r) => this.configureGuardrails(r) }),
    ];
  }

  private async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    this.preparer = createPreparer(
      this.options.prepareWorker,
      this.analyzer,
      { priceOverrides: this.options.priceOverrides, storeContent: this.options.storeContent, ...(this.redacting ? { privacy: this.guardrails.config } : {}) },
      (m) => this.options.warn?.(m),
    );
    this.checkpointer = Checkpointer.create(this.store.db, this.options.dbPath, this.options.checkpointWorker);
    if (this.options.analyses !== false) {
      const warn = (m: string) => this.options.warn?.(m);
      const backend = chooseBackend(this.options.analysisWorker, this.options.dbPath, this.store.db, warn);
      this.runner = new AnalysisRunner({
        store: this.store,
        analyses: analysesFor(this.analysesConfig()),
        // The configuration as it is when the backend starts: a reconfigure replaces the backend.
        backend: () => backend(this.analysesConfig()),
        write: async (ops) => {
          await this.writeOps(ops);
          this.forwardHits(ops);
        },
        busy: () => Date.now() - this.lastSpansAt < CAPTURE_BUSY_MS || (this.preparer?.inFlight ?? 0) > 0,
        warn,
      });
    }
    try {
      this.http = await startHttpServer({
        host,
        port: this.options.httpPort,
        routes: this.routes(),
        limits: { bodyBudgetBytes: this.bodyBudgetBytes },
        onRefused: (r, method, path) => this.refusals.note(`refused ${method} ${path} from ${r.from}: ${r.error}`),
      });
    } catch (err) {
      throw listenError(err, this.options.httpPort);
    }
    if (this.options.grpcPort !== null) {
      try {
        this.grpc = await startGrpcServer({
          host,
          port: this.options.grpcPort,
          sink: this.otlpSink,
          maxMessageBytes: this.options.maxBodyBytes,
          forwarder: this.rawForwarder,
          metrics: this.otlpMetrics,
        });
      } catch (err) {
        throw listenError(err, this.options.grpcPort);
      }
    }
    this.runner?.start();
    this.alertService?.start();
    if (this.options.retentionDays || this.options.retentionMaxMb) {
      this.applyRetention();
      this.retentionTimer = setInterval(() => this.applyRetention(), RETENTION_EVERY_MS);
      this.retentionTimer.unref();
    }
  }

  applyRetention(): number {
    this.queue.flush();
    return this.store.prune({
      olderThanMs: this.options.retentionDays ? Date.now() - this.options.retentionDays * 86_400_000 : null,
      maxBytes: this.options.retentionMaxMb ? this.options.retentionMaxMb * 1024 * 1024 : null,
    });
  }

  async stop(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.alertService?.close();
    this.events.close();
    await Promise.all([this.http?.close(), this.grpc?.close()]);
    await this.proxy?.flush();
    this.proxy?.close();
    await this.runner?.close();
    await this.preparer?.close();
    await this.checkpointer?.close();
    this.forwarder?.close();
    this.queue.flush();
    this.store.close();
  }
}

function listenError(err: unknown, port: number): CollectorStartError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') return new CollectorStartError('EADDRINUSE', port, `port ${port} is already in use`);
  if (e.code === 'EACCES') return new CollectorStartError('EACCES', port, `not allowed to listen on port ${port}`);
  return new CollectorStartError('OTHER', port, e.message ?? String(err));
}
