// The trace explorer (one per window) and session views (one per session): their commands,
// their serializers (they come back after a window reload), and Compare, which hands two
// traces to the replay feature's `spyglass.compareTraces` when it is there.

import * as vscode from 'vscode';
import type { CollectorEvent } from '../../protocol/api';
import {
  EXPLORER_VIEW_TYPE,
  SESSION_VIEW_TYPE,
  type ExplorerPersistedState,
  type ExplorerQuery,
  type SessionPersistedState,
} from '../../protocol/explorer';
import type { CollectorConnection } from '../connection/connection';
import { ExplorerController, sanitizeQuery } from './explorer-controller';
import { panelHtml, webviewOptions } from './panel-html';
import { SessionController } from './session-controller';

export const COMPARE_COMMAND = 'spyglass.compareTraces';

type Connection = Pick<CollectorConnection, 'api' | 'log'> & { readonly readOnly?: boolean };

export class ExplorerPanels implements vscode.Disposable {
  private explorer: { panel: vscode.WebviewPanel; controller: ExplorerController } | null = null;
  private readonly sessions = new Map<string, { panel: vscode.WebviewPanel; controller: SessionController }>();
  private readonly registrations: vscode.Disposable[];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly connection: Connection,
    private readonly openTrace: (traceId: string) => Promise<void>,
  ) {
    this.registrations = [
      vscode.commands.registerCommand('spyglass.openExplorer', (query?: unknown) => this.showExplorer(query === undefined ? undefined : sanitizeQuery(query))),
      vscode.commands.registerCommand('spyglass.openSession', (arg?: unknown) => this.showSession(sessionIdOf(arg))),
      vscode.window.registerWebviewPanelSerializer(EXPLORER_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.restoreExplorer(panel, state),
      }),
      vscode.window.registerWebviewPanelSerializer(SESSION_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.restoreSession(panel, state),
      }),
    ];
  }

  handleEvent(event: CollectorEvent): void {
    this.explorer?.controller.onCollectorEvent(event);
    for (const s of this.sessions.values()) s.controller.onCollectorEvent(event);
  }

  handleState(): void {
    this.explorer?.controller.onConnectionChanged();
    for (const s of this.sessions.values()) s.controller.onConnectionChanged();
  }

  async showExplorer(query?: ExplorerQuery): Promise<void> {
    if (this.explorer) {
      this.explorer.panel.reveal();
      if (query) await this.explorer.controller.setQuery(query);
      return;
    }
    const panel = vscode.window.createWebviewPanel(EXPLORER_VIEW_TYPE, 'Spyglass Traces', vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
    this.attachExplorer(panel, query);
  }

  private async restoreExplorer(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (this.explorer) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.extensionUri);
    const q = (state as Partial<ExplorerPersistedState> | undefined)?.query;
    this.attachExplorer(panel, q ? sanitizeQuery(q) : undefined);
  }

  private attachExplorer(panel: vscode.WebviewPanel, query: ExplorerQuery | undefined): void {
    const controller = new ExplorerController({
      webview: panel.webview,
      api: this.connection.api,
      query,
      readOnly: () => this.connection.readOnly ?? false,
      onOpenTrace: (id) => void this.openTrace(id),
      onOpenSession: (id) => void this.showSession(id),
      onCompare: (a, b) => void compareTraces(a, b),
      onError: (err) => this.connection.log.warn(`trace explorer: ${err.message}`),
    });
    this.explorer = { panel, controller };
    panel.onDidDispose(() => {
      controller.dispose();
      if (this.explorer?.controller === controller) this.explorer = null;
    });
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, 'explorer', 'Spyglass Traces', controller.snapshotForHtml());
    void controller.load();
  }

  async showSession(sessionId: string | undefined): Promise<void> {
    const id = sessionId ?? (await vscode.window.showInputBox({ title: 'Open Spyglass session', prompt: 'Session (conversation) id' }))?.trim();
    if (!id) return;
    const open = this.sessions.get(id);
    if (open) {
      open.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(SESSION_VIEW_TYPE, sessionTitle(id), vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
    this.attachSession(panel, id);
  }

  private async restoreSession(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const id = (state as Partial<SessionPersistedState> | undefined)?.sessionId;
    if (typeof id !== 'string' || !id || this.sessions.has(id)) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.extensionUri);
    this.attachSession(panel, id);
  }

  private attachSession(panel: vscode.WebviewPanel, sessionId: string): void {
    const controller = new SessionController({
      webview: panel.webview,
      api: this.connection.api,
      sessionId,
      onOpenTrace: (id) => void this.openTrace(id),
      onError: (err) => this.connection.log.warn(`session view: ${err.message}`),
    });
    this.sessions.set(sessionId, { panel, controller });
    panel.onDidDispose(() => {
      controller.dispose();
      this.sessions.delete(sessionId);
    });
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, 'session', sessionTitle(sessionId), controller.snapshotForHtml());
    void controller.load();
  }

  dispose(): void {
    this.explorer?.panel.dispose();
    for (const s of [...this.sessions.values()]) s.panel.dispose();
    for (const r of this.registrations.splice(0)) r.dispose();
  }
}

function sessionTitle(id: string): string {
  return `Session ${id.length > 24 ? `${id.slice(0, 23)}…` : id}`;
}

/** A session id from a command argument: a string, or a tree node / trace summary that has one. */
export function sessionIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  if (typeof arg === 'object' && arg !== null) {
    const o = arg as { sessionId?: unknown; trace?: { sessionId?: unknown } };
    if (typeof o.sessionId === 'string' && o.sessionId) return o.sessionId;
    if (typeof o.trace?.sessionId === 'string' && o.trace.sessionId) return o.trace.sessionId;
  }
  return undefined;
}

/** Compare belongs to the replay feature; until it is installed, say so rather than fail silently. */
export async function compareTraces(a: string, b: string): Promise<void> {
  if ((await vscode.commands.getCommands(true)).includes(COMPARE_COMMAND)) {
    await vscode.commands.executeCommand(COMPARE_COMMAND, a, b);
    return;
  }
  void vscode.window.showInformationMessage(
    `Spyglass: comparing traces is not available in this version (the command ${COMPARE_COMMAND} is not registered). Selected: ${a.slice(0, 8)} and ${b.slice(0, 8)}.`,
  );
}
