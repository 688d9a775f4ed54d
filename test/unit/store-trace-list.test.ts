// The trace explorer's list over a real SQLite file: every sort pages through every trace once
// in its order (ties included), the filters, the capped total, previews kept at write time, and
// sessions read as turns.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/collector/analyzer';
import type { NewAnnotation } from '../../src/core/annotations/model';
import type { IngestSpan } from '../../src/core/model';
import { PREVIEW_CHARS } from '../../src/core/previews';
import { TRACE_SORT_KEYS, type TraceListQuery, type TraceSortKey, type TraceSummary } from '../../src/protocol/api';
import { Store } from '../../src/store/store';
import { TRACE_TOTAL_CAP } from '../../src/store/trace-list';
import { hexId, span } from '../helpers/spans';

let dir: string;
let store: Store;
const { analyzer } = createAnalyzer([]);
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-list-'));
  store = new Store(path.join(dir, 'traces.db'), analyzer);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000_000;

function chat(over: Partial<IngestSpan>, input: string, output: string, usage: [number, number] = [10, 5]): IngestSpan {
  return span({
    name: 'chat gpt-4o-mini',
    ...over,
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': usage[0], 'gen_ai.usage.output_tokens': usage[1],
      'gen_ai.input.messages': JSON.stringify([
        { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
        { role: 'user', parts: [{ type: 'text', content: input }] },
      ]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: output }], finish_reason: 'stop' }]),
      ...over.attributes,
    },
  });
}

/** A trace of `calls` chat calls (the first may fail), ending `durationUs` after it starts. */
function trace(i: number, o: { calls: number; errors: number; durationUs: number; tokens: number; session?: string; user?: string }): IngestSpan[] {
  const traceId = hexId(16, 1000 + i);
  const start = T0 + i * 1_000_000;
  const root = span({
    traceId, spanId: hexId(8, 5000 + i * 10), name: `request ${i}`, startUs: start, endUs: start + o.durationUs,
    attributes: { ...(o.session ? { 'session.id': o.session } : {}), ...(o.user ? { 'user.id': o.user } : {}) },
  });
  const calls = Array.from({ length: o.calls }, (_, k) =>
    chat({ traceId, spanId: hexId(8, 5000 + i * 10 + k + 1), parentSpanId: root.spanId, startUs: start + 10 + k, endUs: start + 20 + k,
      statusCode: k < o.errors ? 2 : 0 }, `question ${i}`, `answer ${i}`, [o.tokens, 0]));
  return [root, ...calls];
}

function write(spans: IngestSpan[]) {
  return store.writer.write([{ spans, logs: [] }]);
}

