import { describe, expect, it } from 'vitest';
import type { SpanDto } from '../../../src/protocol/api';
import { llmCall, outlineOf } from '../webview/fixtures';
import {
  callDescription,
  callIcon,
  callLabel,
  callNodes,
  callTooltip,
  filterSummary,
  filterToQuery,
  groupDescription,
  groupTraces,
  isFilterActive,
  structureKey,
  timeBucket,
  traceDescription,
  traceLabel,
  traceMarker,
  tracePickItems,
  traceTooltip,
  userFeedback,
  type TraceRow,
} from '../../../src/host/tree/trace-tree-model';

// A fixed local "now": 2026-11-22 14:30:00 local time.
const NOW = new Date(2026, 10, 22, 14, 30, 0).getTime();
const MIN = 60_000;

let seq = 0;
function trace(over: Partial<TraceRow> = {}): TraceRow {
  seq++;
  return {
    traceId: (over.traceId ?? seq.toString(16)).padStart(32, '0'),
    startTime: NOW - MIN,
    durationMs: 1234,
    spanCount: 3,
    llmCallCount: 1,
    errorCount: 0,
    costUsd: 0.0042,
    costEstimated: false,
    inputTokens: 1200,
    outputTokens: 345,
    status: 'ok',
    rootName: 'answer question',
    serviceName: 'chatbot',
    models: ['gpt-4o-mini'],
    sessionId: null,
    annotationCounts: {},
    feedback: { up: 0, down: 0 },
    ...over,
  };
}

describe('timeBucket', () => {
  it('puts traces in the bucket of their age and calendar day', () => {
    expect(timeBucket(NOW, NOW)).toBe('last5m');
    expect(timeBucket(NOW + 10_000, NOW)).toBe('last5m'); // clock skew into the future
    expect(timeBucket(NOW - 5 * MIN + 1, NOW)).toBe('last5m');
    expect(timeBucket(NOW - 5 * MIN, NOW)).toBe('lastHour');
    expect(timeBucket(NOW - 60 * MIN + 1, NOW)).toBe('lastHour');
    expect(timeBucket(NOW - 60 * MIN, NOW)).toBe('today');
    expect(timeBucket(new Date(2026, 10, 22, 0, 0, 0).getTime(), NOW)).toBe('today');
    expect(timeBucket(new Date(2026, 10, 22, 0, 0, 0).getTime() - 1, NOW)).toBe('yesterday');
    expect(timeBucket(new Date(2026, 10, 21, 0, 0, 0).getTime(), NOW)).toBe('yesterday');
    expect(timeBucket(new Date(2026, 10, 21, 0, 0, 0).getTime() - 1, NOW)).toBe('older');
  });

  it('shortly after midnight, an hour-old trace is in "Last hour" even though it is from yesterday', () => {
    const justAfterMidnight = new Date(2026, 10, 22, 0, 20, 0).getTime();
    expect(timeBucket(justAfterMidnight - 30 * MIN, justAfterMidnight)).toBe('lastHour');
    expect(timeBucket(justAfterMidnight - 90 * MIN, justAfterMidnight)).toBe('yesterday');
  });
});

describe('groupTraces', () => {
  it('groups newest first into time buckets in a fixed order, leaving out empty ones', () => {
    const a = trace({ traceId: 'a', startTime: NOW - 1 * MIN });
    const b = trace({ traceId: 'b', startTime: NOW - 2 * MIN });
    const c = trace({ traceId: 'c', startTime: NOW - 30 * MIN });
    const d = trace({ traceId: 'd', startTime: new Date(2026, 10, 20, 9, 0).getTime() });
    const groups = groupTraces([d, b, c, a], NOW);
    expect(groups.map((g) => g.label)).toEqual(['Last 5 minutes', 'Last hour', 'Older']);
    expect(groups[0].children.map((n) => (n.kind === 'trace' ? n.trace.traceId : n.id))).toEqual([a.traceId, b.traceId]);
    expect(groups[2].expanded).toBe(false);
    expect(groups[0].expanded).toBe(true);
  });

  it('gathers the traces of one session under a session node placed at its newest trace', () => {
    const t1 = trace({ traceId: '1', startTime: NOW - 1 * MIN, sessionId: 'conv-7' });
    const t2 = trace({ traceId: '2', startTime: NOW - 2 * MIN });
    const t3 = trace({ traceId: '3', startTime: NOW - 3 * MIN, sessionId: 'conv-7' });
    const t4 = trace({ traceId: '4', startTime: NOW - 4 * MIN, sessionId: 'conv-8' });
    const [group] = groupTraces([t1, t2, t3, t4], NOW);
    expect(group.children.map((c) => c.id)).toEqual(['session:conv-7', `trace:${t2.traceId}`, 'session:conv-8']);
    const s = group.children[0];
    expect(s.kind === 'session' && s.traces.map((t) => t.trace.traceId)).toEqual([t1.traceId, t3.traceId]);
    expect(groupDescription(group)).toBe('4 traces · $0.017');
  });

  it('gives every node a stable id so the tree keeps expansion state across reloads', () => {
    const rows = [trace({ traceId: 'x', startTime: NOW - MIN }), trace({ traceId: 'y', startTime: NOW - 20 * MIN, sessionId: 's' })];
    const k1 = structureKey(groupTraces(rows, NOW));
    const k2 = structureKey(groupTraces([...rows].reverse(), NOW));
    expect(k1).toBe(k2);
    const k3 = structureKey(groupTraces([...rows, trace({ traceId: 'z', startTime: NOW })], NOW));
    expect(k3).not.toBe(k1);
    // a changed cost does not change the shape (only that row is refreshed)
    const k4 = structureKey(groupTraces([{ ...rows[0], costUsd: 9 }, rows[1]], NOW));
    expect(k4).toBe(k1);
  });
});

