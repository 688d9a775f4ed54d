// Read benchmark (issue 2, "Figures"): at 1,000,000 stored spans, the trace list's first page,
// one trace's spans, and latency percentiles with cost sums over a 10% window and over
// everything, each against its target and against a reference measured in the same run.
//
//   npm run bench:reads -- [--spans 1000000] [--days 14] [--reps 200]
//
// The store is built once through the real SpanWriter and cached (see lib/bench-db.ts), then
// opened read-only the way a second VS Code window opens it. Every figure is sampled one call
// at a time after a warm-up; ratios are printed as target / measured (above 1 = under target).

import path from 'node:path';
import type Database from 'better-sqlite3';
import { createAnalyzer } from '../src/collector/analyzer';
import { openDatabase } from '../src/store/database';
import { Store } from '../src/store/store';
import { TraceQueries } from '../src/store/queries';
import type { StatsDto } from '../src/protocol/api';
import { ensureBenchDb, repoRoot } from './lib/bench-db';
import { Rng } from './lib/rng';
import { int, machineNote, ms, nowMs, sample, type Sampled } from './lib/timing';

interface Args {
  spans: number;
  days: number;
  reps: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, dflt: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
  };
  return { spans: Number(get('spans', '1000000')), days: Number(get('days', '14')), reps: Number(get('reps', '200')) };
}

interface Figure {
  name: string;
  /** Which percentile the target applies to. */
  on: 'p50' | 'p99';
  targetMs: number;
  measured: Sampled;
  reference: { name: string; measured: Sampled };
}

const verdicts: boolean[] = [];

function report(f: Figure): void {
  const l = f.measured.wall;
  const m = l[f.on];
  const met = m <= f.targetMs;
  verdicts.push(met);
  const r = f.reference.measured;
  console.log(`${f.name} (n=${l.reps})`);
  console.log(
    `  p50 ${ms(l.p50)} ms, p95 ${ms(l.p95)} ms, p99 ${ms(l.p99)} ms; target ${f.on} ≤ ${f.targetMs} ms: ${met ? 'met' : 'MISSED'}, ` +
      `target/measured = ${(f.targetMs / m).toFixed(1)}; mean thread CPU ${ms(f.measured.cpuMean)} ms per call`,
  );
  console.log(
    `  reference, ${f.reference.name} (n=${r.wall.reps}): p50 ${ms(r.wall.p50)} ms, mean thread CPU ${ms(r.cpuMean)} ms` +
      ` = ${(r.cpuMean / f.measured.cpuMean).toFixed(1)}× the figure's CPU per call`,
  );
}

