// Host-side panel controllers against a real loopback HTTP API and its SSE stream, talking to
// a webview-side endpoint through the real protocol.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorEvent } from '../../../src/protocol/api';
import {
  MessageEndpoint,
  type DashboardHostToWebview,
  type DashboardState,
  type DashboardWebviewToHost,
  type ProtocolMap,
  type TraceHostToWebview,
  type TracePanelState,
  type TraceWebviewToHost,
} from '../../../src/protocol/webview';
import { ApiClient, ApiRequestError } from '../../../src/host/webview/api-client';
import { DashboardController } from '../../../src/host/webview/dashboard-controller';
import { CollectorEvents, SseParser, isCollectorEvent } from '../../../src/host/webview/event-stream';
import type { WebviewLike } from '../../../src/host/webview/panel-controller';
import { modelLabel, seriesFromTraces } from '../../../src/host/webview/series-from-traces';
import { TraceController } from '../../../src/host/webview/trace-controller';
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
  function traceSetup(traceId = TRACE_ID, base: () => string | undefined = () => api.base) {
    const pair = webviewPair<TraceHostToWebview, TraceWebviewToHost>();
    const opened: [string, number | null][] = [];
    const controller = new TraceController({
      webview: pair.webview,
      api: new ApiClient(base, 2_000),
      traceId,
      reloadDelayMs: 0,
      onOpenSource: (p, l) => opened.push([p, l]),
    });
    cleanups.push(() => controller.dispose());
    return { ...pair, controller, opened, states: pair.states as TracePanelState[] };
  }

  it('loads the trace, inlines it, and sends nothing more on the first ready', async () => {
    api.traces.set(TRACE_ID, hostileTrace());
    const t = traceSetup();
    const state = await t.controller.load();
    expect(state.status).toBe('ready');
    expect(state.detail?.spans).toHaveLength(4);
    const inlined = t.controller.snapshotForHtml();
    expect(inlined).toBe(state);
    t.view.sendReady();
    await until(() => t.controller.endpoint.isReady, 2_000, 'ready');
    // the webview already has this version from its HTML: a round trip shows nothing was pushed
    await t.view.request('reload', {}).then((reply) => expect(reply.status).toBe('ready'));
    expect(t.states).toHaveLength(1); // only the push caused by the reload itself
    expect(api.seen.filter((r) => r.path === `/api/traces/${TRACE_ID}`)).toHaveLength(2);
  });

  it('sends the state on ready when it changed after the HTML was set, and again after a webview reload', async () => {
    api.traces.set(TRACE_ID, hostileTrace());
    const t = traceSetup();
    t.controller.snapshotForHtml(); // HTML with the loading state
    await t.controller.load(); // data arrives before the webview is up: held back
    expect(t.states).toHaveLength(0);
    t.view.sendReady();
    await until(() => t.states.length === 1, 2_000, 'state after ready');
    expect(t.states[0].status).toBe('ready');
    t.view.sendReady(); // webview rebuilt from HTML (hidden and shown again)
    await until(() => t.states.length === 2, 2_000, 'state after second ready');
  });

  it('reports a missing trace, then shows it when its spans arrive (SSE change event)', async () => {
    const t = traceSetup();
    const first = await t.controller.load();
    expect(first.status).toBe('not-found');
    expect(first.detail).toBeNull();
    t.view.sendReady();
    await until(() => t.states.length === 1);

    const events = new CollectorEvents({
      getBase: () => api.base,
      onEvent: (e) => t.controller.onCollectorEvent(e),
      retryMs: 20,
    });
    events.start();
    cleanups.push(() => events.stop());
    await api.waitForStreams(1);

    api.traces.set(TRACE_ID, hostileTrace());
    api.emit({ type: 'traces-changed', traceIds: ['ffffffffffffffffffffffffffffffff'], spans: 3, llmCalls: 0, at: Date.now() });
    api.emit({ type: 'traces-changed', traceIds: [TRACE_ID], spans: 4, llmCalls: 1, at: Date.now() });
    await until(() => t.states.at(-1)?.status === 'ready', 5_000, 'live update');
    expect(t.states.at(-1)!.detail!.spans).toHaveLength(4);
    // the unrelated trace did not trigger a fetch of its own
    expect(api.seen.some((r) => r.path.startsWith('/api/traces/ffff'))).toBe(false);
  });

  it('keeps the trace on screen and says why when the collector goes away', async () => {
    api.traces.set(TRACE_ID, hostileTrace());
    let base: string | undefined = api.base;
    const t = traceSetup(TRACE_ID, () => base);
    await t.controller.load();
    base = undefined;
    const s = await t.controller.load();
    expect(s.status).toBe('no-collector');
    expect(s.detail?.spans).toHaveLength(4);
    expect(s.error).toMatch(/not running/);
  });

  it('answers reload, remembers the selection, forwards openSource and pushes selectSpan', async () => {
    api.traces.set(TRACE_ID, hostileTrace());
    const t = traceSetup();
    const selected: string[] = [];
    t.view.handleCommand('selectSpan', ({ spanId }) => selected.push(spanId));
    t.view.sendReady();
    const reloaded = await t.view.request('reload', {});
    expect(reloaded.detail?.trace.traceId).toBe(TRACE_ID);
    t.view.notify('didSelectSpan', { spanId: 'aaaaaaaaaaaaaaa3' });
    t.view.command('openSource', { path: 'src/agent.ts', line: 42 });
    await until(() => t.controller.state.selectedSpanId === 'aaaaaaaaaaaaaaa3' && t.opened.length === 1);
    expect(t.opened).toEqual([['src/agent.ts', 42]]);
    t.controller.selectSpan('aaaaaaaaaaaaaaa2');
    await until(() => selected.length === 1);
    expect(selected).toEqual(['aaaaaaaaaaaaaaa2']);
  });

  it('coalesces overlapping loads and survives a disposed webview', async () => {
    api.traces.set(TRACE_ID, hostileTrace());
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
      api: new ApiClient(() => api.base, 2_000),
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
    const client = new ApiClient(() => api.base, 150);
    api.hang.add('/api/stats');
    await expect(client.getJson('/api/stats')).rejects.toMatchObject({ code: 'timeout' });
    await expect(client.getJson('/api/not-json')).rejects.toMatchObject({ code: 'bad-json' });
    await expect(client.getJson('/api/traces/nope')).rejects.toMatchObject({ code: 'not-found', status: 404, message: 'trace not found: nope' });
    await expect(new ApiClient(() => undefined).getJson('/api/stats')).rejects.toMatchObject({ code: 'no-collector' });
    const closed = await new FakeCollectorApi().start();
    const deadBase = closed.base;
    await closed.stop();
    const err = await new ApiClient(() => deadBase, 2_000).getJson('/api/stats').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect((err as ApiRequestError).code).toBe('network');
    expect((err as ApiRequestError).message).toMatch(/ECONNREFUSED/);
  });

  it('passes query parameters, skipping empty ones', async () => {
    api.stats = statsDto();
    await new ApiClient(() => `${api.base}/`).getJson('/api/stats', { from: 1, to: 2, model: undefined, service: '' });
    expect(api.seen.at(-1)).toEqual({ path: '/api/stats', query: { from: '1', to: '2' } });
  });
});

