// Annotations in the store: instrumentations' evaluation and guardrail results (span events, log
// records before or after their span), users' feedback, counts in the trace list, store
// revisions and outline patches, call revisions, clearing, retention and export.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewAnnotation } from '../../src/core/annotations/model';
import type { IngestSpan } from '../../src/core/model';
import type { AnnotationOp } from '../../src/store/annotation-writes';
import { toOtlpJson } from '../../src/collector/otlp-export';
import { importOtlpJson } from '../../src/collector/otlp-import';
import { Store } from '../../src/store/store';
import { hexId, logRecord, span } from '../helpers/spans';
import { testAnalyzer } from '../helpers/test-analyzer';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-annotations-'));
  store = new Store(path.join(dir, 'traces.db'), testAnalyzer);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000_000;

function llmSpan(over: Partial<IngestSpan> = {}): IngestSpan {
  return span({ name: 'chat gpt-4o', attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 }, ...over });
}

const write = (spans: IngestSpan[], logs = [] as ReturnType<typeof logRecord>[]) => store.writer.write([{ spans, logs }]);

function userFeedback(traceId: string, spanId: string | null, label: 'up' | 'down'): NewAnnotation {
  return {
    kind: 'feedback', name: 'thumbs', label, score: null, explanation: null, location: null, attributes: {}, traceId, spanId,
    source: 'user', atUs: T0, origin: null,
  };
}

function ops(...list: AnnotationOp[]) {
  return store.writer.writePrepared([{ resources: [], spans: [], logs: [], annotations: [], ops: list }]);
}

describe('annotations from instrumentations', () => {
  it('reads gen_ai.evaluation.result span events, in the standard and the earlier spellings', () => {
    const s = llmSpan({
      startUs: T0,
      events: [
        { timeUs: T0 + 10, name: 'gen_ai.evaluation.result', attributes: {
          'gen_ai.evaluation.name': 'Relevance', 'gen_ai.evaluation.score.value': 0.83, 'gen_ai.evaluation.score.label': 'relevant',
          'gen_ai.evaluation.explanation': 'on topic', 'gen_ai.response.id': 'chatcmpl-1' } },
        { timeUs: T0 + 20, name: 'gen_ai.evaluation', attributes: {
          'gen_ai.evaluation.metric': 'bias', 'gen_ai.evaluation.score': '0.1', 'gen_ai.evaluation.passed': true, 'gen_ai.evaluation.reasoning': 'none found' } },
        { timeUs: T0 + 30, name: 'unrelated', attributes: {} },
      ],
    });
    const r = write([s]);
    expect(r.annotatedTraceIds).toEqual([s.traceId]);
    const detail = store.queries.getSpan(s.traceId, s.spanId)!;
    expect(detail.annotations.map((a) => [a.kind, a.name, a.label, a.score, a.explanation, a.source])).toEqual([
      ['evaluation', 'Relevance', 'relevant', 0.83, 'on topic', 'instrumentation'],
      ['evaluation', 'bias', 'pass', 0.1, 'none found', 'instrumentation'],
    ]);
    expect(detail.annotations[0]!.attributes).toEqual({ 'gen_ai.response.id': 'chatcmpl-1' });
    expect(detail.annotations[0]!.callRevision).toBe(0);
    // The events stay the span's own.
    expect(detail.events).toHaveLength(3);
    expect(store.queries.getTraceSummary(s.traceId)!.annotationCounts).toEqual({ evaluation: 2 });
  });

  it('reads gen_ai.guardrail.result events with category, stage and policy', () => {
    const s = llmSpan({
      events: [{ timeUs: T0, name: 'gen_ai.guardrail.result', attributes: {
        'gen_ai.guardrail.component.name': 'content-safety', 'gen_ai.guardrail.result.type': 'action',
        'gen_ai.guardrail.result.value': 'BLOCKED', 'gen_ai.guardrail.result.reason': 'violence', 'gen_ai.guardrail.risk.category': 'Violence',
        'gen_ai.guardrail.risk.score': 4, 'gen_ai.guardrail.source': 'OUTPUT', 'gen_ai.guardrail.policy.id': 'gr-1',
        'gen_ai.guardrail.content.input.value': 'some text' } }],
    });
    write([s]);
    const [a] = store.queries.getSpan(s.traceId, s.spanId)!.annotations;
    expect(a).toMatchObject({
      kind: 'guardrail', name: 'content-safety', label: 'BLOCKED', score: 4, explanation: 'violence', location: { side: 'output' },
      attributes: { category: 'Violence', resultType: 'action', stage: 'OUTPUT', policyId: 'gr-1', 'gen_ai.guardrail.content.input.value': 'some text' },
    });
  });

  it('takes evaluation log records that come before and after their span, once each however often delivered', () => {
    const before = llmSpan();
    const after = llmSpan();
    const evalLog = (s: IngestSpan, name: string) => logRecord({
      traceId: s.traceId, spanId: s.spanId, eventName: 'gen_ai.evaluation.result', timeUs: T0 + 5,
      attributes: { 'gen_ai.evaluation.name': name, 'gen_ai.evaluation.score.label': 'fail' },
      body: { 'gen_ai.evaluation.explanation': 'wrong city' },
    });
    write([], [evalLog(before, 'accuracy')]);
    write([before, after]);
    write([], [evalLog(after, 'accuracy'), evalLog(after, 'accuracy')]);
    write([], [evalLog(after, 'accuracy')]);
    for (const s of [before, after]) {
      const list = store.queries.getSpan(s.traceId, s.spanId)!.annotations;
      expect(list.map((a) => [a.name, a.label, a.explanation])).toEqual([['accuracy', 'fail', 'wrong city']]);
      expect(store.queries.getTraceSummary(s.traceId)!.annotationCounts).toEqual({ evaluation: 1 });
    }
    // The one that came first is about a call stored later: its revision was not known.
    expect(store.queries.getSpan(before.traceId, before.spanId)!.annotations[0]!.callRevision).toBeNull();
    expect(store.queries.getSpan(after.traceId, after.spanId)!.annotations[0]!.callRevision).toBe(0);
    // An evaluation record is no new reading of the call.
    expect(store.queries.getSpan(after.traceId, after.spanId)!.llm!.revision).toBe(0);
  });

  it('keeps no explanation or guardrail content when content is not stored', () => {
    store.close();
    store = new Store(path.join(dir, 'private.db'), testAnalyzer, { storeContent: false });
    const s = llmSpan({ events: [{ timeUs: T0, name: 'gen_ai.guardrail.result', attributes: {
      'gen_ai.guardrail.name': 'pii', 'gen_ai.guardrail.action': 'flagged', 'gen_ai.guardrail.reason': 'john@example.com',
      'gen_ai.guardrail.content.input.value': 'mail john@example.com' } }] });
    write([s]);
    const [a] = store.queries.getSpan(s.traceId, s.spanId)!.annotations;
    expect(a).toMatchObject({ kind: 'guardrail', name: 'pii', label: 'flagged', explanation: null, attributes: {} });
  });
});

