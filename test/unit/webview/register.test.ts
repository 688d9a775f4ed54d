// registerWebviews against a small vscode stand-in (just what the panels touch) and a real
// loopback collector API: commands, HTML set once with CSP and inlined state, one panel per
// trace, serializers, and the change stream only while panels are open.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface FakeWebview {
  options: unknown;
  html: string;
  cspSource: string;
  posted: unknown[];
  listeners: Set<(m: unknown) => void>;
}

interface FakePanel {
  viewType: string;
  title: string;
  webview: FakeWebview & {
    asWebviewUri(u: { path: string }): { toString(): string };
    postMessage(m: unknown): Promise<boolean>;
    onDidReceiveMessage(l: (m: unknown) => void): { dispose(): void };
  };
  revealed: number;
  disposed: boolean;
  reveal(): void;
  dispose(): void;
  onDidDispose(l: () => void): { dispose(): void };
}

const vs = vi.hoisted(() => {
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const serializers = new Map<string, { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }>();
  const panels: unknown[] = [];
  return { commands, serializers, panels };
});

vi.mock('vscode', () => {
  class Uri {
    constructor(readonly path: string) {}
    static file(p: string) {
      return new Uri(p);
    }
    static joinPath(base: Uri, ...parts: string[]) {
      return new Uri([base.path, ...parts].join('/'));
    }
    toString() {
      return `file://${this.path}`;
    }
  }
  const makePanel = (viewType: string, title: string) => {
    const disposeListeners = new Set<() => void>();
    const panel = {
      viewType,
      title,
      revealed: 0,
      disposed: false,
      webview: {
        options: undefined as unknown,
        html: '',
        cspSource: 'https://fake.vscode-cdn.net',
        posted: [] as unknown[],
        listeners: new Set<(m: unknown) => void>(),
        asWebviewUri: (u: Uri) => ({ toString: () => `https://fake.vscode-cdn.net${u.path}` }),
        postMessage(m: unknown) {
          if (panel.disposed) return Promise.reject(new Error('disposed'));
          this.posted.push(m);
          return Promise.resolve(true);
        },
        onDidReceiveMessage(l: (m: unknown) => void) {
          this.listeners.add(l);
          return { dispose: () => this.listeners.delete(l) };
        },
      },
      reveal() {
        panel.revealed++;
      },
      dispose() {
        if (panel.disposed) return;
        panel.disposed = true;
        for (const l of disposeListeners) l();
      },
      onDidDispose(l: () => void) {
        disposeListeners.add(l);
        return { dispose: () => disposeListeners.delete(l) };
      },
    };
    vs.panels.push(panel);
    return panel;
  };
  return {
    Uri,
    ViewColumn: { Active: -1 },
    FileType: { File: 1 },
    Position: class {},
    Range: class {},
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        vs.commands.set(id, fn);
        return { dispose: () => vs.commands.delete(id) };
      },
      getCommands: async () => [...vs.commands.keys()],
      executeCommand: async (id: string, ...args: unknown[]) => vs.commands.get(id)?.(...args),
    },
    window: {
      registerWebviewPanelSerializer: (viewType: string, s: { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }) => {
        vs.serializers.set(viewType, s);
        return { dispose: () => vs.serializers.delete(viewType) };
      },
      createWebviewPanel: (viewType: string, title: string) => makePanel(viewType, title),
      createOutputChannel: () => ({ warn: () => undefined, info: () => undefined, dispose: () => undefined }),
      showInputBox: async () => undefined,
      showWarningMessage: async () => undefined,
      showTextDocument: async () => undefined,
    },
    workspace: { workspaceFolders: [], fs: { stat: async () => ({ type: 0 }) }, findFiles: async () => [] },
    __makePanel: makePanel,
  };
});

import * as vscode from 'vscode';
import { registerWebviews, parseTraceTarget } from '../../../src/host/webview/register';
import { FakeCollectorApi } from './fake-collector-api';
import { TRACE_ID, hostileTrace, seriesDto, statsDto, HOSTILE } from './fixtures';

let api: FakeCollectorApi;
let disposables: { dispose(): unknown }[] = [];
const context = { extensionUri: vscode.Uri.file('/ext'), subscriptions: [] } as unknown as import('vscode').ExtensionContext;

async function until(check: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

function initialStateOf(html: string): unknown {
  const m = /<script type="application\/json" id="initial-state" nonce="[^"]+">([^<]*)<\/script>/.exec(html);
  if (!m) throw new Error('no initial state block');
  return JSON.parse(m[1]);
}

const panels = () => vs.panels as FakePanel[];

beforeEach(async () => {
  api = await new FakeCollectorApi().start();
  api.traces.set(TRACE_ID, hostileTrace());
  api.stats = statsDto();
  api.series = (q) => seriesDto(Number(q.from), Number(q.to), Number(q.bucketMs));
  vs.panels.length = 0;
  disposables = registerWebviews(context, () => api.base);
});

afterEach(async () => {
  for (const d of disposables) d.dispose();
  await until(() => api.openStreams === 0, 5_000, 'event stream closed');
  await api.stop();
});

