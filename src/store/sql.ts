// SQL text helpers for the writer.

/**
 * INSERT that replaces every column of an existing row with the same key: the same end state
 * as INSERT OR REPLACE, without its cost. OR REPLACE makes SQLite open a statement savepoint,
 * and a savepoint makes FTS5 flush its pending terms to a new segment; in a write transaction
 * that interleaves these inserts with full-text inserts that meant one tiny segment (and later
 * merges) per row, about a third of the whole write cost. An upsert needs no savepoint.
 * `named` binds @column parameters instead of positional ones.
 */
export function upsertSql(table: string, columns: string[], key: string[], named = false): string {
  const values = columns.map((c) => (named ? `@${c}` : '?')).join(', ');
  const updates = columns.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values}) ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates}`;
}
