// The Traces tree provider's own logic (paging, errors, the calls cache, feedback marks,
// throttling), driven by an in-memory API so each failure can be produced on demand.
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('vscode', () => import('../../helpers/vscode-mock'));

import type * as vscode from 'vscode';
import type { SessionListPage, SpanDetail, SpanDto, TraceListPage, TraceListQuery, TraceOutline, TraceSummary } from '../../../src/protocol/api';
import { llmCall, outlineOf, spanDto } from '../webview/fixtures';
import type { ApiClient } from '../../../src/host/connection/api-client';
import { spanIdOf, traceIdOf } from '../../../src/host/commands';
import { TracesTreeProvider, type TracesTreeNode } from '../../../src/host/tree/traces-tree';

function summary(i: number, over: Partial<TraceSummary> = {}): TraceSummary {
  return {
    traceId: i.toString(16).padStart(32, '0'),
    startTime: Date.now() - i * 1000,
    durationMs: 10,
    spanCount: 1,
    llmCallCount: 0,
    errorCount: 0,
    costUsd: 0,
    costEstimated: false,
    inputTokens: 0,
    outputTokens: 0,
    status: 'ok',
    rootName: `trace ${i}`,
    serviceName: 'svc',
    models: [],
    sessionId: null,
    annotationCounts: {},
    feedback: { up: 0, down: 0 },
    ...over,
  };
}

class MemoryApi {
  traces: TraceSummary[] = [];
  spans = new Map<string, SpanDto[]>();
  failList: Error | null = null;
  failDetail: Error | null = null;
  queries: TraceListQuery[] = [];
  outlineCalls = 0;
  spanCalls: string[] = [];
  /** Extra traces the store holds beyond `traces` (counted, never listed), as a big store would. */
  uncounted = 0;
  async listTraces(q: TraceListQuery = {}): Promise<TraceListPage> {
    this.queries.push(q);
    if (this.failList) throw this.failList;
    const limit = q.limit ?? 100;
    const matching = this.traces.filter((t) => (q.session === undefined || t.sessionId === q.session)
      && (q.from === undefined || t.startTime >= q.from) && (q.to === undefined || t.startTime < q.to));
    const total = matching.length + (q.session === undefined ? this.uncounted : 0);
    return { traces: matching.slice(0, limit), nextCursor: matching.length > limit ? 'more' : null, total: Math.min(total, 10_000), totalExact: total <= 10_000 };
  }
  async listSessions(): Promise<SessionListPage> {
    const by = new Map<string, TraceSummary[]>();
    for (const t of this.traces) if (t.sessionId) by.set(t.sessionId, [...(by.get(t.sessionId) ?? []), t]);
    return {
      sessions: [...by].map(([sessionId, ts]) => ({
        sessionId, traceCount: ts.length, firstTime: 0, lastTime: 0, llmCallCount: 0, errorCount: 0,
        costUsd: ts.reduce((a, t) => a + t.costUsd, 0), inputTokens: 0, outputTokens: 0, userId: null, inputPreview: null,
      })),
    };
  }
  async traceOutline(id: string): Promise<TraceOutline> {
    this.outlineCalls++;
    if (this.failDetail) throw this.failDetail;
    const trace = this.traces.find((t) => t.traceId === id)!;
    return outlineOf({ trace, spans: this.spans.get(id) ?? [], annotations: [] });
  }
  async spanDetail(traceId: string, spanId: string): Promise<SpanDetail> {
    this.spanCalls.push(spanId);
    return this.spans.get(traceId)!.find((s) => s.spanId === spanId)!;
  }
  async getTrace(): Promise<never> {
    throw new Error('the tree must not load whole traces');
  }
}

const providers: TracesTreeProvider[] = [];
afterEach(() => providers.splice(0).forEach((p) => p.dispose()));

function make(api: MemoryApi | null, pageSize = 3) {
  const errors: string[] = [];
  const p = new TracesTreeProvider({ getApi: () => api as unknown as ApiClient, pageSize, throttleMs: 20, onError: (m) => errors.push(m) });
  providers.push(p);
  return { p, errors };
}

/** The trace list's page queries, not the group counts (limit 1). */
const pageQueries = (api: MemoryApi) => api.queries.filter((q) => q.limit !== 1);

