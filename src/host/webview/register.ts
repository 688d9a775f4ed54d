// Registers the trace panel and the dashboard: their commands, their serializers (so they come
// back after a window reload), and one change-event subscription shared by open panels.

import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DASHBOARD_VIEW_TYPE,
  TRACE_VIEW_TYPE,
  isTimeRangeKey,
  type DashboardPersistedState,
  type TimeRangeKey,
  type TracePersistedState,
} from '../../protocol/webview';
import { ApiClient } from './api-client';
import { DashboardController } from './dashboard-controller';
import { CollectorEvents } from './event-stream';
import { panelHtml, webviewOptions } from './panel-html';
import { TraceController } from './trace-controller';

/** How long a new panel waits for its first data before it paints a loading state instead. */
const FIRST_PAINT_WAIT_MS = 1_500;
const TRACE_ID = /^[0-9a-f]{32}$/i;

interface OpenTrace {
  panel: vscode.WebviewPanel;
  controller: TraceController;
}

export function registerWebviews(context: vscode.ExtensionContext, getApiBase: () => string | undefined): vscode.Disposable[] {
  const panels = new WebviewPanels(context.extensionUri, getApiBase);
  return [
    vscode.commands.registerCommand('spyglass.showTracePanel', async (arg?: unknown, spanArg?: unknown) => {
      const target = parseTraceTarget(arg, spanArg);
      if (target) {
        await panels.showTrace(target.traceId, target.spanId);
        return;
      }
      // No id: the host's "Open Trace…" has the nicer recent-traces picker; it calls back here.
      if ((await vscode.commands.getCommands(true)).includes('spyglass.openTrace')) {
        await vscode.commands.executeCommand('spyglass.openTrace');
        return;
      }
      const asked = await askForTraceId();
      if (asked) await panels.showTrace(asked.traceId, null);
    }),
    vscode.commands.registerCommand('spyglass.showDashboard', () => panels.showDashboard()),
    vscode.window.registerWebviewPanelSerializer(TRACE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => panels.restoreTrace(panel, state),
    }),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => panels.restoreDashboard(panel, state),
    }),
    panels,
  ];
}

/** Accepts a trace id, `{traceId, spanId?}` (tree items pass their node) and an optional span id. */
export function parseTraceTarget(arg: unknown, spanArg?: unknown): { traceId: string; spanId: string | null } | null {
  let traceId: unknown = arg;
  let spanId: unknown = spanArg;
  if (typeof arg === 'object' && arg !== null) {
    const o = arg as Record<string, unknown>;
    traceId = o.traceId;
    spanId = spanArg ?? o.spanId;
  }
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) return null;
  return { traceId: traceId.toLowerCase(), spanId: typeof spanId === 'string' && spanId.length > 0 ? spanId : null };
}

async function askForTraceId(): Promise<{ traceId: string; spanId: null } | null> {
  const value = await vscode.window.showInputBox({
    title: 'Open Spyglass trace',
    prompt: 'Trace id (32 hex characters)',
    validateInput: (v) => (TRACE_ID.test(v.trim()) ? null : 'A trace id is 32 hexadecimal characters.'),
  });
  return value ? { traceId: value.trim().toLowerCase(), spanId: null } : null;
}

class WebviewPanels implements vscode.Disposable {
  private readonly api: ApiClient;
  private readonly traces = new Map<string, OpenTrace>();
  private dashboard: { panel: vscode.WebviewPanel; controller: DashboardController } | null = null;
  private readonly events: CollectorEvents;
  private eventsRunning = false;
  private outputChannel: vscode.LogOutputChannel | null = null;

  /** Created on first use: activation stays cheap when no panel ever logs. */
  private get output(): vscode.LogOutputChannel {
    this.outputChannel ??= vscode.window.createOutputChannel('Spyglass Webviews', { log: true });
    return this.outputChannel;
  }

  constructor(
    private readonly extensionUri: vscode.Uri,
    getApiBase: () => string | undefined,
  ) {
    this.api = new ApiClient(getApiBase);
    this.events = new CollectorEvents({
      getBase: getApiBase,
      onEvent: (event) => {
        for (const t of this.traces.values()) t.controller.onCollectorEvent(event);
        this.dashboard?.controller.onCollectorEvent(event);
      },
      onConnected: () => {
        for (const t of this.traces.values()) t.controller.onCollectorConnected();
        this.dashboard?.controller.onCollectorConnected();
      },
    });
  }

