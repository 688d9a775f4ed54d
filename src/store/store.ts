// The store: one SQLite file, a batched writer, the read queries, retention and export.

import type Database from 'better-sqlite3';
import fs from 'node:fs';
import type { IngestSpan } from '../core/model';
import type { Analyzer } from './analyzer';
import { annotationEvent, carriedBySpan } from '../core/annotations/export-events';
import type { StoredAnnotation } from '../core/annotations/model';
import { openDatabase, type OpenOptions } from './database';
import { GenAiMetricStore } from './genai-metrics';
import { SHARED_TABLES, TRACE_OWNED_TABLES } from './owned-tables';
import { TraceQueries } from './queries';
import { PromptWrites } from './prompt-writes';
import { prunePromptRollups } from './prompt-rollups';
import { rebuildRollupLevel, ROLLUP_LEVELS } from './rollups';
import { SpanWriter, spanFromRow, type WriterOptions } from './writer';

export interface StoreOptions {
  readonly?: boolean;
  storeContent?: boolean;
  onCall?: WriterOptions['onCall'];
  onUpgrade?: OpenOptions['onUpgrade'];
}

export class Store {
  readonly db: Database.Database;
  readonly queries: TraceQueries;
  private writerInstance: SpanWriter | null = null;
  private metricsInstance: GenAiMetricStore | null = null;

  constructor(
    readonly file: string,
    private readonly analyzer: Analyzer | null,
    private readonly opts: StoreOptions = {},
  ) {
    this.db = openDatabase(file, { readonly: opts.readonly, onUpgrade: opts.onUpgrade });
    this.queries = new TraceQueries(this.db);
  }

  get writer(): SpanWriter {
    if (!this.writerInstance) {
      if (this.opts.readonly || !this.analyzer) throw new Error('store opened read-only');
      this.writerInstance = new SpanWriter(this.db, this.analyzer, { storeContent: this.opts.storeContent, onCall: this.opts.onCall });
    }
    return this.writerInstance;
  }

  /** The GenAI client metrics received over OTLP. */
  get genAiMetrics(): GenAiMetricStore {
    this.metricsInstance ??= new GenAiMetricStore(this.db);
    return this.metricsInstance;
  }

  /** Removes every trace with all that belongs to it, the rollups and the resources. */
  clear(): void {
    this.db.transaction(() => {
      for (const t of [...TRACE_OWNED_TABLES.map((o) => o.table), ...ROLLUP_LEVELS.map((l) => l.table), ...SHARED_TABLES.cleared]) {
        this.db.exec(`DELETE FROM ${t}`);
      }
    })();
    this.writerInstance?.resetCaches();
  }

  /**
   * Drops whole traces, oldest first: those that started before `olderThanMs`, then more
   * until the file is under `maxBytes`. Returns how many traces went.
   */
  prune(opts: { olderThanMs?: number | null; maxBytes?: number | null }): number {
    let removed = 0;
    if (opts.olderThanMs != null) {
      const ids = this.db.prepare('SELECT trace_id FROM traces WHERE start_us < ?').pluck().all(opts.olderThanMs * 1000) as string[];
      removed += this.deleteTraces(ids);
      // Evaluations sent as log records for spans that never came belong to no stored trace: they age out on their own.
      this.db.prepare('DELETE FROM annotations WHERE at_us < ? AND trace_id NOT IN (SELECT trace_id FROM traces)').run(opts.olderThanMs * 1000);
      this.genAiMetrics.pruneBefore(opts.olderThanMs * 1000);
    }
    if (opts.maxBytes != null) {
      for (let round = 0; round < 50 && this.sizeBytes() > opts.maxBytes; round++) {
        const total = this.db.prepare('SELECT count(*) FROM traces').pluck().get() as number;
        if (total === 0) break;
        const ids = this.db
          .prepare('SELECT trace_id FROM traces ORDER BY start_us LIMIT ?')
          .pluck()
          .all(Math.max(1, Math.ceil(total / 10))) as string[];
        removed += this.deleteTraces(ids);
        this.db.pragma('wal_checkpoint(TRUNCATE)');
        this.db.exec('VACUUM');
      }
    }
    return removed;
  }

