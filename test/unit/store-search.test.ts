// The full-text index: contentless and without positions in a new store (the text lives in
// spans and calls; searches are prefix terms, never phrases), kept as it is in an older store
// that already holds text; search, prune and clear work in both.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store';
import { logRecord, span } from '../helpers/spans';
import { testAnalyzer } from '../helpers/test-analyzer';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-search-'));
  file = path.join(dir, 'traces.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000_000_000;

function exercise(store: Store): void {
  const a = span({ name: 'refund lookup_order', startUs: T0, endUs: T0 + 10 });
  const b = span({ name: 'weather report', startUs: T0 + 1_000_000, endUs: T0 + 1_000_010 });
  const c = span({ name: 'refund again', startUs: T0 + 2_000_000, endUs: T0 + 2_000_010 });
  store.writer.write([{ spans: [a, b, c], logs: [] }]);
  const found = (text: string) => store.queries.listTraces({ text }).traces.map((t) => t.traceId).sort();
  expect(found('refund')).toEqual([a.traceId, c.traceId].sort());
  expect(found('lookup_order')).toEqual([a.traceId]);
  expect(found('weath')).toEqual([b.traceId]);
  // Syntax, punctuation and underscores in what a user types are words, never FTS5 operators or phrases.
  expect(found('"refund" (lookup_order*')).toEqual([a.traceId]);
  store.prune({ olderThanMs: (T0 + 500_000) / 1000 });
  expect(found('refund')).toEqual([c.traceId]);
  expect(found('lookup_order')).toEqual([]);
  store.clear();
  expect(found('refund')).toEqual([]);
  const d = span({ name: 'refund after clear', startUs: T0 + 3_000_000, endUs: T0 + 3_000_010 });
  store.writer.write([{ spans: [d], logs: [] }]);
  expect(found('refund')).toEqual([d.traceId]);
}

const searchSql = (store: Store) => store.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'search'").pluck().get() as string;

describe('full-text index', () => {
  it('is contentless in a new store and still finds, forgets and clears', () => {
    const store = new Store(file, testAnalyzer);
    expect(searchSql(store)).toMatch(/content\s*=\s*''/);
    expect(searchSql(store)).toMatch(/detail\s*=\s*'none'/);
    expect(store.db.prepare("SELECT v FROM search_config WHERE k = 'pgsz'").pluck().get()).toBe(16000);
    exercise(store);
    store.close();
  });

  it('is kept with its text in an older store that already has some', () => {
    let store = new Store(file, testAnalyzer);
    store.db.exec(`DROP TABLE search; CREATE VIRTUAL TABLE search USING fts5 (content, tokenize = 'unicode61 remove_diacritics 2')`);
    store.writer.write([{ spans: [span({ name: 'older text' })], logs: [] }]);
    store.db.pragma('user_version = 2');
    store.close();
    store = new Store(file, testAnalyzer);
    expect(searchSql(store)).not.toMatch(/content\s*=/);
    expect(store.db.prepare('SELECT content FROM search').pluck().all()).toEqual(['older text']);
    exercise(store);
    store.close();
  });

  it('keeps its positions in a store made before they were dropped, and still finds', () => {
    let store = new Store(file, testAnalyzer);
    store.db.exec(`DROP TABLE search;
      CREATE VIRTUAL TABLE search USING fts5 (content, tokenize = 'unicode61 remove_diacritics 2', content = '', contentless_delete = 1)`);
    store.writer.write([{ spans: [span({ name: 'older text' })], logs: [] }]);
    store.db.pragma('user_version = 4');
    store.close();
    store = new Store(file, testAnalyzer);
    expect(searchSql(store)).not.toMatch(/detail/);
    expect(store.queries.listTraces({ text: 'older' }).traces).toHaveLength(1);
    exercise(store);
    store.close();
  });

  it('indexes one document per trace per write: words from different spans of a trace find it together', () => {
    const store = new Store(file, testAnalyzer);
    const root = span({ name: 'refund request', startUs: T0 });
    const child = span({ traceId: root.traceId, parentSpanId: root.spanId, name: 'weather report', startUs: T0 + 1 });
    const repeat = span({ traceId: root.traceId, parentSpanId: root.spanId, name: 'weather report', startUs: T0 + 2 });
    const other = span({ name: 'refund only', startUs: T0 + 3 });
    store.writer.write([{ spans: [root, child, repeat, other], logs: [] }]);
    // One document each, under the first span of each trace.
    expect(store.db.prepare('SELECT s.span_id FROM search JOIN spans s ON s.id = search.rowid ORDER BY s.id').pluck().all())
      .toEqual([root.spanId, other.spanId]);
    const found = (text: string) => store.queries.listTraces({ text }).traces.map((t) => t.traceId);
    expect(found('refund weather')).toEqual([root.traceId]);
    expect(found('refund').sort()).toEqual([root.traceId, other.traceId].sort());
    store.close();
  });

  it('finds a word by its start, folded as the index folds it, whether the start stands for a few words or many', () => {
    const store = new Store(file, testAnalyzer);
    const refunds = ['refund asked', 'Refunds sent', 'REFUNDED twice', 'ärger about a refundable fee'].map((name, i) => span({ name, startUs: T0 + i }));
    // Twelve words starting "item": more than a prefix is spelled out as.
    const items = Array.from({ length: 12 }, (_, i) => span({ name: `item${String.fromCharCode(97 + i)} listed`, startUs: T0 + 100 + i }));
    const other = span({ name: 'refinance plan', startUs: T0 + 200 });
    store.writer.write([{ spans: [...refunds, ...items, other], logs: [] }]);
    const found = (text: string) => new Set(store.queries.listTraces({ text, limit: 100 }).traces.map((t) => t.traceId));
    expect(found('Refund')).toEqual(new Set(refunds.map((s) => s.traceId)));
    expect(found('REFUNDE')).toEqual(new Set([refunds[2]!.traceId]));
    expect(found('Ärger refund')).toEqual(new Set([refunds[3]!.traceId]));
    expect(found('arg')).toEqual(new Set([refunds[3]!.traceId]));
    expect(found('item')).toEqual(new Set(items.map((s) => s.traceId)));
    expect(found('itemk listed')).toEqual(new Set([items[10]!.traceId]));
    expect(found('ref')).toEqual(new Set([...refunds, other].map((s) => s.traceId)));
    expect(found('refundz')).toEqual(new Set());
    store.close();
  });

  it('indexes what log records arriving later add to a span, keeping what the trace said before', () => {
    const store = new Store(file, testAnalyzer);
    const root = span({ name: 'support request', startUs: T0 });
    const call = span({ traceId: root.traceId, parentSpanId: root.spanId, name: 'chat', startUs: T0 + 1, attributes: { 'gen_ai.request.model': 'gpt-4o' } });
    store.writer.write([{ spans: [root, call], logs: [] }]);
    const found = (text: string) => store.queries.listTraces({ text }).traces.map((t) => t.traceId);
    expect(found('zebra')).toEqual([]);
    const log = logRecord({ traceId: call.traceId, spanId: call.spanId, eventName: 'gen_ai.user.message', body: { content: 'zebra crossing' } });
    store.writer.write([{ spans: [], logs: [log] }]);
    expect(found('zebra')).toEqual([root.traceId]);
    expect(found('support zebra')).toEqual([root.traceId]);
    // Still one document for the trace.
    expect(store.db.prepare('SELECT count(*) FROM search').pluck().get()).toBe(1);
    store.close();
  });
});

describe('finding traces by their words', () => {
  let store: Store;
  beforeEach(() => {
    store = new Store(file, testAnalyzer);
  });
  afterEach(() => store.close());
  const found = (text: string) => store.queries.listTraces({ text }).traces.map((t) => t.traceId).sort();

  it('finds a trace whose words arrived in different export batches', () => {
    const root = span({ name: 'refund request', startUs: T0 });
    const child = span({ traceId: root.traceId, parentSpanId: root.spanId, name: 'weather report', startUs: T0 + 1 });
    const other = span({ name: 'weather only', startUs: T0 + 2 });
    store.writer.write([{ spans: [root, other], logs: [] }]);
    store.writer.write([{ spans: [child], logs: [] }]);
    expect(found('refund weather')).toEqual([root.traceId]);
    expect(found('weath')).toEqual([root.traceId, other.traceId].sort());
    expect(found('refund sunshine')).toEqual([]);
  });

  it('finds traces by common words (in thousands of documents) the same way, newest first, across batches', () => {
    // Past ~2,000 documents a word is looked for trace by trace, newest first: the page must be the same.
    const spans = Array.from({ length: 2_500 }, (_, i) => span({ name: `common ${i % 5 === 0 ? 'fifth' : 'other'}`, startUs: T0 + i * 1_000 }));
    store.writer.write([{ spans, logs: [] }]);
    const tail = span({ traceId: spans[2_495]!.traceId, parentSpanId: spans[2_495]!.spanId, name: 'rare', startUs: T0 + 2_495_001 });
    store.writer.write([{ spans: [tail], logs: [] }]);
    const newest = (n: number, keep: (i: number) => boolean) =>
      spans.map((s, i) => ({ s, i })).filter(({ i }) => keep(i)).reverse().slice(0, n).map(({ s }) => s.traceId);
    const page = (text: string) => store.queries.listTraces({ text, limit: 10 }).traces.map((t) => t.traceId);
    expect(page('common')).toEqual(newest(10, () => true));
    expect(page('common fifth')).toEqual(newest(10, (i) => i % 5 === 0));
    expect(page('common rare')).toEqual([spans[2_495]!.traceId]);
    const second = store.queries.listTraces({ text: 'common fifth', limit: 10, cursor: store.queries.listTraces({ text: 'common fifth', limit: 10 }).nextCursor! });
    expect(second.traces.map((t) => t.traceId)).toEqual(newest(20, (i) => i % 5 === 0).slice(10));
  });

  it('finds Chinese, Japanese, Korean and Thai text by any part of it, in whatever batch it came', () => {
    const zh = span({ name: '我们明天去北京参观故宫', startUs: T0 });
    const ja = span({ name: '東京都の天気は晴れです', startUs: T0 + 1 });
    const mixed = span({ name: '用GPT翻译这份文件', startUs: T0 + 2 });
    const ko = span({ name: '서울에서 만나요', startUs: T0 + 3 });
    const th = span({ name: 'สวัสดีครับ ยินดีต้อนรับ', startUs: T0 + 4 });
    const hi = span({ name: 'नमस्ते दुनिया', startUs: T0 + 6 });
    const later = span({ traceId: zh.traceId, parentSpanId: zh.spanId, name: 'refund 退款', startUs: T0 + 5 });
    store.writer.write([{ spans: [zh, ja, mixed, ko, th, hi], logs: [] }]);
    store.writer.write([{ spans: [later], logs: [] }]);
    for (const q of ['北京', '故宫', '参观故宫', '北', '宫', '京参', '我们明天去北京参观故宫']) expect(found(q), q).toEqual([zh.traceId]);
    for (const q of ['天気', '晴れ', '東京', 'の天']) expect(found(q), q).toEqual([ja.traceId]);
    for (const q of ['GPT', 'gpt', '翻译', '文件', 'GPT翻译']) expect(found(q), q).toEqual([mixed.traceId]);
    expect(found('서울')).toEqual([ko.traceId]);
    expect(found('สวัสดี')).toEqual([th.traceId]);
    expect(found('ต้อนรับ')).toEqual([th.traceId]);
    // Marks inside a word (Devanagari) are where the index cuts it: a query cut the same way finds it.
    expect(found('नमस्ते')).toEqual([hi.traceId]);
    // Words from two batches of one trace, and of two scripts.
    expect(found('故宫 退款')).toEqual([zh.traceId]);
    expect(found('refund 北京')).toEqual([zh.traceId]);
    for (const q of ['上海', '京都大学', '晴天', '北京烤鸭']) expect(found(q), q).toEqual([]);
  });
});
