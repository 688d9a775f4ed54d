// What the open file's schema has. A reader (another window, the CLI's export) may open a file an
// older Spyglass still owns, before its owner migrates it: queries read what is there (no
// annotations, no revisions) rather than fail.

import type Database from 'better-sqlite3';

export interface SchemaInfo {
  hasTable(name: string): boolean;
  hasColumn(table: string, column: string): boolean;
  hasIndex(name: string): boolean;
  /** The index holds the column (a wider index replaced a narrower one of the same name). */
  indexHas(index: string, column: string): boolean;
}

export function schemaInfo(db: Database.Database): SchemaInfo {
  const objects = new Map<string, string>();
  for (const r of db.prepare("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'index')").all() as { name: string; type: string }[]) {
    objects.set(r.name, r.type);
  }
  const columns = new Map<string, Set<string>>();
  return {
    hasTable: (name) => objects.get(name) === 'table',
    hasIndex: (name) => objects.get(name) === 'index',
    indexHas: (index, column) => objects.get(index) === 'index'
      && (db.prepare(`SELECT name FROM pragma_index_info('${index}')`).pluck().all() as string[]).includes(column),
    hasColumn: (table, column) => {
      let set = columns.get(table);
      if (!set) columns.set(table, (set = new Set(db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[])));
      return set.has(column);
    },
  };
}