function all(q: TraceListQuery): TraceSummary[] {
  const out: TraceSummary[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = store.queries.listTraces({ ...q, limit: 7, cursor });
    out.push(...page.traces);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('paging never ended');
}

const valueOf: Record<TraceSortKey, (t: TraceSummary) => number> = {
  time: (t) => t.startTime,
  duration: (t) => t.durationMs,
  cost: (t) => t.costUsd,
  tokens: (t) => t.inputTokens + t.outputTokens,
  calls: (t) => t.llmCallCount,
  errors: (t) => t.errorCount,
};

describe('trace list', () => {
  it('pages every trace exactly once under each sort and direction, ties newest first', () => {
    // Few distinct values per key, so every sort has ties that cross page boundaries.
    const spans = Array.from({ length: 40 }, (_, i) =>
      trace(i, { calls: (i * 7) % 4, errors: i % 5 === 0 ? Math.min(1, (i * 7) % 4) : 0, durationUs: ((i * 13) % 6) * 1000 + 100, tokens: (i * 3) % 5 })).flat();
    write(spans);
    const everything = all({});
    expect(everything).toHaveLength(40);
    for (const sort of TRACE_SORT_KEYS) {
      for (const order of ['asc', 'desc'] as const) {
        const got = all({ sort, order });
        const sign = order === 'asc' ? 1 : -1;
        const expected = [...everything].sort((a, b) =>
          sign * (valueOf[sort](a) - valueOf[sort](b) || a.startTime - b.startTime || (a.traceId < b.traceId ? -1 : 1)));
        expect(got.map((t) => t.traceId), `${sort} ${order}`).toEqual(expected.map((t) => t.traceId));
      }
    }
  });

  it('refuses a cursor from another sort rather than skipping or repeating rows', () => {
    write(Array.from({ length: 5 }, (_, i) => trace(i, { calls: 1, errors: 0, durationUs: i * 100, tokens: 1 })).flat());
    const first = store.queries.listTraces({ sort: 'cost', limit: 2 });
    expect(() => store.queries.listTraces({ sort: 'duration', cursor: first.nextCursor! })).toThrow(/sort=cost/);
    expect(() => store.queries.listTraces({ cursor: 'bm90IGEgY3Vyc29y' })).toThrow(RangeError);
  });

  it('filters by session, user, cost and latency ranges, status and annotation kind, and counts what matches', () => {
    write([
      ...trace(1, { calls: 1, errors: 0, durationUs: 1_000, tokens: 100, session: 's-1', user: 'alice' }),
      ...trace(2, { calls: 2, errors: 1, durationUs: 90_000, tokens: 1000, session: 's-1' }),
      ...trace(3, { calls: 1, errors: 0, durationUs: 5_000, tokens: 10, user: 'bob' }),
    ]);
    // enduser.id, the older spelling, counts as the user too.
    write([span({ traceId: hexId(16, 1004), name: 'legacy', startUs: T0 + 4_000_000, attributes: { 'enduser.id': 'carol' } })]);
    const ids = (q: TraceListQuery) => store.queries.listTraces(q).traces.map((t) => t.rootName);
    expect(ids({ session: 's-1' })).toEqual(['request 2', 'request 1']);
    expect(ids({ user: 'alice' })).toEqual(['request 1']);
    expect(ids({ user: 'carol' })).toEqual(['legacy']);
    expect(ids({ status: 'error' })).toEqual(['request 2']);
    expect(ids({ minDurationMs: 5, maxDurationMs: 90 })).toEqual(['request 3', 'request 2']);
    const cost1 = store.queries.listTraces({ session: 's-1', sort: 'cost', order: 'asc' }).traces[0]!.costUsd;
    expect(ids({ minCost: cost1, maxCost: cost1 })).toEqual(['request 1']);
    expect(ids({ minCost: cost1 * 1.5 })).toEqual(['request 2']);
    expect(ids({ text: 'question 3' })).toEqual(['request 3']);
    expect(ids({ text: hexId(16, 1002).slice(0, 10) })).toEqual(['request 2']);

    expect(ids({ annotation: 'guardrail' })).toEqual([]);
    expect(ids({ feedback: 'any' })).toEqual([]);
    const guardrail: NewAnnotation = {
      kind: 'guardrail', name: 'pii', label: 'flagged', score: null, explanation: null, location: null, attributes: {},
      traceId: hexId(16, 1003), spanId: null, source: 'rule:pii', atUs: T0, origin: null,
    };
    const thumbs: NewAnnotation = { ...guardrail, kind: 'feedback', name: 'thumbs', label: 'down', traceId: hexId(16, 1001), source: 'user' };
    store.writer.writePrepared([{ resources: [], spans: [], logs: [], annotations: [], ops: [{ op: 'add', annotations: [guardrail, thumbs] }] }]);
    expect(ids({ annotation: 'guardrail' })).toEqual(['request 3']);
    expect(ids({ annotation: 'feedback' })).toEqual(['request 1']);
    expect(ids({ feedback: 'any' })).toEqual(['request 1']);

    expect(store.queries.listTraces({ session: 's-1', limit: 1 })).toMatchObject({ total: 2, totalExact: true });
    const second = store.queries.listTraces({ session: 's-1', limit: 1, cursor: store.queries.listTraces({ session: 's-1', limit: 1 }).nextCursor! });
    expect(second.total).toBeUndefined();
    expect(store.queries.listTraces({ model: 'no-such-model' })).toMatchObject({ traces: [], total: 0, totalExact: true });
  });

  it('counts exactly up to the cap and flags the total as a lower bound past it', () => {
    const spans = Array.from({ length: TRACE_TOTAL_CAP + 5 }, (_, i) => span({ traceId: hexId(16, 100_000 + i), startUs: T0 + i }));
    write(spans);
    expect(store.queries.listTraces({ limit: 1 })).toMatchObject({ total: TRACE_TOTAL_CAP, totalExact: false });
    expect(store.queries.listTraces({ limit: 1, from: (T0 + 10) / 1000 })).toMatchObject({ total: TRACE_TOTAL_CAP - 5, totalExact: true });
  });
});

describe('previews', () => {
  it('keeps the earliest call’s question and the latest call’s answer, whichever batch brings them', () => {
    const traceId = hexId(16, 77);
    const late = chat({ traceId, spanId: hexId(8, 771), startUs: T0 + 5_000, endUs: T0 + 9_000 }, 'follow-up question', 'final   answer\n\nwith lines');
    const early = chat({ traceId, spanId: hexId(8, 772), startUs: T0 + 1_000, endUs: T0 + 2_000 }, 'What is my order status?', 'Let me check.');
    write([late]);
    expect(store.queries.getTraceSummary(traceId)).toMatchObject({ inputPreview: 'follow-up question', outputPreview: 'final answer with lines' });
    write([early]);
    expect(store.queries.getTraceSummary(traceId)).toMatchObject({ inputPreview: 'What is my order status?', outputPreview: 'final answer with lines' });
  });

  it('bounds a long message to one line of PREVIEW_CHARS characters', () => {
    const long = `${'word '.repeat(400)}end`;
    const s = chat({}, long, '🚀'.repeat(300));
    write([s]);
    const t = store.queries.getTraceSummary(s.traceId)!;
    expect(t.inputPreview!.length).toBe(PREVIEW_CHARS);
    expect(t.inputPreview!.endsWith('…')).toBe(true);
    expect(t.outputPreview!.length).toBeLessThanOrEqual(PREVIEW_CHARS);
    expect(t.outputPreview).toMatch(/^(🚀)+…$/u);
  });

  it('stores no preview when content storage is off', () => {
    store.close();
    store = new Store(path.join(dir, 'private.db'), analyzer, { storeContent: false });
    const s = chat({}, 'secret question', 'secret answer');
    write([s]);
    expect(store.queries.getTraceSummary(s.traceId)).toMatchObject({ inputPreview: null, outputPreview: null });
  });
});

describe('sessions', () => {
  it('reads a session as its turns, oldest first, with each question and answer in full', () => {
    const long = 'x'.repeat(PREVIEW_CHARS * 3);
    for (let i = 0; i < 3; i++) {
      const traceId = hexId(16, 300 + i);
      const start = T0 + i * 60_000_000;
      const root = span({ traceId, spanId: hexId(8, 3000 + i), name: 'turn', startUs: start, endUs: start + 50_000, attributes: { 'session.id': 'conv-9', 'user.id': 'dana' } });
      write([root, chat({ traceId, spanId: hexId(8, 3100 + i), parentSpanId: root.spanId, startUs: start + 10, endUs: start + 40_000 }, `turn ${i} ${long}`, `reply ${i}`)]);
    }
    write(trace(9, { calls: 1, errors: 0, durationUs: 10, tokens: 1, session: 'other' }));
    const s = store.queries.getSession('conv-9')!;
    expect(s.session).toMatchObject({ sessionId: 'conv-9', traceCount: 3, llmCallCount: 3, userId: 'dana' });
    expect(s.session.inputPreview!.startsWith('turn 0 xxx')).toBe(true);
    expect(s.turns.map((t) => t.output)).toEqual(['reply 0', 'reply 1', 'reply 2']);
    expect(s.turns[2]!.input).toBe(`turn 2 ${long}`);
    expect(s.truncated).toBe(false);
    expect(store.queries.getSession('nope')).toBeNull();
    const recent = store.queries.listSessions({ from: (T0 + 60_000_000) / 1000 });
    expect(recent.sessions.map((x) => x.sessionId)).toEqual(['conv-9']);
    expect(recent.sessions[0]!.traceCount).toBe(3);
  });
});

describe('keeping the list\'s indexes cheap to write', () => {
  it('a trace arriving over several exports rewrites only the columns that changed, and ends with the right totals', () => {
    // SQLite fires `UPDATE OF col` triggers for every column an UPDATE sets (and rewrites the
    // index entries over those columns), changed or not.
    store.db.exec(`CREATE TEMP TABLE writes (col TEXT);
      CREATE TEMP TRIGGER w_errors AFTER UPDATE OF error_count ON traces BEGIN INSERT INTO writes VALUES ('error_count'); END;
      CREATE TEMP TRIGGER w_session AFTER UPDATE OF session_id ON traces BEGIN INSERT INTO writes VALUES ('session_id'); END;
      CREATE TEMP TRIGGER w_service AFTER UPDATE OF service_name ON traces BEGIN INSERT INTO writes VALUES ('service_name'); END;
      CREATE TEMP TRIGGER w_spans AFTER UPDATE OF span_count ON traces BEGIN INSERT INTO writes VALUES ('span_count'); END;
      CREATE TEMP TRIGGER w_calls AFTER UPDATE OF llm_call_count ON traces BEGIN INSERT INTO writes VALUES ('llm_call_count'); END;`);
    const [root, first, second] = trace(1, { calls: 2, errors: 0, durationUs: 5_000_000, tokens: 7, session: 'conv-a' });
    // As an SDK exports: the calls as they end, the root (which names the session) last.
    store.writer.write([{ spans: [first!], logs: [] }]);
    store.writer.write([{ spans: [second!], logs: [] }]);
    store.writer.write([{ spans: [root!], logs: [] }]);
    const writes = (store.db.prepare('SELECT col FROM writes').pluck().all() as string[]);
    expect(writes.filter((c) => c === 'span_count')).toHaveLength(2);
    expect(writes.filter((c) => c === 'llm_call_count')).toHaveLength(1);
    expect(writes.filter((c) => c === 'session_id')).toHaveLength(1);
    expect(writes).not.toContain('error_count');
    const t = store.queries.listTraces({}).traces[0]!;
    expect(t).toMatchObject({ spanCount: 3, llmCallCount: 2, errorCount: 0, inputTokens: 14, sessionId: 'conv-a', rootName: 'request 1', durationMs: 5_000 });
  });
});