describe('trace rows', () => {
  it('labels a trace by its root span name, else by a short id', () => {
    expect(traceLabel(trace({ rootName: 'agent run' }))).toBe('agent run');
    expect(traceLabel(trace({ rootName: null, traceId: 'abcdef0123456789abcdef0123456789' }))).toBe('Trace abcdef01');
    expect(traceLabel(trace({ rootName: '  ', traceId: 'abcdef0123456789abcdef0123456789' }))).toBe('Trace abcdef01');
  });

  it('describes time, models, duration, cost, errors, feedback and annotations', () => {
    const t = trace({ startTime: new Date(2026, 10, 22, 14, 3, 9).getTime(), models: ['gpt-4o', 'claude-sonnet-4', 'gemini-2.5-pro'], costEstimated: true });
    expect(traceDescription(t)).toBe('14:03:09 · gpt-4o, claude-sonnet-4 +1 · 1.23s · ~$0.0042');
    expect(traceDescription({ ...t, models: [], llmCallCount: 0, costUsd: 0 })).toBe('14:03:09 · 1.23s');
    expect(traceDescription({ ...t, models: [], errorCount: 2, annotationCounts: { guardrail: 1, evaluation: 3, feedback: 2 }, feedback: { up: 1, down: 1 } })).toBe(
      '14:03:09 · 1.23s · ~$0.0042 · 2 errors · 1 thumbs up · 1 thumbs down · 1 guardrail hit · 3 evaluations',
    );
  });

  it('marks errors first, then a thumbs down, guardrail hits and a thumbs up', () => {
    expect(traceMarker(trace())).toBe('llm');
    expect(traceMarker(trace({ llmCallCount: 0 }))).toBe('plain');
    expect(traceMarker(trace({ annotationCounts: { guardrail: 2 } }))).toBe('guardrail');
    expect(traceMarker(trace({ annotationCounts: { guardrail: 2 }, status: 'error' }))).toBe('error');
    expect(traceMarker(trace({ errorCount: 1 }))).toBe('error');
    expect(traceMarker(trace({ feedback: { up: 1, down: 0 } }))).toBe('thumbsup');
    expect(traceMarker(trace({ feedback: { up: 1, down: 0 }, annotationCounts: { guardrail: 1 } }))).toBe('guardrail');
    expect(traceMarker(trace({ feedback: { up: 0, down: 1 }, annotationCounts: { guardrail: 1 } }))).toBe('thumbsdown');
    expect(traceMarker(trace({ feedback: { up: 0, down: 1 }, errorCount: 1 }))).toBe('error');
  });

  it('escapes captured text in tooltips (no Markdown, links or icons from a span name)', () => {
    const tip = traceTooltip(trace({ rootName: '[click](command:evil) $(bug) **x**', sessionId: 's_1' }));
    expect(tip).toContain('\\[click\\]\\(command:evil\\) \\$\\(bug\\) \\*\\*x\\*\\*');
    expect(tip).not.toContain('[click](');
    expect(tip).toContain('Session: s\\_1');
    expect(tip).toContain('Tokens: 1.2k in / 345 out · Cost: $0.0042');
    expect(traceTooltip(trace({ feedback: { up: 0, down: 2 }, annotationCounts: { feedback: 2, evaluation: 1 } }))).toContain('Feedback: 2 thumbs down\n\nAnnotations: 1 evaluation');
  });

  it('lists recent traces for the quick pick with the id in the detail', () => {
    const [item] = tracePickItems([trace({ traceId: 'f'.repeat(32), startTime: NOW - 3 * MIN, status: 'error' })], NOW);
    expect(item).toEqual({
      label: '$(error) answer question',
      description: 'gpt-4o-mini · 1.23s · $0.0042',
      detail: `3 min ago · chatbot · ${'f'.repeat(32)}`,
      traceId: 'f'.repeat(32),
    });
  });
});

function span(over: Partial<SpanDto>): SpanDto {
  return {
    traceId: 't'.padStart(32, '0'),
    spanId: '1'.padStart(16, '0'),
    parentSpanId: null,
    name: 'span',
    kind: 1,
    category: 'other',
    startTime: 1000,
    endTime: 1100,
    durationMs: 100,
    status: 'unset',
    statusMessage: '',
    serviceName: 'svc',
    scopeName: null,
    attributes: {},
    resource: {},
    events: [],
    links: [],
    llm: null,
    annotations: [],
    guardrails: [],
    ...over,
  };
}

