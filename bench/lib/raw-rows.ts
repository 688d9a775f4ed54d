// The raw-insert reference for the ingest benchmark: the exact rows the store's writer
// produces for a set of batches (spans, llm_calls, search documents, trace summaries and the
// rollups of every level), captured once before timing, then stored with plain prepared
// INSERTs (upserts for the aggregates) into a fresh database of the same schema and indexes,
// one transaction per batch. It is the floor cost of
// the storage layout itself: no decoding, no normalizing, no pricing, no JSON, no read-back.

import type Database from 'better-sqlite3';
import type { IngestSpan } from '../../src/core/model';
import type { Analyzer } from '../../src/store/analyzer';
import { openDatabase } from '../../src/store/database';
import { ROLLUP_DIMENSIONS, ROLLUP_LEVELS, ROLLUP_VALUES } from '../../src/store/rollups';
import { dropRepeatedLines, SearchDocs } from '../../src/store/search-docs';
import { upsertSql } from '../../src/store/sql';
import { SpanWriter } from '../../src/store/writer';

type Row = unknown[];

export interface RawBatch {
  spans: number;
  /** Per span: the spans row without id, its llm_calls row without span_row (or null). */
  items: { span: Row; call: Row | null }[];
  /** The batch's full-text documents: the index of the span (in items) each is stored under, and its text. */
  docs: [item: number, text: string][];
  traces: Record<string, unknown>[];
  /** Per rollup level (finest first), the rows the batch touched. */
  rollups: Record<string, unknown>[][];
}

export interface RawRows {
  resources: Record<string, unknown>[];
  batches: RawBatch[];
}

const SPAN_COLS = ['trace_id', 'span_id', 'parent_span_id', 'name', 'kind', 'category', 'start_us', 'end_us', 'status_code',
  'status_message', 'service_name', 'resource_id', 'scope_name', 'scope_version', 'attributes', 'events', 'links'];
const CALL_COLS = ['trace_id', 'start_us', 'duration_us', 'model', 'provider', 'service_name', 'operation', 'is_error',
  'input_tokens', 'output_tokens', 'cached_input_tokens', 'reasoning_tokens', 'cost_usd', 'cost_estimated', 'ttft_ms',
  'conversation_id', 'prompt_name', 'prompt_version', 'call'];
const TRACE_COLS = ['trace_id', 'start_us', 'end_us', 'span_count', 'llm_call_count', 'error_count', 'cost_usd', 'cost_estimated',
  'input_tokens', 'output_tokens', 'root_name', 'root_rank', 'service_name', 'models', 'session_id'];

