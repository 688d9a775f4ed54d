// The prompt_texts table's write side, inside the writer's open transaction: each stored call
// with a prompt counts under its prompt group and text (core/prompts/identity.ts); a call read
// again with another text moves its count. First and last seen only widen.

import type Database from 'better-sqlite3';
import { promptKeysOf, type PromptColumns } from '../core/prompts/identity';

export class PromptWrites {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      add: db.prepare(`INSERT INTO prompt_texts (group_key, hash, version, source, name, service_name, span_name, calls, first_us, last_us, sample_row)
        VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (group_key, hash, version) DO UPDATE SET calls = calls + 1,
        first_us = min(first_us, excluded.first_us), last_us = max(last_us, excluded.last_us), sample_row = excluded.sample_row`),
      remove: db.prepare('UPDATE prompt_texts SET calls = calls - 1 WHERE group_key = ? AND hash = ? AND version = ?'),
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
}
