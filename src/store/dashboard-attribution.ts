// Whom and what a stored call's spend belongs to, for stores written before the calls carried it
// (schema 16): each call's user, session and feature read from its span's attributes (call-fields.ts
// reads them the same way at write time), else its trace's user and session. In pages by row,
// each read finished before its writes: SQLite refuses a write while a read is open on the
// same connection.

import type Database from 'better-sqlite3';
import { attributeOf, FEATURE_ATTRIBUTES, SESSION_ID_ATTRIBUTES, USER_ID_ATTRIBUTES } from '../core/dashboard/attribution';

const KEYS = [...USER_ID_ATTRIBUTES, ...SESSION_ID_ATTRIBUTES, ...FEATURE_ATTRIBUTES];
const quote = (k: string) => k.replace(/'/g, "''").replace(/"/g, '');
/** Every key in one json_extract: SQLite parses the attributes once and answers a JSON array. */
const ATTRIBUTES_SQL = `json_extract(s.attributes, ${KEYS.map((k) => `'$."${quote(k)}"'`).join(', ')})`;

export function backfillCallAttribution(db: Database.Database, pageSize = 5000): void {
  const page = db.prepare(`SELECT c.span_row, c.conversation_id, ${ATTRIBUTES_SQL} AS attrs, t.user_id AS trace_user, t.session_id AS trace_session
    FROM llm_calls c JOIN spans s ON s.id = c.span_row LEFT JOIN traces t ON t.trace_id = c.trace_id WHERE c.span_row > ? ORDER BY c.span_row LIMIT ?`);
  const set = db.prepare('UPDATE llm_calls SET user_id = ?, session_id = ?, feature = ? WHERE span_row = ?');
  let after = -Number.MAX_SAFE_INTEGER;
  for (;;) {
    const rows = page.all(after, pageSize) as { span_row: number; conversation_id: string | null; attrs: string | null; trace_user: string | null; trace_session: string | null }[];
    if (rows.length === 0) break;
    for (const r of rows) {
      const values = r.attrs ? (JSON.parse(r.attrs) as unknown[]) : [];
      const attrs = Object.fromEntries(KEYS.map((k, i) => [k, values[i]]));
      const user = attributeOf(attrs, USER_ID_ATTRIBUTES) ?? r.trace_user;
      const session = r.conversation_id ?? attributeOf(attrs, SESSION_ID_ATTRIBUTES) ?? r.trace_session;
      const feature = attributeOf(attrs, FEATURE_ATTRIBUTES);
      if (user !== null || session !== null || feature !== null) set.run(user, session, feature, r.span_row);
    }
    after = rows[rows.length - 1]!.span_row;
  }
}
