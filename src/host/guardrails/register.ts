// The guardrails in the window: the configuration read from settings and the workspace file and
// sent to the collector, the Guardrails view, and its commands (filter, open a hit at its place,
// re-check stored calls with progress, open the configuration file).

import * as vscode from 'vscode';
import type { CollectorEvent, GuardrailListHit } from '../../protocol/api';
import type { ApiClient } from '../connection/api-client';
import type { CollectorState } from '../connection/ownership-model';
import type { TracePanels } from '../panels/register';
import { GuardrailsConfigSource } from './config-source';
import { GUARDRAILS_VIEW_ID, GuardrailsTreeProvider, OPEN_HIT_COMMAND, type GuardrailNode } from './guardrails-tree';
import { categoryLabel, CATEGORY_LABELS, NO_FILTER, SEVERITIES, TIME_WINDOWS, type GuardrailFilter } from './guardrails-tree-model';

export interface GuardrailsDeps {
  getApi: () => ApiClient | null;
  panels: TracePanels;
  log: vscode.LogOutputChannel;
}

/** The collector's name for the guardrails analysis (core's GUARDRAIL_ANALYSIS_NAME; importing it would bundle every rule into the extension host). */
const GUARDRAIL_ANALYSIS = 'guardrails';

type FilterItem = vscode.QuickPickItem & { set: (f: GuardrailFilter) => void; on: (f: GuardrailFilter) => boolean };

export class Guardrails implements vscode.Disposable {
  readonly source = new GuardrailsConfigSource();
  readonly tree: GuardrailsTreeProvider;
  readonly view: vscode.TreeView<GuardrailNode>;
  private readonly disposables: vscode.Disposable[] = [];
  private shownErrors = '';
  /** The configuration version the collector last confirmed. */
  private sentVersion: string | number | null = null;
  private stateKind: CollectorState['kind'] | null = null;

