// The trace panels and the dashboard: their commands, their serializers (so they come back
// after a window reload), and the collector connection they all share (its API client, its
// event stream, its log).

import * as vscode from 'vscode';
import type { CollectorEvent } from '../../protocol/api';
import type { CallAction } from '../../protocol/webview';
import {
  DASHBOARD_VIEW_TYPE,
  TRACE_VIEW_TYPE,
  isTimeRangeKey,
  type DashboardPersistedState,
  type TimeRangeKey,
  type TraceLayout,
  type TracePersistedState,
} from '../../protocol/webview';
import type { CollectorConnection } from '../connection/connection';
import type { CollectorState } from '../connection/ownership-model';
import { openTraceDocument } from '../documents/trace-documents';
import { DashboardController } from './dashboard-controller';
import { ExplorerPanels } from './explorer-panels';
import { openSource } from './open-source';
import { panelHtml, webviewOptions } from './panel-html';
import { copyToClipboard, openExternalLink } from './external';
import { TraceController } from './trace-controller';

const LAYOUT_KEY = 'spyglass.tracePanel.layout';

/** How long a new dashboard waits for its first data before it paints a loading state instead. */
const FIRST_PAINT_WAIT_MS = 1_500;
const TRACE_ID = /^[0-9a-f]{32}$/i;