describe('store revisions and the outline', () => {
  it('previews a trace with its first spans by start time (limit), whole when it fits', () => {
    const traceId = hexId(16);
    const root = span({ traceId, name: 'session', startUs: T0, endUs: T0 + 100_000 });
    // stored out of start order, as exporters send them (children end, and are sent, first)
    const kids = Array.from({ length: 20 }, (_, i) => span({ traceId, parentSpanId: root.spanId, name: `step ${i}`, startUs: T0 + (20 - i) * 1_000, endUs: T0 + (20 - i) * 1_000 + 500 }));
    write([...kids, root]);
    const preview = store.queries.outline(traceId, undefined, 5)!;
    expect(preview).toMatchObject({ partial: false, preview: true });
    expect(preview.spanId).toEqual([root.spanId, ...kids.slice(-4).reverse().map((k) => k.spanId)]);
    expect(preview.trace.spanCount).toBe(21);
    const fits = store.queries.outline(traceId, undefined, 21)!;
    expect(fits.preview).toBeUndefined();
    expect(fits.spanId).toHaveLength(21);
  });

  it('reads a preview through the start index, N rows and no sort; a store without that index reads the same spans', () => {
    const traceId = hexId(16);
    const root = span({ traceId, name: 'session', startUs: T0, endUs: T0 + 100_000 });
    // Ties in start time (a batch of tool calls fired together) come in the order they were stored.
    const kids = Array.from({ length: 30 }, (_, i) => span({ traceId, parentSpanId: root.spanId, name: `tool ${i}`, startUs: T0 + Math.floor((30 - i) / 3) * 1_000, endUs: T0 + 50_000 }));
    write([...kids, root]);
    // Another trace's spans start earlier and later: none of them may leak into the preview.
    write([span({ startUs: T0 - 5 }), span({ startUs: T0 + 1 })]);
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN SELECT s.span_id FROM spans s INDEXED BY spans_by_trace_start WHERE s.trace_id = ? ORDER BY s.start_us, s.id LIMIT 5`)
      .all(traceId) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toContain('spans_by_trace_start');
    expect(plan).not.toContain('TEMP B-TREE');
    const withIndex = store.queries.outline(traceId, undefined, 10)!;
    const stored = [...kids, root];
    const byStart = [...stored].sort((a, b) => a.startUs - b.startUs || stored.indexOf(a) - stored.indexOf(b));
    expect(withIndex.spanId).toEqual(byStart.slice(0, 10).map((x) => x.spanId));
    const file = path.join(dir, 'without-start-index.db');
    store.db.exec(`VACUUM INTO '${file}'`);
    const older = new Store(file, testAnalyzer);
    older.db.exec('DROP INDEX spans_by_trace_start');
    older.close();
    const reader = new Store(file, null, { readonly: true });
    expect(reader.queries.outline(traceId, undefined, 10)).toEqual(withIndex);
    reader.close();
  });

  it('stamps what each write stores or changes, and answers what changed since a revision', () => {
    const traceId = hexId(16);
    const root = span({ traceId, name: 'agent', startUs: T0, endUs: T0 + 9_000 });
    const call = llmSpan({ traceId, parentSpanId: root.spanId, startUs: T0 + 1_000, endUs: T0 + 3_000, statusCode: 2 });
    const r1 = write([root, call]);
    expect(r1.revision).toBe(1);
    const full = store.queries.outline(traceId)!;
    expect(full).toMatchObject({ revision: 1, partial: false, spanId: [root.spanId, call.spanId], parentSpanId: [null, root.spanId] });
    expect(full.strings[full.name[0]!]).toBe('agent');
    expect(full.strings[full.category[1]!]).toBe('llm');
    expect(full.strings[full.model[1]!]).toBe('gpt-4o');
    expect(full.model[0]).toBe(-1);
    expect(full.strings[full.service[0]!]).toBe('test-app');
    expect(full.start).toEqual([0, 1]);
    expect(full.durationMs).toEqual([9, 2]);
    expect(full.status).toEqual([0, 2]);
    expect(full.inputTokens).toEqual([null, 10]);
    expect(full.costUsd[1]).toBeCloseTo(15e-6, 12);
    expect(full.costEstimated).toEqual([false, false]);
    expect(full.annotationCounts).toEqual([null, null]);

    // A write that stores nothing new takes no revision.
    expect(write([root]).revision).toBe(1);
    expect(store.queries.outline(traceId, 1)!.spanId).toEqual([]);

    const late = span({ traceId, parentSpanId: root.spanId, name: 'tool', startUs: T0 + 4_000 });
    expect(write([late]).revision).toBe(2);
    const patch = store.queries.outline(traceId, 1)!;
    expect(patch).toMatchObject({ revision: 2, partial: true, spanId: [late.spanId] });
    expect(patch.strings[patch.name[0]!]).toBe('tool');
    expect(patch.trace.spanCount).toBe(3);
    // With more changes elsewhere than spans in the trace, the patch is read through the trace: the same answer.
    write([span(), span(), span(), span()]);
    expect(store.queries.outline(traceId, 1)!.spanId).toEqual([late.spanId]);

    // An annotation on a span patches that span, with its counts.
    const r3 = ops({ op: 'replace', traceId, spanId: call.spanId, source: 'user', kind: 'feedback', annotations: [userFeedback(traceId, call.spanId, 'down')] });
    expect(r3.revision).toBe(4);
    const patch3 = store.queries.outline(traceId, 3)!;
    expect(patch3.spanId).toEqual([call.spanId]);
    expect(patch3.annotationCounts).toEqual([{ feedback: 1 }]);
    expect(patch3.trace.feedback).toEqual({ up: 0, down: 1 });
    // Trace-level annotations ride along in every outline.
    ops({ op: 'add', annotations: [userFeedback(traceId, null, 'up')] });
    expect(store.queries.outline(traceId, 4)!.annotations!.map((a) => [a.spanId, a.label])).toEqual([[null, 'up']]);
    expect(store.queries.outline(hexId(16))).toBeNull();
  });

  it('gives a call that late log records read anew the next revision, and keeps annotations on the one they were made on', () => {
    const s = llmSpan();
    write([s]);
    ops({ op: 'add', annotations: [{ ...userFeedback(s.traceId, s.spanId, 'up'), kind: 'note', name: 'note', label: null, explanation: 'first look' }] });
    const rev = store.queries.revision();
    write([], [logRecord({ traceId: s.traceId, spanId: s.spanId, eventName: 'gen_ai.user.message', body: { content: 'late question' } })]);
    const detail = store.queries.getSpan(s.traceId, s.spanId)!;
    expect(detail.llm!.revision).toBe(1);
    expect(detail.llm!.inputMessages[0]!.parts[0]).toEqual({ type: 'text', content: 'late question' });
    expect(detail.annotations[0]!.callRevision).toBe(0);
    expect(store.queries.outline(s.traceId, rev)!.spanId).toEqual([s.spanId]);
    // A record that changes nothing in the reading (not a message) is no new revision.
    write([], [logRecord({ traceId: s.traceId, spanId: s.spanId, eventName: 'app.debug', body: 'tick' })]);
    expect(store.queries.getSpan(s.traceId, s.spanId)!.llm!.revision).toBe(1);
  });
});

describe('user annotations and the trace list', () => {
  it('keeps one feedback per user and target, counts it in the trace list, and filters by it', () => {
    const a = llmSpan({ startUs: T0 });
    const b = llmSpan({ startUs: T0 + 1 });
    const c = llmSpan({ startUs: T0 + 2 });
    write([a, b, c]);
    const give = (s: IngestSpan, label: 'up' | 'down') =>
      ops({ op: 'replace', traceId: s.traceId, spanId: s.spanId, source: 'user', kind: 'feedback', annotations: [userFeedback(s.traceId, s.spanId, label)] });
    give(a, 'up');
    give(b, 'up');
    give(b, 'down');
    const ids = (feedback: 'up' | 'down') => store.queries.listTraces({ feedback }).traces.map((t) => t.traceId);
    expect(ids('up')).toEqual([a.traceId]);
    expect(ids('down')).toEqual([b.traceId]);
    const list = store.queries.listTraces().traces;
    expect(list.find((t) => t.traceId === b.traceId)).toMatchObject({ annotationCounts: { feedback: 1 }, feedback: { up: 0, down: 1 } });
    expect(list.find((t) => t.traceId === c.traceId)).toMatchObject({ annotationCounts: {}, feedback: { up: 0, down: 0 } });
    // The planner walks the partial index, not every trace.
    const plan = store.db.prepare("EXPLAIN QUERY PLAN SELECT t.* FROM traces t WHERE t.feedback_down > 0 ORDER BY t.start_us DESC, t.trace_id DESC LIMIT 51").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX (traces_feedback_down|traces_rated)/);
  });

  it('removes only a user\'s own annotations', () => {
    const s = llmSpan({ events: [{ timeUs: T0, name: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'tone' } }] });
    write([s]);
    const add = { op: 'add' as const, annotations: [userFeedback(s.traceId, s.spanId, 'down')] };
    ops(add);
    const [instrumentation, mine] = store.queries.getSpan(s.traceId, s.spanId)!.annotations;
    const refused: AnnotationOp = { op: 'delete', id: Number(instrumentation!.id), source: 'user' };
    ops(refused);
    expect(refused.op === 'delete' && refused.removed).toBeNull();
    const removed: AnnotationOp = { op: 'delete', id: Number(mine!.id), source: 'user' };
    const r = ops(removed);
    expect(removed.op === 'delete' && removed.removed).toEqual({ traceId: s.traceId });
    expect(r.annotatedTraceIds).toEqual([s.traceId]);
    expect(store.queries.getSpan(s.traceId, s.spanId)!.annotations.map((a) => a.source)).toEqual(['instrumentation']);
    expect(store.queries.getTraceSummary(s.traceId)!.feedback).toEqual({ up: 0, down: 0 });
  });

  it('drops an analysis\'s finding about a span cleared meanwhile, and keeps one about a stored span', () => {
    const s = llmSpan();
    write([s]);
    const finding = (spanId: string) => ({ ...userFeedback(s.traceId, spanId, 'down'), kind: 'guardrail', name: 'truncation', source: 'rule:truncation' });
    const gone: AnnotationOp = { op: 'replace', traceId: s.traceId, spanId: 'f'.repeat(16), source: 'rule:truncation', annotations: [finding('f'.repeat(16))], ifStored: true };
    const kept: AnnotationOp = { op: 'replace', traceId: s.traceId, spanId: s.spanId, source: 'rule:truncation', annotations: [finding(s.spanId)], ifStored: true };
    ops(gone, kept);
    expect(store.db.prepare('SELECT span_id FROM annotations').pluck().all()).toEqual([s.spanId]);
    expect(store.queries.getTraceSummary(s.traceId)!.annotationCounts).toEqual({ guardrail: 1 });
  });

  it('lists annotations across traces newest first, filtered and paged', () => {
    const spans = [llmSpan(), llmSpan(), llmSpan()];
    write(spans);
    for (const [i, s] of spans.entries()) {
      ops({ op: 'add', annotations: [{ ...userFeedback(s.traceId, s.spanId, i === 1 ? 'up' : 'down'), createdUs: T0 + i }] });
    }
    const page1 = store.queries.annotations.list({ kind: 'feedback', limit: 2 });
    expect(page1.annotations.map((a) => a.traceId)).toEqual([spans[2]!.traceId, spans[1]!.traceId]);
    const page2 = store.queries.annotations.list({ kind: 'feedback', limit: 2, cursor: page1.nextCursor! });
    expect(page2).toMatchObject({ nextCursor: null });
    expect(page2.annotations.map((a) => a.traceId)).toEqual([spans[0]!.traceId]);
    expect(store.queries.annotations.list({ label: 'up' }).annotations.map((a) => a.spanId)).toEqual([spans[1]!.spanId]);
    expect(store.queries.annotations.list({ traceId: spans[0]!.traceId }).annotations).toHaveLength(1);
    expect(() => store.queries.annotations.list({ cursor: 'nonsense' })).toThrow(RangeError);
  });
});

describe('older stores', () => {
  it('reads a store made before annotations and revisions (another window may open it before its owner migrates it), and upgrades it when opened for writing', () => {
    const file = path.join(dir, 'older.db');
    const old = new Store(file, testAnalyzer);
    const s = llmSpan();
    old.writer.write([{ spans: [s], logs: [] }]);
    old.db.exec(`DROP TABLE annotations; DROP INDEX spans_by_rev; DROP INDEX llm_calls_by_rev; DROP INDEX traces_feedback_up; DROP INDEX traces_feedback_down; DROP INDEX traces_annotated; DROP INDEX traces_rated; DROP INDEX spans_by_trace_start;
      ALTER TABLE spans DROP COLUMN store_rev; ALTER TABLE llm_calls DROP COLUMN revision; ALTER TABLE llm_calls DROP COLUMN store_rev;
      ALTER TABLE traces DROP COLUMN annotation_counts; ALTER TABLE traces DROP COLUMN feedback_up; ALTER TABLE traces DROP COLUMN feedback_down;
      PRAGMA user_version = 6`);
    old.close();
    const reader = new Store(file, null, { readonly: true });
    expect(reader.queries.getSpan(s.traceId, s.spanId)).toMatchObject({ annotations: [], llm: { revision: 0, inputTokens: 10 } });
    expect(reader.queries.outline(s.traceId)!.spanId).toEqual([s.spanId]);
    expect(reader.queries.outline(s.traceId, 5)!.spanId).toEqual([s.spanId]);
    expect(reader.queries.listTraces().traces[0]).toMatchObject({ traceId: s.traceId, annotationCounts: {}, feedback: { up: 0, down: 0 } });
    expect(reader.queries.listTraces({ feedback: 'up' }).traces).toEqual([]);
    expect(reader.queries.annotations.list({}).annotations).toEqual([]);
    expect(reader.queries.todaySummary().guardrailHits).toBe(0);
    expect([...reader.iterateSpans(s.traceId)]).toHaveLength(1);
    reader.close();
    const upgraded = new Store(file, testAnalyzer);
    upgraded.writer.writePrepared([{ resources: [], spans: [], logs: [], annotations: [], ops: [{ op: 'add', annotations: [userFeedback(s.traceId, s.spanId, 'up')] }] }]);
    expect(upgraded.queries.getTraceSummary(s.traceId)!.feedback).toEqual({ up: 1, down: 0 });
    upgraded.close();
  });
});

describe('what belongs to a trace', () => {
  it('names every table as belonging to a trace or not, so clearing and retention miss none', async () => {
    const { TRACE_OWNED_TABLES, SHARED_TABLES } = await import('../../src/store/owned-tables');
    const { ROLLUP_LEVELS } = await import('../../src/store/rollups');
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_%'")
      .pluck().all() as string[];
    const named = new Set([...TRACE_OWNED_TABLES.map((t) => t.table), ...ROLLUP_LEVELS.map((l) => l.table), ...SHARED_TABLES.cleared, ...SHARED_TABLES.kept]);
    expect(tables.filter((t) => !named.has(t))).toEqual([]);
  });

  it('prunes a trace\'s annotations with it, and clear removes them all', () => {
    const old = llmSpan({ startUs: T0 });
    const recent = llmSpan({ startUs: T0 + 86_400_000_000 });
    write([old, recent]);
    for (const s of [old, recent]) ops({ op: 'add', annotations: [userFeedback(s.traceId, s.spanId, 'up')] });
    write([], [logRecord({ traceId: old.traceId, spanId: null, eventName: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'whole' } })]);
    // An evaluation about a span that never came, old enough to go, and a recent one.
    const never = hexId(16);
    write([], [
      logRecord({ traceId: never, spanId: hexId(8), eventName: 'gen_ai.evaluation.result', timeUs: T0, attributes: { 'gen_ai.evaluation.name': 'lost' } }),
      logRecord({ traceId: recent.traceId, spanId: hexId(8), eventName: 'gen_ai.evaluation.result', timeUs: T0 + 86_400_000_000, attributes: { 'gen_ai.evaluation.name': 'early' } }),
    ]);
    expect(store.prune({ olderThanMs: (T0 + 1_000_000) / 1000 })).toBe(1);
    expect(store.db.prepare('SELECT DISTINCT trace_id FROM annotations').pluck().all()).toEqual([recent.traceId]);
    expect(store.db.prepare('SELECT count(*) FROM annotations').pluck().get()).toBe(2);
    store.clear();
    expect(store.db.prepare('SELECT count(*) FROM annotations').pluck().get()).toBe(0);
    // Revisions go on after a clear, so a client's `since` never points ahead of the store.
    const before = store.queries.revision();
    write([llmSpan()]);
    expect(store.queries.revision()).toBe(before + 1);
  });

  it('exports annotations as span events that an import turns back into the same annotations', async () => {
    const traceId = hexId(16);
    const root = span({ traceId, name: 'agent', startUs: T0 });
    const call = llmSpan({ traceId, parentSpanId: root.spanId, startUs: T0 + 1, events: [
      { timeUs: T0 + 2, name: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.5 } },
    ] });
    write([root, call], [logRecord({ traceId, spanId: call.spanId, eventName: 'gen_ai.guardrail.result', timeUs: T0 + 3, attributes: {
      'gen_ai.guardrail.name': 'pii', 'gen_ai.guardrail.triggered': true, 'gen_ai.guardrail.category': 'pii' } })]);
    ops(
      { op: 'add', annotations: [{ ...userFeedback(traceId, call.spanId, 'down'), explanation: 'wrong answer', location: { side: 'output', messageIndex: 0 } }] },
      { op: 'add', annotations: [userFeedback(traceId, null, 'up')] },
    );
    const shape = (s: Store) => s.queries.getTrace(traceId)!;
    const before = shape(store);
    const json = JSON.stringify(toOtlpJson(store.iterateSpans(traceId)));

    const other = new Store(path.join(dir, 'other.db'), testAnalyzer);
    try {
      for (let round = 0; round < 2; round++) {
        await importOtlpJson(json, (batch) => other.writer.write([batch]).stored);
      }
      const after = shape(other);
      const strip = (list: typeof before.annotations) => list.map(({ id: _id, ...rest }) => rest);
      expect(strip(after.annotations)).toEqual(strip(before.annotations));
      const spanOf = (d: typeof before) => d.spans.find((s) => s.spanId === call.spanId)!;
      expect(strip(spanOf(after).annotations).sort(byName)).toEqual(strip(spanOf(before).annotations).sort(byName));
      // The span keeps its own events and no copies of exported annotations.
      expect(spanOf(after).events.map((e) => e.name)).toEqual(['gen_ai.evaluation.result']);
      expect(after.trace.feedback).toEqual(before.trace.feedback);
      // Exported again, the same events.
      expect(JSON.stringify(toOtlpJson(other.iterateSpans(traceId)))).toBe(json);
    } finally {
      other.close();
    }
  });
});

const byName = (a: { name: string; source: string }, b: { name: string; source: string }) =>
  (a.name + a.source).localeCompare(b.name + b.source);
