// In-memory deltas for one write transaction: per-trace summary changes and per-minute
// rollup changes, applied to the tables once per batch instead of once per span.

import type Database from 'better-sqlite3';
import type { IngestSpan } from '../core/model';
import type { CallNumbers } from './prepare';
import { preparePromptRollupStatements, PromptRollupDeltas } from './prompt-rollups';
import { addCallToRollups, applyRollupDeltas, prepareRollupStatements, type RollupCall, type RollupDelta, type RollupStatements, type StoredRollup } from './rollups';
import { upsertSql } from './sql';

export { MINUTE_US } from './rollups';

interface TraceDelta {
  startUs: number;
  endUs: number;
  spans: number;
  llmCalls: number;
  errors: number;
  costUsd: number;
  costEstimated: boolean;
  inputTokens: number;
  outputTokens: number;
  rootName: string | null;
  rootRank: number;
  serviceName: string | null;
  models: Set<string>;
  sessionId: string | null;
  userId: string | null;
  /** The earliest span's question and the latest span's answer, with when (see core/previews.ts). */
  inputPreview: string | null;
  inputPreviewUs: number;
  outputPreview: string | null;
  outputPreviewUs: number;
  /** A call of the trace was stored or stored again in this batch. */
  callsWritten: boolean;
}

/** What a span says the trace was asked and answered. */
export interface SpanPreviews {
  traceId: string;
  startUs: number;
  endUs: number;
  inputPreview: string | null;
  outputPreview: string | null;
}

/** What one stored span contributes to its trace. */
export type SpanFacts = Pick<IngestSpan, 'traceId' | 'parentSpanId' | 'name' | 'startUs' | 'endUs' | 'statusCode'>;

/** What one stored LLM call contributes to its trace and its rollup row. */
export interface CallFacts extends RollupCall {
  traceId: string;
  call: CallNumbers;
}

/** Root names win by rank: a span without a parent beats the earliest orphan seen so far. */
function rootRank(span: SpanFacts): number {
  return span.parentSpanId === null ? 2 : 1;
}

export class BatchAggregates {
  private traces = new Map<string, TraceDelta>();
  private rollups = new Map<string, RollupDelta>();
  private prompts = new PromptRollupDeltas();

  private trace(traceId: string, startUs: number, endUs: number): TraceDelta {
    let d = this.traces.get(traceId);
    if (!d) {
      d = {
        startUs, endUs, spans: 0, llmCalls: 0, errors: 0, costUsd: 0, costEstimated: false,
        inputTokens: 0, outputTokens: 0, rootName: null, rootRank: 0, serviceName: null,
        models: new Set(), sessionId: null, userId: null, inputPreview: null, inputPreviewUs: 0, outputPreview: null, outputPreviewUs: 0,
        callsWritten: false,
      };
      this.traces.set(traceId, d);
    }
    return d;
  }

  addSpan(span: SpanFacts, serviceName: string | null, sessionId: string | null, userId: string | null = null): void {
    const d = this.trace(span.traceId, span.startUs, span.endUs);
    d.startUs = Math.min(d.startUs, span.startUs);
    d.endUs = Math.max(d.endUs, span.endUs);
    d.spans += 1;
    if (span.statusCode === 2) d.errors += 1;
    const rank = rootRank(span);
    if (rank > d.rootRank) {
      d.rootRank = rank;
      d.rootName = span.name;
      d.serviceName = serviceName;
    }
    if (!d.serviceName) d.serviceName = serviceName;
    if (sessionId && !d.sessionId) d.sessionId = sessionId;
    if (userId && !d.userId) d.userId = userId;
  }

  /** A span's question counts when it started first, its answer when it ended last; a span read again (same times) replaces its own. */
  addPreviews(p: SpanPreviews): void {
    if (p.inputPreview === null && p.outputPreview === null) return;
    const d = this.trace(p.traceId, p.startUs, p.endUs);
    if (p.inputPreview !== null && (d.inputPreview === null || p.startUs <= d.inputPreviewUs)) {
      d.inputPreview = p.inputPreview;
      d.inputPreviewUs = p.startUs;
    }
    if (p.outputPreview !== null && (d.outputPreview === null || p.endUs >= d.outputPreviewUs)) {
      d.outputPreview = p.outputPreview;
      d.outputPreviewUs = p.endUs;
    }
  }

