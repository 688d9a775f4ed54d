// Explorer benchmark (issue 10, "Figures"): `GET /api/traces` as the trace explorer asks it, over
// 1,000,000 stored traces: the first page, every sort (and its second page), every filter, and
// full-text search; each with its total count (up to 10,000), each against its SQLite plan floor
// measured in the same run: the bare SELECT of the page's ids with the same WHERE, ORDER BY and
// plan as the list's (see floorOf), plus the bare capped count. Targets: first page ≤ 100 ms, any
// sort or filter ≤ 300 ms, full-text ≤ 300 ms (p95).
//
//   npm run bench:explorer -- [--traces 1000000] [--days 30] [--reps 30]
//   npm run bench:explorer -- --index-cost [--reps 7]   (what the list's indexes cost ingest)
//
// The store is built once through the real SpanWriter (one chat call per trace, with messages,
// sessions, users, errors, feedback and guardrail annotations; about 4 minutes for a million here,
// see buildStore) and cached under node_modules/.cache/bench by generator, schema version and
// size; it is then read the way the collector reads it.

import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { createAnalyzer } from '../src/collector/analyzer';
import type { NewAnnotation } from '../src/core/annotations/model';
import type { IngestSpan } from '../src/core/model';
import type { TraceListQuery, TraceSortKey } from '../src/protocol/api';
import { SCHEMA_VERSION } from '../src/store/schema';
import { Store } from '../src/store/store';
import { TEXT_TOTAL_CAP, TRACE_TOTAL_CAP } from '../src/store/trace-list';
import { repoRoot } from './lib/bench-db';
import { measureListIndexCost } from './lib/list-index-cost';
import { Rng } from './lib/rng';
import { int, machineNote, ms, nowMs, sample } from './lib/timing';

interface Args {
  traces: number;
  days: number;
  reps: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, dflt: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
  };
  return { traces: Number(get('traces', '1000000')), days: Number(get('days', '30')), reps: Number(get('reps', '30')) };
}

const END_US = Date.UTC(2026, 10, 1) * 1000;
const GENERATOR = 1;
const WORDS = 'order refund shipping invoice account password delivery tracking warranty policy customer billing subscription upgrade cancel discount payment card address email login error timeout'.split(' ');
const MODELS = ['gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4-5'];
const SERVICES = ['support-bot', 'docs-assistant', 'order-agent'];
/** One trace in this many has the rare word (a few hundred at a million). */
const RARE_EVERY = 4_000;

/**
 * The build, fast: one write transaction per 100,000 traces through the real SpanWriter (its
 * prepared statements, its search documents inserted together at each commit), the journal and
 * syncs off while the file is not yet the cache's, and the read-side indexes of the big tables
 * (those the writer never reads through) dropped first and created once at the end from their
 * own CREATE statements, so they stay exactly the schema's.
 */
function buildStore(file: string, a: Args): void {
  const { analyzer } = createAnalyzer([]);
  const tmp = `${file}.building-${process.pid}`;
  for (const s of ['', '-wal', '-shm']) fs.rmSync(tmp + s, { force: true });
  new Store(tmp, null).close(); // the real schema, every migration run
  const store = new Store(tmp, analyzer);
  const db = store.db;
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  const deferred = deferredIndexes(db);
  for (const ix of deferred) db.exec(`DROP INDEX ${ix.name}`);
  const rng = new Rng(2026);
  const spanUs = a.days * 86_400_000_000;
  const gap = spanUs / a.traces;
  const t0 = nowMs();
  const writer = store.writer;
  let batch: IngestSpan[] = [];
  let notes: NewAnnotation[] = [];
  const add = () => {
    writer.add([writer.prepare({ spans: batch, logs: [] })]);
    if (notes.length) writer.add([{ resources: [], spans: [], logs: [], annotations: [], ops: [{ op: 'add', annotations: notes }] }]);
    batch = [];
    notes = [];
  };
  writer.begin();
  for (let i = 0; i < a.traces; i++) {
    batch.push(benchTrace(rng, i, END_US - spanUs + i * gap, notes));
    if (batch.length >= 10_000) add();
    if ((i + 1) % 100_000 === 0) {
      add();
      writer.commit();
      console.log(`  building: ${int(i + 1)} traces, ${int(((i + 1) / (nowMs() - t0)) * 1000)} traces/s`);
      writer.begin();
    }
  }
  add();
  writer.commit();
  const tIndex = nowMs();
  for (const ix of deferred) db.exec(ix.sql);
  console.log(`  indexes created in ${((nowMs() - tIndex) / 1000).toFixed(1)} s`);
  store.close();
  fs.renameSync(tmp, file);
  console.log(`  built ${int(a.traces)} traces in ${((nowMs() - t0) / 1000).toFixed(0)} s`);
}

