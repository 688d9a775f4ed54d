// The Traces tree provider's own logic (paging, errors, the calls cache, feedback marks,
// throttling), driven by an in-memory API so each failure can be produced on demand.
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('vscode', () => import('../../helpers/vscode-mock'));

import type * as vscode from 'vscode';
import type { SpanDetail, SpanDto, TraceListPage, TraceListQuery, TraceOutline, TraceSummary } from '../../../src/protocol/api';
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
  async listTraces(q: TraceListQuery = {}): Promise<TraceListPage> {
    this.queries.push(q);
    if (this.failList) throw this.failList;
    const limit = q.limit ?? 100;
    return { traces: this.traces.slice(0, limit), nextCursor: this.traces.length > limit ? 'more' : null };
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
    expect(api.queries.at(-1)).toEqual({ limit: 6 });
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
    expect(calls.map((c) => label(p, c))).toEqual(['No LLM or tool calls in this trace']);
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
    expect(api.queries.at(-1)).toEqual({ limit: 3, feedback: 'down' });
  });

  it('coalesces a burst of change events into few reloads', async () => {
    const api = new MemoryApi();
    api.traces = [summary(1)];
    const { p } = make(api);
    await p.getChildren();
    const before = api.queries.length;
    for (let i = 0; i < 50; i++) p.handleEvent({ type: 'traces-changed', traceIds: ['x'], spans: 1, llmCalls: 0, at: i });
    await vi.waitFor(() => expect(api.queries.length).toBeGreaterThan(before));
    await new Promise<void>((r) => p.onDidReload(() => r()));
    expect(api.queries.length - before).toBeLessThanOrEqual(2);
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