  /** sign -1 takes back a call that is being replaced by a better reading of the same span. */
  addCall(f: CallFacts, sign: 1 | -1 = 1): void {
    const d = this.trace(f.traceId, f.startUs, f.startUs + f.durationUs);
    d.llmCalls += sign;
    if (sign > 0) d.callsWritten = true;
    d.costUsd += sign * (f.call.costUsd ?? 0);
    if (sign > 0 && f.call.costEstimated) d.costEstimated = true;
    d.inputTokens += sign * (f.call.inputTokens ?? 0);
    d.outputTokens += sign * (f.call.outputTokens ?? 0);
    if (sign > 0) d.models.add(f.model);
    if (sign > 0 && f.call.conversationId && !d.sessionId) d.sessionId = f.call.conversationId;

    addCallToRollups(this.rollups, f, sign);
    this.prompts.add(f.startUs, f.call.promptName, f.call.promptVersion, f.call.costUsd, sign);
  }

  get touchedTraceIds(): string[] {
    return [...this.traces.keys()];
  }

  /** Writes the deltas; returns the traces whose rows it created. */
  flush(db: Database.Database, stmts: AggregateStatements): string[] {
    const created: string[] = [];
    for (const [traceId, d] of this.traces) {
      const old = stmts.getTrace.get(traceId) as TraceRow | undefined;
      if (!old) created.push(traceId);
      const models = new Set(old ? splitModels(old.models) : []);
      for (const m of d.models) models.add(m);
      const input = d.inputPreview !== null && (old?.input_preview == null || d.inputPreviewUs <= (old.input_preview_us ?? 0));
      const output = d.outputPreview !== null && (old?.output_preview == null || d.outputPreviewUs >= (old.output_preview_us ?? 0));
      const previews: TracePreviews = {
        user_id: old?.user_id ?? d.userId,
        input_preview: input ? d.inputPreview : (old?.input_preview ?? null),
        input_preview_us: input ? d.inputPreviewUs : (old?.input_preview_us ?? null),
        output_preview: output ? d.outputPreview : (old?.output_preview ?? null),
        output_preview_us: output ? d.outputPreviewUs : (old?.output_preview_us ?? null),
      };
      const row: TraceTotals & TracePreviews = old
        ? {
            trace_id: traceId,
            start_us: Math.min(old.start_us, d.startUs),
            end_us: Math.max(old.end_us, d.endUs),
            span_count: old.span_count + d.spans,
            llm_call_count: old.llm_call_count + d.llmCalls,
            error_count: old.error_count + d.errors,
            cost_usd: old.cost_usd + d.costUsd,
            cost_estimated: old.cost_estimated || d.costEstimated ? 1 : 0,
            input_tokens: old.input_tokens + d.inputTokens,
            output_tokens: old.output_tokens + d.outputTokens,
            root_name: d.rootRank > old.root_rank ? d.rootName : old.root_name,
            root_rank: Math.max(d.rootRank, old.root_rank),
            service_name: d.rootRank > old.root_rank && d.serviceName ? d.serviceName : (old.service_name ?? d.serviceName),
            models: joinModels(models),
            session_id: old.session_id ?? d.sessionId,
            ...previews,
          }
        : {
            trace_id: traceId,
            start_us: d.startUs,
            end_us: d.endUs,
            span_count: d.spans,
            llm_call_count: d.llmCalls,
            error_count: d.errors,
            cost_usd: d.costUsd,
            cost_estimated: d.costEstimated ? 1 : 0,
            input_tokens: d.inputTokens,
            output_tokens: d.outputTokens,
            root_name: d.rootName,
            root_rank: d.rootRank,
            service_name: d.serviceName,
            models: joinModels(models),
            session_id: d.sessionId,
            ...previews,
          };
      if (!old) stmts.putTrace.run(row);
      else updateChanged(stmts, old, row);
      // A call's spend goes to its trace's user and session where its own span names none; the
      // trace may learn them before or after its calls arrive (a root span usually ends last).
      if (row.user_id !== null && (d.callsWritten || old?.user_id == null)) stmts.fillUser.run(row.user_id, traceId);
      if (row.session_id !== null && (d.callsWritten || old?.session_id == null)) stmts.fillSession.run(row.session_id, traceId);
    }
    applyRollupDeltas(stmts.rollups, this.rollups.values());
    this.prompts.flush(stmts.prompts);
    this.traces.clear();
    this.rollups.clear();
    return created;
  }
}