const call = (over: Partial<NonNullable<SpanDto['llm']>> = {}) => ({ ...llmCall(), requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', inputTokens: 1500, outputTokens: 200, costUsd: 0.00576, costEstimated: false, ...over });

describe('calls inside a trace (from its outline)', () => {
  const outline = (spans: SpanDto[]) => outlineOf({ trace: trace({ traceId: 't'.padStart(32, '0'), startTime: Math.min(...spans.map((s) => s.startTime)) }), spans, annotations: [] });

  it('keeps LLM, embedding, tool and agent spans in start order, with offsets from the first span', () => {
    const nodes = callNodes(
      outline([
        span({ spanId: 'root', name: 'request', category: 'http', startTime: 1000 }),
        span({ spanId: 'tool', name: 'execute_tool get_weather', category: 'tool', startTime: 1300 }),
        span({ spanId: 'llm1', name: 'chat gpt-4o', category: 'llm', startTime: 1010, llm: call() }),
        span({ spanId: 'emb', name: 'embeddings', category: 'embedding', startTime: 1200, llm: call({ operation: 'embeddings', requestModel: 'text-embedding-3-small', responseModel: null }) }),
        span({ spanId: 'agent', name: 'invoke_agent planner', category: 'agent', startTime: 1005 }),
        span({ spanId: 'chain', name: 'chain', category: 'chain', startTime: 1001 }),
      ]),
    );
    expect(nodes.map((n) => callLabel(n.span))).toEqual(['invoke_agent planner', 'chat gpt-4o', 'embeddings', 'execute_tool get_weather']);
    expect(nodes.map((n) => n.offsetMs)).toEqual([5, 10, 200, 300]);
    expect(nodes.map((n) => callIcon(n.span))).toEqual(['hubot', 'sparkle', 'symbol-array', 'tools']);
    expect(nodes[1].id).toBe(`span:${'t'.padStart(32, '0')}:llm1`);
    expect(callDescription(nodes[2])).toBe('text-embedding-3-small · 1.5k→200 tok · $0.00576 · 100ms · +200ms');
  });

  it('describes an LLM call with its model, tokens, cost, duration, annotations and the user\'s thumb', () => {
    const [n] = callNodes(outline([span({ name: 'chat', category: 'llm', llm: call(), durationMs: 1830, endTime: 2830 })]));
    expect(callDescription(n)).toBe('gpt-4o-2024-08-06 · 1.5k→200 tok · $0.00576 · 1.83s · +0ms');
    const [e] = callNodes(outline([span({ category: 'llm', status: 'error', llm: call({ inputTokens: null, outputTokens: null, costUsd: null }) })]));
    expect(callDescription(e)).toBe('gpt-4o-2024-08-06 · 100ms · +0ms · error');
    expect(callIcon(e.span)).toBe('error');
    const annotated = span({ name: 'chat gpt-4o-2024-08-06', category: 'llm', llm: call() });
    annotated.annotations = [
      { id: 'f', traceId: annotated.traceId, spanId: annotated.spanId, kind: 'feedback', name: 'thumbs', label: 'down', score: null, explanation: null, source: 'user', location: null, attributes: {}, createdAt: 1, callRevision: 0 },
      { id: 'e', traceId: annotated.traceId, spanId: annotated.spanId, kind: 'evaluation', name: 'relevance', label: null, score: 1, explanation: null, source: 'instrumentation', location: null, attributes: {}, createdAt: 1, callRevision: 0 },
    ];
    const [a] = callNodes(outline([annotated]));
    expect(callDescription(a)).toBe('1 feedback · 1.5k→200 tok · $0.00576 · 100ms · +0ms · 1 evaluation');
    a.span.feedback = userFeedback(annotated.annotations);
    expect(a.span.feedback).toBe('down');
    expect(callDescription(a)).toBe('thumbs down · 1.5k→200 tok · $0.00576 · 100ms · +0ms · 1 evaluation');
    expect(callIcon(a.span)).toBe('thumbsdown');
    expect(callTooltip(a.span)).toContain('Your feedback: thumbs down');
  });
});

describe('filter', () => {
  it('maps to API query parameters and a short summary', () => {
    expect(isFilterActive({})).toBe(false);
    expect(isFilterActive({ text: '' })).toBe(false);
    const f = { text: 'refund', model: 'gpt-4o', service: 'api', errorsOnly: true, feedback: 'down' as const };
    expect(isFilterActive(f)).toBe(true);
    expect(isFilterActive({ feedback: 'up' })).toBe(true);
    expect(filterToQuery(f, 200)).toEqual({ limit: 200, text: 'refund', model: 'gpt-4o', service: 'api', status: 'error', feedback: 'down' });
    expect(filterToQuery({}, 50)).toEqual({ limit: 50 });
    expect(filterSummary(f)).toBe('"refund" · model gpt-4o · service api · errors only · thumbs down');
  });
});