/** Runs the real writer on an in-memory database and reads back, per batch, what it stored. */
export function captureWriterRows(batches: IngestSpan[][], analyzer: Analyzer): RawRows {
  const db = openDatabase(':memory:');
  // The index keeps no copy of its text, so the text is taken as the writer asks for it.
  const textOf = new Map<IngestSpan, string>();
  const writer = new SpanWriter(db, {
    ...analyzer,
    searchText: (span, call) => {
      const text = analyzer.searchText(span, call);
      textOf.set(span, text);
      return text;
    },
  });
  for (const spans of batches) writer.write([{ spans, logs: [] }]);

  const spanStmt = db.prepare(`SELECT id, ${SPAN_COLS.join(', ')} FROM spans WHERE id = ?`).raw();
  const callStmt = db.prepare(`SELECT ${CALL_COLS.join(', ')} FROM llm_calls WHERE span_row = ?`).raw();
  const traceStmt = db.prepare('SELECT * FROM traces WHERE trace_id = ?');
  const rollupStmts = ROLLUP_LEVELS.map((l) =>
    db.prepare(`SELECT * FROM ${l.table} WHERE ${l.key} = ? AND model = ? AND provider = ? AND service_name = ?`));

  const out: RawRows = { resources: db.prepare('SELECT * FROM resources').all() as Record<string, unknown>[], batches: [] };
  let id = 0;
  for (const spans of batches) {
    // The documents as the writer makes them: repeated lines dropped, then one text per trace.
    const texts = spans.map((sp) => ({ traceId: sp.traceId, searchText: textOf.get(sp) ?? '' }));
    dropRepeatedLines(texts);
    const docs = new SearchDocs();
    texts.forEach((t, i) => docs.add(t.traceId, i, t.searchText));
    const batch: RawBatch = {
      spans: spans.length, items: [], docs: [...docs.documents()].map((d) => [d.row, d.text]), traces: [], rollups: ROLLUP_LEVELS.map(() => []),
    };
    const traceIds = new Set<string>();
    const rollupKeys = ROLLUP_LEVELS.map(() => new Map<string, unknown[]>());
    for (let i = 0; i < spans.length; i++) {
      id += 1;
      const row = spanStmt.get(id) as Row;
      if (row[1] !== spans[i]!.traceId || row[2] !== spans[i]!.spanId) throw new Error('bench: writer rows out of step with the input');
      const call = (callStmt.get(id) as Row | undefined) ?? null;
      batch.items.push({ span: row.slice(1), call });
      traceIds.add(spans[i]!.traceId);
      if (call) {
        ROLLUP_LEVELS.forEach((level, l) => {
          const key = [Math.floor((call[1] as number) / level.us) * level.us, call[3], call[4] ?? '', call[5] ?? ''];
          rollupKeys[l]!.set(key.join('\u0000'), key);
        });
      }
    }
    for (const t of traceIds) batch.traces.push(traceStmt.get(t) as Record<string, unknown>);
    rollupKeys.forEach((keys, l) => {
      for (const k of keys.values()) batch.rollups[l]!.push(rollupStmts[l]!.get(...k) as Record<string, unknown>);
    });
    out.batches.push(batch);
  }
  db.close();
  return out;
}

export interface RawInserter {
  insert(batches: RawBatch[]): number;
  db: Database.Database;
  close(): void;
}

/** A fresh database file with the store's layout, and plain INSERTs of captured rows into it. */
export function openRawInserter(file: string, resources: Record<string, unknown>[]): RawInserter {
  const db = openDatabase(file);
  const insertResource = db.prepare('INSERT INTO resources (id, hash, service_name, attributes) VALUES (@id, @hash, @service_name, @attributes)');
  for (const r of resources) insertResource.run(r);
  const span = db.prepare(`INSERT INTO spans (${SPAN_COLS.join(', ')}) VALUES (${SPAN_COLS.map(() => '?').join(', ')})`);
  const call = db.prepare(`INSERT INTO llm_calls (span_row, ${CALL_COLS.join(', ')}) VALUES (?, ${CALL_COLS.map(() => '?').join(', ')})`);
  const search = db.prepare('INSERT INTO search (rowid, content) VALUES (?, ?)');
  // The same upserts the writer's aggregate flush runs, with the values it ended up writing.
  const trace = db.prepare(upsertSql('traces', TRACE_COLS, ['trace_id'], true));
  const rollups = ROLLUP_LEVELS.map((l) =>
    db.prepare(upsertSql(l.table, [l.key, ...ROLLUP_DIMENSIONS, ...ROLLUP_VALUES], [l.key, ...ROLLUP_DIMENSIONS], true)));
  const one = db.transaction((b: RawBatch) => {
    const rows = b.items.map((item) => {
      const row = span.run(...item.span).lastInsertRowid;
      if (item.call) call.run(row, ...item.call);
      return row;
    });
    for (const [item, text] of b.docs) search.run(rows[item], text);
    for (const t of b.traces) trace.run(t);
    b.rollups.forEach((rows, l) => {
      for (const r of rows) rollups[l]!.run(r);
    });
  });
  return {
    db,
    insert(batches) {
      let n = 0;
      for (const b of batches) {
        one(b);
        n += b.spans;
      }
      return n;
    },
    close: () => db.close(),
  };
}
