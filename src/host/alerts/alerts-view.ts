// Alerts in the editor: the Alerts view (firing first, then recently resolved, each opening the
// calls behind it), one notification per new P0/P1 with "Show Calls" and "Open Dashboard", and
// the firing list the status bar shows its worst of. Reloaded on `alerts-changed` and whenever the
// collector connection comes back.

import * as vscode from 'vscode';
import type { AlertDto } from '../../protocol/alerts';
import type { CollectorEvent } from '../../protocol/api';
import type { ApiClient } from '../connection/api-client';
import { alertItem, isUrgent, notificationText } from './alerts-model';

export const ALERTS_VIEW_ID = 'spyglass.alerts';
const SHOWN_RESOLVED = 20;

export class AlertsView implements vscode.TreeDataProvider<AlertDto>, vscode.Disposable {
  private firing: AlertDto[] = [];
  private resolved: AlertDto[] = [];
  private readonly changed = new vscode.EventEmitter<AlertDto | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly firingChanged = new vscode.EventEmitter<AlertDto[]>();
  /** The firing alerts, worst first, after each reload. */
  readonly onDidChangeFiring = this.firingChanged.event;
  private readonly notified = new Map<string, string>();
  private loading: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly getApi: () => ApiClient | null,
    private readonly onError: (message: string) => void,
  ) {}

  get firingAlerts(): readonly AlertDto[] {
    return this.firing;
  }

  handleEvent(event: CollectorEvent): void {
    if (event.type === 'alerts-changed') {
      for (const a of event.raised) this.notify(a);
      this.reload();
    } else if (event.type === 'hello' || event.type === 'cleared') this.reload();
  }

  reload(): void {
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = this.load().finally(() => {
      this.loading = null;
      if (this.again) {
        this.again = false;
        this.reload();
      }
    });
  }

  /** Resolves once the current reload (if any) is done: for tests and commands. */
  async settled(): Promise<void> {
    while (this.loading) await this.loading;
  }

  private async load(): Promise<void> {
    const api = this.getApi();
    if (!api) {
      this.firing = [];
      this.resolved = [];
    } else {
      try {
        const all = (await api.alerts('all')).alerts;
        this.firing = all.filter((a) => a.state === 'firing');
        this.resolved = all.filter((a) => a.state === 'resolved').slice(0, SHOWN_RESOLVED);
        // An alert raised while this window was away (another window's collector) is told once too.
        for (const a of this.firing) this.notify(a);
      } catch (err) {
        this.onError(`alerts: ${(err as Error).message}`);
        return;
      }
    }
    this.changed.fire(undefined);
    this.firingChanged.fire(this.firing);
  }

  /** One notification per alert and severity: an alert that escalates to P0 is told again. */
  private notify(a: AlertDto): void {
    if (!isUrgent(a.severity) || this.notified.get(a.id) === a.severity) return;
    this.notified.set(a.id, a.severity);
    const show = a.severity === 'P0' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(notificationText(a), 'Show Calls', 'Open Dashboard').then((choice) => {
      if (choice === 'Show Calls') void vscode.commands.executeCommand('spyglass.showAlertCalls', a);
      else if (choice === 'Open Dashboard') void vscode.commands.executeCommand('spyglass.openDashboard');
    });
  }

  getChildren(element?: AlertDto): AlertDto[] {
    if (element) return [];
    return [...this.firing, ...this.resolved];
  }

  getTreeItem(a: AlertDto): vscode.TreeItem {
    const view = alertItem(a, Date.now());
    const item = new vscode.TreeItem(view.label, vscode.TreeItemCollapsibleState.None);
    item.id = `${a.id}@${a.state}@${a.since}`;
    item.description = view.description;
    item.tooltip = new vscode.MarkdownString().appendText(view.tooltip);
    item.iconPath = new vscode.ThemeIcon(view.icon, new vscode.ThemeColor(view.icon === 'error' ? 'errorForeground' : view.icon === 'warning' ? 'editorWarning.foreground' : view.icon === 'pass' ? 'testing.iconPassed' : 'foreground'));
    item.contextValue = a.rule === 'circuit-open' && a.state === 'firing' ? 'spyglass.alert.breaker' : `spyglass.alert.${a.state}`;
    item.command = { command: 'spyglass.showAlertCalls', title: 'Show Calls', arguments: [a] };
    item.accessibilityInformation = { label: `${view.label}, ${view.description}: ${view.tooltip}` };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
    this.firingChanged.dispose();
  }
}