const label = (p: TracesTreeProvider, n: TracesTreeNode) => (p.getTreeItem(n) as vscode.TreeItem).label;

describe('TracesTreeProvider', () => {
  it('is empty without a collector (so the welcome view shows)', async () => {
    const { p } = make(null);
    expect(await p.getChildren()).toEqual([]);
    expect(p.message).toBeUndefined();
  });

  it('pages: offers "Show more traces…" and loads the next page on request', async () => {
    const api = new MemoryApi();
    api.traces = [1, 2, 3, 4, 5].map((i) => summary(i));
    const { p } = make(api);
    const roots = await p.getChildren();
    expect(roots.map((r) => label(p, r))).toEqual(['Last 5 minutes', 'Show more traces…']);
    expect((p.getTreeItem(roots[1]) as vscode.TreeItem).command?.command).toBe('spyglass.showMoreTraces');
    expect((await p.getChildren(roots[0])).map((n) => label(p, n))).toEqual(['trace 1', 'trace 2', 'trace 3']);
    const reloaded = new Promise<void>((r) => p.onDidReload(() => r()));
    p.showMore();
    await reloaded;
    expect(pageQueries(api).at(-1)).toEqual({ limit: 6 });
    const after = await p.getChildren();
    expect(after.map((r) => label(p, r))).toEqual(['Last 5 minutes']);
    expect((await p.getChildren(after[0])).length).toBe(5);
  });

  it('keeps showing the last list with a message when the collector fails to answer', async () => {
    const api = new MemoryApi();
    api.traces = [summary(1)];
    const { p, errors } = make(api);
    await p.getChildren();
    api.failList = new Error('connect ECONNREFUSED');
    await p.reload();
    expect(p.message).toBe('Cannot load traces: connect ECONNREFUSED');
    expect(errors).toEqual(['Cannot load traces: connect ECONNREFUSED']);
    expect(p.traceCount).toBe(1);
    api.failList = null;
    await p.reload();
    expect(p.message).toBeUndefined();
  });

  it('caches a trace\'s calls until the collector says the trace changed', async () => {
    const api = new MemoryApi();
    api.traces = [summary(1)];
    const { p } = make(api);
    const [group] = await p.getChildren();
    const [trace] = await p.getChildren(group);
    const calls = await p.getChildren(trace);
    expect(calls.map((c) => label(p, c))).toEqual(['No spans in this trace']);
    await p.getChildren(trace);
    expect(api.outlineCalls).toBe(1);
    p.handleEvent({ type: 'traces-changed', traceIds: [api.traces[0].traceId], spans: 1, llmCalls: 0, at: 0 });
    await p.getChildren(trace);
    expect(api.outlineCalls).toBe(2);
    p.handleEvent({ type: 'annotations-changed', traceIds: [api.traces[0].traceId], at: 0 });
    await p.getChildren(trace);
    expect(api.outlineCalls).toBe(3);
    api.failDetail = new Error('trace not found');
    p.handleEvent({ type: 'cleared', at: 0 });
    expect((await p.getChildren(trace)).map((c) => label(p, c))).toEqual(['Cannot load this trace: trace not found']);
  });

  it('marks a trace rated thumbs down, and the call with the thumb read from its detail', async () => {
    const api = new MemoryApi();
    const t = summary(1, { llmCallCount: 2, feedback: { up: 0, down: 1 }, annotationCounts: { feedback: 1 } });
    api.traces = [t];
    const rated = spanDto('aaaaaaaaaaaaaaa2', null, 10, 600, { traceId: t.traceId, name: 'chat gpt-4o-mini', category: 'llm', llm: llmCall() });
    rated.annotations = [{ id: 'f1', traceId: t.traceId, spanId: rated.spanId, kind: 'feedback', name: 'thumbs', label: 'down', score: null, explanation: 'wrong', source: 'user', location: null, attributes: {}, createdAt: 1, callRevision: 0 }];
    const plain = spanDto('aaaaaaaaaaaaaaa3', null, 700, 900, { traceId: t.traceId, name: 'chat gpt-4o-mini', category: 'llm', llm: llmCall() });
    api.spans.set(t.traceId, [rated, plain]);
    const { p } = make(api);
    const [group] = await p.getChildren();
    const [trace] = await p.getChildren(group);
    const item = p.getTreeItem(trace) as vscode.TreeItem;
    expect((item.iconPath as vscode.ThemeIcon).id).toBe('thumbsdown');
    expect(item.description).toContain('1 thumbs down');
    const calls = await p.getChildren(trace);
    expect(calls.map((c) => ((p.getTreeItem(c) as vscode.TreeItem).iconPath as vscode.ThemeIcon).id)).toEqual(['thumbsdown', 'sparkle']);
    expect((p.getTreeItem(calls[0]) as vscode.TreeItem).description).toMatch(/^thumbs down · /);
    expect((p.getTreeItem(calls[0]) as vscode.TreeItem).contextValue).toBe('spyglass.llmCall');
    expect(api.spanCalls).toEqual([rated.spanId]); // only the rated call was read in full
  });

  it('passes the feedback filter to the trace list', async () => {
    const api = new MemoryApi();
    api.traces = [summary(1)];
    const { p } = make(api);
    await p.getChildren();
    const reloaded = new Promise<void>((r) => p.onDidReload(() => r()));
    p.setFilter({ feedback: 'down' });
    await reloaded;
    expect(pageQueries(api).at(-1)).toEqual({ limit: 3, feedback: 'down' });
    // the groups are counted under the same filter
    expect(api.queries.filter((q) => q.limit === 1).at(-1)).toMatchObject({ feedback: 'down' });
  });

  it('coalesces a burst of change events into few reloads', async () => {
    const api = new MemoryApi();
    api.traces = [summary(1)];
    const { p } = make(api);
    await p.getChildren();
    const before = pageQueries(api).length;
    for (let i = 0; i < 50; i++) p.handleEvent({ type: 'traces-changed', traceIds: ['x'], spans: 1, llmCalls: 0, at: i });
    await vi.waitFor(() => expect(pageQueries(api).length).toBeGreaterThan(before));
    await new Promise<void>((r) => p.onDidReload(() => r()));
    expect(pageQueries(api).length - before).toBeLessThanOrEqual(2);
  });

  it('reports each node\'s parent (for reveal)', async () => {
    const api = new MemoryApi();
    api.traces = [summary(1, { sessionId: 's1' }), summary(2)];
    const { p } = make(api);
    const [group] = await p.getChildren();
    const [session, plain] = await p.getChildren(group);
    const [inSession] = await p.getChildren(session);
    expect(p.getParent(inSession)).toBe(session);
    expect(p.getParent(session)).toBe(group);
    expect(p.getParent(plain)).toBe(group);
    expect(p.getParent(group)).toBeUndefined();
    expect(p.traceNode(api.traces[0].traceId)).toBe(inSession);
  });
});

