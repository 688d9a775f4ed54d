// The Guardrails view: every guardrail hit, grouped by category → rule → hit (newest first), under
// a filter picked in a QuickPick. A hit opens its call in the trace panel at the hit. Reloaded when
// annotations change (throttled: the analysis runner writes in batches).

import * as vscode from 'vscode';
import type { CollectorEvent, GuardrailListHit, GuardrailPage } from '../../protocol/api';
import type { ApiClient } from '../connection/api-client';
import { Throttle } from '../connection/throttle';
import {
  categoryLabel, countText, filterQuery, filterSummary, groupHits, hitRow, hitsText, isFiltered, NO_FILTER, type CategoryGroup, type GuardrailFilter, type RuleGroup,
} from './guardrails-tree-model';

export const GUARDRAILS_VIEW_ID = 'spyglass.guardrails';
export const OPEN_HIT_COMMAND = 'spyglass.guardrails.openHit';
/** The newest hits listed; the counts cover them all. */
const LIST_LIMIT = 500;
const SETTLE_MS = 1500;

export type GuardrailNode =
  | { kind: 'category'; group: CategoryGroup }
  | { kind: 'rule'; group: RuleGroup; category: string }
  | { kind: 'hit'; hit: GuardrailListHit };

const SEVERITY_COLOURS: Record<string, string> = { high: 'errorForeground', medium: 'editorWarning.foreground', low: 'editorInfo.foreground' };

export class GuardrailsTreeProvider implements vscode.TreeDataProvider<GuardrailNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<GuardrailNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly throttle: Throttle;
  private page: GuardrailPage | null = null;
  private groups: CategoryGroup[] = [];
  private filter: GuardrailFilter = NO_FILTER;
  private view: vscode.TreeView<GuardrailNode> | null = null;
  /** What the last load listed (total and hit ids). */
  private shown: string | null = null;
  /** The category and rule rows of the last load. */
  private structure = '';
  private settle: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: { getApi: () => ApiClient | null; onError: (message: string) => void }) {
    this.throttle = new Throttle(1000, () => this.reload());
  }

  attach(view: vscode.TreeView<GuardrailNode>): void {
    this.view = view;
  }

  get currentFilter(): GuardrailFilter {
    return this.filter;
  }

  /** The counts of the last load (for the filter's choices). */
  get counts(): GuardrailPage['counts'] | null {
    return this.page?.counts ?? null;
  }

  setFilter(filter: GuardrailFilter): void {
    this.filter = filter;
    void vscode.commands.executeCommand('setContext', 'spyglass.guardrailsFiltered', isFiltered(filter));
    this.throttle.flush();
  }

  handleEvent(event: CollectorEvent): void {
    if (event.type === 'annotations-changed') this.throttle.schedule();
    else if (event.type === 'cleared' || event.type === 'hello') this.throttle.flush();
  }

  refresh(): void {
    this.throttle.flush();
  }

  async reload(): Promise<void> {
    const api = this.opts.getApi();
    try {
      this.page = api ? await api.listGuardrails(filterQuery(this.filter, Date.now(), LIST_LIMIT)) : null;
    } catch (err) {
      this.opts.onError(`Guardrails view: ${(err as Error).message}`);
      this.page = null;
    }
    const shown = this.page ? `${this.page.counts.total}|${this.page.hits.map((h) => h.id).join(',')}` : '';
    const same = shown === this.shown;
    this.shown = shown;
    this.groups = this.page ? groupHits(this.page) : [];
    if (this.view) {
      const total = this.page?.counts.total ?? 0;
      // Each of these re-renders part of the workbench: set only what changed.
      const description = isFiltered(this.filter) ? `Filtered: ${filterSummary(this.filter)}` : undefined;
      if (this.view.description !== description) this.view.description = description;
      if ((this.view.badge?.value ?? 0) !== total) this.view.badge = total > 0 ? { value: total, tooltip: hitsText(total) } : undefined;
      const message = !api ? 'Capture is not running.' : total === 0 ? (isFiltered(this.filter) ? 'No guardrail hits match the filter.' : 'No guardrail hits. Every captured LLM call is checked for personal data, secrets, prompt injection, leakage, toxicity, refusals, format and truncation.') : undefined;
      if (this.view.message !== message) this.view.message = message;
    }
    // The same hits: no refresh (each one makes the workbench fetch every expanded row again).
    if (!same) this.changed.fire(undefined);
    // New category or rule rows: the workbench can show one expanded with no children when a
    // refresh lands while it fetches them (seen under load). One more refresh once the rows have
    // settled fetches every expanded row again.
    const structure = this.groups.map((g) => `${g.category}:${g.rules.map((r) => r.rule).join(',')}`).join('|');
    if (structure !== this.structure) {
      this.structure = structure;
      clearTimeout(this.settle);
      this.settle = setTimeout(() => this.changed.fire(undefined), SETTLE_MS);
    }
  }

  getChildren(node?: GuardrailNode): GuardrailNode[] {
    if (!node) return this.groups.map((group) => ({ kind: 'category', group }));
    if (node.kind === 'category') return node.group.rules.map((group) => ({ kind: 'rule', group, category: node.group.category }));
    if (node.kind === 'rule') return node.group.hits.map((hit) => ({ kind: 'hit', hit }));
    return [];
  }

  getTreeItem(node: GuardrailNode): vscode.TreeItem {
    if (node.kind === 'category') {
      const shown = node.group.rules.reduce((n, r) => n + r.hits.length, 0);
      const item = new vscode.TreeItem(categoryLabel(node.group.category), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `category:${node.group.category}`;
      item.description = countText(node.group.count, shown);
      item.iconPath = new vscode.ThemeIcon('shield', new vscode.ThemeColor('editorWarning.foreground'));
      item.contextValue = 'guardrailCategory';
      return item;
    }
    if (node.kind === 'rule') {
      const item = new vscode.TreeItem(node.group.rule, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `rule:${node.category}:${node.group.rule}`;
      item.description = countText(node.group.count, node.group.hits.length);
      item.iconPath = new vscode.ThemeIcon('law');
      item.contextValue = 'guardrailRule';
      return item;
    }
    const row = hitRow(node.hit, Date.now());
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = `hit:${node.hit.id}`;
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor(SEVERITY_COLOURS[node.hit.severity ?? ''] ?? 'editorWarning.foreground'));
    item.accessibilityInformation = { label: `${row.label}, ${node.hit.severity ?? ''} severity, ${row.description}` };
    item.contextValue = 'guardrailHit';
    item.command = { command: OPEN_HIT_COMMAND, title: 'Open the Call at This Hit', arguments: [node.hit] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.settle);
    this.throttle.dispose();
    this.changed.dispose();
  }
}
