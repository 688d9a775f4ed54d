// The trace list (`GET /api/traces`, the explorer, the tree): filters, a sort over an index of its
// own (schema 10), a keyset cursor that stays right under every sort, and a capped count.

import type Database from 'better-sqlite3';
import { matchExpressions } from '../core/search-terms';
import type { TraceListPage, TraceListQuery, TraceSortKey } from '../protocol/api';
import type { TraceRow } from './aggregates';
import { pageOf, StatementCache } from './pages';
import type { SchemaInfo } from './schema-info';

const MAX_PAGE = 500;
/** Where counting matches stops (the API's `totalExact` turns false): a count walks what it counts. */
export const TRACE_TOTAL_CAP = 10_000;
/** With full text, each trace counted is a look into the index: counting stops sooner. */
export const TEXT_TOTAL_CAP = 1_000;
/** Above this many search documents a word is common: see wordCondition. */
const COMMON_WORD_DOCS = 2_000;

/**
 * Each sort's expression, spelled as its index's (schema 10) so the planner walks that index;
 * ties are broken by start time, then trace id, which the index holds too.
 */
const SORT_EXPRESSIONS: Record<TraceSortKey, string | null> = {
  time: null,
  duration: '(t.end_us - t.start_us)',
  cost: 't.cost_usd',
  tokens: '(t.input_tokens + t.output_tokens)',
  calls: 't.llm_call_count',
  errors: 't.error_count',
};

/** What the list's cursor holds: the sort it belongs to and the last row's keys under it. */
type CursorKeys = [sort: TraceSortKey, order: 'asc' | 'desc', value: number, startUs: number, traceId: string];

function encodeListCursor(keys: CursorKeys): string {
  return Buffer.from(JSON.stringify(keys)).toString('base64url');
}

function decodeListCursor(cursor: string, sort: TraceSortKey, order: 'asc' | 'desc'): CursorKeys {
  let keys: unknown;
  try {
    keys = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw new RangeError('invalid cursor');
  }
  if (!Array.isArray(keys) || keys.length !== 5 || typeof keys[2] !== 'number' || typeof keys[3] !== 'number' || !/^[0-9a-f]{32}$/.test(String(keys[4]))) {
    throw new RangeError('invalid cursor');
  }
  if (keys[0] !== sort || keys[1] !== order) throw new RangeError(`the cursor belongs to sort=${keys[0]}&order=${keys[1]}`);
  return keys as CursorKeys;
}

/** A query's WHERE terms; `ranges` by term index: the range filters that have an index of their own. */
interface Filter {
  where: string[];
  args: (string | number)[];
  ranges: Map<number, { sort: TraceSortKey; unindexed: string }>;
}

/** Above this many index words a prefix stands for, it is searched as a prefix. */
const MAX_PREFIX_TERMS = 8;

/**
 * The index's words from a lower bound up, through an fts5vocab table (made in this connection's
 * temporary schema: nothing is written to the file). Null where it cannot be made.
 */
function vocabulary(db: Database.Database): Database.Statement | null {
  try {
    db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_words USING fts5vocab(main, 'search', 'row')");
    return db.prepare('SELECT term FROM temp.search_words WHERE term >= ? AND term < ? LIMIT ?').pluck();
  } catch {
    return null;
  }
}

export interface TraceListOptions {
  /** False in a file an older Spyglass made and still owns. */
  schema: SchemaInfo;
  summary: (row: TraceRow) => TraceListPage['traces'][number];
}

export class TraceList {
  private readonly lists: StatementCache;
  private readonly docsWithWord: Database.Statement;
  private readonly vocabulary: Database.Statement | null;
  private readonly has: { feedback: boolean; annotations: boolean; explorer: boolean };

  constructor(db: Database.Database, private readonly opts: TraceListOptions) {
    this.lists = new StatementCache(db);
    this.docsWithWord = db.prepare('SELECT count(*) FROM (SELECT 1 FROM search WHERE search MATCH ? LIMIT ?)').pluck();
    this.vocabulary = vocabulary(db);
    this.has = {
      feedback: opts.schema.hasColumn('traces', 'feedback_up'),
      annotations: opts.schema.hasColumn('traces', 'annotation_counts'),
      explorer: opts.schema.hasColumn('traces', 'user_id'),
    };
  }

