import { describe, expect, it } from 'vitest';
import type { SpanDto, TraceDetail, LlmCallDto } from '../../../src/protocol/api';
import {
  callDescription,
  callIcon,
  callLabel,
  callNodes,
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
  type TraceRow,
} from '../../../src/host/trace-tree-model';

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
    expect(group.children.map((c) => c.id)).toEqual(['session:last5m:conv-7', `trace:${t2.traceId}`, 'session:last5m:conv-8']);
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

  it('describes time, models, duration, cost, errors and guardrail hits', () => {
    const t = trace({ startTime: new Date(2026, 10, 22, 14, 3, 9).getTime(), models: ['gpt-4o', 'claude-sonnet-4', 'gemini-2.5-pro'], costEstimated: true });
    expect(traceDescription(t)).toBe('14:03:09 · gpt-4o, claude-sonnet-4 +1 · 1.23 s · ~$0.0042');
    expect(traceDescription({ ...t, models: [], llmCallCount: 0, costUsd: 0 })).toBe('14:03:09 · 1.23 s');
    expect(traceDescription({ ...t, models: [], errorCount: 2, guardrailHits: 1 })).toBe('14:03:09 · 1.23 s · ~$0.0042 · 2 errors · 1 guardrail hit');
  });

  it('marks errors before guardrail hits', () => {
    expect(traceMarker(trace())).toBe('llm');
    expect(traceMarker(trace({ llmCallCount: 0 }))).toBe('plain');
    expect(traceMarker(trace({ guardrailHits: 2 }))).toBe('guardrail');
    expect(traceMarker(trace({ guardrailHits: 2, status: 'error' }))).toBe('error');
    expect(traceMarker(trace({ errorCount: 1 }))).toBe('error');
  });

  it('escapes captured text in tooltips (no Markdown, links or icons from a span name)', () => {
    const tip = traceTooltip(trace({ rootName: '[click](command:evil) $(bug) **x**', sessionId: 's_1' }));
    expect(tip).toContain('\\[click\\]\\(command:evil\\) \\$\\(bug\\) \\*\\*x\\*\\*');
    expect(tip).not.toContain('[click](');
    expect(tip).toContain('Session: s\\_1');
    expect(tip).toContain('Tokens: 1.2k in / 345 out · Cost: $0.0042');
  });

  it('lists recent traces for the quick pick with the id in the detail', () => {
    const [item] = tracePickItems([trace({ traceId: 'f'.repeat(32), startTime: NOW - 3 * MIN, status: 'error' })], NOW);
    expect(item).toEqual({
      label: '$(error) answer question',
      description: 'gpt-4o-mini · 1.23 s · $0.0042',
      detail: `3 min ago · chatbot · ${'f'.repeat(32)}`,
      traceId: 'f'.repeat(32),
    });
  });
});

function llm(over: Partial<LlmCallDto> = {}): LlmCallDto {
  return {
    convention: 'genai',
    operation: 'chat',
    provider: 'openai',
    requestModel: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    responseId: null,
    params: {},
    inputTokens: 1500,
    outputTokens: 200,
    cachedInputTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    costUsd: 0.00576,
    costEstimated: false,
    ttftMs: 231.4,
    finishReasons: ['stop'],
    systemInstructions: [],
    inputMessages: [],
    outputMessages: [],
    toolDefinitions: [],
    conversationId: null,
    promptName: null,
    promptVersion: null,
    errorType: null,
    revision: 0,
    ...over,
  };
}

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
    ...over,
  };
}

describe('calls inside a trace', () => {
  const detail = (spans: SpanDto[]): TraceDetail => ({ trace: trace(), spans, annotations: [] });

  it('keeps LLM, embedding, tool and agent spans in start order, with offsets from the first span', () => {
    const nodes = callNodes(
      detail([
        span({ spanId: 'root', name: 'request', category: 'http', startTime: 1000 }),
        span({ spanId: 'tool', name: 'execute_tool', category: 'tool', startTime: 1300, attributes: { 'gen_ai.tool.name': 'get_weather' } }),
        span({ spanId: 'llm1', name: 'chat gpt-4o', category: 'llm', startTime: 1010, llm: llm() }),
        span({ spanId: 'emb', name: 'embeddings', category: 'embedding', startTime: 1200, llm: llm({ operation: 'embeddings', requestModel: 'text-embedding-3-small', responseModel: null }) }),
        span({ spanId: 'agent', name: 'invoke_agent', category: 'agent', startTime: 1005, attributes: { 'gen_ai.agent.name': 'planner' } }),
        span({ spanId: 'chain', name: 'chain', category: 'chain', startTime: 1001 }),
      ]),
    );
    expect(nodes.map((n) => callLabel(n.span))).toEqual(['agent planner', 'chat gpt-4o-2024-08-06', 'embeddings text-embedding-3-small', 'tool get_weather']);
    expect(nodes.map((n) => n.offsetMs)).toEqual([5, 10, 200, 300]);
    expect(nodes.map((n) => callIcon(n.span))).toEqual(['hubot', 'sparkle', 'symbol-array', 'tools']);
    expect(nodes[1].id).toBe(`span:${'t'.padStart(32, '0')}:llm1`);
  });

  it('describes an LLM call with tokens, cost, time to first token and duration', () => {
    const [n] = callNodes(detail([span({ category: 'llm', llm: llm(), durationMs: 1830 })]));
    expect(callDescription(n)).toBe('1.5k→200 tok · $0.0058 · ttft 231 ms · 1.83 s · +0 ms');
    const [e] = callNodes(detail([span({ category: 'llm', status: 'error', llm: llm({ inputTokens: null, outputTokens: null, costUsd: null, ttftMs: null }) })]));
    expect(callDescription(e)).toBe('100 ms · +0 ms · error');
    expect(callIcon(e.span)).toBe('error');
  });
});

describe('filter', () => {
  it('maps to API query parameters and a short summary', () => {
    expect(isFilterActive({})).toBe(false);
    expect(isFilterActive({ text: '' })).toBe(false);
    const f = { text: 'refund', model: 'gpt-4o', service: 'api', errorsOnly: true };
    expect(isFilterActive(f)).toBe(true);
    expect(filterToQuery(f, 200)).toEqual({ limit: 200, text: 'refund', model: 'gpt-4o', service: 'api', status: 'error' });
    expect(filterToQuery({}, 50)).toEqual({ limit: 50 });
    expect(filterSummary(f)).toBe('"refund" · model gpt-4o · service api · errors only');
  });
});