describe('CollectorEvents', () => {
  it('delivers events, skips malformed ones, and reconnects after the stream drops', async () => {
    const got: CollectorEvent[] = [];
    let connects = 0;
    const events = new CollectorEvents({ getBase: () => api.base, onEvent: (e) => got.push(e), onConnected: () => connects++, retryMs: 10 });
    events.start();
    cleanups.push(() => events.stop());
    await api.waitForStreams(1);
    api.emit('{not json');
    api.emit(JSON.stringify({ type: 'unknown-kind' }));
    api.emit({ type: 'cleared', at: 1 });
    await until(() => got.some((e) => e.type === 'cleared'));
    expect(got.map((e) => e.type)).toEqual(['hello', 'cleared']);
    api.dropStreams();
    await until(() => connects === 2 && api.openStreams === 1, 5_000, 'reconnect');
    api.emit({ type: 'traces-changed', traceIds: ['x'], spans: 1, llmCalls: 0, at: 2 });
    await until(() => got.some((e) => e.type === 'traces-changed'));
    await events.stop();
    await until(() => api.openStreams === 0, 5_000, 'stream closed on stop');
  });

  it('waits for a collector to appear', async () => {
    let base: string | undefined;
    const got: CollectorEvent[] = [];
    const events = new CollectorEvents({ getBase: () => base, onEvent: (e) => got.push(e), retryMs: 10 });
    events.start();
    cleanups.push(() => events.stop());
    base = api.base;
    await until(() => got.length === 1, 5_000, 'hello after the collector appeared');
    expect(got[0].type).toBe('hello');
  });
});

describe('SseParser', () => {
  it('splits events across chunks, joins multi-line data and ignores comments and other fields', () => {
    const p = new SseParser();
    expect(p.push(': comment\r\nevent: x\r\ndata: {"a":')).toEqual([]);
    expect(p.push('1}\r\n\r\ndata: line1\ndata: line2\n\nid: 7\n\n')).toEqual(['{"a":1}', 'line1\nline2']);
  });

  it('validates event shapes', () => {
    expect(isCollectorEvent({ type: 'traces-changed', traceIds: ['a'] })).toBe(true);
    expect(isCollectorEvent({ type: 'traces-changed', traceIds: [1] })).toBe(false);
    expect(isCollectorEvent({ type: 'hello', httpPort: 1 })).toBe(true);
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
    expect(modelLabel([])).toBe('(no model)');
    expect(() => seriesFromTraces([], 0, 1, 0)).toThrow(/bucketMs/);
  });
});
