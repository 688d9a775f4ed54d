// Migrations from an empty file. PRAGMA user_version holds how many have run.
// Index choices follow the three hot reads: the trace list (traces by start time), one
// trace's spans (the (trace_id, span_id) key), and time-window aggregates (minute rollups).

import type Database from 'better-sqlite3';
import { CALL_FIELDS, callFieldColumns } from './call-fields';
import { recountPromptTexts } from './prompt-writes';
import { createPromptRollups } from './prompt-rollups';
import { addRollupSeriesColumns, DAY_US, HOUR_US, rebuildRollupLevel, recountRollupsFromCalls, rollupLevelIndex } from './rollups';
import { backfillCallAttribution } from './dashboard-attribution';

/** SQL, or a function for a step SQL alone cannot do. */
type Migration = string | ((db: Database.Database) => void);

const MIGRATIONS: Migration[] = [
  /* 1: first schema */ `
  CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    service_name TEXT,
    attributes TEXT NOT NULL
  );

  CREATE TABLE spans (
    id INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT,
    name TEXT NOT NULL,
    kind INTEGER NOT NULL,
    category TEXT NOT NULL,
    start_us INTEGER NOT NULL,
    end_us INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    status_message TEXT NOT NULL,
    service_name TEXT,
    resource_id INTEGER,
    scope_name TEXT,
    scope_version TEXT,
    attributes TEXT NOT NULL,
    events TEXT,
    links TEXT,
    UNIQUE (trace_id, span_id)
  );

  CREATE TABLE llm_calls (
    span_row INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL,
    start_us INTEGER NOT NULL,
    duration_us INTEGER NOT NULL,
    model TEXT NOT NULL,
    provider TEXT,
    service_name TEXT,
    operation TEXT NOT NULL,
    is_error INTEGER NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cached_input_tokens INTEGER,
    reasoning_tokens INTEGER,
    cost_usd REAL,
    cost_estimated INTEGER NOT NULL,
    ttft_ms REAL,
    conversation_id TEXT,
    prompt_name TEXT,
    prompt_version TEXT,
    call TEXT NOT NULL
  );
  CREATE INDEX llm_calls_by_trace ON llm_calls (trace_id);
  CREATE INDEX llm_calls_by_time ON llm_calls (start_us);

  CREATE TABLE proxy_exchanges (
    span_row INTEGER PRIMARY KEY,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    request_headers TEXT NOT NULL,
    request_body TEXT NOT NULL,
    response_body TEXT NOT NULL,
    http_status INTEGER,
    outcome TEXT NOT NULL,
    warnings TEXT NOT NULL
  );

  CREATE TABLE traces (
    trace_id TEXT PRIMARY KEY,
    start_us INTEGER NOT NULL,
    end_us INTEGER NOT NULL,
    span_count INTEGER NOT NULL,
    llm_call_count INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    cost_estimated INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    root_name TEXT,
    root_rank INTEGER NOT NULL,
    service_name TEXT,
    models TEXT NOT NULL,
    session_id TEXT
  ) WITHOUT ROWID;
  CREATE INDEX traces_by_start ON traces (start_us DESC, trace_id DESC);

  CREATE TABLE logs (
    id INTEGER PRIMARY KEY,
    trace_id TEXT,
    span_id TEXT,
    time_us INTEGER NOT NULL,
    event_name TEXT,
    severity_number INTEGER NOT NULL,
    severity_text TEXT NOT NULL,
    body TEXT NOT NULL,
    attributes TEXT NOT NULL,
    resource_id INTEGER,
    scope_name TEXT
  );
  CREATE INDEX logs_by_span ON logs (trace_id, span_id) WHERE trace_id IS NOT NULL;

  CREATE TABLE llm_rollup (
    minute_us INTEGER NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    service_name TEXT NOT NULL,
    calls INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    latency_hist TEXT NOT NULL,
    ttft_hist TEXT NOT NULL,
    PRIMARY KEY (minute_us, model, provider, service_name)
  ) WITHOUT ROWID;

  CREATE VIRTUAL TABLE search USING fts5 (content, tokenize = 'unicode61 remove_diacritics 2');

  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  `,
  /* 2: hour rollups, each the sum of its minute rows (see rollups.ts), filled from the minutes */ (db) => {
    db.exec(`
    CREATE TABLE llm_rollup_hour (
      hour_us INTEGER NOT NULL,
      model TEXT NOT NULL,
      provider TEXT NOT NULL,
      service_name TEXT NOT NULL,
      calls INTEGER NOT NULL,
      errors INTEGER NOT NULL,
      cost_usd REAL NOT NULL,
      input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL,
      cached_input_tokens INTEGER NOT NULL,
      reasoning_tokens INTEGER NOT NULL,
      latency_hist TEXT NOT NULL,
      ttft_hist TEXT NOT NULL,
      PRIMARY KEY (hour_us, model, provider, service_name)
    ) WITHOUT ROWID;`);
    addRollupSeriesColumns(db, addColumns); // the rollups' columns of today's code (schema 16), which the rebuild below reads and writes
    const bounds = db.prepare('SELECT min(minute_us) AS lo, max(minute_us) AS hi FROM llm_rollup').get() as { lo: number | null; hi: number | null };
    if (bounds.lo !== null && bounds.hi !== null) {
      rebuildRollupLevel(db, rollupLevelIndex('llm_rollup_hour'), Math.floor(bounds.lo / HOUR_US) * HOUR_US, Math.floor(bounds.hi / HOUR_US) * HOUR_US + HOUR_US,
        rollupLevelIndex('llm_rollup'));
    }
  },
  /* 3: the full-text index keeps no copy of the text (it is in spans and llm_calls already):
     ~7% less insert work and ~11% less file. Deletes by rowid still work (contentless_delete).
     Only an empty index is replaced: re-indexing a large store would hold up the start. */ (db) => {
    if (db.prepare('SELECT EXISTS (SELECT 1 FROM search)').pluck().get() === 0) {
      db.exec(`DROP TABLE search;
        CREATE VIRTUAL TABLE search USING fts5 (content, tokenize = 'unicode61 remove_diacritics 2', content = '', contentless_delete = 1);`);
    }
  },
  /* 4: full-text leaves sized to the file's pages: the default (4050 bytes) suits 4 KiB pages;
     with 16 KiB pages one leaf per page is ~8% less insert work. Applies to new segments. */ (db) => {
    if ((db.pragma('page_size', { simple: true }) as number) >= 16384) {
      db.exec("INSERT INTO search (search, rank) VALUES ('pgsz', 16000)");
    }
  },
  /* 5: the full-text index records which rows hold a term, not where in the text (detail=none):
     searches are prefix terms ANDed (core/search-terms.ts), never phrases, so positions were never
     read. ~6% less insert work, and the index is about a third of its size. As in 3, only an
     empty index is replaced; a full one keeps working as it is. */ (db) => {
    if (db.prepare('SELECT EXISTS (SELECT 1 FROM search)').pluck().get() === 0) {
      db.exec(`DROP TABLE search;
        CREATE VIRTUAL TABLE search USING fts5 (content, tokenize = 'unicode61 remove_diacritics 2', content = '', contentless_delete = 1, detail = 'none');`);
      if ((db.pragma('page_size', { simple: true }) as number) >= 16384) {
        db.exec("INSERT INTO search (search, rank) VALUES ('pgsz', 16000)");
      }
    }
  },
  /* 6: calls are found by trace through spans (the trace list and pruning); an index of calls
     by random trace ids cost every write a page per trace. */ `DROP INDEX IF EXISTS llm_calls_by_trace;`,
  /* 7: the GenAI client metrics received over OTLP (/v1/metrics), as deltas (genai-metrics.ts). */ `
  CREATE TABLE IF NOT EXISTS genai_metric_points (
    id INTEGER PRIMARY KEY,
    time_us INTEGER NOT NULL,
    start_us INTEGER NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,
    service_name TEXT,
    operation TEXT,
    provider TEXT,
    request_model TEXT,
    response_model TEXT,
    token_type TEXT,
    error_type TEXT,
    value REAL,
    count REAL,
    sum REAL,
    min REAL,
    max REAL,
    bounds TEXT NOT NULL,
    bucket_counts TEXT NOT NULL,
    attributes TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS genai_metric_points_by_name_time ON genai_metric_points (name, time_us);`,
  /* 8: annotations (facts about a span after capture) and revisions. Every write transaction
     that stores or changes spans, calls or annotations takes the next store revision (meta
     'revision') and stamps it on the rows it touched: spans.store_rev answers "what changed in
     this trace since revision N" (see 9), llm_calls.store_rev is the analysis runner's cursor (its
     index grows at one end only: revisions only increase). llm_calls.revision counts re-readings of a
     call. Trace rows keep their annotation counts, and a partial index per feedback label keeps
     the feedback filter of the trace list off a scan of every trace. Written to be run again
     safely (tests fake older stores by lowering user_version). */ (db) => {
    addColumns(db, 'spans', { store_rev: 'INTEGER NOT NULL DEFAULT 0' });
    addColumns(db, 'llm_calls', { revision: 'INTEGER NOT NULL DEFAULT 0', store_rev: 'INTEGER NOT NULL DEFAULT 0' });
    addColumns(db, 'traces', { annotation_counts: 'TEXT', feedback_up: 'INTEGER NOT NULL DEFAULT 0', feedback_down: 'INTEGER NOT NULL DEFAULT 0' });
    db.exec(`
    CREATE INDEX IF NOT EXISTS llm_calls_by_rev ON llm_calls (store_rev);
    CREATE INDEX IF NOT EXISTS traces_feedback_up ON traces (start_us DESC, trace_id DESC) WHERE feedback_up > 0;
    CREATE INDEX IF NOT EXISTS traces_feedback_down ON traces (start_us DESC, trace_id DESC) WHERE feedback_down > 0;

    CREATE TABLE IF NOT EXISTS annotations (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      trace_id TEXT NOT NULL,
      span_id TEXT,
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      label TEXT,
      score REAL,
      explanation TEXT,
      source TEXT NOT NULL,
      location TEXT,
      attributes TEXT,
      created_us INTEGER NOT NULL,
      at_us INTEGER NOT NULL,
      call_revision INTEGER,
      store_rev INTEGER NOT NULL,
      origin TEXT
    );
    CREATE INDEX IF NOT EXISTS annotations_by_span ON annotations (trace_id, span_id);
    CREATE INDEX IF NOT EXISTS annotations_by_time ON annotations (created_us);
    CREATE INDEX IF NOT EXISTS annotations_by_kind ON annotations (kind, at_us);
    CREATE UNIQUE INDEX IF NOT EXISTS annotations_by_origin ON annotations (trace_id, origin) WHERE origin IS NOT NULL;`);
  },
  /* 9: spans by revision, so an outline patch reads the spans changed since (new spans extend the
     index at one end only). */ `CREATE INDEX IF NOT EXISTS spans_by_rev ON spans (store_rev);`,
  /* 10: prompt versions (core/prompts). Each distinct text a prompt was sent with, counted as calls
     are stored (prompt-writes.ts): listing prompts reads this small table, not every call. The
     calls of prompts in a time window are found through a partial index of llm_calls. */ (db) => {
    addColumns(db, 'llm_calls', { prompt_hash: 'TEXT', prompt_source: 'TEXT', experiment: 'TEXT', variant: 'TEXT' });
    db.exec(`
    CREATE TABLE IF NOT EXISTS prompt_texts (
      group_key TEXT NOT NULL,
      hash TEXT NOT NULL,
      version TEXT NOT NULL,
      source TEXT NOT NULL,
      name TEXT NOT NULL,
      service_name TEXT,
      span_name TEXT NOT NULL,
      calls INTEGER NOT NULL,
      first_us INTEGER NOT NULL,
      last_us INTEGER NOT NULL,
      sample_row INTEGER NOT NULL,
      PRIMARY KEY (group_key, hash, version)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS llm_calls_with_prompt ON llm_calls (start_us) WHERE prompt_hash IS NOT NULL;`);
  },
  /* 11: the trace explorer (trace-list.ts). Who a trace was for and one line each of its question
     and answer, kept at write time; an index per sort key, each ending in start_us so ties read
     newest first and a cursor (value, start, id) walks it; sessions, users and services by time;
     annotated traces (a partial index: most have none) for the annotation-kind filter. */ (db) => {
    addColumns(db, 'traces', { user_id: 'TEXT', input_preview: 'TEXT', input_preview_us: 'INTEGER', output_preview: 'TEXT', output_preview_us: 'INTEGER' });
    db.exec(`
    CREATE INDEX IF NOT EXISTS traces_by_duration ON traces ((end_us - start_us), start_us);
    CREATE INDEX IF NOT EXISTS traces_by_cost ON traces (cost_usd, start_us);
    CREATE INDEX IF NOT EXISTS traces_by_tokens ON traces ((input_tokens + output_tokens), start_us);
    CREATE INDEX IF NOT EXISTS traces_by_calls ON traces (llm_call_count, start_us);
    CREATE INDEX IF NOT EXISTS traces_by_errors ON traces (error_count, start_us);
    CREATE INDEX IF NOT EXISTS traces_by_session ON traces (session_id, start_us) WHERE session_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS traces_by_user ON traces (user_id, start_us) WHERE user_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS traces_by_service ON traces (service_name, start_us);
    CREATE INDEX IF NOT EXISTS traces_annotated ON traces (start_us) WHERE annotation_counts IS NOT NULL;
    CREATE INDEX IF NOT EXISTS traces_rated ON traces (start_us) WHERE (feedback_up > 0 OR feedback_down > 0);`);
  },
  /* 12: the dashboard's top tables over any range: the costliest and slowest calls are the first
     ones inside the range along these indexes; prompts are listed from theirs. */ `
  CREATE INDEX IF NOT EXISTS llm_calls_by_cost ON llm_calls (cost_usd) WHERE cost_usd IS NOT NULL;
  CREATE INDEX IF NOT EXISTS llm_calls_by_duration ON llm_calls (duration_us);
  CREATE INDEX IF NOT EXISTS llm_calls_by_prompt ON llm_calls (prompt_name, prompt_version) WHERE prompt_name IS NOT NULL;`,
  /* 13: a trace's spans by start time, so the trace panel's first screenful (outline?limit=N) reads
     N rows and stops instead of reading and sorting the whole trace. A trace's spans arrive
     together, so its entries sit side by side: an insert touches the page it touched last. */
  `CREATE INDEX IF NOT EXISTS spans_by_trace_start ON spans (trace_id, start_us);`,
  /* 14: per-text rollups of prompt versions (prompt-writes.ts): each text's errors, cost, tokens and
     latency and first-token histograms, kept with its count, so listing prompts over the whole
     store sums these rows instead of reading every call. Counted afresh from the stored calls. */ (db) => {
    addColumns(db, 'prompt_texts', {
      errors: 'INTEGER NOT NULL DEFAULT 0', cost_usd: 'REAL NOT NULL DEFAULT 0', input_tokens: 'INTEGER NOT NULL DEFAULT 0',
      output_tokens: 'INTEGER NOT NULL DEFAULT 0', latency_hist: "TEXT NOT NULL DEFAULT '{}'", ttft_hist: "TEXT NOT NULL DEFAULT '{}'",
    });
    addColumns(db, 'llm_calls', callFieldColumns(CALL_FIELDS)); // the figures counted below
    recountPromptTexts(db);
  },
  /* 15: ten-minute rollups between the minutes and the hours, and day rollups (UTC days) above
     the hours, each the sum of the level below, filled from it: a dashboard series of 34-minute
     buckets over a day and a half, the dashboard over two weeks and this month's spend read a
     few thousand rows (see rollups.ts). Prompt rollups by hour and day: the dashboard's costliest
     prompts over any range without reading its calls (prompt-rollups.ts). The costliest call of a
     prompt or a service in a range is the first one inside it along an index by group and cost. */ (db) => {
    for (const [table, key] of [['llm_rollup_10m', 'bucket_us'], ['llm_rollup_day', 'day_us']]) {
      db.exec(`
      CREATE TABLE IF NOT EXISTS ${table} (
        ${key} INTEGER NOT NULL,
        model TEXT NOT NULL,
        provider TEXT NOT NULL,
        service_name TEXT NOT NULL,
        calls INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cached_input_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        latency_hist TEXT NOT NULL,
        ttft_hist TEXT NOT NULL,
        PRIMARY KEY (${key}, model, provider, service_name)
      ) WITHOUT ROWID;`);
    }
    addRollupSeriesColumns(db, addColumns); // as in migration 2
    const bounds = db.prepare('SELECT min(minute_us) AS lo, max(minute_us) AS hi FROM llm_rollup').get() as { lo: number | null; hi: number | null };
    if (bounds.lo !== null && bounds.hi !== null) {
      const lo = Math.floor(bounds.lo / DAY_US) * DAY_US;
      const hi = Math.floor(bounds.hi / DAY_US) * DAY_US + DAY_US;
      rebuildRollupLevel(db, rollupLevelIndex('llm_rollup_10m'), lo, hi, rollupLevelIndex('llm_rollup'));
      rebuildRollupLevel(db, rollupLevelIndex('llm_rollup_day'), lo, hi, rollupLevelIndex('llm_rollup_hour'));
    }
    createPromptRollups(db);
    db.exec(`
    DROP INDEX IF EXISTS llm_calls_by_prompt;
    CREATE INDEX IF NOT EXISTS llm_calls_by_prompt_cost ON llm_calls (prompt_name, prompt_version, cost_usd) WHERE prompt_name IS NOT NULL;
    CREATE INDEX IF NOT EXISTS llm_calls_by_service_cost ON llm_calls (service_name, cost_usd);`);
  },
  /* 16: the dashboard's series from rollups (dashboard-series.ts). Each call carries whom and what
     its spend belongs to (user, session, feature: call-fields.ts), filled here from its span and
     trace; the rollups gain token-weighted latency, tokens per second and TTFT/TPOT bin counts,
     counted again from the calls; prompt rollups by minute and ten minutes. An index with the prompt
     leading, so a series or a top table of one prompt version reads that prompt's calls of the
     range only; a partial one over the attributed calls for spend. Models and services have no
     index of their own by time or cost: they are few, so their calls are most of a range's, and
     three more full indexes on the calls cost ingest 22% of its writing thread's CPU
     (bench:ingest) for little. */ (db) => {
    addColumns(db, 'llm_calls', callFieldColumns(CALL_FIELDS));
    backfillCallAttribution(db);
    addRollupSeriesColumns(db, addColumns);
    recountRollupsFromCalls(db);
    createPromptRollups(db);
    db.exec(`
    CREATE INDEX IF NOT EXISTS llm_calls_by_prompt_time ON llm_calls (prompt_name, prompt_version, start_us) WHERE prompt_name IS NOT NULL;
    CREATE INDEX IF NOT EXISTS llm_calls_attributed ON llm_calls (start_us, user_id, session_id, feature, cost_usd, trace_id)
      WHERE user_id IS NOT NULL OR session_id IS NOT NULL OR feature IS NOT NULL;`);
  },
  /* 17: the explorer at a million traces (trace-list.ts): the indexes a filter counts along hold
     every column the filter reads, so a capped count reads the index alone. An index on an
     expression does not by itself: SQLite read each row for end_us, 15 µs a match (150 ms to
     count 10,000 traces in a latency range). trace_id is named before the added columns so
     each index still orders as its sort does (value, start, id). The errors index also holds
     end_us: the failed traces of a range, slowest first, sort inside it. */ `
  DROP INDEX IF EXISTS traces_by_duration;
  CREATE INDEX traces_by_duration ON traces ((end_us - start_us), start_us, trace_id, end_us);
  DROP INDEX IF EXISTS traces_annotated;
  CREATE INDEX traces_annotated ON traces (start_us, trace_id, annotation_counts) WHERE annotation_counts IS NOT NULL;
  DROP INDEX IF EXISTS traces_rated;
  CREATE INDEX traces_rated ON traces (start_us, trace_id, feedback_up, feedback_down) WHERE (feedback_up > 0 OR feedback_down > 0);
  DROP INDEX IF EXISTS traces_by_errors;
  CREATE INDEX traces_by_errors ON traces (error_count, start_us, trace_id, end_us);`,
  /* 18: the dashboard's top tables under a filter the rollups cannot apply (dashboard-queries.ts):
     the services of a prompt version, and the prompts of a service or a model, are summed from the
     prompt's index alone, one prompt version at a time: it holds the service, the model and the
     cost (a version's 50,000 calls of 1,000,000 by service: 39 ms instead of 323 ms; every
     version's calls of one model: 84 ms instead of 559 ms). The same leading columns: every
     other use of the index is unchanged. */ `
  DROP INDEX IF EXISTS llm_calls_by_prompt_time;
  CREATE INDEX llm_calls_by_prompt_time ON llm_calls (prompt_name, prompt_version, start_us, service_name, model, cost_usd) WHERE prompt_name IS NOT NULL;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The schema version just before the first migration whose code names `text`: a test that
 * replays a migration on an older file sets this version, whatever migrations came after it.
 */
export function versionBefore(text: string): number {
  const i = MIGRATIONS.findIndex((m) => String(m).includes(text));
  if (i < 0) throw new Error(`no migration names ${text}`);
  return i;
}

/** Adds the columns a table lacks (existing rows take the default). */
export function addColumns(db: Database.Database, table: string, columns: Record<string, string>): void {
  const have = new Set((db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]));
  for (const [name, type] of Object.entries(columns)) if (!have.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
}

/** An existing store about to be upgraded to this version's schema. */
export interface SchemaUpgrade {
  fromSchema: number;
  toSchema: number;
}

export function migrate(db: Database.Database, onUpgrade?: (u: SchemaUpgrade) => void): void {
  // Told before the write lock is taken: an upgrade of a large store takes minutes (and may wait
  // for another process's lock), and whoever waits for this process must know why.
  const found = db.pragma('user_version', { simple: true }) as number;
  const upgrading = found > 0 && found < SCHEMA_VERSION;
  if (upgrading) onUpgrade?.({ fromSchema: found, toSchema: SCHEMA_VERSION });
  // Another process may be upgrading the same file (a second window starting): wait for it as
  // long as an upgrade can take, then find the file current.
  const busyMs = db.pragma('busy_timeout', { simple: true }) as number;
  if (upgrading) db.pragma(`busy_timeout = ${UPGRADE_LOCK_WAIT_MS}`);
  try {
    migrateLocked(db);
  } finally {
    if (upgrading) db.pragma(`busy_timeout = ${busyMs}`);
  }
}

const UPGRADE_LOCK_WAIT_MS = 15 * 60_000;

function migrateLocked(db: Database.Database): void {
  // The version is read again inside an IMMEDIATE transaction: two processes opening a new file
  // at the same moment (two windows starting) must not both create the tables.
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new Error(`database schema ${current} is newer than this Spyglass understands (${SCHEMA_VERSION}); update Spyglass`);
    }
    for (let v = current; v < SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v]!;
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.pragma(`user_version = ${v + 1}`);
    }
    // A call field added to CALL_FIELDS needs no migration of its own: its column is added here.
    addColumns(db, 'llm_calls', callFieldColumns(CALL_FIELDS));
  }).immediate();
}