  private deleteTraces(ids: string[]): number {
    if (ids.length === 0) return 0;
    const del = TRACE_OWNED_TABLES.map((o) => this.db.prepare(`DELETE FROM ${o.table} WHERE ${o.ofTrace}`));
    const prompts = new PromptWrites(this.db);
    this.db.transaction(() => {
      for (const id of ids) {
        prompts.forgetTrace(id);
        for (const stmt of del) stmt.run(id);
      }
      prompts.settle();
      // Pruning goes oldest first, so the rollups to drop are those before the oldest call left.
      this.db.exec(`DELETE FROM llm_rollup WHERE minute_us < coalesce((SELECT min(start_us) FROM llm_calls), 9e18) / 60000000 * 60000000`);
      this.pruneCoarseRollups();
      prunePromptRollups(this.db);
    })();
    return ids.length;
  }

  /** Coarser rollups follow the minutes: rows wholly before the oldest minute left go, the one holding it is summed again. */
  private pruneCoarseRollups(): void {
    const oldest = this.db.prepare('SELECT min(minute_us) FROM llm_rollup').pluck().get() as number | null;
    ROLLUP_LEVELS.forEach((level, i) => {
      if (i === 0) return;
      if (oldest === null) {
        this.db.exec(`DELETE FROM ${level.table}`);
        return;
      }
      const first = Math.floor(oldest / level.us) * level.us;
      this.db.prepare(`DELETE FROM ${level.table} WHERE ${level.key} < ?`).run(first);
      rebuildRollupLevel(this.db, i, first, first + level.us);
    });
  }

  sizeBytes(): number {
    if (this.file === ':memory:') return 0;
    let size = 0;
    for (const suffix of ['', '-wal']) {
      try {
        size += fs.statSync(this.file + suffix).size;
      } catch {
        // no WAL file yet
      }
    }
    return size;
  }

  /**
   * Spans as ingested, for export (all, or one trace), with their annotations as span events
   * (those about the whole trace on its root span) unless the span carried them itself.
   */
  *iterateSpans(traceId?: string): Generator<IngestSpan> {
    const sql = `SELECT s.*, r.attributes AS resource FROM spans s LEFT JOIN resources r ON r.id = s.resource_id
      ${traceId ? 'WHERE s.trace_id = ?' : ''} ORDER BY s.trace_id, s.parent_span_id IS NOT NULL, s.start_us`;
    const stmt = this.db.prepare(sql);
    const rows = (traceId ? stmt.iterate(traceId) : stmt.iterate()) as IterableIterator<Parameters<typeof spanFromRow>[0]>;
    let current: string | null = null;
    let pending = new Map<string | null, StoredAnnotation[]>();
    for (const row of rows) {
      const span = spanFromRow(row);
      if (span.traceId !== current) {
        current = span.traceId;
        pending = this.exportedAnnotations(current);
        // Spans come root first: the trace's own annotations go on it.
        const own = pending.get(null);
        if (own) span.events.push(...own.map(annotationEvent));
      }
      const mine = pending.get(span.spanId);
      if (mine) span.events.push(...mine.map(annotationEvent));
      yield span;
    }
  }

  /** A trace's annotations to export, by span (null: the trace's own). */
  private exportedAnnotations(traceId: string): Map<string | null, StoredAnnotation[]> {
    const out = new Map<string | null, StoredAnnotation[]>();
    for (const a of this.queries.annotations.storedOfTrace(traceId)) {
      if (carriedBySpan(a)) continue;
      const list = out.get(a.spanId);
      if (list) list.push(a);
      else out.set(a.spanId, [a]);
    }
    return out;
  }

  close(): void {
    this.db.close();
  }
}