describe('TracesTreeProvider: counts, sessions and span hierarchy', () => {
  it('counts each time group from the store, not from the loaded rows', async () => {
    const api = new MemoryApi();
    api.traces = [1, 2, 3, 4, 5].map((i) => summary(i));
    api.uncounted = 304;
    const { p } = make(api);
    const [group] = await p.getChildren();
    expect(label(p, group)).toBe('Last 5 minutes');
    expect((p.getTreeItem(group) as vscode.TreeItem).description).toBe('309 traces');
    expect((await p.getChildren(group)).length).toBe(3);
    api.uncounted = 20_000;
    await p.reload();
    expect((p.getTreeItem((await p.getChildren())[0]) as vscode.TreeItem).description).toBe('10,000+ traces');
  });

  it('keeps a session as one node with all its traces, wherever they fall in time', async () => {
    const api = new MemoryApi();
    const hour = 3_600_000;
    api.traces = [
      summary(1, { sessionId: 'conv', costUsd: 0.01 }),
      summary(2),
      summary(3, { sessionId: 'conv', startTime: Date.now() - 30 * 60_000, costUsd: 0.02 }),
      summary(4, { sessionId: 'conv', startTime: Date.now() - 30 * hour, costUsd: 0.03 }),
    ];
    const { p } = make(api, 2); // only the newest two are loaded
    const groups = await p.getChildren();
    const sessions = (await Promise.all(groups.map((g) => p.getChildren(g)))).flat().filter((n) => n.kind === 'session');
    expect(sessions).toHaveLength(1);
    expect((p.getTreeItem(sessions[0]) as vscode.TreeItem).description).toBe('3 traces · $0.06');
    expect((await p.getChildren(sessions[0])).map((n) => label(p, n))).toEqual(['trace 1', 'trace 3', 'trace 4']);
  });

  it('keeps a trace\'s span hierarchy, expanding a 10,000-span trace level by level', async () => {
    const api = new MemoryApi();
    const t = summary(1, { spanCount: 10_001 });
    api.traces = [t];
    const id = (n: number) => n.toString(16).padStart(16, '0');
    const spans: SpanDto[] = [spanDto(id(1), null, 0, 100_000, { traceId: t.traceId, name: 'agent run', category: 'agent' })];
    for (let i = 0; i < 10; i++) spans.push(spanDto(id(100 + i), id(1), i * 10, i * 10 + 9, { traceId: t.traceId, name: `step ${i}`, category: 'chain' }));
    for (let i = 0; i < 9_989; i++) spans.push(spanDto(id(1000 + i), id(100 + (i % 10)), i, i + 1, { traceId: t.traceId, name: i % 2 ? 'retrieve' : 'chat gpt-4o-mini', category: i % 2 ? 'retriever' : 'llm', llm: i % 2 ? null : llmCall() }));
    // an orphan (its parent never arrived) and a two-span parent cycle: shown, not dropped
    spans.push(spanDto(id(50_000), id(99_999), 5, 6, { traceId: t.traceId, name: 'orphan', category: 'tool' }));
    spans.push(spanDto(id(60_000), id(60_001), 7, 8, { traceId: t.traceId, name: 'loop a', category: 'chain' }));
    spans.push(spanDto(id(60_001), id(60_000), 8, 9, { traceId: t.traceId, name: 'loop b', category: 'chain' }));
    api.spans.set(t.traceId, spans);
    const { p } = make(api);
    const [group] = await p.getChildren();
    const [trace] = await p.getChildren(group);
    const roots = await p.getChildren(trace);
    expect(roots.map((r) => label(p, r))).toEqual(['agent run', 'orphan', 'loop a']);
    const C = { None: 0, Collapsed: 1 };
    expect((p.getTreeItem(roots[0]) as vscode.TreeItem).collapsibleState).toBe(C.Collapsed);
    expect((p.getTreeItem(roots[1]) as vscode.TreeItem).collapsibleState).toBe(C.None);
    const steps = await p.getChildren(roots[0]);
    expect(steps.map((s) => label(p, s))).toEqual(Array.from({ length: 10 }, (_, i) => `step ${i}`));
    const leaves = await p.getChildren(steps[3]);
    expect(leaves).toHaveLength(999);
    expect(p.getParent(leaves[0])).toBe(steps[3]);
    expect(p.getParent(steps[3])).toBe(roots[0]);
    expect((await p.getChildren(roots[2])).map((n) => label(p, n))).toEqual(['loop b']);
    // every span once, from one outline request
    let seen = 0;
    const walk = async (n: TracesTreeNode): Promise<void> => {
      seen++;
      for (const c of await p.getChildren(n)) await walk(c);
    };
    for (const r of roots) await walk(r);
    expect(seen).toBe(spans.length);
    expect(api.outlineCalls).toBe(1);
  });
});

describe('command arguments', () => {
  it('takes a trace id from a string or from the tree node a menu was opened on', async () => {
    const api = new MemoryApi();
    api.traces = [summary(7)];
    const { p } = make(api);
    const [group] = await p.getChildren();
    const [trace] = await p.getChildren(group);
    expect(traceIdOf(trace)).toBe(api.traces[0].traceId);
    expect(traceIdOf('abc')).toBe('abc');
    expect(traceIdOf(group)).toBeUndefined();
    expect(traceIdOf(undefined)).toBeUndefined();
    const call = { kind: 'call', id: 'c', traceId: 't', offsetMs: 0, span: { spanId: 's1' } } as unknown as TracesTreeNode;
    expect(traceIdOf(call)).toBe('t');
    expect(spanIdOf(call, [call])).toBe('s1');
    expect(spanIdOf('t', 's2')).toBe('s2');
    expect(spanIdOf(trace, undefined)).toBeUndefined();
  });
});
