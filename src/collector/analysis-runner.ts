// The analysis runner, on the collector's thread: keeps each analysis's durable cursor (meta
// 'analysis.state', written in the same transaction as the annotations it found, so a restart
// resumes exactly where the last commit left off), asks its backend (a worker thread, started
// when there is work and stopped when idle) to analyse the next calls, and writes the results
// through the store's one writer. One request at a time: under a burst of ingest it falls behind
// rather than queueing work, then catches up. Capture never waits for it.

import type { Analysis } from '../core/analyses/analysis';
import { ruleSource } from '../core/annotations/model';
import type { AnalysisStatus } from '../protocol/api';
import type { AnnotationOp } from '../store/annotation-writes';
import type { Store } from '../store/store';
import type { AnalyseReply, AnalyseRequest, AnalysisCursor } from './analysis-messages';

export const STATE_KEY = 'analysis.state';
const BATCH = 256;
/** The worker goes after this long without work (its thread and connection cost memory). */
const IDLE_MS = 30_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 300_000;
/** While capture is busy the runner waits in steps of this… */
const BUSY_STEP_MS = 100;
/** …but at most this long per batch, so a steady stream of spans still gets its calls analysed. */
const BUSY_MAX_WAIT_MS = 2_000;

/** Where analyses run: a worker thread, or this thread. */
export interface AnalysisBackend {
  analyse(req: AnalyseRequest): Promise<AnalyseReply>;
  close(): Promise<void>;
}

interface AnalysisState extends AnalysisCursor {
  version: number | string;
  /** Calls up to here were analysed by an older version, until a rerun. */
  staleUntil: AnalysisCursor | null;
}

export interface AnalysisRunnerOptions {
  store: Store;
  analyses: readonly Analysis[];
  /** Starts a backend when there is work (with the analyses as last configured). */
  backend: () => Promise<AnalysisBackend>;
  /** Writes through the collector's writer; resolves once committed. */
  write: (ops: AnnotationOp[]) => Promise<void>;
  /**
   * True while capture is storing spans. The runner then waits before each batch (up to
   * BUSY_MAX_WAIT_MS): its reads keep the WAL from starting over, which makes every commit copy
   * pages, so under a burst it stands aside and catches up after.
   */
  busy?: () => boolean;
  warn?: (message: string) => void;
  idleMs?: number;
}

export class AnalysisRunner {
  private state = new Map<string, AnalysisState>();
  /** Bumped by a rerun: a reply to a request sent before it must not move that cursor. */
  private generation = new Map<string, number>();
  private backend: Promise<AnalysisBackend> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** After a failure, the next try waits this long (doubling, up to RETRY_MAX_MS). */
  private retryMs = RETRY_MIN_MS;
  private analysedCalls = 0;
  private analyses: readonly Analysis[];
  /** The backend runs analyses configured before the last reconfigure: replaced before the next batch. */
  private backendOutdated = false;

  constructor(private readonly opts: AnalysisRunnerOptions) {
    this.analyses = opts.analyses;
    this.load();
  }

  /**
   * New analyses (a changed configuration): an analysis whose version changed goes on from its
   * cursor, the calls before marked stale until a rerun; the backend is replaced so the next batch
   * runs the new ones. Persisted at once, so a restart knows which calls the old version checked.
   */
  async reconfigure(analyses: readonly Analysis[]): Promise<void> {
    const same = analyses.length === this.analyses.length && analyses.every((a) => this.state.get(a.name)?.version === a.version);
    this.analyses = analyses;
    // The same versions (a window sending the configuration the collector already has): nothing to redo.
    if (same) return;
    const before = this.state;
    this.state = new Map();
    for (const a of analyses) {
      const s = before.get(a.name);
      if (!s) this.state.set(a.name, { version: a.version, rev: 0, row: 0, staleUntil: null });
      else if (s.version === a.version) this.state.set(a.name, s);
      else this.state.set(a.name, { version: a.version, rev: s.rev, row: s.row, staleUntil: s.rev > 0 || s.row > 0 ? { rev: s.rev, row: s.row } : null });
      // A reply computed by the old version must not move the new one's cursor.
      if (s?.version !== a.version) this.generation.set(a.name, (this.generation.get(a.name) ?? 0) + 1);
    }
    this.backendOutdated = true;
    await this.opts.write([this.stateOp()]);
    this.wake();
  }

  /** Calls that analyses have looked at since start (for benches and tests). */
  get callsAnalysed(): number {
    return this.analysedCalls;
  }

