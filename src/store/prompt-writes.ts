// The prompt_texts table's write side, inside the writer's open transaction: each stored call
// with a prompt counts under its prompt group and text (core/prompts/identity.ts), with its
// figures rolled up on the same row (errors, cost, tokens, latency and first-token histograms),
// so the whole store's versions are summed from these rows, not from every call. A call read
// again with another text moves its count; a deleted trace's calls are uncounted before they go.
// First and last seen only widen while calls come; pruning (oldest first) narrows first seen to
// the oldest call kept.

import type Database from 'better-sqlite3';
import { bucketOf } from '../core/histogram';
import { promptKeysOf, type PromptColumns } from '../core/prompts/identity';

/** What a call adds to its text's row. */
export interface PromptCallFigures extends PromptColumns {
  isError: boolean | number;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  ttftMs: number | null;
}

interface StoredPromptCall extends PromptCallFigures {
  serviceName: string | null;
  spanName: string;
  startUs: number;
  durationUs: number;
  row: number;
}

const STORED_CALLS = `SELECT c.prompt_name AS promptName, c.prompt_version AS promptVersion, c.prompt_hash AS promptHash,
  c.prompt_source AS promptSource, c.experiment, c.variant, c.service_name AS serviceName, s.name AS spanName, c.start_us AS startUs,
  c.duration_us AS durationUs, c.span_row AS row, c.is_error AS isError, c.cost_usd AS costUsd, c.input_tokens AS inputTokens,
  c.output_tokens AS outputTokens, c.ttft_ms AS ttftMs
  FROM llm_calls c JOIN spans s ON s.id = c.span_row WHERE c.prompt_hash IS NOT NULL`;

/** A histogram stored as JSON with one bucket moved by `sign`: `?1` the column, `?2` the bucket (null: unchanged). */
const bump = (column: string, sign: string) =>
  `CASE WHEN :${column}_b IS NULL THEN ${column} ELSE json_set(${column}, '$."' || :${column}_b || '"', coalesce(json_extract(${column}, '$."' || :${column}_b || '"'), 0) ${sign} 1) END`;

export class PromptWrites {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      add: db.prepare(`INSERT INTO prompt_texts (group_key, hash, version, source, name, service_name, span_name, calls, first_us, last_us, sample_row,
          errors, cost_usd, input_tokens, output_tokens, latency_hist, ttft_hist)
        VALUES (:group_key, :hash, :version, :source, :name, :service_name, :span_name, 1, :start_us, :start_us, :row,
          :errors, :cost, :input, :output, json_object(:latency_hist_b, 1), CASE WHEN :ttft_hist_b IS NULL THEN '{}' ELSE json_object(:ttft_hist_b, 1) END)
        ON CONFLICT (group_key, hash, version) DO UPDATE SET calls = calls + 1,
        first_us = min(first_us, excluded.first_us), last_us = max(last_us, excluded.last_us), sample_row = excluded.sample_row,
        errors = errors + excluded.errors, cost_usd = cost_usd + excluded.cost_usd, input_tokens = input_tokens + excluded.input_tokens,
        output_tokens = output_tokens + excluded.output_tokens, latency_hist = ${bump('latency_hist', '+')}, ttft_hist = ${bump('ttft_hist', '+')}`),
      remove: db.prepare(`UPDATE prompt_texts SET calls = calls - 1, errors = errors - :errors, cost_usd = cost_usd - :cost,
        input_tokens = input_tokens - :input, output_tokens = output_tokens - :output,
        latency_hist = ${bump('latency_hist', '-')}, ttft_hist = ${bump('ttft_hist', '-')}
        WHERE group_key = :group_key AND hash = :hash AND version = :version`),
      callsOfTrace: db.prepare(`${STORED_CALLS} AND s.trace_id = ?`),
      dropEmpty: db.prepare('DELETE FROM prompt_texts WHERE calls <= 0'),
      narrow: db.prepare(`UPDATE prompt_texts SET first_us = min(last_us, (SELECT min(start_us) FROM llm_calls WHERE prompt_hash IS NOT NULL))
        WHERE first_us < (SELECT min(start_us) FROM llm_calls WHERE prompt_hash IS NOT NULL)`),
    };
  }

  /** Counts (sign 1) or uncounts (-1, a reading replaced) a call stored at `row`. */
  note(c: PromptCallFigures, serviceName: string | null, spanName: string, startUs: number, durationUs: number, row: number, sign: 1 | -1): void {
    const keys = promptKeysOf(c, serviceName, spanName);
    if (keys.length === 0) return;
    const figures = {
      errors: c.isError ? 1 : 0, cost: c.costUsd ?? 0, input: c.inputTokens ?? 0, output: c.outputTokens ?? 0,
      latency_hist_b: String(bucketOf(durationUs / 1000)), ttft_hist_b: c.ttftMs === null ? null : String(bucketOf(c.ttftMs)),
    };
    for (const k of keys) {
      const at = { group_key: k.groupKey, hash: k.hash, version: k.declaredVersion ?? '' };
      if (sign === 1) {
        this.stmts.add.run({ ...at, ...figures, source: k.source, name: k.name, service_name: serviceName, span_name: spanName, start_us: startUs, row });
      } else {
        this.stmts.remove.run({ ...at, ...figures });
      }
    }
  }

  /** Uncounts a trace's calls; run before its rows are deleted, in the same transaction. */
  forgetTrace(traceId: string): void {
    for (const c of this.stmts.callsOfTrace.all(traceId) as StoredPromptCall[]) this.note(c, c.serviceName, c.spanName, c.startUs, c.durationUs, c.row, -1);
  }

  /** After traces were deleted: texts left without calls go, and none was first seen before the oldest call kept. */
  settle(): void {
    this.stmts.dropEmpty.run();
    this.stmts.narrow.run();
  }
}

/** Counts every stored call afresh (a migration adding rollup columns). */
export function recountPromptTexts(db: Database.Database): void {
  db.exec('DELETE FROM prompt_texts');
  const writes = new PromptWrites(db);
  // In pages: the connection cannot write while a statement's iterator is open.
  const page = db.prepare(`${STORED_CALLS} AND c.rowid > ? ORDER BY c.rowid LIMIT 5000`.replace('SELECT ', 'SELECT c.rowid AS rid, '));
  for (let after = 0; ;) {
    const calls = page.all(after) as (StoredPromptCall & { rid: number })[];
    if (calls.length === 0) return;
    for (const c of calls) writes.note(c, c.serviceName, c.spanName, c.startUs, c.durationUs, c.row, 1);
    after = calls[calls.length - 1]!.rid;
  }
}
