// The light span list of a trace (TraceOutline): what the waterfall paints, and nothing of the
// attributes, messages or events, which come per span on demand. Read as raw rows (no objects
// per row) straight into columns, with repeated strings (names, categories, services, models)
// once in a string table: a 100,000-span trace answers in a few MB. With `since`, only the spans
// stored or changed after that store revision: a patch.
//
// Span rows are wide (attributes), so a large trace's rows span more pages than the page cache
// holds: read in the trace index's order (by span id, i.e. at random) every row is a miss, and a
// 100,000-span trace took ~4× longer than read in row order. So the rows are found through the
// index and then read in row order. A preview (the first N by start) walks the start index and
// reads only its N rows. A patch reads through the revision index the spans changed
// since, when there are fewer of those (in all traces) than spans in the trace.

import type Database from 'better-sqlite3';
import type { AnnotationDto, TraceOutline, TraceSummary } from '../protocol/api';
import type { SchemaInfo } from './schema-info';

type OutlineRow = [
  spanId: string, parentSpanId: string | null, name: string, category: string, startUs: number, endUs: number, status: number,
  service: string | null, model: string | null, inputTokens: number | null, outputTokens: number | null, costUsd: number | null,
  costEstimated: number | null,
];

const SELECT = `SELECT s.span_id, s.parent_span_id, s.name, s.category, s.start_us, s.end_us, s.status_code, s.service_name,
  c.model, c.input_tokens, c.output_tokens, c.cost_usd, c.cost_estimated
  FROM spans s LEFT JOIN llm_calls c ON c.span_row = s.id`;

export interface OutlineSources {
  revision(): number;
  trace(traceId: string): { summary: TraceSummary; startUs: number } | null;
  countsBySpan(traceId: string): Map<string, Record<string, number>>;
  traceAnnotations(traceId: string): AnnotationDto[];
}

export const TRACE_ROWS_IN_ROW_ORDER = 's.id IN (SELECT id FROM spans WHERE trace_id = ?)';

export class OutlineQuery {
  private readonly all: Database.Statement;
  private readonly first: Database.Statement;
  /** Null in a file of an older Spyglass (no revisions): a patch is then the whole outline. */
  private readonly sinceByTrace: Database.Statement | null;
  private readonly sinceByRevision: Database.Statement | null;
  private readonly changedSince: Database.Statement | null;

  constructor(db: Database.Database, schema: SchemaInfo, private readonly sources: OutlineSources) {
    this.all = db.prepare(`${SELECT} WHERE ${TRACE_ROWS_IN_ROW_ORDER} ORDER BY s.start_us, s.id`).raw();
    // With the start index the first N spans are its first N entries of the trace; an older
    // file without it reads the whole trace and sorts it.
    this.first = schema.hasIndex('spans_by_trace_start')
      ? db.prepare(`${SELECT.replace('FROM spans s', 'FROM spans s INDEXED BY spans_by_trace_start')} WHERE s.trace_id = ? ORDER BY s.start_us, s.id LIMIT ?`).raw()
      : db.prepare(`${SELECT} WHERE ${TRACE_ROWS_IN_ROW_ORDER} ORDER BY s.start_us, s.id LIMIT ?`).raw();
    const revisions = schema.hasColumn('spans', 'store_rev');
    const byRevision = revisions && schema.hasIndex('spans_by_rev');
    this.sinceByTrace = revisions ? db.prepare(`${SELECT} WHERE ${TRACE_ROWS_IN_ROW_ORDER} AND s.store_rev > ? ORDER BY s.start_us, s.id`).raw() : null;
    this.sinceByRevision = byRevision ? db.prepare(`${SELECT.replace('FROM spans s', 'FROM spans s INDEXED BY spans_by_rev')}
      WHERE s.store_rev > ? AND s.trace_id = ? ORDER BY s.start_us, s.id`).raw() : null;
    // How many spans changed since, counted no further than needed to choose.
    this.changedSince = byRevision ? db.prepare('SELECT count(*) FROM (SELECT 1 FROM spans WHERE store_rev > ? LIMIT ?)').pluck() : null;
  }

  /**
   * Null when the trace is not stored. `limit` (without `since`): only the first spans by start
   * time, a preview that paints the first screenful of a large trace before the rest is read,
   * sent and laid out (their ancestors started before them, so the preview is a whole tree).
   */
  outline(traceId: string, since?: number, limit?: number): TraceOutline | null {
    // The revision is read first: rows read after it are at least that new, so a later patch
    // from it may send a span again but never misses one.
    const revision = this.sources.revision();
    const found = this.sources.trace(traceId);
    if (!found) return null;
    const trace = found.summary;
    const partial = since !== undefined;
    let rows: OutlineRow[];
    const preview = !partial && limit !== undefined && limit < trace.spanCount;
    if (preview) rows = this.first.all(traceId, limit) as OutlineRow[];
    else if (!partial || !this.sinceByTrace) rows = this.all.all(traceId) as OutlineRow[];
    else if (this.sinceByRevision && (this.changedSince!.get(since, trace.spanCount + 1) as number) <= trace.spanCount) {
      rows = this.sinceByRevision.all(since, traceId) as OutlineRow[];
    } else rows = this.sinceByTrace.all(traceId, since) as OutlineRow[];
    const counts = this.sources.countsBySpan(traceId);
    const n = rows.length;
    const out: TraceOutline = {
      trace, revision, partial, strings: [], spanId: new Array(n), parentSpanId: new Array(n), name: new Array(n),
      category: new Array(n), start: new Array(n), durationMs: new Array(n), status: new Array(n), service: new Array(n),
      model: new Array(n), inputTokens: new Array(n), outputTokens: new Array(n), costUsd: new Array(n),
      costEstimated: new Array(n), annotationCounts: new Array(n), annotations: this.sources.traceAnnotations(traceId),
      ...(preview ? { preview: true } : {}),
    };
    const index = new Map<string, number>();
    const intern = (s: string): number => {
      let i = index.get(s);
      if (i === undefined) {
        i = out.strings.length;
        out.strings.push(s);
        index.set(s, i);
      }
      return i;
    };
    const t0 = found.startUs;
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      out.spanId[i] = r[0];
      out.parentSpanId[i] = r[1];
      out.name[i] = intern(r[2]);
      out.category[i] = intern(r[3]);
      out.start[i] = (r[4] - t0) / 1000;
      out.durationMs[i] = (r[5] - r[4]) / 1000;
      out.status[i] = r[6];
      out.service[i] = r[7] === null ? -1 : intern(r[7]);
      out.model[i] = r[8] === null ? -1 : intern(r[8]);
      out.inputTokens[i] = r[9];
      out.outputTokens[i] = r[10];
      out.costUsd[i] = r[11];
      out.costEstimated[i] = r[12] === 1;
      out.annotationCounts[i] = counts.get(r[0]) ?? null;
    }
    return out;
  }
}
