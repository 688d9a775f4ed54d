// Everything one window's Spyglass consists of, created at activation: the collector connection
// (its lifecycle loaded after activation returns), status bar item, Traces tree, panels,
// commands and terminal environment. Wiring only: each part lives in its own folder.

import * as vscode from 'vscode';
import type { CollectorEvent } from '../protocol/api';
import { registerAlertCommands } from './alerts/alert-commands';
import { ALERTS_VIEW_ID, AlertsView } from './alerts/alerts-view';
import { registerCommands } from './commands';
import { ReplayCommands } from './replay/replay-commands';
import type { ApiClient } from './connection/api-client';
import { CollectorConnection } from './connection/connection';
import type { CollectorState } from './connection/ownership-model';
import { TraceDocuments } from './documents/trace-documents';
import { TracePanels } from './panels/register';
import { PromptsView } from './prompts/prompts-view';
import { autoStartEnabled, collectorExecPath, readStartOptions, readTerminalSettings } from './settings/settings';
import { changedSettings } from './settings/settings-model';
import { SpyglassStatusBar } from './status/status-bar';
import { TerminalEnvironment } from './settings/terminal-env';
import { filterSummary, isFilterActive, type TraceFilter } from './tree/trace-tree-model';
import { TracesTreeProvider, type TracesTreeNode } from './tree/traces-tree';
import { registerCopilotTracing } from './settings/copilot-tracing';
import { WalkthroughPorts } from './walkthrough/walkthrough-ports';
import { tickStep } from './walkthrough/open-walkthrough';
import { Guardrails } from './guardrails/register';

export const TRACES_VIEW_ID = 'spyglass.traces';

/** What activate() returns: for tests in a real VS Code host, and other extensions. */
export interface SpyglassApi {
  readonly state: CollectorState;
  apiBase(): string | undefined;
}