/** The non-unique indexes of spans, calls and traces: only readers walk them. */
function deferredIndexes(db: Database.Database): { name: string; sql: string }[] {
  return db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'
    AND tbl_name IN ('spans', 'llm_calls', 'traces')`).all() as { name: string; sql: string }[];
}

/** Trace `i`: one chat call with its messages; some with a session, a user, an error, a note. */
function benchTrace(rng: Rng, i: number, start: number, notes: NewAnnotation[]): IngestSpan {
  const traceId = rng.hex(16);
  const startUs = Math.round(start);
  // Log-normal-ish durations: most calls a second or two, a long tail to minutes.
  const durUs = Math.round(300_000 * Math.exp(rng.next() * 2 + rng.next() * 2));
  const words = Array.from({ length: 8 }, () => WORDS[rng.int(0, WORDS.length - 1)]!);
  if (i % RARE_EVERY === 7) words.push('zanzibar');
  const session = rng.chance(0.1) ? `sess-${Math.floor(i / 5)}` : null;
  const user = rng.chance(0.05) ? `user-${rng.int(0, 999)}` : null;
  const error = rng.chance(0.02);
  const span: IngestSpan = {
    traceId, spanId: rng.hex(8), parentSpanId: null, name: `chat ${MODELS[i % 3]}`, kind: 3, startUs, endUs: startUs + durUs,
    statusCode: error ? 2 : 0, statusMessage: error ? 'rate limited' : '',
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': i % 3 === 2 ? 'anthropic' : 'openai', 'gen_ai.request.model': MODELS[i % 3]!,
      'gen_ai.usage.input_tokens': rng.int(50, 4000), 'gen_ai.usage.output_tokens': rng.int(10, 800),
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: words.join(' ') }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `Answer about ${words[0]}.` }], finish_reason: 'stop' }]),
      ...(session ? { 'session.id': session } : {}), ...(user ? { 'user.id': user } : {}),
    },
    events: [], links: [], resource: { 'service.name': SERVICES[rng.int(0, 2)]! }, scope: { name: 'bench' },
  };
  if (rng.chance(0.01)) {
    notes.push({
      kind: rng.chance(0.5) ? 'guardrail' : 'feedback', name: 'bench', label: rng.chance(0.5) ? 'up' : 'down', score: null, explanation: null,
      location: null, attributes: {}, traceId, spanId: null, source: 'user', atUs: startUs, origin: null,
    });
  }
  return span;
}

interface Case {
  name: string;
  kind: 'first' | 'sort' | 'filter' | 'text';
  query: TraceListQuery;
  /**
   * The floor: the bare ids of the page and the bare capped count, each with the WHERE, ORDER BY
   * and index the list uses. `unindexed` is the WHERE with the range filter in the form the list
   * uses when many traces match (see TraceList.pageWhere), for a range on `rangeSort`'s index.
   */
  floor: { where: string; order: string; args?: (string | number)[]; unindexed?: string; rangeSort?: TraceSortKey };
}

const TARGETS = { first: 100, sort: 300, filter: 300, text: 300 };

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (process.argv.includes('--index-cost')) return indexCost(a.reps);
  const root = repoRoot();
  const file = path.join(root, 'node_modules/.cache/bench', `explorer-g${GENERATOR}-s${SCHEMA_VERSION}-${a.traces}-${a.days}d.db`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  console.log(`explorer bench: ${int(a.traces)} traces over ${a.days} days, ${a.reps} reps per query, node ${process.version}, ${machineNote()}`);
  if (!fs.existsSync(file)) buildStore(file, a);
  new Store(file, null).close(); // pending migrations, as the collector would run them
  const store = new Store(file, null, { readonly: true });
  const db = store.db;
  const q = store.queries;
  const day = 86_400_000;
  const endMs = END_US / 1000;
  const weekAgo = endMs - 7 * day;
  const sample0 = q.listTraces({ limit: 200 }).traces;
  const session = sample0.find((t) => t.sessionId)?.sessionId ?? 'sess-1';
  const user = q.listTraces({ limit: 1, sort: 'time' }).traces.length ? (db.prepare('SELECT user_id FROM traces WHERE user_id IS NOT NULL LIMIT 1').pluck().get() as string) : 'user-1';
  const dur = '(t.end_us - t.start_us)';
  const byTime = 't.start_us DESC, t.trace_id DESC';
  const cases: Case[] = [
    { name: 'first page (newest)', kind: 'first', query: {}, floor: { where: '', order: byTime } },
    ...(['duration', 'cost', 'tokens', 'calls', 'errors'] as const).map((sort): Case => {
      const e = { duration: dur, cost: 't.cost_usd', tokens: '(t.input_tokens + t.output_tokens)', calls: 't.llm_call_count', errors: 't.error_count' }[sort];
      return { name: `sort by ${sort}`, kind: 'sort', query: { sort }, floor: { where: '', order: `${e} DESC, t.start_us DESC, t.trace_id DESC` } };
    }),
    { name: 'sort by cost, ascending', kind: 'sort', query: { sort: 'cost', order: 'asc' }, floor: { where: '', order: 't.cost_usd ASC, t.start_us ASC, t.trace_id ASC' } },
    { name: 'last 7 days, slowest first', kind: 'sort', query: { from: weekAgo, sort: 'duration' }, floor: { where: 't.start_us >= ?', order: `${dur} DESC, t.start_us DESC, t.trace_id DESC`, args: [weekAgo * 1000], unindexed: '+t.start_us >= ?', rangeSort: 'time' } },
    { name: 'service', kind: 'filter', query: { service: 'order-agent' }, floor: { where: 't.service_name = ?', order: byTime, args: ['order-agent'] } },
    { name: 'model', kind: 'filter', query: { model: 'gpt-4.1' }, floor: { where: "instr(t.models, '|' || ? || '|') > 0", order: byTime, args: ['gpt-4.1'] } },
    { name: 'status = error', kind: 'filter', query: { status: 'error' }, floor: { where: 't.error_count > 0', order: byTime } },
    { name: 'session', kind: 'filter', query: { session }, floor: { where: 't.session_id = ?', order: byTime, args: [session] } },
    { name: 'user', kind: 'filter', query: { user }, floor: { where: 't.user_id = ?', order: byTime, args: [user] } },
    { name: 'feedback (any)', kind: 'filter', query: { feedback: 'any' }, floor: { where: '(t.feedback_up > 0 OR t.feedback_down > 0)', order: byTime } },
    { name: 'guardrail marks', kind: 'filter', query: { annotation: 'guardrail' }, floor: { where: "t.annotation_counts IS NOT NULL AND json_extract(t.annotation_counts, '$.\"guardrail\"') > 0", order: byTime } },
    { name: 'cost ≥ $0.01', kind: 'filter', query: { minCost: 0.01 }, floor: { where: 't.cost_usd >= ?', order: byTime, args: [0.01], unindexed: '+t.cost_usd >= ?', rangeSort: 'cost' } },
    { name: 'latency 5–10 s', kind: 'filter', query: { minDurationMs: 5_000, maxDurationMs: 10_000 }, floor: { where: `${dur} >= ? AND ${dur} <= ?`, order: byTime, args: [5_000_000, 10_000_000], unindexed: `+${dur} >= ? AND +${dur} <= ?`, rangeSort: 'duration' } },
    { name: 'last 24 hours', kind: 'filter', query: { from: endMs - day }, floor: { where: 't.start_us >= ?', order: byTime, args: [(endMs - day) * 1000], unindexed: '+t.start_us >= ?', rangeSort: 'time' } },
    { name: 'errors, slowest first, last 7 days', kind: 'filter', query: { status: 'error', sort: 'duration', from: weekAgo }, floor: { where: 't.error_count > 0 AND t.start_us >= ?', order: `${dur} DESC, t.start_us DESC, t.trace_id DESC`, args: [weekAgo * 1000], unindexed: 't.error_count > 0 AND +t.start_us >= ?', rangeSort: 'time' } },
    { name: 'text: a rare word', kind: 'text', query: { text: 'zanzibar' }, floor: { where: "t.trace_id IN (SELECT s.trace_id FROM search JOIN spans s ON s.id = search.rowid WHERE search MATCH 'zanzibar*')", order: byTime } },
    { name: 'text: two common words', kind: 'text', query: { text: 'refund warranty' }, floor: {
      // Each prefix as the one word of the index it stands for, as the list spells it (TraceList.expandPrefix).
      where: "EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.id IN (SELECT rowid FROM search WHERE search MATCH '\"refund\"')) AND EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.id IN (SELECT rowid FROM search WHERE search MATCH '\"warranty\"'))",
      order: byTime } },
    { name: 'text: trace id prefix', kind: 'text', query: { text: sample0[100]!.traceId.slice(0, 8) }, floor: { where: 't.trace_id >= ? AND t.trace_id < ?', order: byTime, args: [sample0[100]!.traceId.slice(0, 8), `${sample0[100]!.traceId.slice(0, 8)}g`] } },
  ];
  const results: { c: Case; p95: number; floor95: number; total: string; met: boolean }[] = [];
  for (const c of cases) {
    const query = { ...c.query, limit: 50 };
    const first = q.listTraces(query);
    const measured = sample(() => q.listTraces(query), a.reps, 3);
    const floor = floorOf(db, c.floor, c.query.sort ?? 'time', c.kind === 'text');
    const floorSampled = sample(() => floor(), a.reps, 3);
    // The second page under the same sort: the cursor walks the index from where the first stopped.
    let second = '';
    if (first.nextCursor) {
      const next = { ...query, cursor: first.nextCursor };
      const s2 = sample(() => q.listTraces(next), Math.max(5, Math.floor(a.reps / 3)), 1);
      second = `; next page p95 ${ms(s2.wall.p95)} ms`;
    }
    const target = TARGETS[c.kind];
    const p95 = measured.wall.p95;
    const met = p95 <= target;
    const total = `${int(first.total ?? 0)}${first.totalExact ? '' : '+'}`;
    results.push({ c, p95, floor95: floorSampled.wall.p95, total, met });
    console.log(`${c.name}: p50 ${ms(measured.wall.p50)} ms, p95 ${ms(p95)} ms (${total} matches${second}); ` +
      `plan floor p50 ${ms(floorSampled.wall.p50)} ms, p95 ${ms(floorSampled.wall.p95)} ms → ${(measured.wall.p50 / Math.max(0.01, floorSampled.wall.p50)).toFixed(2)}× the floor (p50); ` +
      `target p95 ≤ ${target} ms: ${met ? 'met' : 'MISSED'}`);
  }
  const missed = results.filter((r) => !r.met);
  console.log(`${results.length - missed.length} of ${results.length} within target${missed.length ? `; missed: ${missed.map((r) => r.c.name).join(', ')}` : ''}; ${machineNote()}`);
  store.close();
  process.exitCode = missed.length ? 1 : 0;
}

/** `--index-cost`: the writing thread's CPU with the list's indexes against without them. */
function indexCost(rounds: number): void {
  const spans = 40_000;
  console.log(`list index cost: ${int(spans)} spans in exports of 512 (in the order they end), ${rounds} rounds, node ${process.version}, ${machineNote()}`);
  const r = measureListIndexCost(spans, rounds);
  const median = (v: number[]) => v.slice().sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
  const show = (v: number[]) => v.map((x) => x.toFixed(0)).join(', ');
  console.log(`writer CPU ms with the indexes: ${show(r.withMs)}; without: ${show(r.withoutMs)}`);
  console.log(`with/without: median ${(median(r.withMs) / median(r.withoutMs)).toFixed(3)}, best ${(Math.min(...r.withMs) / Math.min(...r.withoutMs)).toFixed(3)}`);
}

/** The bare page of ids and the bare capped count, with the WHERE, ORDER BY and plan the list uses. */
function floorOf(db: Database.Database, f: Case['floor'], sort: TraceSortKey, text: boolean): () => unknown {
  const cap = text ? TEXT_TOTAL_CAP : TRACE_TOTAL_CAP;
  const count = db.prepare(`SELECT count(*) FROM (SELECT 1 FROM traces t ${f.where ? `WHERE ${f.where}` : ''} LIMIT ${cap + 1})`).pluck();
  const args = f.args ?? [];
  // The plan the list takes (TraceList.list): by how many match, counted first.
  const n = f.where && !text ? (count.get(...args) as number) : undefined;
  const many = n !== undefined && n > cap;
  const where = many && f.unindexed && f.rangeSort !== sort ? f.unindexed : f.where;
  const keys = f.order.split(', ').map((k) => ({ expr: k.replace(/ (DESC|ASC)$/, ''), dir: k.endsWith('ASC') ? 'ASC' : 'DESC' }));
  // Full text: one walk in list order finds the page and counts (TraceList.list).
  if (text) {
    const walk = db.prepare(`SELECT t.trace_id FROM traces t ${f.where ? `WHERE ${f.where}` : ''} ORDER BY ${f.order} LIMIT ${cap + 1}`).pluck();
    return () => walk.all(...args);
  }
  const ids = db.prepare(n !== undefined && !many
    ? `SELECT trace_id FROM (SELECT t.trace_id, ${keys.map((k, i) => `${k.expr} AS k${i}`).join(', ')} FROM traces t WHERE ${where} LIMIT ${cap + 1})
      ORDER BY ${keys.map((k, i) => `k${i} ${k.dir}`).join(', ')} LIMIT 51`
    : `SELECT t.trace_id FROM traces t ${where ? `WHERE ${where}` : ''} ORDER BY ${f.order} LIMIT 51`).pluck();
  return () => [count.get(...args), ids.all(...args)];
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