  /** Resolves when the runner has nothing left to do (it may be woken again later). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stored calls changed: analyse what is new. */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again && !this.closed) this.wake();
    });
  }

  /** Starts on stored calls not analysed yet (after a restart, or new analyses). */
  start(): void {
    if (this.analyses.some((a) => this.pending(a.name, 1) > 0)) this.wake();
  }

  status(): AnalysisStatus[] {
    return this.analyses.map((a) => ({
      name: a.name, version: a.version, description: a.description, pending: this.pending(a.name), stale: this.state.get(a.name)!.staleUntil !== null,
    }));
  }

  /** Analyses every stored call again, with the current versions (one analysis, or all); false for an unknown name. */
  async rerun(name?: string): Promise<boolean> {
    const names = name === undefined ? this.analyses.map((a) => a.name) : [name];
    if (names.some((n) => !this.state.has(n))) return false;
    for (const n of names) {
      const s = this.state.get(n)!;
      this.state.set(n, { version: s.version, rev: 0, row: 0, staleUntil: null });
      this.generation.set(n, (this.generation.get(n) ?? 0) + 1);
    }
    await this.opts.write([this.stateOp()]);
    this.wake();
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    // The backend first: a request it still holds fails at once, rather than at its timeout.
    await this.stopBackend();
    await this.running?.catch(() => undefined);
    await this.stopBackend();
  }

  private async run(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    try {
      for (;;) {
        this.again = false;
        const generations = new Map(this.generation);
        const cursors: Record<string, AnalysisCursor> = {};
        for (const [name, s] of this.state) cursors[name] = { rev: s.rev, row: s.row };
        await this.standAside();
        if (this.closed) return;
        if (this.backendOutdated) {
          this.backendOutdated = false;
          await this.stopBackend();
        }
        this.backend ??= this.opts.backend();
        const reply = await (await this.backend).analyse({ type: 'analyse', cursors, limit: BATCH });
        if (this.closed) return;
        const ops: AnnotationOp[] = [];
        for (const r of reply.results) {
          if (generations.get(r.analysis) !== this.generation.get(r.analysis)) continue;
          ops.push({ op: 'replace', traceId: r.traceId, spanId: r.spanId, source: ruleSource(r.analysis), annotations: r.annotations, ifStored: true });
        }
        let moved = false;
        for (const [name, c] of Object.entries(reply.cursors)) {
          const s = this.state.get(name);
          if (!s || generations.get(name) !== this.generation.get(name)) continue;
          if (c.rev !== s.rev || c.row !== s.row) moved = true;
          s.rev = c.rev;
          s.row = c.row;
        }
        if (moved || ops.length) await this.opts.write([...ops, this.stateOp()]);
        this.analysedCalls += reply.calls;
        if (reply.done && !this.again) break;
      }
    } catch (err) {
      await this.stopBackend();
      if (this.closed) return;
      // Its cursor has not moved past what failed: it tries again, later each time while it keeps failing.
      this.opts.warn?.(`analysis runner: ${(err as Error)?.message ?? String(err)}; trying again in ${Math.round(this.retryMs / 1000)} s`);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.wake();
      }, this.retryMs);
      this.retryTimer.unref();
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      return;
    }
    this.retryMs = RETRY_MIN_MS;
    this.idleTimer = setTimeout(() => void this.stopBackend(), this.opts.idleMs ?? IDLE_MS);
    this.idleTimer.unref();
  }

  /** Waits while capture is busy, up to BUSY_MAX_WAIT_MS. */
  private async standAside(): Promise<void> {
    const busy = this.opts.busy;
    if (!busy) return;
    const until = Date.now() + BUSY_MAX_WAIT_MS;
    while (!this.closed && busy() && Date.now() < until) await new Promise((r) => setTimeout(r, BUSY_STEP_MS));
  }

  private async stopBackend(): Promise<void> {
    const b = this.backend;
    this.backend = null;
    if (b) await (await b.catch(() => null))?.close();
  }

  private stateOp(): AnnotationOp {
    return { op: 'meta', key: STATE_KEY, value: JSON.stringify(Object.fromEntries(this.state)) };
  }

  /** Stored state per registered analysis: a new one starts at the first call; a changed version goes on, marking what came before as stale. */
  private load(): void {
    const raw = this.opts.store.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(STATE_KEY) as string | undefined;
    let stored: Record<string, Partial<AnalysisState>> = {};
    try {
      stored = raw ? (JSON.parse(raw) as typeof stored) : {};
    } catch {
      this.opts.warn?.('analysis runner: its stored state was unreadable; analysing every stored call again');
    }
    for (const a of this.analyses) {
      const s = stored[a.name];
      const rev = Number(s?.rev ?? 0);
      const row = Number(s?.row ?? 0);
      if (!s || !Number.isFinite(rev) || !Number.isFinite(row)) {
        this.state.set(a.name, { version: a.version, rev: 0, row: 0, staleUntil: null });
      } else if (s.version !== a.version) {
        this.state.set(a.name, { version: a.version, rev, row, staleUntil: rev > 0 || row > 0 ? { rev, row } : null });
      } else {
        this.state.set(a.name, { version: a.version, rev, row, staleUntil: s.staleUntil ?? null });
      }
    }
  }

  /** Stored calls after an analysis's cursor, counted up to `max`. */
  private pending(name: string, max = Number.MAX_SAFE_INTEGER): number {
    const s = this.state.get(name)!;
    return this.opts.store.db
      .prepare('SELECT count(*) FROM (SELECT 1 FROM llm_calls WHERE store_rev >= ? AND (store_rev > ? OR span_row > ?) LIMIT ?)')
      .pluck()
      .get(s.rev, s.rev, s.row, max) as number;
  }
}
