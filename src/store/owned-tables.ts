// What belongs to a trace, in one list: clearing and retention delete through it, and a test
// checks that every table of the schema is either here or named as not belonging to a trace, so
// a new table cannot be forgotten by one of them.

export interface TraceOwnedTable {
  table: string;
  /** The condition selecting one trace's rows (one `?`: the trace id). */
  ofTrace: string;
}

const SPAN_ROWS = '(SELECT id FROM spans WHERE trace_id = ?)';

/** In deletion order: tables found through a trace's spans before the spans go. */
export const TRACE_OWNED_TABLES: readonly TraceOwnedTable[] = [
  { table: 'search', ofTrace: `rowid IN ${SPAN_ROWS}` },
  { table: 'proxy_exchanges', ofTrace: `span_row IN ${SPAN_ROWS}` },
  { table: 'llm_calls', ofTrace: `span_row IN ${SPAN_ROWS}` },
  { table: 'annotations', ofTrace: 'trace_id = ?' },
  { table: 'logs', ofTrace: 'trace_id = ?' },
  { table: 'spans', ofTrace: 'trace_id = ?' },
  { table: 'traces', ofTrace: 'trace_id = ?' },
];

/**
 * Tables that belong to no one trace: shared resources, time rollups (pruned by time), the
 * store's own state (meta: the revision and the analysis runner's cursors), the GenAI client metrics
 * received over OTLP (pruned by time), the distinct texts of prompts (counts of the calls kept: a
 * deleted trace's calls are uncounted first, see prompt-writes.ts; a pruned sample call is
 * replaced by another of the text, or the text skipped), the prompt rollups (prompt-rollups.ts,
 * pruned by time). Cleared with everything else except meta.
 */
export const SHARED_TABLES = { cleared: ['resources', 'genai_metric_points', 'prompt_texts', 'llm_prompt_hour', 'llm_prompt_day', 'llm_prompt_minute', 'llm_prompt_10m'], kept: ['meta'] } as const;
