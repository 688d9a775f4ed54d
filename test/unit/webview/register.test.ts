// TracePanels against a small vscode stand-in (just what the panels touch) and a real loopback
// collector API through the host's one API client: commands, HTML set once with CSP and the
// small inlined state, the outline as a message, one panel per trace, serializers, and change
// events fanned out by the host.
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
      createWebviewPanel: (viewType: string, title: string, _column: unknown, options: unknown) => {
        const panel = makePanel(viewType, title);
        panel.webview.options = options;
        return panel;
      },
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
import { ApiClient } from '../../../src/host/connection/api-client';
import { TracePanels, parseTraceTarget } from '../../../src/host/panels/register';
import { parseOutlineMessage } from '../../../src/protocol/webview';
import { FakeCollectorApi } from './fake-collector-api';
import { TRACE_ID, hostileTrace, seriesDto, statsDto, HOSTILE } from './fixtures';

let api: FakeCollectorApi;
let panelsHost: TracePanels;
const warnings: string[] = [];
const log = { info: () => undefined, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
const extensionUri = vscode.Uri.file('/ext') as unknown as import('vscode').Uri;
const open = (port: () => number | null) => new TracePanels(extensionUri, { api: new ApiClient(port, 2_000), log });

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

const posted = (p: FakePanel, method: string) => p.webview.posted.filter((m) => (m as { method?: string }).method === method) as { params: Record<string, unknown> }[];
/** The outlines a panel was sent (as JSON text, the way they travel). */
const outlines = (p: FakePanel) => posted(p, 'didChangeOutline').map((m) => parseOutlineMessage(m.params as { json: string })!);

beforeEach(async () => {
  api = await new FakeCollectorApi().start();
  api.put(hostileTrace());
  api.stats = statsDto();
  api.series = (q) => seriesDto(Number(q.from), Number(q.to), Number(q.bucketMs));
  vs.panels.length = 0;
  panelsHost = open(() => api.port);
});

afterEach(async () => {
  panelsHost.dispose();
  await api.stop();
});

describe('TracePanels', () => {
  it('registers the panels\' commands and serializers (trace, dashboard, explorer, session)', () => {
    for (const c of ['spyglass.showTracePanel', 'spyglass.showDashboard', 'spyglass.openExplorer', 'spyglass.openSession']) expect(vs.commands.has(c)).toBe(true);
    expect([...vs.serializers.keys()].sort()).toEqual(['spyglass.dashboard', 'spyglass.explorer', 'spyglass.session', 'spyglass.trace']);
  });

  it('opens a trace panel at once with a small inlined state under a strict CSP, then sends the outline, once per trace', async () => {
    await vs.commands.get('spyglass.showTracePanel')!(TRACE_ID, 'aaaaaaaaaaaaaaa3');
    expect(panels()).toHaveLength(1);
    const p = panels()[0];
    expect(p.viewType).toBe('spyglass.trace');
    const html = p.webview.html;
    expect(html).toMatch(/script-src &#39;nonce-[A-Za-z0-9_-]{22}&#39;;/); // attribute-escaped quotes
    expect(html).toContain('src="https://fake.vscode-cdn.net/ext/dist/webview/trace.js"');
    expect(html).toContain('href="https://fake.vscode-cdn.net/ext/dist/webview/codicon.css"');
    expect(html).toContain('href="https://fake.vscode-cdn.net/ext/media/trace.css"');
    const state = initialStateOf(html) as { status: string; selectedSpanId: string };
    expect(state.status).toBe('loading'); // the HTML does not wait for the collector
    expect(state.selectedSpanId).toBe('aaaaaaaaaaaaaaa3');
    const roots = (p.webview.options as { localResourceRoots: { path: string }[] }).localResourceRoots.map((u) => u.path);
    expect(roots).toEqual(['/ext/dist/webview', '/ext/media']);
    await until(() => p.title !== 'Trace 0af76519', 5_000, 'the title from the loaded trace');
    expect(p.title).toBe(`Trace: ${`agent run ${HOSTILE}`.slice(0, 39)}…`);
    // nothing is posted before the webview says it is ready; then the outline and the state
    expect(p.webview.posted).toHaveLength(0);
    for (const l of p.webview.listeners) l({ kind: 'ready' });
    await until(() => posted(p, 'didChangeOutline').length === 1 && posted(p, 'didChangeState').length === 1, 5_000, 'outline and state');
    expect(outlines(p)[0].spanId).toHaveLength(4);
    // the same trace again: revealed, not duplicated; the host asks it to select the span
    await vs.commands.get('spyglass.showTracePanel')!({ traceId: TRACE_ID.toUpperCase(), spanId: 'aaaaaaaaaaaaaaa2' });
    expect(panels()).toHaveLength(1);
    expect(p.revealed).toBe(1);
    await until(() => p.webview.posted.some((m) => (m as { method?: string }).method === 'selectSpan'));
  });

  it('patches open panels on the change events the host fans out', async () => {
    await vs.commands.get('spyglass.showTracePanel')!(TRACE_ID);
    const p = panels()[0];
    for (const l of p.webview.listeners) l({ kind: 'ready' });
    await until(() => posted(p, 'didChangeOutline').length === 1, 5_000, 'first outline');
    const detail = hostileTrace();
    detail.spans[1].annotations.push({
      id: 'x1', traceId: TRACE_ID, spanId: detail.spans[1].spanId, kind: 'evaluation', name: 'relevance', label: null, score: 1, explanation: null,
      source: 'instrumentation', location: null, attributes: {}, createdAt: 1, callRevision: 0,
    });
    api.put(detail, [detail.spans[1].spanId]);
    panelsHost.handleEvent({ type: 'annotations-changed', traceIds: [TRACE_ID], at: Date.now() });
    await until(() => posted(p, 'didChangeOutline').length === 2, 5_000, 'the patch after the change event');
    const patch = outlines(p)[1];
    expect(patch.partial).toBe(true);
    expect(patch.spanId).toEqual([detail.spans[1].spanId]);
    expect(patch.annotationCounts).toEqual([{ evaluation: 1 }]);
    p.dispose();
    expect(panelsHost.openTraceIds).toEqual([]);
  });

  it('restores panels from their persisted state after a reload', async () => {
    const make = (vscode as unknown as { __makePanel(t: string, title: string): FakePanel }).__makePanel;
    const restored = make('spyglass.trace', 'Trace');
    await vs.serializers.get('spyglass.trace')!.deserializeWebviewPanel(restored, { traceId: TRACE_ID, selectedSpanId: 'aaaaaaaaaaaaaaa4' });
    expect((initialStateOf(restored.webview.html) as { selectedSpanId: string }).selectedSpanId).toBe('aaaaaaaaaaaaaaa4');
    expect(panelsHost.openTraceIds).toEqual([TRACE_ID]);
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

  it('shows a "no collector" state rather than failing when capture is off', async () => {
    panelsHost.dispose();
    panelsHost = open(() => null);
    await vs.commands.get('spyglass.showTracePanel')!(TRACE_ID);
    const p = panels()[0];
    for (const l of p.webview.listeners) l({ kind: 'ready' });
    await until(() => posted(p, 'didChangeState').some((m) => m.params.status === 'no-collector'), 5_000, 'the no-collector state');
    expect(posted(p, 'didChangeOutline')).toHaveLength(0);
    p.dispose();
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