  constructor(private readonly deps: GuardrailsDeps) {
    this.tree = new GuardrailsTreeProvider({ getApi: deps.getApi, onError: (m) => deps.log.warn(m) });
    this.view = vscode.window.createTreeView(GUARDRAILS_VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true });
    this.tree.attach(this.view);
    this.disposables.push(
      this.source, this.tree, this.view,
      this.source.onDidChange(() => void this.send(true)),
      vscode.commands.registerCommand(OPEN_HIT_COMMAND, (hit: GuardrailListHit) => this.openHit(hit)),
      vscode.commands.registerCommand('spyglass.guardrails.filter', () => this.pickFilter()),
      vscode.commands.registerCommand('spyglass.guardrails.clearFilter', () => this.tree.setFilter(NO_FILTER)),
      vscode.commands.registerCommand('spyglass.guardrails.refresh', () => this.tree.refresh()),
      vscode.commands.registerCommand('spyglass.guardrails.openConfig', () => this.openConfig()),
      vscode.commands.registerCommand('spyglass.recheckStoredCalls', () => this.recheck()),
    );
    void vscode.commands.executeCommand('setContext', 'spyglass.guardrailsFiltered', false);
  }

  /** For the collector's start options: the configuration as read (after `source.ready`). */
  startOptions(): { guardrails: unknown; privacyMode: boolean } {
    this.reportErrors();
    const e = this.source.effective;
    return { guardrails: e.config, privacyMode: e.privacyMode };
  }

  handleState(state: CollectorState): void {
    if (state.kind === this.stateKind) return;
    this.stateKind = state.kind;
    // A collector this window did not start (another window's) runs with that window's configuration until told this one's.
    if (state.kind === 'owner' || state.kind === 'reader') void this.send(false);
    this.tree.refresh();
  }

  handleEvent(event: CollectorEvent): void {
    this.tree.handleEvent(event);
  }

  /** Sends the configuration; after a change the user is offered a re-check of the stored calls. */
  private async send(changed: boolean): Promise<void> {
    await this.source.ready;
    this.reportErrors();
    const api = this.deps.getApi();
    if (!api) return;
    const e = this.source.effective;
    try {
      const dto = await api.putGuardrailConfig({ config: e.config, privacyMode: e.privacyMode });
      const versionChanged = this.sentVersion !== null && dto.version !== this.sentVersion;
      this.sentVersion = dto.version;
      if (changed && versionChanged) {
        const choice = await vscode.window.showInformationMessage('Spyglass: the guardrails configuration changed. New calls are checked with it; re-check the stored calls too?', 'Re-check Stored Calls');
        if (choice) await this.recheck();
      }
    } catch (err) {
      this.deps.log.warn(`guardrails configuration not applied: ${(err as Error).message}`);
      void vscode.window.showWarningMessage(`Spyglass: the guardrails configuration was not applied: ${(err as Error).message}`);
    }
  }

  private reportErrors(): void {
    const { errors } = this.source.effective;
    const key = errors.join('\n');
    if (key === this.shownErrors) return;
    this.shownErrors = key;
    if (errors.length === 0) return;
    for (const e of errors) this.deps.log.warn(`guardrails configuration: ${e}`);
    void vscode.window.showWarningMessage(`Spyglass guardrails configuration: ${errors.join('; ')} (that part is ignored)`, 'Open Configuration').then((c) => {
      if (c) void this.openConfig();
    });
  }

  private async openHit(hit: GuardrailListHit | undefined): Promise<void> {
    if (!hit || typeof hit.traceId !== 'string') return;
    await this.deps.panels.showTrace(hit.traceId, hit.spanId, hit.id);
  }

  private async pickFilter(): Promise<void> {
    const counts = this.tree.counts;
    const current = this.tree.currentFilter;
    const n = (x: number | undefined) => (x ? `${x}` : undefined);
    const toggle = (key: 'categories' | 'rules' | 'severities', value: string): Pick<FilterItem, 'set' | 'on'> => ({
      set: (f) => void f[key].push(value),
      on: (f) => f[key].includes(value),
    });
    const items: Array<FilterItem | vscode.QuickPickItem> = [
      { label: 'Category', kind: vscode.QuickPickItemKind.Separator },
      ...Object.keys({ ...CATEGORY_LABELS, ...(counts?.byCategory ?? {}) }).map((c) => ({ label: categoryLabel(c), description: n(counts?.byCategory[c]), ...toggle('categories', c) })),
      { label: 'Severity', kind: vscode.QuickPickItemKind.Separator },
      ...SEVERITIES.map((s) => ({ label: s, description: n(counts?.bySeverity[s]), ...toggle('severities', s) })),
      { label: 'Rule', kind: vscode.QuickPickItemKind.Separator },
      ...[...new Set([...Object.keys(counts?.byRule ?? {}), ...current.rules])].sort().map((r) => ({ label: r, description: n(counts?.byRule[r]), ...toggle('rules', r) })),
      { label: 'Time (the widest chosen applies)', kind: vscode.QuickPickItemKind.Separator },
      ...TIME_WINDOWS.map((w) => ({
        label: w.label,
        set: (f: GuardrailFilter) => void (f.withinMs = Math.max(f.withinMs ?? 0, w.ms)),
        on: (f: GuardrailFilter) => f.withinMs === w.ms,
      })),
    ];
    const pick = vscode.window.createQuickPick<FilterItem | vscode.QuickPickItem>();
    pick.title = 'Spyglass: Filter Guardrail Hits';
    pick.placeholder = 'Choose categories, severities, rules and a time window (none chosen: all hits)';
    pick.canSelectMany = true;
    pick.matchOnDescription = true;
    pick.items = items;
    pick.selectedItems = items.filter((i): i is FilterItem => 'on' in i && i.on(current));
    const chosen = await new Promise<readonly (FilterItem | vscode.QuickPickItem)[] | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems));
      pick.onDidHide(() => resolve(undefined));
      pick.show();
    });
    pick.dispose();
    if (!chosen) return;
    const next: GuardrailFilter = { categories: [], rules: [], severities: [], withinMs: null };
    for (const i of chosen) if ('set' in i) i.set(next);
    this.tree.setFilter(next);
  }

  /** `POST /api/analyses/rerun` for the guardrails, then progress until the stored calls are checked again. */
  private async recheck(): Promise<void> {
    const api = this.deps.getApi();
    if (!api) {
      void vscode.window.showWarningMessage('Spyglass capture is not running, so there are no stored calls to re-check.');
      return;
    }
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Spyglass: re-checking stored calls', cancellable: false }, async (progress) => {
      let status = (await api.rerunAnalyses(GUARDRAIL_ANALYSIS)).analyses.find((a) => a.name === GUARDRAIL_ANALYSIS);
      const total = Math.max(1, status?.pending ?? 1);
      let done = 0;
      const deadline = Date.now() + 30 * 60_000;
      while (status && status.pending > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        status = (await api.analyses()).analyses.find((a) => a.name === GUARDRAIL_ANALYSIS);
        const now = total - (status?.pending ?? 0);
        if (now > done) {
          progress.report({ increment: ((now - done) / total) * 100, message: `${now.toLocaleString()} of ${total.toLocaleString()} calls` });
          done = now;
        }
      }
    });
    this.tree.refresh();
    void vscode.window.setStatusBarMessage('$(shield) Spyglass: stored calls re-checked', 4000);
  }

  /** Opens `.spyglass/guardrails.json`, created with its schema and an example when there is none. */
  private async openConfig(): Promise<void> {
    const uri = this.source.fileUri();
    if (!uri) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'spyglass.guardrails');
      return;
    }
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      const skeleton = { rules: { 'toxicity': 'low' }, allow: { emailDomains: ['example.com'] }, customRules: [] };
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${JSON.stringify(skeleton, null, 2)}\n`));
    }
    await vscode.window.showTextDocument(uri);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