interface OpenTrace {
  panel: vscode.WebviewPanel;
  controller: TraceController;
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

/** The command each action of an LLM call's details runs (src/host/replay/replay-commands.ts). */
const CALL_ACTION_COMMANDS: Record<CallAction, string> = {
  replay: 'spyglass.replayCall',
  replayTimes: 'spyglass.replayCallTimes',
  compareWith: 'spyglass.compareWith',
  copyAsCurl: 'spyglass.copyAsCurl',
  copyAsTypeScript: 'spyglass.copyAsTypeScript',
  copyAsPython: 'spyglass.copyAsPython',
};

export class TracePanels implements vscode.Disposable {
  private readonly traces = new Map<string, OpenTrace>();
  private dashboard: { panel: vscode.WebviewPanel; controller: DashboardController } | null = null;
  private readonly registrations: vscode.Disposable[];
  /** The trace explorer and the session views. */
  readonly explorer: ExplorerPanels;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly connection: Pick<CollectorConnection, 'api' | 'log'> & { readonly readOnly?: boolean },
    /** Where the trace panels' splitter sizes are kept (the extension's global state). */
    private readonly layoutMemento?: vscode.Memento,
  ) {
    this.explorer = new ExplorerPanels(extensionUri, connection, (id) => this.showTrace(id, null));
    this.registrations = [
      vscode.commands.registerCommand('spyglass.showTracePanel', async (arg?: unknown, spanArg?: unknown) => {
        const target = parseTraceTarget(arg, spanArg);
        if (target) {
          await this.showTrace(target.traceId, target.spanId);
          return;
        }
        // No id: the host's "Open Trace…" has the nicer recent-traces picker; it calls back here.
        if ((await vscode.commands.getCommands(true)).includes('spyglass.openTrace')) {
          await vscode.commands.executeCommand('spyglass.openTrace');
          return;
        }
        const asked = await askForTraceId();
        if (asked) await this.showTrace(asked.traceId, null);
      }),
      vscode.commands.registerCommand('spyglass.showDashboard', () => this.showDashboard()),
      vscode.window.registerWebviewPanelSerializer(TRACE_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.restoreTrace(panel, state),
      }),
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.restoreDashboard(panel, state),
      }),
    ];
  }

  /** Open panels follow the collector's change events. */
  handleEvent(event: CollectorEvent): void {
    for (const t of this.traces.values()) t.controller.onCollectorEvent(event);
    this.dashboard?.controller.onCollectorEvent(event);
    this.explorer.handleEvent(event);
  }

  /** The collector went away (panels say so and keep what they show) or came back. */
  handleState(state: CollectorState): void {
    if (state.kind === 'starting') return;
    for (const t of this.traces.values()) t.controller.onConnectionChanged();
    this.dashboard?.controller.onConnectionChanged();
    this.explorer.handleState();
  }

  get openTraceIds(): string[] {
    return [...this.traces.keys()];
  }

  /** `annotationId`: scroll the span's details to that annotation (a guardrail hit opened from the Guardrails view). */
  async showTrace(traceId: string, spanId: string | null, annotationId?: string): Promise<void> {
    const open = this.traces.get(traceId);
    if (open) {
      open.panel.reveal();
      if (spanId) open.controller.selectSpan(spanId, annotationId);
      return;
    }
    const panel = vscode.window.createWebviewPanel(TRACE_VIEW_TYPE, traceTitle(traceId, null), vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri),
      enableFindWidget: true,
    });
    this.attachTrace(panel, traceId, spanId);
    if (spanId && annotationId !== undefined) this.traces.get(traceId)?.controller.selectSpan(spanId, annotationId);
  }

  async restoreTrace(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const s = state as Partial<TracePersistedState> | undefined;
    if (typeof s?.traceId !== 'string' || !TRACE_ID.test(s.traceId) || this.traces.has(s.traceId)) {
      panel.dispose(); // nothing to restore it to, or it is open already
      return;
    }
    // A panel brought back after a reload keeps no options of ours: set them before the HTML.
    panel.webview.options = webviewOptions(this.extensionUri);
    this.attachTrace(panel, s.traceId, typeof s.selectedSpanId === 'string' ? s.selectedSpanId : null);
  }

  /**
   * The HTML goes in at once, with the small loading state: the webview starts its script while
   * the host fetches the outline, and the outline follows as a message (held until it is ready).
   */
  private attachTrace(panel: vscode.WebviewPanel, traceId: string, spanId: string | null): void {
    const controller = new TraceController({
      webview: panel.webview,
      api: this.connection.api,
      traceId,
      selectedSpanId: spanId,
      onOpenSource: (file, line) => void openSource(file, line),
      onOpenTrace: (id, span) => void this.showTrace(id, span),
      onOpenJson: (id, span) => void openTraceDocument(id, span ?? undefined).catch((e: Error) => void vscode.window.showErrorMessage(`Spyglass: ${e.message}`)),
      onCallAction: (id, span, action) => void vscode.commands.executeCommand(CALL_ACTION_COMMANDS[action], { traceId: id, spanId: span }),
      onCopy: (text, what) => void copyToClipboard(text, what),
      onOpenLink: (url) => void openExternalLink(url),
      layout: this.layoutMemento ? {
        get: () => this.layoutMemento?.get<TraceLayout>(LAYOUT_KEY),
        set: (layout) => void this.layoutMemento?.update(LAYOUT_KEY, layout),
      } : undefined,
      onError: (err) => this.connection.log.warn(`trace panel: ${err.message}`),
    });
    this.traces.set(traceId, { panel, controller });
    panel.onDidDispose(() => {
      controller.dispose();
      this.traces.delete(traceId);
    });
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, 'trace', panel.title, controller.snapshotForHtml());
    void controller.load().then((s) => {
      if (!controller.isDisposed && s.trace) panel.title = traceTitle(traceId, s.trace.rootName);
    });
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
      api: this.connection.api,
      range,
      onOpenTrace: (traceId) => void this.showTrace(traceId, null),
      onError: (err) => this.connection.log.warn(`dashboard: ${err.message}`),
    });
    this.dashboard = { panel, controller };
    panel.onDidDispose(() => {
      controller.dispose();
      if (this.dashboard?.controller === controller) this.dashboard = null;
    });
    await firstPaint(controller.load());
    if (controller.isDisposed) return;
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, 'dashboard', 'Spyglass Dashboard', controller.snapshotForHtml());
  }

  dispose(): void {
    for (const t of [...this.traces.values()]) t.panel.dispose();
    this.dashboard?.panel.dispose();
    this.explorer.dispose();
    for (const r of this.registrations.splice(0)) r.dispose();
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