/** A trace row: its totals, kept by the span writes, and its annotation counts, kept by the annotation writes. */
export interface TraceRow extends TraceTotals, Partial<TracePreviews> {
  /** JSON counts by kind, null for none. */
  annotation_counts: string | null;
  feedback_up: number;
  feedback_down: number;
}

export interface TraceTotals {
  trace_id: string;
  start_us: number;
  end_us: number;
  span_count: number;
  llm_call_count: number;
  error_count: number;
  cost_usd: number;
  cost_estimated: number;
  input_tokens: number;
  output_tokens: number;
  root_name: string | null;
  root_rank: number;
  service_name: string | null;
  models: string;
  session_id: string | null;
}

/** Who the trace was for and what it was asked and answered (schema 10); absent in older files. */
export interface TracePreviews {
  user_id: string | null;
  input_preview: string | null;
  input_preview_us: number | null;
  output_preview: string | null;
  output_preview_us: number | null;
}

/** A row of the minute table: a StoredRollup keyed by `minute_us`. */
export type RollupRow = Omit<StoredRollup, 'bucket_us'> & { minute_us: number };

/** Models are kept as `|a|b|` so a filter is one instr() and needs no join. */
export function joinModels(models: Iterable<string>): string {
  const list = [...models];
  return list.length ? `|${list.join('|')}|` : '';
}

export function splitModels(models: string): string[] {
  return models.split('|').filter(Boolean);
}

/**
 * Writes only the columns whose values changed: SQLite rewrites the entry of every index over a
 * column an UPDATE sets, changed or not, and the trace list keeps an index per sort and filter
 * (schema 11). A trace's spans arrive over several exports; most of them change its span count
 * and end, few its errors, session, user, service or previews.
 */
function updateChanged(stmts: AggregateStatements, old: TraceRow, row: TraceTotals & TracePreviews): void {
  const changed = (Object.keys(row) as (keyof typeof row)[]).filter((c) => c !== 'trace_id' && (row[c] ?? null) !== (old[c] ?? null));
  if (changed.length === 0) return;
  const key = changed.join(',');
  let update = stmts.updates.get(key);
  if (!update) {
    update = stmts.db.prepare(`UPDATE traces SET ${changed.map((c) => `${c} = @${c}`).join(', ')} WHERE trace_id = @trace_id`);
    stmts.updates.set(key, update);
  }
  const values: Record<string, unknown> = { trace_id: row.trace_id };
  for (const c of changed) values[c] = row[c];
  update.run(values);
}

export interface AggregateStatements {
  db: Database.Database;
  getTrace: Database.Statement;
  /** Inserts a new trace's row. */
  putTrace: Database.Statement;
  /** UPDATEs of an existing row by the set of columns they write (a few dozen sets occur). */
  updates: Map<string, Database.Statement>;
  /** Per rollup level, finest first. */
  rollups: RollupStatements[];
  /** Per prompt rollup level (prompt-rollups.ts). */
  prompts: Database.Statement[];
  /** Give a trace's calls that name no user (session) of their own the trace's. */
  fillUser: Database.Statement;
  fillSession: Database.Statement;
}

export function prepareAggregateStatements(db: Database.Database): AggregateStatements {
  return {
    db,
    updates: new Map(),
    getTrace: db.prepare('SELECT * FROM traces WHERE trace_id = ?'),
    putTrace: db.prepare(upsertSql('traces', ['trace_id', 'start_us', 'end_us', 'span_count', 'llm_call_count', 'error_count',
      'cost_usd', 'cost_estimated', 'input_tokens', 'output_tokens', 'root_name', 'root_rank', 'service_name', 'models', 'session_id',
      'user_id', 'input_preview', 'input_preview_us', 'output_preview', 'output_preview_us'],
      ['trace_id'], true)),
    rollups: prepareRollupStatements(db),
    prompts: preparePromptRollupStatements(db),
    fillUser: db.prepare('UPDATE llm_calls SET user_id = ? WHERE span_row IN (SELECT id FROM spans WHERE trace_id = ?) AND user_id IS NULL'),
    fillSession: db.prepare('UPDATE llm_calls SET session_id = ? WHERE span_row IN (SELECT id FROM spans WHERE trace_id = ?) AND session_id IS NULL'),
  };
}