/** Exact nearest-rank percentiles and the cost sum from the calls themselves: what rollups replace. */
function exactStats(db: Database.Database, fromUs: number, toUs: number) {
  const durations = db
    .prepare('SELECT duration_us FROM llm_calls WHERE start_us >= ? AND start_us < ? ORDER BY duration_us')
    .pluck()
    .all(fromUs, toUs) as number[];
  const cost = db.prepare('SELECT total(cost_usd) FROM llm_calls WHERE start_us >= ? AND start_us < ?').pluck().get(fromUs, toUs) as number;
  const at = (q: number) => durations[Math.max(0, Math.ceil(q * durations.length) - 1)]! / 1000;
  return { calls: durations.length, cost, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** The window answer must agree with the exact one: same calls and cost, percentiles within the histogram's ±2%. */
function checkAgainstExact(label: string, s: StatsDto, e: ReturnType<typeof exactStats>): void {
  const close = (a: number, b: number) => Math.abs(a - b) <= 0.02 * Math.max(a, b) + 1e-9;
  const problems: string[] = [];
  if (s.calls !== e.calls) problems.push(`calls ${s.calls} vs exact ${e.calls}`);
  if (Math.abs(s.costUsd - e.cost) > 1e-6 * Math.max(1, e.cost)) problems.push(`cost ${s.costUsd} vs exact ${e.cost}`);
  for (const q of ['p50', 'p95', 'p99'] as const) if (!close(s.latencyMs[q] ?? NaN, e[q])) problems.push(`${q} ${s.latencyMs[q]} vs exact ${e[q]}`);
  if (problems.length) throw new Error(`${label}: stats disagree with the exact answer: ${problems.join('; ')}`);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const root = repoRoot();
  console.log(`reads bench: ${int(args.spans)} spans over ${args.days} days, ${args.reps} repetitions per figure, node ${process.version}, ${machineNote()}`);
  const file = ensureBenchDb(root, { spans: args.spans, days: args.days });
  const db = openDatabase(file, { readonly: true });
  const q = new TraceQueries(db);
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  const spans = count('SELECT count(*) FROM spans');
  const bounds = db.prepare('SELECT min(start_us) AS lo, max(start_us) AS hi FROM llm_calls').get() as { lo: number; hi: number };
  console.log(
    `store: ${path.relative(root, file)}: ${int(spans)} spans, ${int(count('SELECT count(*) FROM traces'))} traces, ` +
      `${int(count('SELECT count(*) FROM llm_calls'))} LLM calls, ${int(count('SELECT count(*) FROM llm_rollup'))} rollup rows`,
  );
  const reps = args.reps;
  const rng = new Rng(99);

  // 1. Trace list, first page, warm.
  const list = sample(() => q.listTraces({ limit: 50 }), reps);
  const listFromSpans = db.prepare(`SELECT trace_id, min(start_us) AS start_us, max(end_us) AS end_us, count(*) AS spans
    FROM spans GROUP BY trace_id ORDER BY start_us DESC LIMIT 51`);
  report({
    name: 'trace list, first page of 50 (warm)',
    on: 'p99',
    targetMs: 5,
    measured: list,
    reference: { name: 'the same page grouped from spans (no traces table)', measured: sample(() => listFromSpans.all(), 3, 1) },
  });

  // 2. One typical trace's spans (random traces, so each call looks up a different one).
  const ids = db.prepare('SELECT trace_id FROM traces WHERE span_count BETWEEN 8 AND 12 ORDER BY random() LIMIT 1000').pluck().all() as string[];
  const detail = sample((i) => {
    const d = q.getTrace(ids[i % ids.length]!);
    if (!d || d.spans.length < 8) throw new Error('bench: trace without its spans');
    return d;
  }, reps);
  const rawSpans = db.prepare('SELECT * FROM spans WHERE trace_id = ?');
  report({
    name: "one trace's spans (getTrace, ~10 spans)",
    on: 'p99',
    targetMs: 2,
    measured: detail,
    reference: { name: 'raw span rows by trace_id, no joins or parsing', measured: sample((i) => rawSpans.all(ids[(i + 7) % ids.length]!), reps) },
  });

  // 3. Percentiles and cost over a 10% window (the most recent tenth, edges not minute-aligned).
  const totalUs = bounds.hi - bounds.lo;
  const windows = Array.from({ length: reps + 20 }, () => {
    const toUs = bounds.hi - rng.int(0, 600_000_000);
    return { fromUs: toUs - Math.round(totalUs / 10), toUs };
  });
  const w0 = windows[0]!;
  checkAgainstExact('10% window', q.stats({ from: w0.fromUs / 1000, to: w0.toUs / 1000 }), exactStats(db, w0.fromUs, w0.toUs));
  const window = sample((i) => q.stats({ from: windows[i]!.fromUs / 1000, to: windows[i]!.toUs / 1000 }), reps);
  report({
    name: 'latency p50/p95/p99 + cost sum, 10% window (stats)',
    on: 'p99',
    targetMs: 40,
    measured: window,
    reference: { name: 'exact: sort the window’s call durations, sum cost', measured: sample((i) => exactStats(db, windows[i]!.fromUs, windows[i]!.toUs), 10, 2) },
  });

  // 4. The same over everything.
  checkAgainstExact('everything', q.stats({}), exactStats(db, 0, Number.MAX_SAFE_INTEGER));
  const everything = sample(() => q.stats({}), reps);
  report({
    name: 'latency p50/p95/p99 + cost sum, everything (stats)',
    on: 'p99',
    targetMs: 200,
    measured: everything,
    reference: { name: 'exact: sort every call duration, sum cost', measured: sample(() => exactStats(db, 0, Number.MAX_SAFE_INTEGER), 5, 1) },
  });
  // 5. Full-text search, two words: each word is matched on its own and the traces intersected
  //    (a trace's words may sit in documents of different writes).
  const words = ['warranty replacement', 'refund shipping', 'invoice damaged', 'password reset'];
  const firstPage = sample((i) => q.listTraces({ text: words[i % words.length]!, limit: 50 }), reps);
  // The earlier query: both words in one document, the trace of every matching document looked up.
  const oneDocument = db.prepare(`SELECT t.* FROM traces t WHERE t.trace_id IN (SELECT s.trace_id FROM search JOIN spans s ON s.id = search.rowid
    WHERE search MATCH ?) ORDER BY t.start_us DESC, t.trace_id DESC LIMIT 51`);
  report({
    name: 'trace list searched for two common words, first page of 50',
    on: 'p99',
    targetMs: 100,
    measured: firstPage,
    reference: {
      name: 'the earlier query (both words in one document, every match looked up)',
      measured: sample((i) => oneDocument.all(words[i % words.length]!.split(' ').map((w) => `"${w}"*`).join(' ')), 3, 1),
    },
  });

  // 6. The feedback filter, through its partial index.
  report({
    name: 'trace list of traces with thumbs down, first page',
    on: 'p99',
    targetMs: 5,
    measured: sample(() => q.listTraces({ feedback: 'down', limit: 50 }), reps),
    reference: { name: 'the unfiltered first page', measured: list },
  });

  // 7. Text without spaces between words (Chinese, Japanese): what indexing its character pairs costs, and finding a word inside it.
  cjkFigures(reps);

  const allMet = verdicts.every(Boolean);
  console.log(`targets ${allMet ? 'all met' : 'NOT all met'} (wall clock); ${machineNote()}`);
  db.close();
  process.exitCode = allMet ? 0 : 1;
}

/** Sentences of Chinese and Japanese words, and Latin ones of the same length as the reference. */
function cjkFigures(reps: number): void {
  const zh = ['我们', '明天', '北京', '参观', '故宫', '订单', '退款', '发货', '地址', '客服', '请问', '什么', '时候', '可以', '收到', '东京', '天気', '晴れ', '注文', '配送'];
  const latin = ['order', 'refund', 'ship', 'addr', 'when', 'can', 'recv', 'today', 'tokyo', 'sunny'];
  const rng = new Rng(7);
  const sentence = (vocab: string[], n: number) => Array.from({ length: n }, () => rng.pick(vocab)).join(vocab === latin ? ' ' : '');
  const spans = (vocab: string[]) => Array.from({ length: 20_000 }, (_, i) => ({
    traceId: (i + 1).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: null,
    name: sentence(vocab, 30), kind: 1, startUs: 1_700_000_000_000_000 + i * 1000, endUs: 1_700_000_000_000_000 + i * 1000 + 500,
    statusCode: 0 as const, statusMessage: '', attributes: {}, events: [], links: [], resource: { 'service.name': 'cjk' }, scope: { name: 'bench' },
  }));
  const write = (vocab: string[]) => {
    const store = new Store(':memory:', createAnalyzer([]).analyzer);
    const all = spans(vocab);
    const t0 = nowMs();
    for (let i = 0; i < all.length; i += 1000) store.writer.write([{ spans: all.slice(i, i + 1000), logs: [] }]);
    return { store, ms: nowMs() - t0 };
  };
  const latinRun = write(latin);
  latinRun.store.close();
  const cjk = write(zh);
  const rate = (ms: number) => int((20_000 / ms) * 1000);
  console.log(`writing 20,000 spans of Chinese/Japanese text: ${rate(cjk.ms)} spans/s; reference, the same number of Latin words: ${rate(latinRun.ms)} spans/s ` +
    `(= ${(latinRun.ms / cjk.ms).toFixed(2)} of its rate)`);
  const queries = ['北京', '故宫退款', '晴れ', '参观'];
  const cq = new TraceQueries(cjk.store.db);
  const found = cq.listTraces({ text: '故宫退款', limit: 50 }).traces.length;
  if (found === 0) throw new Error('bench: the Chinese word was not found');
  report({
    name: 'trace list searched for a Chinese/Japanese word inside a sentence (20,000 traces), first page',
    on: 'p99',
    targetMs: 50,
    measured: sample((i) => cq.listTraces({ text: queries[i % queries.length]!, limit: 50 }), reps),
    reference: { name: 'an unfiltered first page of the same store', measured: sample(() => cq.listTraces({ limit: 50 }), reps) },
  });
  cjk.store.close();
}

main();
