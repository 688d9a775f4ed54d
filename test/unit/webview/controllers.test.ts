// Host-side panel controllers with the host's one API client against a real loopback HTTP API
// and its SSE stream, talking to a webview-side endpoint through the real protocol.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TraceOutline } from '../../../src/protocol/api';
import {
  MessageEndpoint,
  parseOutlineMessage,
  type DashboardHostToWebview,
  type DashboardState,
  type DashboardWebviewToHost,
  type ProtocolMap,
  type TraceHostToWebview,
  type TracePanelState,
  type TraceWebviewToHost,
} from '../../../src/protocol/webview';
import { ApiClient, ApiRequestError } from '../../../src/host/connection/api-client';
import { SseClient, isCollectorEvent } from '../../../src/host/connection/event-stream';
import { DashboardController } from '../../../src/host/panels/dashboard-controller';
import type { WebviewLike } from '../../../src/host/panels/panel-controller';
import { modelLabel, seriesFromTraces } from '../../../src/host/panels/series-from-traces';
import { TraceController } from '../../../src/host/panels/trace-controller';
import { FakeCollectorApi } from './fake-collector-api';
import { TRACE_ID, hostileTrace, seriesDto, spanDto, statsDto, summary } from './fixtures';

/** Resolves when `check()` holds, polling on each macrotask; fails after `ms`. */
async function until(check: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** A fake vscode.Webview whose other end is a real webview-side endpoint. */
function webviewPair<HostOut extends ProtocolMap, ViewOut extends ProtocolMap>() {
  const listeners = new Set<(m: unknown) => void>();
  const states: unknown[] = [];
  let alive = true;
  // eslint-disable-next-line prefer-const
  let view: MessageEndpoint<ViewOut, HostOut>;
  const webview: WebviewLike = {
    postMessage: (m) => {
      if (!alive) return Promise.reject(new Error('Webview is disposed'));
      const copy: unknown = JSON.parse(JSON.stringify(m));
      setImmediate(() => view.onMessage(copy));
      return Promise.resolve(true);
    },
    onDidReceiveMessage: (l) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
  };
  view = new MessageEndpoint<ViewOut, HostOut>({
    post: (m) => {
      const copy: unknown = JSON.parse(JSON.stringify(m));
      setImmediate(() => listeners.forEach((l) => l(copy)));
    },
  });
  type StateIn = { commands: object; requests: object; notifications: { didChangeState: unknown } };
  (view as unknown as MessageEndpoint<ProtocolMap, StateIn>).handleNotification('didChangeState', (s) => states.push(s));
  return { webview, view, states, listeners, kill: () => (alive = false) };
}

let api: FakeCollectorApi;
const cleanups: (() => unknown)[] = [];

beforeEach(async () => {
  api = await new FakeCollectorApi().start();
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await api.stop();
});

describe('TraceController', () => {
  function traceSetup(traceId: string | { previewSpans: number } = TRACE_ID, port: () => number | null = () => api.port) {
    const previewSpans = typeof traceId === 'object' ? traceId.previewSpans : undefined;
    if (typeof traceId === 'object') traceId = TRACE_ID;
    const pair = webviewPair<TraceHostToWebview, TraceWebviewToHost>();
    const opened: [string, number | null][] = [];
    const json: [string, string | null][] = [];
    const outlines: TraceOutline[] = [];
    pair.view.handleNotification('didChangeOutline', (m) => outlines.push(parseOutlineMessage(m)!));
    const controller = new TraceController({
      webview: pair.webview,
      api: new ApiClient(port, 2_000),
      traceId,
      reloadDelayMs: 0,
      ...(previewSpans !== undefined ? { previewSpans } : {}),
      onOpenSource: (p, l) => opened.push([p, l]),
      onOpenJson: (t, s) => json.push([t, s]),
    });
    cleanups.push(() => controller.dispose());
    return { ...pair, controller, opened, json, outlines, states: pair.states as TracePanelState[] };
  }
  const outlinePath = `/api/traces/${TRACE_ID}/outline`;

  it('sends the outline once, held until the webview is ready, then only the state', async () => {
    api.put(hostileTrace());
    const t = traceSetup();
    const inlined = t.controller.snapshotForHtml(); // HTML goes in at once, with the loading state
    expect(inlined.status).toBe('loading');
    const state = await t.controller.load();
    expect(state.status).toBe('ready');
    expect(state.trace?.traceId).toBe(TRACE_ID);
    expect(t.outlines).toHaveLength(0); // the webview is not up yet
    t.view.sendReady();
    await until(() => t.outlines.length === 1 && t.states.length === 1, 2_000, 'outline and state after ready');
    expect(t.outlines[0].partial).toBe(false);
    expect(t.outlines[0].spanId).toHaveLength(4);
    expect(t.states[0].status).toBe('ready');
    // the state carries no spans: small on every change
    expect(JSON.stringify(t.states[0]).length).toBeLessThan(2_000);
    expect(api.seen.filter((r) => r.path === outlinePath)).toHaveLength(1);
    expect(api.seen.some((r) => r.path === `/api/traces/${TRACE_ID}`)).toBe(false); // never the whole trace
  });

  it('patches with `since` on change events for its trace, never resending the whole outline', async () => {
    const detail = hostileTrace();
    api.put(detail);
    const t = traceSetup();
    t.controller.snapshotForHtml();
    t.view.sendReady();
    await t.controller.load();
    await until(() => t.outlines.length === 1, 2_000, 'first outline');
    const rev = t.outlines[0].revision;

    detail.spans.push(spanDto('aaaaaaaaaaaaaaa5', 'aaaaaaaaaaaaaaa1', 995, 999, { name: 'late step' }));
    api.put(detail, ['aaaaaaaaaaaaaaa5']);
    t.controller.onCollectorEvent({ type: 'traces-changed', traceIds: ['f'.repeat(32)], spans: 1, llmCalls: 0, at: 0 });
    t.controller.onCollectorEvent({ type: 'traces-changed', traceIds: [TRACE_ID], spans: 1, llmCalls: 0, at: 0 });
    await until(() => t.outlines.length === 2, 2_000, 'the patch');
    expect(t.outlines[1]).toMatchObject({ partial: true, spanId: ['aaaaaaaaaaaaaaa5'] });
    expect(api.seen.filter((r) => r.path === outlinePath).at(-1)!.query).toEqual({ since: String(rev) });

    // an annotation on the call: annotations-changed patches just that span
    await t.view.request('annotate', { spanId: 'aaaaaaaaaaaaaaa2', annotation: { kind: 'feedback', label: 'down', explanation: 'wrong' } });
    t.controller.onCollectorEvent({ type: 'annotations-changed', traceIds: [TRACE_ID], at: 0 });
    await until(() => t.outlines.some((o) => o.spanId.includes('aaaaaaaaaaaaaaa2') && o.partial), 2_000, 'the annotation patch');
    const patch = t.outlines.find((o) => o.partial && o.spanId.includes('aaaaaaaaaaaaaaa2'))!;
    expect(patch.spanId).toEqual(['aaaaaaaaaaaaaaa2']);
    expect(patch.annotationCounts).toEqual([{ feedback: 1 }]);
    expect(t.outlines.filter((o) => !o.partial)).toHaveLength(1);
  });

  it('answers span detail, text search, feedback and its removal through the API', async () => {
    const detail = hostileTrace();
    api.put(detail);
    const t = traceSetup();
    t.view.sendReady();
    await t.controller.load();
    const span = await t.view.request('spanDetail', { spanId: 'aaaaaaaaaaaaaaa2' });
    expect(span.llm?.requestModel).toBe('gpt-4o-mini');
    await expect(t.view.request('spanDetail', { spanId: '../../api/traces' })).rejects.toMatchObject({ message: 'invalid span id' });
    // message text is searched in the host, from the whole trace fetched once
    expect((await t.view.request('findText', { query: 'Weather in PARIS' })).spanIds).toEqual(['aaaaaaaaaaaaaaa2']);
    expect((await t.view.request('findText', { query: 'timeouterror' })).spanIds).toEqual(['aaaaaaaaaaaaaaa3']);
    expect(api.seen.filter((r) => r.path === `/api/traces/${TRACE_ID}`)).toHaveLength(1);

    const up = await t.view.request('annotate', { spanId: 'aaaaaaaaaaaaaaa2', annotation: { kind: 'feedback', label: 'up' } });
    expect(up).toMatchObject({ kind: 'feedback', label: 'up', source: 'user', spanId: 'aaaaaaaaaaaaaaa2' });
    const down = await t.view.request('annotate', { spanId: 'aaaaaaaaaaaaaaa2', annotation: { kind: 'feedback', label: 'down', explanation: 'made up a city' } });
    expect(detail.spans[1].annotations.map((a) => [a.label, a.explanation])).toEqual([['down', 'made up a city']]);
    const onTrace = await t.view.request('annotate', { spanId: null, annotation: { kind: 'feedback', label: 'up' } });
    expect(detail.annotations.map((a) => a.id)).toEqual([onTrace.id]);
    await t.view.request('deleteAnnotation', { id: down.id });
    expect(detail.spans[1].annotations).toEqual([]);
    await expect(t.view.request('annotate', { spanId: null, annotation: { kind: 'feedback', label: 'meh' } as never })).rejects.toMatchObject({ code: 'remote' });
    // a changed span is read again for the next search, not the whole trace
    detail.spans[2].statusMessage = 'now it says zanzibar';
    api.put(detail, ['aaaaaaaaaaaaaaa3']);
    await t.controller.load(); // what the change event would run: a `since` patch
    expect(api.seen.filter((r) => r.path === outlinePath).at(-1)!.query.since).toBeDefined();
    expect((await t.view.request('findText', { query: 'zanzibar' })).spanIds).toEqual(['aaaaaaaaaaaaaaa3']);
    expect(api.seen.filter((r) => r.path === `/api/traces/${TRACE_ID}`)).toHaveLength(1);
  });

  it('reports a missing trace, then shows it when its spans arrive (SSE change event)', async () => {
    const t = traceSetup();
    const first = await t.controller.load();
    expect(first.status).toBe('not-found');
    expect(first.trace).toBeNull();
    t.view.sendReady();
    await until(() => t.states.length === 1);

    const events = new SseClient({ port: api.port, reconnect: true, onEvent: (e) => t.controller.onCollectorEvent(e) });
    events.start();
    cleanups.push(() => events.close());
    await api.waitForStreams(1);

    api.put(hostileTrace());
    api.emit({ type: 'traces-changed', traceIds: ['ffffffffffffffffffffffffffffffff'], spans: 3, llmCalls: 0, at: Date.now() });
    api.emit({ type: 'traces-changed', traceIds: [TRACE_ID], spans: 4, llmCalls: 1, at: Date.now() });
    await until(() => t.states.at(-1)?.status === 'ready', 5_000, 'live update');
    expect(t.outlines.at(-1)!.spanId).toHaveLength(4);
    expect(t.outlines.at(-1)!.partial).toBe(false);
    // the unrelated trace did not trigger a fetch of its own
    expect(api.seen.some((r) => r.path.startsWith('/api/traces/ffff'))).toBe(false);
  });

  it('keeps the trace on screen and says why when the collector goes away; a cleared store empties it', async () => {
    api.put(hostileTrace());
    let port: number | null = api.port;
    const t = traceSetup(TRACE_ID, () => port);
    await t.controller.load();
    port = null;
    const s = await t.controller.load();
    expect(s.status).toBe('no-collector');
    expect(s.trace?.traceId).toBe(TRACE_ID);
    expect(s.error).toMatch(/not running/);
    port = api.port;
    api.traces.clear();
    t.controller.onCollectorEvent({ type: 'cleared', at: 0 });
    await until(() => t.controller.state.status === 'not-found', 2_000, 'not-found after clear');
    expect(t.controller.state.trace).toBeNull();
  });

  it('starts again from the whole outline after the event stream reconnected (hello)', async () => {
    api.put(hostileTrace());
    const t = traceSetup();
    t.view.sendReady();
    await t.controller.load();
    await until(() => t.outlines.length === 1, 2_000, 'first outline');
    t.controller.onCollectorEvent({ type: 'hello', version: 'x', httpPort: api.port, grpcPort: null, dbPath: 'other.db' });
    await until(() => t.outlines.length === 2, 2_000, 'the outline after hello');
    expect(t.outlines[1].partial).toBe(false);
    expect(api.seen.filter((r) => r.path === outlinePath).at(-1)!.query.since).toBeUndefined();
  });

  it('sends a large trace\'s first screenful as a preview, then the whole outline', async () => {
    api.put(hostileTrace());
    const t = traceSetup({ previewSpans: 2 });
    t.view.sendReady();
    await t.controller.load();
    await until(() => t.outlines.length === 2, 2_000, 'the preview and the whole outline');
    expect(t.outlines[0]).toMatchObject({ partial: false, preview: true });
    expect(t.outlines[0].spanId).toHaveLength(2);
    expect(t.outlines[1].preview).toBeUndefined();
    expect(t.outlines[1].spanId).toHaveLength(4);
    expect(api.seen.filter((r) => r.path === outlinePath).map((r) => r.query)).toEqual([{ limit: '2' }, {}]);
    // the next change is a patch from the whole outline's revision, not another preview
    t.controller.onCollectorEvent({ type: 'traces-changed', traceIds: [TRACE_ID], spans: 1, llmCalls: 0, at: Date.now() });
    await until(() => api.seen.filter((r) => r.path === outlinePath).length === 3, 2_000, 'the patch');
    expect(api.seen.filter((r) => r.path === outlinePath).at(-1)!.query.since).toBeDefined();
  });

  it('resends the whole outline when the webview was rebuilt from its HTML', async () => {
    api.put(hostileTrace());
    const t = traceSetup();
    t.controller.snapshotForHtml();
    t.view.sendReady();
    await t.controller.load();
    await until(() => t.outlines.length === 1, 2_000, 'first outline');
    t.view.sendReady(); // hidden and shown again: the webview starts from its HTML
    await until(() => t.outlines.length === 2, 2_000, 'outline again');
    expect(t.outlines[1].partial).toBe(false);
    expect(t.outlines[1].spanId).toHaveLength(4);
  });

  it('answers reload, remembers the selection, forwards openSource and openJson, and pushes selectSpan', async () => {
    api.put(hostileTrace());
    const t = traceSetup();
    const selected: string[] = [];
    t.view.handleCommand('selectSpan', ({ spanId }) => selected.push(spanId));
    t.view.sendReady();
    const reloaded = await t.view.request('reload', {});
    expect(reloaded.trace?.traceId).toBe(TRACE_ID);
    t.view.notify('didSelectSpan', { spanId: 'aaaaaaaaaaaaaaa3' });
    t.view.command('openSource', { path: 'src/agent.ts', line: 42 });
    t.view.command('openJson', { spanId: 'aaaaaaaaaaaaaaa3' });
    await until(() => t.controller.state.selectedSpanId === 'aaaaaaaaaaaaaaa3' && t.opened.length === 1 && t.json.length === 1);
    expect(t.opened).toEqual([['src/agent.ts', 42]]);
    expect(t.json).toEqual([[TRACE_ID, 'aaaaaaaaaaaaaaa3']]);
    t.controller.selectSpan('aaaaaaaaaaaaaaa2');
    await until(() => selected.length === 1);
    expect(selected).toEqual(['aaaaaaaaaaaaaaa2']);
  });

  it('coalesces overlapping loads and survives a disposed webview', async () => {
    api.put(hostileTrace());
    const t = traceSetup();
    await Promise.all([t.controller.load(), t.controller.load(), t.controller.load()]);
    // one load, plus exactly one more for the calls made while it ran
    expect(api.seen.filter((r) => r.path.startsWith('/api/traces/'))).toHaveLength(2);
    t.view.sendReady();
    await until(() => t.controller.endpoint.isReady);
    t.kill();
    await t.controller.load(); // posting into a dead webview must not throw
    t.controller.dispose();
    await expect(t.controller.load()).resolves.toBeTruthy();
  });
});

describe('DashboardController', () => {
  function dashSetup(now = () => 10_000_000) {
    const pair = webviewPair<DashboardHostToWebview, DashboardWebviewToHost>();
    const opened: string[] = [];
    const controller = new DashboardController({
      webview: pair.webview,
      api: new ApiClient(() => api.port, 2_000),
      reloadDelayMs: 0,
      now,
      onOpenTrace: (id) => opened.push(id),
    });
    cleanups.push(() => controller.dispose());
    return { ...pair, controller, opened, states: pair.states as DashboardState[] };
  }

  it('loads stats and the series endpoint for the rolling range', async () => {
    api.stats = statsDto();
    api.series = (q) => seriesDto(Number(q.from), Number(q.to), Number(q.bucketMs));
    const spans = hostileTrace().spans;
    api.list = [summary(spans, { costUsd: 0.1, traceId: 'a'.repeat(32) }), summary(spans, { costUsd: 0.9, traceId: 'b'.repeat(32) }), summary(spans, { costUsd: 0, traceId: 'c'.repeat(32) })];
    const d = dashSetup();
    const s = await d.controller.load();
    expect(s.status).toBe('ready');
    expect(s.seriesSource).toBe('api');
    expect(s.from).toBe(10_000_000 - 3_600_000);
    expect(s.to).toBe(10_000_000);
    const seriesReq = api.seen.find((r) => r.path === '/api/stats/series')!;
    expect(seriesReq.query).toEqual({ from: String(s.from), to: String(s.to), bucketMs: '300000' });
    expect(s.topTraces.map((t) => t.traceId)).toEqual(['b'.repeat(32), 'a'.repeat(32)]);
  });

  it('falls back to bucketing the paged trace list when the series endpoint is missing', async () => {
    api.stats = statsDto();
    const spans = [spanDto('1111111111111111', null, 0, 10)];
    const from = 10_000_000 - 900_000;
    api.list = Array.from({ length: 1_200 }, (_, i) =>
      summary(spans, { traceId: i.toString(16).padStart(32, '0'), startTime: from + i * 500, costUsd: 0.001, models: [i % 2 ? 'a' : 'b'], llmCallCount: 1 }),
    );
    const d = dashSetup();
    d.view.sendReady();
    const s = await d.view.request('setRange', { range: '15m' });
    expect(s.seriesSource).toBe('trace-list');
    expect(api.seen.filter((r) => r.path === '/api/traces')).toHaveLength(3); // pages of 500
    const total = s.series!.points.reduce((a, p) => a + p.calls, 0);
    expect(total).toBe(1_200);
    expect(s.series!.bucketMs).toBe(60_000);
  });

  it('switches range on request, rejects an unknown one, and opens only real trace ids', async () => {
    api.stats = statsDto();
    api.series = (q) => seriesDto(Number(q.from), Number(q.to), Number(q.bucketMs));
    const d = dashSetup();
    d.view.sendReady();
    const s = await d.view.request('setRange', { range: '7d' });
    expect(s.range).toBe('7d');
    expect(s.bucketMs).toBe(6 * 3_600_000);
    expect(d.controller.currentRange).toBe('7d');
    await expect(d.view.request('setRange', { range: '1y' as never })).rejects.toMatchObject({ code: 'remote', message: "unknown time range '1y'" });
    d.view.command('openTrace', { traceId: 'not-an-id' });
    d.view.command('openTrace', { traceId: TRACE_ID });
    await until(() => d.opened.length === 1);
    expect(d.opened).toEqual([TRACE_ID]);
  });

  it('keeps the last charts under an error and reloads on change events', async () => {
    api.stats = statsDto();
    api.series = (q) => seriesDto(Number(q.from), Number(q.to), Number(q.bucketMs));
    const d = dashSetup();
    await d.controller.load();
    d.view.sendReady();
    await until(() => d.controller.endpoint.isReady);
    api.stats = null; // /api/stats now 404s
    const broken = await d.controller.load();
    expect(broken.status).toBe('error');
    expect(broken.stats?.calls).toBe(420);
    api.stats = statsDto({ calls: 421 });
    d.controller.onCollectorEvent({ type: 'traces-changed', traceIds: [TRACE_ID], spans: 1, llmCalls: 1, at: 0 });
    await until(() => d.states.at(-1)?.stats?.calls === 421, 5_000, 'reload after change event');
  });
});

describe('ApiClient', () => {
  it('turns failures into clear, typed errors', async () => {
    const client = new ApiClient(() => api.port, 150);
    api.hang.add('/api/stats');
    await expect(client.stats()).rejects.toMatchObject({ code: 'timeout' });
    await expect(client.traceOutline('nope')).rejects.toMatchObject({ code: 'not-found', status: 404, message: 'trace not found: nope' });
    await expect(new ApiClient(() => null).stats()).rejects.toMatchObject({ code: 'no-collector' });
    const closed = await new FakeCollectorApi().start();
    const deadPort = closed.port;
    await closed.stop();
    const err = await new ApiClient(() => deadPort, 2_000).stats().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect((err as ApiRequestError).code).toBe('network');
    expect((err as ApiRequestError).message).toMatch(/ECONNREFUSED/);
  });

  it('passes query parameters, skipping empty ones, and escapes path segments', async () => {
    api.stats = statsDto();
    await new ApiClient(() => api.port).stats({ from: 1, to: 2, model: undefined, service: '' });
    expect(api.seen.at(-1)).toEqual({ path: '/api/stats', query: { from: '1', to: '2' } });
    await new ApiClient(() => api.port).spanDetail(TRACE_ID, 'a/b?c').catch(() => undefined);
    expect(api.seen.at(-1)!.path).toBe(`/api/traces/${TRACE_ID}/spans/a%2Fb%3Fc`);
  });
});

describe('event validation', () => {
  it('accepts the events the host understands, field by field', () => {
    expect(isCollectorEvent({ type: 'traces-changed', traceIds: ['a'] })).toBe(true);
    expect(isCollectorEvent({ type: 'annotations-changed', traceIds: ['a'], at: 1 })).toBe(true);
    expect(isCollectorEvent({ type: 'annotations-changed', traceIds: 'a' })).toBe(false);
    expect(isCollectorEvent({ type: 'traces-changed', traceIds: [1] })).toBe(false);
    expect(isCollectorEvent({ type: 'hello', httpPort: 1 })).toBe(true);
    expect(isCollectorEvent({ type: 'unknown-kind' })).toBe(false);
    expect(isCollectorEvent(null)).toBe(false);
  });
});

describe('seriesFromTraces', () => {
  it('buckets trace cost by model label within the range', () => {
    const spans = [spanDto('1111111111111111', null, 0, 10)];
    const mk = (startTime: number, models: string[], costUsd: number) => summary(spans, { startTime, models, costUsd, llmCallCount: 1, errorCount: 0 });
    const s = seriesFromTraces([mk(0, ['a'], 1), mk(59_999, ['a'], 2), mk(60_000, ['b', 'a'], 4), mk(120_000, ['a'], 8), mk(-1, ['a'], 16)], 0, 120_000, 60_000);
    expect(s.points).toEqual([
      { bucketStart: 0, model: 'a', calls: 2, errors: 0, costUsd: 3, inputTokens: 2468, outputTokens: 112 },
      { bucketStart: 60_000, model: 'a + b', calls: 1, errors: 0, costUsd: 4, inputTokens: 1234, outputTokens: 56 },
    ]);
    // A range off the grid: the first bucket starts at `from`, the others on whole minutes.
    const off = seriesFromTraces([mk(30_000, ['a'], 1), mk(59_999, ['a'], 2), mk(60_000, ['a'], 4), mk(149_999, ['a'], 8), mk(150_000, ['a'], 16)], 30_000, 150_000, 60_000);
    expect(off.points.map((p) => [p.bucketStart, p.costUsd])).toEqual([[30_000, 3], [60_000, 4], [120_000, 8]]);
    expect(modelLabel([])).toBe('(no model)');
    expect(() => seriesFromTraces([], 0, 1, 0)).toThrow(/bucketMs/);
  });
});
