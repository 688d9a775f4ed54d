// The light span list of a trace (TraceOutline): what the waterfall paints, and nothing of the
// attributes, messages or events, which come per span on demand. Read as raw rows (no objects
// per row) straight into columns, with repeated strings (names, categories, services, models)
// once in a string table: a 100,000-span trace answers in a few MB. With `since`, only the spans
// stored or changed after that store revision: a patch.

import type Database from 'better-sqlite3';
import type { AnnotationDto, TraceOutline, TraceSummary } from '../protocol/api';

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

export class OutlineQuery {
  private readonly all: Database.Statement;
  private readonly since: Database.Statement;

  constructor(db: Database.Database, private readonly sources: OutlineSources) {
    this.all = db.prepare(`${SELECT} WHERE s.trace_id = ? ORDER BY s.start_us, s.id`).raw();
    this.since = db.prepare(`${SELECT} WHERE s.trace_id = ? AND s.store_rev > ? ORDER BY s.start_us, s.id`).raw();
  }

  /** Null when the trace is not stored. */
  outline(traceId: string, since?: number): TraceOutline | null {
    // The revision is read first: rows read after it are at least that new, so a later patch
    // from it may send a span again but never misses one.
    const revision = this.sources.revision();
    const found = this.sources.trace(traceId);
    if (!found) return null;
    const trace = found.summary;
    const partial = since !== undefined;
    const rows = (partial ? this.since.all(traceId, since) : this.all.all(traceId)) as OutlineRow[];
    const counts = this.sources.countsBySpan(traceId);
    const n = rows.length;
    const out: TraceOutline = {
      trace, revision, partial, strings: [], spanId: new Array(n), parentSpanId: new Array(n), name: new Array(n),
      category: new Array(n), start: new Array(n), durationMs: new Array(n), status: new Array(n), service: new Array(n),
      model: new Array(n), inputTokens: new Array(n), outputTokens: new Array(n), costUsd: new Array(n),
      costEstimated: new Array(n), annotationCounts: new Array(n), annotations: this.sources.traceAnnotations(traceId),
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