  list(q: TraceListQuery = {}): TraceListPage {
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 50)), MAX_PAGE);
    const sort = q.sort ?? 'time';
    const order = q.order ?? 'desc';
    const filter = this.filter(q);
    if (!filter) return { traces: [], nextCursor: null, ...(q.cursor ? {} : { total: 0, totalExact: true }) };
    const hasText = Boolean(q.text?.trim());
    const cap = hasText ? TEXT_TOTAL_CAP : TRACE_TOTAL_CAP;
    // Counted first (along the filter's own index, which holds what the filter reads): how many
    // match decides the page's plan, on every page. Without full text only: there the count is
    // the costly part, and the list order is the one plan that stops early.
    const total = filter.where.length > 0 && !hasText ? this.count(filter.where, filter.args, cap) : undefined;
    const where = this.pageWhere(filter, sort, total, cap);
    const expr = SORT_EXPRESSIONS[sort];
    const cmp = order === 'desc' ? '<' : '>';
    const after: string[] = [];
    const afterArgs: (string | number)[] = [];
    if (q.cursor) {
      const [, , value, startUs, traceId] = decodeListCursor(q.cursor, sort, order);
      // Row values: SQLite walks the sort's index from this point on.
      if (expr) {
        after.push(`(${expr}, t.start_us, t.trace_id) ${cmp} (?, ?, ?)`);
        afterArgs.push(value, startUs, traceId);
      } else {
        after.push(`(t.start_us, t.trace_id) ${cmp} (?, ?)`);
        afterArgs.push(startUs, traceId);
      }
    }
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    const orderBy = `${expr ? `${expr} ${dir}, ` : ''}t.start_us ${dir}, t.trace_id ${dir}`;
    const whereOf = (terms: string[]) => (terms.length ? `WHERE ${terms.join(' AND ')}` : '');
    const select = `SELECT t.*${expr ? `, ${expr} AS sort_value` : ''} FROM traces t`;
    let rows: (TraceRow & { sort_value?: number })[];
    let n = total;
    if (hasText && !q.cursor) {
      // One walk finds the page and counts: each full-text word's documents are gathered once
      // per statement, and that is most of the cost.
      const ids = this.lists.get(`SELECT t.trace_id FROM traces t ${whereOf(where)} ORDER BY ${orderBy} LIMIT ${cap + 1}`).pluck().all(...filter.args) as string[];
      n = ids.length;
      rows = this.lists.get(`${select} WHERE t.trace_id IN (SELECT value FROM json_each(?)) ORDER BY ${orderBy}`).all(JSON.stringify(ids.slice(0, limit + 1))) as typeof rows;
    } else {
      // The page's ids first, then its rows (only the page's rows are read whole).
      const few = total !== undefined && total <= cap;
      // Few matches: found as the count found them (the filter's own index, no order asked),
      // with their sort keys, then sorted, rather than met along the sort's index, which can walk
      // past a million traces to meet them.
      const m = `${expr ? 'm.v, ' : ''}m.start_us, m.trace_id`;
      const ids = few
        ? `SELECT m.trace_id FROM (SELECT t.trace_id, t.start_us${expr ? `, ${expr} AS v` : ''} FROM traces t ${whereOf(where)} LIMIT ${cap + 1}) m
          ${q.cursor ? `WHERE (${m}) ${cmp} (${expr ? '?, ' : ''}?, ?)` : ''} ORDER BY ${m.split(', ').map((k) => `${k} ${dir}`).join(', ')} LIMIT ${limit + 1}`
        : `SELECT t.trace_id FROM traces t ${whereOf([...where, ...after])} ORDER BY ${orderBy} LIMIT ${limit + 1}`;
      rows = this.lists.get(`${select} WHERE t.trace_id IN (${ids}) ORDER BY ${orderBy}`).all(...filter.args, ...afterArgs) as typeof rows;
    }
    const { page, nextCursor } = pageOf(rows, limit, (last) => encodeListCursor([sort, order, last.sort_value ?? last.start_us, last.start_us, last.trace_id]));
    const result: TraceListPage = { traces: page.map(this.opts.summary), nextCursor };
    if (!q.cursor) {
      n ??= this.count(filter.where, filter.args, cap);
      result.total = Math.min(n, cap);
      result.totalExact = n <= cap;
    }
    return result;
  }

  /**
   * The page's WHERE terms. Many matches (past the cap): a range filter on another sort's index
   * (latency 5–10 s, sorted by time) is checked on each trace met along the sort's index, which
   * meets a page of them soon, rather than found through its own index and all sorted (146,000
   * traces of a million took 2 s). The unary + keeps SQLite from walking the range's index.
   */
  private pageWhere(filter: Filter, sort: TraceSortKey, total: number | undefined, cap: number): string[] {
    const many = total !== undefined && total > cap;
    return filter.where.map((cond, i) => {
      const range = filter.ranges.get(i);
      return many && range && range.sort !== sort ? range.unindexed : cond;
    });
  }

  /** How many traces match, counted up to one past the cap. */
  private count(where: string[], args: (string | number)[], cap: number): number {
    const sql = `SELECT count(*) FROM (SELECT 1 FROM traces t ${where.length ? `WHERE ${where.join(' AND ')}` : ''} LIMIT ${cap + 1})`;
    return this.lists.get(sql).pluck().get(...args) as number;
  }

  /** The WHERE terms of a query's filters; null when nothing can match. */
  private filter(q: TraceListQuery): Filter | null {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const ranges = new Map<number, { sort: TraceSortKey; unindexed: string }>();
    const add = (cond: string, ...values: (string | number)[]) => {
      where.push(cond);
      args.push(...values);
    };
    /** A range on a sort's index, and the same condition in a form SQLite will not walk that index for. */
    const addRange = (sort: TraceSortKey, value: string, op: '>=' | '<=' | '<', arg: number) => {
      ranges.set(where.length, { sort, unindexed: `+${value} ${op} ?` });
      add(`${value} ${op} ?`, arg);
    };
    if (q.from !== undefined) addRange('time', 't.start_us', '>=', Math.floor(q.from * 1000));
    if (q.to !== undefined) addRange('time', 't.start_us', '<', Math.floor(q.to * 1000));
    if (q.service) add('t.service_name = ?', q.service);
    if (q.model) add("instr(t.models, '|' || ? || '|') > 0", q.model);
    if (q.status === 'error') where.push('t.error_count > 0');
    else if (q.status === 'ok') where.push('t.error_count = 0');
    if (q.session) add('t.session_id = ?', q.session);
    if (q.user) {
      if (!this.has.explorer) return null;
      add('t.user_id = ?', q.user);
    }
    // Spelled as the partial indexes' conditions, so the planner walks the few traces with feedback.
    if (q.feedback && !this.has.feedback) return null;
    if (q.feedback === 'up') where.push('t.feedback_up > 0');
    else if (q.feedback === 'down') where.push('t.feedback_down > 0');
    else if (q.feedback === 'any') where.push('(t.feedback_up > 0 OR t.feedback_down > 0)');
    if (q.annotation) {
      if (!this.has.annotations) return null;
      add('t.annotation_counts IS NOT NULL AND json_extract(t.annotation_counts, ?) > 0', `$."${q.annotation.replace(/"/g, '')}"`);
    }
    if (q.minCost !== undefined) addRange('cost', 't.cost_usd', '>=', q.minCost);
    if (q.maxCost !== undefined) addRange('cost', 't.cost_usd', '<=', q.maxCost);
    if (q.minDurationMs !== undefined) addRange('duration', '(t.end_us - t.start_us)', '>=', Math.ceil(q.minDurationMs * 1000));
    if (q.maxDurationMs !== undefined) addRange('duration', '(t.end_us - t.start_us)', '<=', Math.floor(q.maxDurationMs * 1000));
    if (q.text && q.text.trim()) {
      const text = this.textCondition(q.text.trim());
      if (!text) return null;
      add(text.cond, ...text.args);
    }
    return { where, args, ranges };
  }

  /**
   * Full-text words (each somewhere in the trace, whichever export batch brought it: span names,
   * the root's included, and messages), or a trace id prefix.
   */
  private textCondition(text: string): { cond: string; args: string[] } | null {
    const words = matchExpressions(text);
    const idLike = /^[0-9a-f]{4,32}$/i.test(text) ? text.toLowerCase() : null;
    const alternatives: string[] = [];
    const args: string[] = [];
    if (words) {
      const exact = words.map((w) => this.expandPrefix(w));
      alternatives.push(exact.map((w) => this.wordCondition(w)).join(' AND '));
      args.push(...exact);
    }
    if (idLike) {
      // A key range, not LIKE (which SQLite cannot walk on a case-sensitive key): hex sorts below 'g'.
      alternatives.push('t.trace_id IN (SELECT trace_id FROM traces WHERE trace_id >= ? AND trace_id < ?)');
      args.push(idLike, `${idLike}g`);
    }
    if (alternatives.length === 0) return null;
    return { cond: `(${alternatives.join(' OR ')})`, args };
  }

  /**
   * A lone prefix term (`"refund"*`) as the few words of the index it stands for
   * (`"refund" OR "refunds"`), when there are few: FTS5 gathers a prefix's documents by merging
   * every matching term's list into a new one, two to three times the work of reading the lists
   * of the same terms named. The prefix is folded as the index's tokenizer folds (case, and
   * diacritics); with no such word, or many, the prefix stays.
   */
  private expandPrefix(match: string): string {
    const prefix = /^"([^"]+)"\*$/.exec(match)?.[1];
    if (!prefix || !this.vocabulary) return match;
    const folded = prefix.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    const terms = this.vocabulary.all(folded, `${folded}\u{10FFFF}`, MAX_PREFIX_TERMS + 1) as string[];
    if (terms.length === 0 || terms.length > MAX_PREFIX_TERMS || !terms.every((t) => t.startsWith(folded))) return match;
    return terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
  }

  /**
   * The condition "the trace has this word", shaped by how many documents have it. A rare word:
   * the traces of its documents (a few lookups of span rows). A common word: looking at the
   * traces in list order, each checked against the set of its documents, which finds a page after
   * a few traces where the other form would look up the trace of every document (seconds, at a
   * million spans). Both take the word as their one parameter.
   */
  private wordCondition(match: string): string {
    const common = (this.docsWithWord.get(match, COMMON_WORD_DOCS + 1) as number) > COMMON_WORD_DOCS;
    return common
      ? 'EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.id IN (SELECT rowid FROM search WHERE search MATCH ?))'
      : 't.trace_id IN (SELECT s.trace_id FROM search JOIN spans s ON s.id = search.rowid WHERE search MATCH ?)';
  }
}