describe('registerWebviews', () => {
  it('registers both commands and both serializers', () => {
    expect(vs.commands.has('spyglass.showTracePanel')).toBe(true);
    expect(vs.commands.has('spyglass.showDashboard')).toBe(true);
    expect([...vs.serializers.keys()].sort()).toEqual(['spyglass.dashboard', 'spyglass.trace']);
  });

  it('opens a trace panel with its data inlined under a strict CSP, once per trace', async () => {
    await vs.commands.get('spyglass.showTracePanel')!(TRACE_ID, 'aaaaaaaaaaaaaaa3');
    expect(panels()).toHaveLength(1);
    const p = panels()[0];
    expect(p.viewType).toBe('spyglass.trace');
    expect(p.title).toBe(`Trace: ${`agent run ${HOSTILE}`.slice(0, 39)}…`);
    const html = p.webview.html;
    expect(html).toMatch(/script-src &#39;nonce-[A-Za-z0-9_-]{22}&#39;;/); // attribute-escaped quotes
    expect(html).toContain('src="https://fake.vscode-cdn.net/ext/dist/webview/trace.js"');
    expect(html).toContain('href="https://fake.vscode-cdn.net/ext/dist/webview/codicon.css"');
    expect(html).toContain('href="https://fake.vscode-cdn.net/ext/media/trace.css"');
    const state = initialStateOf(html) as { status: string; selectedSpanId: string; detail: { spans: unknown[] } };
    expect(state.status).toBe('ready');
    expect(state.selectedSpanId).toBe('aaaaaaaaaaaaaaa3');
    expect(state.detail.spans).toHaveLength(4);
    const roots = (p.webview.options as { localResourceRoots: { path: string }[] }).localResourceRoots.map((u) => u.path);
    expect(roots).toEqual(['/ext/dist/webview', '/ext/media']);
    // the same trace again: revealed, not duplicated; the host asks it to select the span
    await vs.commands.get('spyglass.showTracePanel')!({ traceId: TRACE_ID.toUpperCase(), spanId: 'aaaaaaaaaaaaaaa2' });
    expect(panels()).toHaveLength(1);
    expect(p.revealed).toBe(1);
    for (const l of p.webview.listeners) l({ kind: 'ready' });
    await until(() => p.webview.posted.some((m) => (m as { method?: string }).method === 'selectSpan'));
  });

  it('listens to change events while a panel is open and stops when the last one closes', async () => {
    await vs.commands.get('spyglass.showTracePanel')!(TRACE_ID);
    await api.waitForStreams(1);
    const p = panels()[0];
    for (const l of p.webview.listeners) l({ kind: 'ready' });
    const before = p.webview.posted.length;
    const detail = hostileTrace();
    detail.spans.pop();
    api.traces.set(TRACE_ID, detail);
    api.emit({ type: 'traces-changed', traceIds: [TRACE_ID], spans: 1, llmCalls: 0, at: Date.now() });
    await until(() => p.webview.posted.length > before, 5_000, 'didChangeState after the change event');
    const last = p.webview.posted.at(-1) as { method: string; params: { detail: { spans: unknown[] } } };
    expect(last.method).toBe('didChangeState');
    expect(last.params.detail.spans).toHaveLength(3);
    p.dispose();
    await until(() => api.openStreams === 0, 5_000, 'stream closed after the last panel');
  });

  it('restores panels from their persisted state after a reload', async () => {
    const make = (vscode as unknown as { __makePanel(t: string, title: string): FakePanel }).__makePanel;
    const restored = make('spyglass.trace', 'Trace');
    await vs.serializers.get('spyglass.trace')!.deserializeWebviewPanel(restored, { traceId: TRACE_ID, selectedSpanId: 'aaaaaaaaaaaaaaa4' });
    expect((initialStateOf(restored.webview.html) as { selectedSpanId: string }).selectedSpanId).toBe('aaaaaaaaaaaaaaa4');
    const bogus = make('spyglass.trace', 'Trace');
    await vs.serializers.get('spyglass.trace')!.deserializeWebviewPanel(bogus, { traceId: '</script>' });
    expect(bogus.disposed).toBe(true);
    const dash = make('spyglass.dashboard', 'Dashboard');
    await vs.serializers.get('spyglass.dashboard')!.deserializeWebviewPanel(dash, { range: '24h' });
    const ds = initialStateOf(dash.webview.html) as { range: string; status: string; series: { bucketMs: number } };
    expect(ds.range).toBe('24h');
    expect(ds.status).toBe('ready');
    expect(ds.series.bucketMs).toBe(3_600_000);
    expect(dash.webview.html).toContain('/ext/dist/webview/dashboard.js');
  });

  it('opens one dashboard and reveals it on the second call', async () => {
    await vs.commands.get('spyglass.showDashboard')!();
    await vs.commands.get('spyglass.showDashboard')!();
    const dashboards = panels().filter((p) => p.viewType === 'spyglass.dashboard');
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0].revealed).toBe(1);
  });

  it('paints a "no collector" state rather than failing when capture is off', async () => {
    for (const d of disposables) d.dispose();
    disposables = registerWebviews(context, () => undefined);
    await vs.commands.get('spyglass.showTracePanel')!(TRACE_ID);
    const state = initialStateOf(panels()[0].webview.html) as { status: string; error: string };
    expect(state.status).toBe('no-collector');
    panels()[0].dispose();
  });
});

describe('parseTraceTarget', () => {
  it('accepts ids, tree nodes and span ids, and rejects anything else', () => {
    expect(parseTraceTarget(TRACE_ID)).toEqual({ traceId: TRACE_ID, spanId: null });
    expect(parseTraceTarget({ traceId: TRACE_ID, spanId: 'abc' })).toEqual({ traceId: TRACE_ID, spanId: 'abc' });
    expect(parseTraceTarget(TRACE_ID, 'def')).toEqual({ traceId: TRACE_ID, spanId: 'def' });
    expect(parseTraceTarget('xyz')).toBeNull();
    expect(parseTraceTarget(undefined)).toBeNull();
    expect(parseTraceTarget({ traceId: 42 })).toBeNull();
  });
});
