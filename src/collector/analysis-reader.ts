// The analysis runner's work, wherever it runs (its worker thread, or the collector's thread
// when there is no worker): read the stored calls after the cursors, in (store revision, span
// row) order, run each registered analysis on each call it has not seen, and say what each
// analysis now holds about each span. A call read again (late log records) has a new store
// revision, so it comes past the cursors again and its analyses' annotations are replaced.

import type Database from 'better-sqlite3';
import { ruleSource, type AnnotationFacts, type NewAnnotation } from '../core/annotations/model';
import type { Analysis } from '../core/analyses/analysis';
import type { Attributes, PricedCall, StatusCodeValue } from '../core/model';
import type { AnalyseReply, AnalyseRequest, AnalysisCursor, AnalysisResult } from './analysis-messages';

interface CallRow {
  span_row: number;
  store_rev: number;
  revision: number;
  call: string;
  start_us: number;
  duration_us: number;
  trace_id: string;
  span_id: string;
  status_code: number;
  attributes: string;
  request_body: string | null;
}

function parseAttributes(raw: string): Attributes {
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Attributes) : {};
  } catch {
    return {};
  }
}

const after = (c: AnalysisCursor, rev: number, row: number) => rev > c.rev || (rev === c.rev && row > c.row);

export class CallAnalyser {
  private readonly stmts;

  constructor(db: Database.Database, private readonly analyses: readonly Analysis[]) {
    this.stmts = {
      // The first condition walks llm_calls_by_rev from the cursor; the second skips the rows of its revision already seen.
      calls: db.prepare(`SELECT c.span_row, c.store_rev, c.revision, c.call, c.start_us, c.duration_us, s.trace_id, s.span_id, s.status_code,
          s.attributes, p.request_body
        FROM llm_calls c JOIN spans s ON s.id = c.span_row LEFT JOIN proxy_exchanges p ON p.span_row = c.span_row
        WHERE c.store_rev >= ? AND (c.store_rev > ? OR c.span_row > ?) ORDER BY c.store_rev, c.span_row LIMIT ?`),
      had: db.prepare('SELECT 1 FROM annotations WHERE trace_id = ? AND span_id = ? AND source = ? LIMIT 1').pluck(),
    };
  }

  async analyse(req: AnalyseRequest): Promise<AnalyseReply> {
    const active = this.analyses.filter((a) => req.cursors[a.name]);
    const cursors: Record<string, AnalysisCursor> = {};
    for (const a of active) cursors[a.name] = { ...req.cursors[a.name]! };
    if (active.length === 0) return { type: 'analysed', results: [], cursors, calls: 0, done: true };
    // The least advanced cursor: calls from there on are new to at least one analysis.
    const from = active.map((a) => cursors[a.name]!).reduce((least, c) => (after(least, c.rev, c.row) ? least : c));
    const rows = this.stmts.calls.all(from.rev, from.rev, from.row, req.limit) as CallRow[];
    const results: AnalysisResult[] = [];
    for (const r of rows) {
      let call: PricedCall | null = null;
      let attributes: Attributes | undefined;
      for (const a of active) {
        const cursor = cursors[a.name]!;
        if (!after(cursor, r.store_rev, r.span_row)) continue;
        cursor.rev = r.store_rev;
        cursor.row = r.span_row;
        call ??= JSON.parse(r.call) as PricedCall;
        attributes ??= parseAttributes(r.attributes);
        let facts: AnnotationFacts[];
        try {
          facts = await a.analyse({
            traceId: r.trace_id, spanId: r.span_id, startUs: r.start_us, durationUs: r.duration_us,
            statusCode: r.status_code as StatusCodeValue, revision: r.revision, call, attributes, requestBody: r.request_body,
          });
        } catch {
          facts = []; // an analysis that fails on one odd call must not stop the others, nor the runner
        }
        const source = ruleSource(a.name);
        // Nothing to say and nothing said before: no write at all (the common case).
        if (facts.length === 0 && this.stmts.had.get(r.trace_id, r.span_id, source) === undefined) continue;
        const annotations: NewAnnotation[] = facts.map((f) => ({
          ...f, traceId: r.trace_id, spanId: r.span_id, source, atUs: r.start_us, origin: null, callRevision: r.revision,
        }));
        results.push({ traceId: r.trace_id, spanId: r.span_id, analysis: a.name, annotations });
      }
    }
    return { type: 'analysed', results, cursors, calls: rows.length, done: rows.length < req.limit };
  }
}
