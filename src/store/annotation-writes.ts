// The annotations table's write side, inside the writer's open transaction: stores, replaces
// and removes annotations, stamps the spans they are about with the transaction's revision (so
// an open trace view is patched), and at commit counts each touched trace's annotations again
// into its row (the trace list shows them without a join).

import type Database from 'better-sqlite3';
import type { NewAnnotation } from '../core/annotations/model';

/** A change to the annotations, carried in a PreparedBatch to the writer. */
export type AnnotationOp =
  /** Adds annotations; `ids` receives the stored rows' ids (0 for a repeated delivery). */
  | { op: 'add'; annotations: NewAnnotation[]; ids?: number[] }
  /**
   * Replaces what `source` said about a span (optionally only of one kind) with `annotations`:
   * an analysis run again, a user's feedback changed. `ids` receives the new rows' ids.
   */
  | {
    op: 'replace'; traceId: string; spanId: string | null; source: string; kind?: string; annotations: NewAnnotation[]; ids?: number[];
    /** Only while the span is stored: an analysis's finding about a span cleared or pruned meanwhile is dropped. */
    ifStored?: boolean;
  }
  /** Removes one annotation, only if its source is `source` when that is given; `removed` tells. */
  | { op: 'delete'; id: number; source?: string; removed?: { traceId: string } | null }
  /** Sets a meta value in the same transaction (the analysis runner's cursor). */
  | { op: 'meta'; key: string; value: string };

interface CountRow {
  kind: string;
  label: string | null;
  n: number;
}

export class AnnotationWrites {
  private readonly stmts;
  /** Traces whose annotations changed in the open transaction. */
  private readonly touchedTraces = new Set<string>();
  /** Spans (trace id + span id) whose annotations changed: stamped with the revision. */
  private readonly touchedSpans = new Map<string, { traceId: string; spanId: string }>();
  /** Whether the table may hold rows: an empty one spares new traces a look. */
  private anyRows: boolean | null = null;

  constructor(db: Database.Database) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO annotations (trace_id, span_id, kind, name, label, score, explanation, source, location,
        attributes, created_us, at_us, call_revision, store_rev, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (trace_id, origin) WHERE origin IS NOT NULL DO NOTHING`),
      callRevision: db.prepare(`SELECT c.revision FROM spans s JOIN llm_calls c ON c.span_row = s.id
        WHERE s.trace_id = ? AND s.span_id = ?`).pluck(),
      deleteOfSpan: db.prepare('DELETE FROM annotations WHERE trace_id = ? AND span_id IS ? AND source = ? AND (? IS NULL OR kind = ?)'),
      deleteOne: db.prepare('DELETE FROM annotations WHERE id = ? AND (? IS NULL OR source = ?) RETURNING trace_id, span_id'),
      any: db.prepare('SELECT 1 FROM annotations LIMIT 1').pluck(),
      spanStored: db.prepare('SELECT 1 FROM spans WHERE trace_id = ? AND span_id = ?').pluck(),
      anyOfTrace: db.prepare('SELECT 1 FROM annotations WHERE trace_id = ? LIMIT 1').pluck(),
      counts: db.prepare('SELECT kind, label, count(*) AS n FROM annotations WHERE trace_id = ? GROUP BY kind, label'),
      putCounts: db.prepare('UPDATE traces SET annotation_counts = ?, feedback_up = ?, feedback_down = ? WHERE trace_id = ?'),
      stampSpan: db.prepare('UPDATE spans SET store_rev = ? WHERE trace_id = ? AND span_id = ? AND store_rev < ?'),
      putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  /**
   * Stores an annotation; 0 when it was delivered before (same origin). `callRevision`: the
   * revision of the call it is about when the caller knows it, else it is looked up.
   */
  add(a: NewAnnotation, rev: number, nowUs: number, callRevision?: number | null): number {
    const revision = a.callRevision !== undefined ? a.callRevision
      : callRevision !== undefined ? callRevision
      : a.spanId ? ((this.stmts.callRevision.get(a.traceId, a.spanId) as number | undefined) ?? null) : null;
    const info = this.stmts.insert.run(
      a.traceId, a.spanId, a.kind, a.name, a.label, a.score, a.explanation, a.source, a.location ? JSON.stringify(a.location) : null,
      Object.keys(a.attributes).length ? JSON.stringify(a.attributes) : null, a.createdUs ?? nowUs, a.atUs, revision, rev, a.origin,
    );
    if (info.changes === 0) return 0;
    this.touched(a.traceId, a.spanId);
    this.anyRows = true;
    return Number(info.lastInsertRowid);
  }

  /** Removes what `source` said about a span (of `kind`, if given); how many went. */
  removeOfSpan(traceId: string, spanId: string | null, source: string, kind: string | null): number {
    const n = this.stmts.deleteOfSpan.run(traceId, spanId, source, kind, kind).changes;
    if (n > 0) this.touched(traceId, spanId);
    return n;
  }

  /** Removes one annotation (only of `source`, if given); the trace it was about, or null when there was none such. */
  remove(id: number, source: string | null): { traceId: string } | null {
    const row = this.stmts.deleteOne.get(id, source, source) as { trace_id: string; span_id: string | null } | undefined;
    if (!row) return null;
    this.touched(row.trace_id, row.span_id);
    return { traceId: row.trace_id };
  }

  spanStored(traceId: string, spanId: string): boolean {
    return this.stmts.spanStored.get(traceId, spanId) !== undefined;
  }

  setMeta(key: string, value: string): void {
    this.stmts.putMeta.run(key, value);
  }

  private touched(traceId: string, spanId: string | null): void {
    this.touchedTraces.add(traceId);
    if (spanId) this.touchedSpans.set(traceId + spanId, { traceId, spanId });
  }

  get changed(): boolean {
    return this.touchedTraces.size > 0;
  }

  /** True when the table may hold rows about this trace (a trace row is being created). */
  mayHave(traceId: string): boolean {
    this.anyRows ??= this.stmts.any.get() !== undefined;
    return this.anyRows && this.stmts.anyOfTrace.get(traceId) !== undefined;
  }

  /**
   * At commit, after the trace rows are written: each trace whose annotations changed, and each
   * new trace row whose annotations came first (log records before their spans), is counted
   * again; spans whose annotations changed take the revision. Returns the traces whose
   * annotations changed.
   */
  finish(rev: number, newTraces: Iterable<string>): string[] {
    const changed = [...this.touchedTraces];
    for (const id of newTraces) if (!this.touchedTraces.has(id) && this.mayHave(id)) this.touchedTraces.add(id);
    for (const { traceId, spanId } of this.touchedSpans.values()) this.stmts.stampSpan.run(rev, traceId, spanId, rev);
    const traces = [...this.touchedTraces];
    for (const traceId of traces) {
      const counts: Record<string, number> = {};
      let up = 0;
      let down = 0;
      for (const r of this.stmts.counts.all(traceId) as CountRow[]) {
        counts[r.kind] = (counts[r.kind] ?? 0) + r.n;
        if (r.kind === 'feedback' && r.label === 'up') up += r.n;
        if (r.kind === 'feedback' && r.label === 'down') down += r.n;
      }
      this.stmts.putCounts.run(Object.keys(counts).length ? JSON.stringify(counts) : null, up, down, traceId);
    }
    this.reset();
    return changed;
  }

  /** Forgets the open transaction's changes (rollback), and what it knew of the table (clear). */
  reset(): void {
    this.touchedTraces.clear();
    this.touchedSpans.clear();
    this.anyRows = null;
  }
}
