// The "Spyglass" status bar item: collector state and port, today's calls, cost and guardrail
// hits (from /api/summary/today, refreshed on collector events at most once a second).

import * as vscode from 'vscode';
import type { CollectorEvent, TodaySummaryDto } from '../../protocol/api';
import type { AlertDto } from '../../protocol/alerts';
import type { StoreUpgrade } from '../../protocol/collector-ipc';
import type { ApiClient } from '../connection/api-client';
import type { CollectorState } from '../connection/ownership-model';
import { STATUS_TOOLTIP_COMMANDS, statusView, upgradeMessage } from './status-model';
import { Throttle } from '../connection/throttle';

export const STATUS_BAR_ID = 'spyglass.status';

export class SpyglassStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private state: CollectorState = { kind: 'stopped' };
  private summary: TodaySummaryDto | null = null;
  private alerts: readonly AlertDto[] = [];
  private readonly throttle: Throttle;
  private readonly timer: NodeJS.Timeout;
  /** Ends the "upgrading the trace store" notification. */
  private upgradeShown: (() => void) | null = null;

  constructor(
    private readonly getApi: () => ApiClient | null,
    throttleMs = 1000,
  ) {
    this.item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Spyglass';
    this.item.command = 'spyglass.showTraces';
    this.throttle = new Throttle(throttleMs, () => this.loadSummary());
    // "Today" rolls over at midnight even when nothing is captured.
    this.timer = setInterval(() => {
      if (this.getApi()) this.throttle.schedule();
    }, 60_000);
    this.render();
    this.item.show();
  }

  get currentSummary(): TodaySummaryDto | null {
    return this.summary;
  }

  setState(state: CollectorState): void {
    this.state = state;
    if (state.kind !== 'owner' && state.kind !== 'reader') this.summary = null;
    this.render();
    if (state.kind === 'owner' || state.kind === 'reader') this.throttle.flush();
    this.showUpgrade(state.kind === 'starting' ? state.upgrade ?? null : null);
  }

  /** An upgrade of a large store takes minutes before capture starts: a notification says why. */
  private showUpgrade(upgrade: StoreUpgrade | null): void {
    if (!upgrade) {
      this.upgradeShown?.();
      this.upgradeShown = null;
      return;
    }
    if (this.upgradeShown) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Spyglass' }, (progress) => {
      progress.report({ message: upgradeMessage(upgrade) });
      return new Promise<void>((resolve) => (this.upgradeShown = resolve));
    });
  }

  /** The firing alerts: the worst shows first, coloured by its severity. */
  setAlerts(firing: readonly AlertDto[]): void {
    this.alerts = firing;
    this.render();
  }

  handleEvent(event: CollectorEvent): void {
    if (event.type === 'hello' || event.type === 'cleared') this.throttle.flush();
    else this.throttle.schedule();
  }

  refresh(): void {
    this.throttle.flush();
  }

  async loadSummary(): Promise<void> {
    const api = this.getApi();
    if (!api) return;
    try {
      this.summary = await api.todaySummary();
    } catch {
      // keep the last figures; the collector state drives the rest of the item
    }
    this.render();
  }

  private render(): void {
    const view = statusView(this.state, this.summary, this.alerts);
    this.item.command = view.alerting ? 'spyglass.showAlerts' : 'spyglass.showTraces';
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = { enabledCommands: STATUS_TOOLTIP_COMMANDS };
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
    this.item.backgroundColor =
      view.background === 'none' ? undefined : new vscode.ThemeColor(view.background === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
  }

  dispose(): void {
    clearInterval(this.timer);
    this.upgradeShown?.();
    this.throttle.dispose();
    this.item.dispose();
  }
}