  async showTrace(traceId: string, spanId: string | null): Promise<void> {
    const open = this.traces.get(traceId);
    if (open) {
      open.panel.reveal();
      if (spanId) open.controller.selectSpan(spanId);
      return;
    }
    const panel = vscode.window.createWebviewPanel(TRACE_VIEW_TYPE, traceTitle(traceId, null), vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri),
      enableFindWidget: true,
    });
    await this.attachTrace(panel, traceId, spanId);
  }

  async restoreTrace(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const s = state as Partial<TracePersistedState> | undefined;
    if (typeof s?.traceId !== 'string' || !TRACE_ID.test(s.traceId)) {
      panel.dispose(); // nothing to restore it to
      return;
    }
    if (this.traces.has(s.traceId)) {
      panel.dispose();
      return;
    }
    await this.attachTrace(panel, s.traceId, typeof s.selectedSpanId === 'string' ? s.selectedSpanId : null);
  }

  private async attachTrace(panel: vscode.WebviewPanel, traceId: string, spanId: string | null): Promise<void> {
    panel.webview.options = webviewOptions(this.extensionUri);
    const controller = new TraceController({
      webview: panel.webview,
      api: this.api,
      traceId,
      selectedSpanId: spanId,
      onOpenSource: (file, line) => void openSource(file, line),
      onOpenTrace: (id, span) => void this.showTrace(id, span),
      onError: (err) => this.output.warn(`trace panel: ${err.message}`),
    });
    this.traces.set(traceId, { panel, controller });
    panel.onDidDispose(() => {
      controller.dispose();
      this.traces.delete(traceId);
      this.syncEvents();
    });
    this.syncEvents();
    const loaded = controller.load().then((s) => {
      if (!controller.isDisposed) panel.title = traceTitle(traceId, s.detail?.trace.rootName ?? null);
    });
    await firstPaint(loaded);
    if (controller.isDisposed) return;
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, 'trace', panel.title, controller.snapshotForHtml());
  }

  async showDashboard(): Promise<void> {
    if (this.dashboard) {
      this.dashboard.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Spyglass Dashboard', vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
    await this.attachDashboard(panel, undefined);
  }

  async restoreDashboard(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (this.dashboard) {
      panel.dispose();
      return;
    }
    const range = (state as Partial<DashboardPersistedState> | undefined)?.range;
    await this.attachDashboard(panel, isTimeRangeKey(range) ? range : undefined);
  }

  private async attachDashboard(panel: vscode.WebviewPanel, range: TimeRangeKey | undefined): Promise<void> {
    panel.webview.options = webviewOptions(this.extensionUri);
    const controller = new DashboardController({
      webview: panel.webview,
      api: this.api,
      range,
      onOpenTrace: (traceId) => void this.showTrace(traceId, null),
      onError: (err) => this.output.warn(`dashboard: ${err.message}`),
    });
    this.dashboard = { panel, controller };
    panel.onDidDispose(() => {
      controller.dispose();
      if (this.dashboard?.controller === controller) this.dashboard = null;
      this.syncEvents();
    });
    this.syncEvents();
    await firstPaint(controller.load());
    if (controller.isDisposed) return;
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, 'dashboard', 'Spyglass Dashboard', controller.snapshotForHtml());
  }

  /** Listen to change events only while a panel is open. */
  private syncEvents(): void {
    const wanted = this.traces.size > 0 || this.dashboard !== null;
    if (wanted && !this.eventsRunning) {
      this.eventsRunning = true;
      this.events.start();
    } else if (!wanted && this.eventsRunning) {
      this.eventsRunning = false;
      void this.events.stop();
    }
  }

  dispose(): void {
    for (const t of [...this.traces.values()]) t.panel.dispose();
    this.dashboard?.panel.dispose();
    void this.events.stop();
    this.outputChannel?.dispose();
  }
}

function traceTitle(traceId: string, rootName: string | null): string {
  const name = rootName && rootName.length > 40 ? `${rootName.slice(0, 39)}…` : rootName;
  return name ? `Trace: ${name}` : `Trace ${traceId.slice(0, 8)}`;
}

/** Waits for the first load, but not for long: a slow collector gets a loading state painted. */
async function firstPaint(loading: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    loading.catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_PAINT_WAIT_MS))),
  ]);
  clearTimeout(timer);
}

/** "Go to source" from `code.filepath`: absolute, relative to a workspace folder, or found by name. */
async function openSource(file: string, line: number | null): Promise<void> {
  const candidates: vscode.Uri[] = [];
  if (path.isAbsolute(file)) candidates.push(vscode.Uri.file(file));
  for (const folder of vscode.workspace.workspaceFolders ?? []) candidates.push(vscode.Uri.joinPath(folder.uri, file));
  let target: vscode.Uri | undefined;
  for (const uri of candidates) {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.File) {
        target = uri;
        break;
      }
    } catch {
      // not there; try the next place
    }
  }
  if (!target) {
    const base = path.basename(file).replace(/[[\]{}*?!]/g, '');
    if (base) [target] = await vscode.workspace.findFiles(`**/${base}`, '**/node_modules/**', 1);
  }
  if (!target) {
    void vscode.window.showWarningMessage(`Spyglass: cannot find ${file} in this workspace.`);
    return;
  }
  const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  await vscode.window.showTextDocument(target, { selection: new vscode.Range(position, position), preview: true });
}
