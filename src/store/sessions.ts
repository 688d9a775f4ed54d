// Sessions: the traces that share a session or conversation id (traces.session_id), read as one
// conversation, turn by turn. Walks the traces_by_session index (schema 10).

import type Database from 'better-sqlite3';
import { callTexts, spanTexts } from '../core/previews';
import type { LlmCall } from '../core/model';
import type { SessionDetail, SessionListPage, SessionListQuery, SessionSummary, SessionTurn, TraceSummary } from '../protocol/api';
import type { TraceRow } from './aggregates';
import type { SchemaInfo } from './schema-info';

/** Turns read at once: a longer session says so (`truncated`) and the explorer filters by it. */
const MAX_TURNS = 500;
/** A turn's question or answer is shown whole up to this; longer ones are cut (the trace has it all). */
const TURN_TEXT_CHARS = 20_000;

interface SessionRow {
  session_id: string;
  trace_count: number;
  first_us: number;
  last_us: number;
  calls: number;
  errors: number;
  cost: number;
  input_tokens: number;
  output_tokens: number;
  user_id: string | null;
  input_preview: string | null;
}

export class SessionQueries {
  private readonly stmts;

  constructor(db: Database.Database, schema: SchemaInfo, private readonly summary: (row: TraceRow) => TraceSummary) {
    const explorer = schema.hasColumn('traces', 'user_id');
    // The first trace's user and question, by the index's order (start time) within the session.
    const firstOf = (col: string) => (explorer
      ? `(SELECT f.${col} FROM traces f WHERE f.session_id = t.session_id ORDER BY f.start_us LIMIT 1)`
      : 'NULL');
    const aggregate = `SELECT t.session_id, count(*) AS trace_count, min(t.start_us) AS first_us, max(t.start_us) AS last_us,
      total(t.llm_call_count) AS calls, total(t.error_count) AS errors, total(t.cost_usd) AS cost,
      total(t.input_tokens) AS input_tokens, total(t.output_tokens) AS output_tokens,
      ${firstOf('user_id')} AS user_id, ${firstOf('input_preview')} AS input_preview FROM traces t`;
    this.stmts = {
      one: db.prepare(`${aggregate} WHERE t.session_id = ? GROUP BY t.session_id`),
      // Sessions active in a window, most recent first: the window's traces by time, grouped.
      recent: db.prepare(`${aggregate} WHERE t.session_id IN (SELECT DISTINCT w.session_id FROM traces w
        WHERE w.session_id IS NOT NULL AND w.start_us >= ? AND w.start_us < ?) GROUP BY t.session_id ORDER BY last_us DESC LIMIT ?`),
      turns: db.prepare(`SELECT * FROM traces WHERE session_id = ? ORDER BY start_us, trace_id LIMIT ${MAX_TURNS + 1}`),
      calls: db.prepare(`SELECT c.call FROM spans s JOIN llm_calls c ON c.span_row = s.id WHERE s.trace_id = ?
        ORDER BY s.start_us, s.id`).pluck(),
      root: db.prepare('SELECT attributes FROM spans WHERE trace_id = ? AND parent_span_id IS NULL ORDER BY start_us LIMIT 1').pluck(),
    };
  }

  list(q: SessionListQuery): SessionListPage {
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 50)), 500);
    const fromUs = q.from !== undefined ? Math.floor(q.from * 1000) : Number.MIN_SAFE_INTEGER;
    const toUs = q.to !== undefined ? Math.floor(q.to * 1000) : Number.MAX_SAFE_INTEGER;
    return { sessions: (this.stmts.recent.all(fromUs, toUs, limit) as SessionRow[]).map(sessionFromRow) };
  }

  get(sessionId: string): SessionDetail | null {
    const row = this.stmts.one.get(sessionId) as SessionRow | undefined;
    if (!row) return null;
    const rows = this.stmts.turns.all(sessionId) as TraceRow[];
    const truncated = rows.length > MAX_TURNS;
    return { session: sessionFromRow(row), turns: rows.slice(0, MAX_TURNS).map((r) => this.turn(r)), truncated };
  }

  /** The question the trace's first call was asked and the answer its last call gave; a root's own input and output when it says them. */
  private turn(row: TraceRow): SessionTurn {
    const root = this.stmts.root.get(row.trace_id) as string | undefined;
    const rootTexts = root ? spanTexts(JSON.parse(root)) : { input: null, output: null };
    let input = rootTexts.input;
    let output = rootTexts.output;
    if (input === null || output === null) {
      const calls = (this.stmts.calls.all(row.trace_id) as string[]).map((c) => callTexts(JSON.parse(c) as LlmCall));
      input ??= calls.find((c) => c.input !== null)?.input ?? null;
      output ??= calls.findLast((c) => c.output !== null)?.output ?? null;
    }
    return { trace: this.summary(row), input: cut(input), output: cut(output) };
  }
}

function cut(text: string | null): string | null {
  return text !== null && text.length > TURN_TEXT_CHARS ? `${text.slice(0, TURN_TEXT_CHARS - 1)}…` : text;
}

function sessionFromRow(r: SessionRow): SessionSummary {
  return {
    sessionId: r.session_id,
    traceCount: r.trace_count,
    firstTime: r.first_us / 1000,
    lastTime: r.last_us / 1000,
    llmCallCount: r.calls,
    errorCount: r.errors,
    costUsd: Math.round(r.cost * 1e9) / 1e9,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    userId: r.user_id,
    inputPreview: r.input_preview,
  };
}