export class SpyglassHost implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly connection: CollectorConnection;
  readonly statusBar: SpyglassStatusBar;
  readonly tree: TracesTreeProvider;
  readonly treeView: vscode.TreeView<TracesTreeNode>;
  readonly panels: TracePanels;
  readonly prompts: PromptsView;
  readonly documents: TraceDocuments;
  private readonly walkthroughPorts: WalkthroughPorts;
  readonly alerts: AlertsView;
  readonly guardrails: Guardrails;
  private readonly terminalEnv: TerminalEnvironment;
  private readonly disposables: vscode.Disposable[] = [];
  private state: CollectorState = { kind: 'stopped' };
  private restartTimer: NodeJS.Timeout | null = null;
  private shownWarnings = '';
  private disposed = false;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Spyglass', { log: true });
    this.connection = new CollectorConnection({
      cliPath: context.asAbsolutePath('dist/cli.js'),
      execPath: collectorExecPath(),
      getStartOptions: () => {
        const { options, warnings } = readStartOptions(this.context);
        this.reportWarnings(warnings);
        return { ...options, ...this.guardrails.startOptions() };
      },
      log: this.log,
    });
    this.connection.onDidChangeState((s) => this.onState(s));
    this.connection.onEvent((e) => this.onEvent(e));
    this.statusBar = new SpyglassStatusBar(() => this.api);
    this.tree = new TracesTreeProvider({ getApi: () => this.api, onError: (m) => this.log.warn(m) });
    this.treeView = vscode.window.createTreeView(TRACES_VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true });
    this.panels = new TracePanels(context.extensionUri, this.connection, context.globalState);
    this.prompts = new PromptsView(context.extensionUri, () => this.api, this.log, context.secrets);
    this.guardrails = new Guardrails({ getApi: () => this.api, panels: this.panels, log: this.log });
    this.walkthroughPorts = new WalkthroughPorts(context, (m) => this.log.warn(m));
    this.alerts = new AlertsView(() => this.api, (m) => this.log.warn(m));
    this.disposables.push(
      this.alerts,
      vscode.window.createTreeView(ALERTS_VIEW_ID, { treeDataProvider: this.alerts }),
      this.alerts.onDidChangeFiring((firing) => this.statusBar.setAlerts(firing)),
    );
    this.terminalEnv = new TerminalEnvironment(context.environmentVariableCollection);
    this.disposables.push(this.log, this.statusBar, this.tree, this.treeView, this.panels, this.guardrails, (this.documents = new TraceDocuments(() => this.api)), this.prompts);
    this.disposables.push(
      this.tree.onDidReload(() => {
        this.treeView.message = this.tree.message;
      }),
    );
    this.disposables.push(...registerCommands(this), ...registerCopilotTracing(this), ...new ReplayCommands(this, this.documents).register(), ...registerAlertCommands(this));
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)));
    void this.setContext('spyglass.tracesFiltered', false);
    void this.setContext('spyglass.captureState', autoStartEnabled() ? 'starting' : 'stopped');
  }

  /**
   * Resolves once the capture that activation starts has started or failed (at once without one)
   * and the walkthrough's "Connect an app" page names the ports in use: "Get Started" run in the
   * first seconds would otherwise show the page with the default port, and VS Code does not read
   * it again while the Welcome page is open.
   */
  async walkthroughPagesReady(): Promise<void> {
    await this.firstStart;
    await this.walkthroughPorts.written();
  }

  private firstStart: Promise<void> = Promise.resolve();

  /** Starts capture after activation has returned, so activation itself stays cheap. */
  startup(): void {
    if (autoStartEnabled()) {
      this.firstStart = new Promise((resolve) => {
        const sub = this.connection.onDidChangeState((s) => {
          if (s.kind === 'starting') return;
          sub.dispose();
          resolve();
        });
        this.disposables.push(sub);
      });
    }
    if (!autoStartEnabled()) {
      this.onState({ kind: 'stopped' });
      // Not capturing, but what is stored is still there to read.
      void this.connection.readStore().then(() => this.onState(this.state));
      return;
    }
    setTimeout(() => {
      if (!this.disposed) void this.startCapture();
    }, 0);
  }

  /** The API client while there is a collector to read from, else null. */
  get api(): ApiClient | null {
    return this.connection.connected ? this.connection.api : null;
  }

  get apiBase(): string | undefined {
    return this.connection.apiBase;
  }

  get collectorState(): CollectorState {
    return this.state;
  }

  get publicApi(): SpyglassApi {
    const host = this;
    return {
      get state() {
        return host.state;
      },
      apiBase: () => host.apiBase,
    };
  }

  async startCapture(): Promise<CollectorState> {
    await vscode.workspace.fs.createDirectory(this.context.globalStorageUri).then(undefined, (e: Error) => this.log.warn(`cannot create ${this.context.globalStorageUri.fsPath}: ${e.message}`));
    // The collector starts with the workspace's guardrails configuration, so stored calls are not checked twice.
    await this.guardrails.source.ready;
    return this.connection.start();
  }

  async stopCapture(): Promise<void> {
    await this.connection.stop();
    // The store reader came up after the 'stopped' state: panels and the tree read from it now.
    this.onState(this.state);
  }

  restartCapture(): Promise<CollectorState> {
    return this.connection.restart();
  }

  setFilter(filter: TraceFilter): void {
    this.tree.setFilter(filter);
    const active = isFilterActive(filter);
    this.treeView.description = active ? `Filtered: ${filterSummary(filter)}` : undefined;
    void this.setContext('spyglass.tracesFiltered', active);
  }

  private onState(state: CollectorState): void {
    const previous = this.state;
    this.state = state;
    this.statusBar.setState(state);
    this.terminalEnv.update(state, readTerminalSettings());
    void this.setContext('spyglass.captureState', state.kind);
    void this.setContext('spyglass.capturing', state.kind === 'owner' || state.kind === 'reader');
    if (state.kind === 'owner' || state.kind === 'reader') void this.walkthroughPorts?.update({ httpPort: state.httpPort, grpcPort: state.grpcPort });
    const wasCapturing = previous.kind === 'owner' || previous.kind === 'reader';
    if ((state.kind === 'owner' || state.kind === 'reader') && !wasCapturing) void tickStep(this.context, 'spyglass.start');
    if (previous.kind !== state.kind || (state.kind === 'owner' || state.kind === 'reader')) {
      this.tree.refresh();
      this.prompts.handleConnectionChanged();
    }
    this.panels.handleState(state);
    this.alerts.reload();
    this.guardrails.handleState(state);
    if (state.kind === 'port-conflict' && previous.kind !== 'port-conflict') void this.showPortConflict(state);
    if (state.kind === 'failed' && previous.kind !== 'failed') void this.showFailure(state.message);
  }

  private onEvent(event: CollectorEvent): void {
    // The walkthrough's "Connect an app" step ticks when an app's spans arrive.
    if (event.type === 'traces-changed' && event.spans > 0) void this.setContext('spyglass.receivedTraces', true);
    this.tree.handleEvent(event);
    this.statusBar.handleEvent(event);
    this.panels.handleEvent(event);
    this.prompts.handleEvent(event);
    this.alerts.handleEvent(event);
    this.guardrails.handleEvent(event);
  }

  private async showPortConflict(state: Extract<CollectorState, { kind: 'port-conflict' }>): Promise<void> {
    const which = state.setting === 'grpcPort' ? 'OTLP/gRPC' : 'OTLP/HTTP and proxy';
    const choice = await vscode.window.showErrorMessage(
      `Spyglass cannot capture: port ${state.port} (${which}) is used by another program that is not Spyglass. Choose another port for Spyglass, or stop that program and start capture again.`,
      'Choose Another Port',
      'Open Settings',
    );
    if (choice === 'Choose Another Port') await vscode.commands.executeCommand('spyglass.choosePort', state.setting);
    else if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', `spyglass.${state.setting}`);
  }

  private async showFailure(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(`Spyglass could not start capture: ${message}`, 'Show Log', 'Retry');
    if (choice === 'Show Log') this.log.show();
    else if (choice === 'Retry') await this.startCapture();
  }

  private reportWarnings(warnings: string[]): void {
    for (const w of warnings) this.log.warn(w);
    const key = warnings.join('\n');
    if (warnings.length > 0 && key !== this.shownWarnings) {
      void vscode.window.showWarningMessage(`Spyglass settings: ${warnings.join('; ')}`);
    }
    this.shownWarnings = key;
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    const changed = changedSettings((section) => e.affectsConfiguration(section));
    if (changed.terminal) this.terminalEnv.update(this.state, readTerminalSettings());
    if (!changed.capture || this.state.kind === 'stopped') return;
    // The Settings editor fires once per keystroke: apply after the user paused.
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.disposed) return;
      if (this.state.kind === 'reader' && !e.affectsConfiguration('spyglass.httpPort')) {
        void vscode.window.showInformationMessage(
          `Spyglass: the collector runs in another window (pid ${this.state.ownerPid}); the changed capture settings apply when a window with them starts the collector.`,
        );
        return;
      }
      vscode.window.setStatusBarMessage('$(sync~spin) Spyglass: restarting the collector to apply the new settings', 3000);
      void this.restartCapture();
    }, 600);
  }

  private setContext(key: string, value: unknown): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', key, value);
  }

  async disposeAsync(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.connection.dispose();
    this.terminalEnv.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  dispose(): void {
    void this.disposeAsync();
  }
}
