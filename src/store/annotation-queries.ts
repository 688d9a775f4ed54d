// The annotations table's read side: a span's or a trace's annotations, and the list across
// traces behind `GET /api/annotations` (newest first, paged by a cursor).

import type Database from 'better-sqlite3';
import type { StoredAnnotation } from '../core/annotations/model';
import type { AnnotationDto, AnnotationPage, AnnotationQuery } from '../protocol/api';
import { decodeCursor, encodeCursor, pageOf, StatementCache } from './pages';
import type { SchemaInfo } from './schema-info';

const MAX_PAGE = 500;

export interface AnnotationRow {
  id: number;
  trace_id: string;
  span_id: string | null;
  kind: string;
  name: string;
  label: string | null;
  score: number | null;
  explanation: string | null;
  source: string;
  location: string | null;
  attributes: string | null;
  created_us: number;
  call_revision: number | null;
}

const COLUMNS = 'id, trace_id, span_id, kind, name, label, score, explanation, source, location, attributes, created_us, call_revision';

export function annotationDto(r: AnnotationRow): AnnotationDto {
  return {
    id: String(r.id),
    traceId: r.trace_id,
    spanId: r.span_id,
    kind: r.kind,
    name: r.name,
    label: r.label,
    score: r.score,
    explanation: r.explanation,
    source: r.source,
    location: r.location ? JSON.parse(r.location) : null,
    attributes: r.attributes ? JSON.parse(r.attributes) : {},
    createdAt: r.created_us / 1000,
    callRevision: r.call_revision,
  };
}

export class AnnotationQueries {
  private readonly stmts;
  private readonly lists: StatementCache;

  constructor(db: Database.Database, schema: SchemaInfo) {
    this.lists = new StatementCache(db);
    // A file an older Spyglass made and still owns (read before it is migrated) has none to read.
    this.stmts = !schema.hasTable('annotations') ? null : {
      ofTrace: db.prepare(`SELECT ${COLUMNS} FROM annotations WHERE trace_id = ? ORDER BY created_us, id`),
      ofSpan: db.prepare(`SELECT ${COLUMNS} FROM annotations WHERE trace_id = ? AND span_id IS ? ORDER BY created_us, id`),
      countsOfSpans: db.prepare('SELECT span_id, kind, count(*) FROM annotations WHERE trace_id = ? AND span_id IS NOT NULL GROUP BY span_id, kind').raw(),
      byId: db.prepare(`SELECT ${COLUMNS} FROM annotations WHERE id = ?`),
      storedOfTrace: db.prepare(`SELECT ${COLUMNS}, at_us, origin FROM annotations WHERE trace_id = ? ORDER BY created_us, id`),
      hitsSince: db.prepare("SELECT count(*) FROM annotations WHERE kind = 'guardrail' AND at_us >= ?").pluck(),
    };
  }

  /** A trace's annotations, oldest first: those about the trace itself (span null) and, by span, the others. */
  ofTrace(traceId: string): { trace: AnnotationDto[]; bySpan: Map<string, AnnotationDto[]> } {
    const trace: AnnotationDto[] = [];
    const bySpan = new Map<string, AnnotationDto[]>();
    for (const r of (this.stmts?.ofTrace.all(traceId) ?? []) as AnnotationRow[]) {
      const dto = annotationDto(r);
      if (r.span_id === null) trace.push(dto);
      else {
        const list = bySpan.get(r.span_id);
        if (list) list.push(dto);
        else bySpan.set(r.span_id, [dto]);
      }
    }
    return { trace, bySpan };
  }

  /** One span's annotations (null: the trace's own), oldest first. */
  ofSpan(traceId: string, spanId: string | null): AnnotationDto[] {
    return ((this.stmts?.ofSpan.all(traceId, spanId) ?? []) as AnnotationRow[]).map(annotationDto);
  }

  /** Per span of a trace, its annotation counts by kind. */
  countsBySpan(traceId: string): Map<string, Record<string, number>> {
    const out = new Map<string, Record<string, number>>();
    for (const [spanId, kind, n] of (this.stmts?.countsOfSpans.all(traceId) ?? []) as [string, string, number][]) {
      let counts = out.get(spanId);
      if (!counts) out.set(spanId, (counts = {}));
      counts[kind] = n;
    }
    return out;
  }

  /** A trace's annotations as stored, for export. */
  storedOfTrace(traceId: string): StoredAnnotation[] {
    return ((this.stmts?.storedOfTrace.all(traceId) ?? []) as (AnnotationRow & { at_us: number; origin: string | null })[]).map((r) => ({
      traceId: r.trace_id, spanId: r.span_id, kind: r.kind, name: r.name, label: r.label, score: r.score, explanation: r.explanation,
      source: r.source, location: r.location ? JSON.parse(r.location) : null, attributes: r.attributes ? JSON.parse(r.attributes) : {},
      createdUs: r.created_us, callRevision: r.call_revision, atUs: r.at_us, origin: r.origin,
    }));
  }

  byId(id: number): AnnotationDto | null {
    const r = this.stmts?.byId.get(id) as AnnotationRow | undefined;
    return r ? annotationDto(r) : null;
  }

  /** Guardrail hits on what happened since `sinceUs`. */
  guardrailHitsSince(sinceUs: number): number {
    return (this.stmts?.hitsSince.get(sinceUs) as number | undefined) ?? 0;
  }

  /** Annotations across traces, newest first. Throws RangeError for a cursor it did not give. */
  list(q: AnnotationQuery): AnnotationPage {
    if (!this.stmts) return { annotations: [], nextCursor: null };
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 100)), MAX_PAGE);
    const where: string[] = [];
    const args: (string | number)[] = [];
    const eq = (column: string, v: string | undefined) => {
      if (v === undefined) return;
      where.push(`${column} = ?`);
      args.push(v);
    };
    eq('kind', q.kind);
    eq('name', q.name);
    eq('label', q.label);
    eq('source', q.source);
    eq('trace_id', q.traceId);
    if (q.spanId !== undefined) eq('span_id', q.spanId);
    if (q.from !== undefined) {
      where.push('created_us >= ?');
      args.push(Math.floor(q.from * 1000));
    }
    if (q.to !== undefined) {
      where.push('created_us < ?');
      args.push(Math.floor(q.to * 1000));
    }
    if (q.cursor) {
      const [createdUs, id] = decodeCursor(q.cursor, /^[1-9][0-9]*$/);
      where.push('(created_us < ? OR (created_us = ? AND id < ?))');
      args.push(createdUs, createdUs, Number(id));
    }
    const sql = `SELECT ${COLUMNS} FROM annotations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_us DESC, id DESC LIMIT ${limit + 1}`;
    const { page, nextCursor } = pageOf(this.lists.get(sql).all(...args) as AnnotationRow[], limit, (last) => encodeCursor(last.created_us, last.id));
    return { annotations: page.map(annotationDto), nextCursor };
  }
}

