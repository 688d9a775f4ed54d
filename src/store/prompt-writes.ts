// The prompt_texts table's write side, inside the writer's open transaction: each stored call
// with a prompt counts under its prompt group and text (core/prompts/identity.ts); a call read
// again with another text moves its count; a deleted trace's calls are uncounted before they go.
// First and last seen only widen while calls come; pruning (oldest first) narrows first seen to
// the oldest call kept.

import type Database from 'better-sqlite3';
import { promptKeysOf, type PromptColumns } from '../core/prompts/identity';

interface StoredPromptCall extends PromptColumns {
  serviceName: string | null;
  spanName: string;
  startUs: number;
  row: number;
}

export class PromptWrites {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      add: db.prepare(`INSERT INTO prompt_texts (group_key, hash, version, source, name, service_name, span_name, calls, first_us, last_us, sample_row)
        VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (group_key, hash, version) DO UPDATE SET calls = calls + 1,
        first_us = min(first_us, excluded.first_us), last_us = max(last_us, excluded.last_us), sample_row = excluded.sample_row`),
      remove: db.prepare('UPDATE prompt_texts SET calls = calls - 1 WHERE group_key = ? AND hash = ? AND version = ?'),
      callsOfTrace: db.prepare(`SELECT c.prompt_name AS promptName, c.prompt_version AS promptVersion, c.prompt_hash AS promptHash,
        c.prompt_source AS promptSource, c.experiment, c.variant, c.service_name AS serviceName, s.name AS spanName, c.start_us AS startUs, c.span_row AS row
        FROM llm_calls c JOIN spans s ON s.id = c.span_row WHERE s.trace_id = ? AND c.prompt_hash IS NOT NULL`),
      dropEmpty: db.prepare('DELETE FROM prompt_texts WHERE calls <= 0'),
      narrow: db.prepare(`UPDATE prompt_texts SET first_us = min(last_us, (SELECT min(start_us) FROM llm_calls WHERE prompt_hash IS NOT NULL))
        WHERE first_us < (SELECT min(start_us) FROM llm_calls WHERE prompt_hash IS NOT NULL)`),
    };
  }

  /** Counts (sign 1) or uncounts (-1, a reading replaced) a call stored at `row`. */
  note(c: PromptColumns, serviceName: string | null, spanName: string, startUs: number, row: number, sign: 1 | -1): void {
    for (const k of promptKeysOf(c, serviceName, spanName)) {
      const version = k.declaredVersion ?? '';
      if (sign === 1) this.stmts.add.run(k.groupKey, k.hash, version, k.source, k.name, serviceName, spanName, startUs, startUs, row);
      else this.stmts.remove.run(k.groupKey, k.hash, version);
    }
  }

  /** Uncounts a trace's calls; run before its rows are deleted, in the same transaction. */
  forgetTrace(traceId: string): void {
    for (const c of this.stmts.callsOfTrace.all(traceId) as StoredPromptCall[]) this.note(c, c.serviceName, c.spanName, c.startUs, c.row, -1);
  }

  /** After traces were deleted: texts left without calls go, and none was first seen before the oldest call kept. */
  settle(): void {
    this.stmts.dropEmpty.run();
    this.stmts.narrow.run();
  }
}
