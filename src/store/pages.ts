// Paged lists, newest first (the trace list, the annotation list): a prepared statement per
// distinct query, and an opaque cursor holding the last row's time and key.

import type Database from 'better-sqlite3';

/** A prepared statement per distinct list query: preparing costs about as much as running the first page. */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= 64) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

export function encodeCursor(timeUs: number, key: string | number): string {
  return Buffer.from(`${timeUs}:${key}`).toString('base64url');
}

/** The time and key of a cursor this code gave; RangeError for anything else. */
export function decodeCursor(cursor: string, key: RegExp): [number, string] {
  const [a, b] = Buffer.from(cursor, 'base64url').toString().split(':');
  const timeUs = Number(a);
  if (!Number.isFinite(timeUs) || !b || !key.test(b)) throw new RangeError('invalid cursor');
  return [timeUs, b];
}

/** A page of `limit` rows out of `limit + 1` read, and the cursor after it when there are more. */
export function pageOf<R>(rows: R[], limit: number, cursorOf: (last: R) => string): { page: R[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { page, nextCursor: more && last ? cursorOf(last) : null };
}
