// The native Prompts view: prompts (and experiments) → versions, newest first, each with its
// calls, latency and cost and a trend marker against the version before it (by the same tests the
// comparison uses) → where its text lives in the workspace's git repository, and recent calls.
// Reloads, throttled, when the collector reports new calls or annotations.

import * as vscode from 'vscode';
import { formatDuration, formatInteger, formatUsd, plural } from '../../core/format';
import { trendOf, trendText, type Trend } from '../../core/prompts/trend';
import type { CollectorEvent, PromptDto, PromptVersionStats } from '../../protocol/api';
import type { ApiClient } from '../connection/api-client';
import { Throttle } from '../connection/throttle';
import { findPromptSource, type PromptSourceLocation } from './git-source';

export interface PromptNode {
  kind: 'prompt';
  prompt: PromptDto;
}
export interface VersionNode {
  kind: 'version';
  prompt: PromptDto;
  version: PromptVersionStats;
  previous: PromptVersionStats | null;
}
export interface SourceNode {
  kind: 'source';
  prompt: PromptDto;
  version: PromptVersionStats;
  location: PromptSourceLocation;
}
export interface CallNode {
  kind: 'call';
  traceId: string;
  spanId: string;
  startTime: number;
}
export interface MessageNode {
  kind: 'message';
  text: string;
}
export type PromptsTreeNode = PromptNode | VersionNode | SourceNode | CallNode | MessageNode;

/** Trend markers computed per prompt at most for this many versions (each is one comparison). */
const MAX_TRENDS = 6;
const CALLS_SHOWN = 10;

export class PromptsTreeProvider implements vscode.TreeDataProvider<PromptsTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<PromptsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private prompts: PromptDto[] = [];
  private readonly throttle: Throttle;
  /** `promptId/version/calls` → the trend against the previous version. */
  private readonly trends = new Map<string, Promise<Trend | null>>();
  /** Version hash → where it lives in the workspace (null: not found). */
  private readonly sources = new Map<string, Promise<PromptSourceLocation | null>>();
  message: string | undefined;

  constructor(private readonly getApi: () => ApiClient | null, private readonly onError: (m: string) => void = () => undefined) {
    this.throttle = new Throttle(1_000, () => this.reload());
  }

  get current(): readonly PromptDto[] {
    return this.prompts;
  }

  refresh(): void {
    this.sources.clear();
    this.throttle.flush();
  }

  handleEvent(event: CollectorEvent): void {
    if (event.type === 'traces-changed' || event.type === 'annotations-changed') this.throttle.schedule();
    else if (event.type === 'cleared' || event.type === 'hello') this.throttle.flush();
  }

  async reload(): Promise<void> {
    const api = this.getApi();
    try {
      const dto = api ? await api.listPrompts() : null;
      this.prompts = dto ? [...dto.prompts, ...dto.experiments] : [];
      this.message = undefined;
    } catch (e) {
      this.message = `Cannot load prompts: ${(e as Error).message}`;
      this.onError(this.message);
    }
    this.changeEmitter.fire(undefined);
  }

  /** Where a version's text lives in the first workspace folder's repository that has it. */
  sourceOf(version: PromptVersionStats, prompt: PromptDto): Promise<PromptSourceLocation | null> {
    let found = this.sources.get(version.hash);
    if (!found) {
      found = (async () => {
        const api = this.getApi();
        const folders = vscode.workspace.workspaceFolders ?? [];
        if (!api || folders.length === 0) return null;
        const { text } = await api.promptVersion(prompt.promptId, version.version);
        for (const f of folders) {
          if (f.uri.scheme !== 'file') continue;
          const at = await findPromptSource(f.uri.fsPath, text);
          if (at) return at;
        }
        return null;
      })().catch(() => null);
      this.sources.set(version.hash, found);
    }
    return found;
  }

  private trendOf(node: VersionNode): Promise<Trend | null> {
    if (!node.previous) return Promise.resolve(null);
    const key = `${node.prompt.promptId}/${node.previous.version}/${node.version.version}/${node.previous.calls}/${node.version.calls}`;
    let t = this.trends.get(key);
    if (!t) {
      const api = this.getApi();
      t = !api ? Promise.resolve(null) : api.comparePrompts(
        { promptId: node.prompt.promptId, version: node.previous.version }, { promptId: node.prompt.promptId, version: node.version.version },
      ).then((c) => trendOf(c.metrics), () => null);
      this.trends.set(key, t);
    }
    return t;
  }

  async getChildren(node?: PromptsTreeNode): Promise<PromptsTreeNode[]> {
    if (!node) return this.prompts.map((prompt) => ({ kind: 'prompt', prompt }));
    if (node.kind === 'prompt') {
      const vs = node.prompt.versions; // newest first
      return vs.map((version, i) => ({ kind: 'version', prompt: node.prompt, version, previous: i < MAX_TRENDS ? (vs[i + 1] ?? null) : null }));
    }
    if (node.kind === 'version') {
      const out: PromptsTreeNode[] = [];
      const at = await this.sourceOf(node.version, node.prompt);
      if (at) out.push({ kind: 'source', prompt: node.prompt, version: node.version, location: at });
      const api = this.getApi();
      const detail = api ? await api.promptVersion(node.prompt.promptId, node.version.version).catch(() => null) : null;
      for (const c of detail?.recentCalls.slice(0, CALLS_SHOWN) ?? []) out.push({ kind: 'call', ...c });
      if (out.length === 0) out.push({ kind: 'message', text: 'No calls in the store' });
      return out;
    }
    return [];
  }

  async getTreeItem(node: PromptsTreeNode): Promise<vscode.TreeItem> {
    switch (node.kind) {
      case 'prompt': {
        const p = node.prompt;
        const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.Collapsed);
        const calls = p.versions.reduce((n, v) => n + v.calls, 0);
        item.id = `prompt:${p.promptId}`;
        item.description = [p.serviceName, plural(p.versions.length, 'version'), plural(calls, 'call')].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon(p.source === 'experiment' ? 'beaker' : p.source === 'template' ? 'symbol-snippet' : 'symbol-string');
        item.tooltip = `${p.source === 'experiment' ? 'Experiment' : p.source === 'template' ? 'Prompt template' : 'System prompt'} "${p.name}"`
          + `${p.serviceName ? ` of ${p.serviceName}` : ''}, span ${p.spanName}`;
        item.contextValue = 'spyglass.prompt';
        return item;
      }
      case 'version': {
        const v = node.version;
        const item = new vscode.TreeItem(`v${v.version}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `version:${node.prompt.promptId}/${v.version}`;
        const trend = await this.trendOf(node);
        const at = await this.sourceOf(v, node.prompt);
        const marker = trend === null || node.previous === null ? null : trendText(trend, `v${node.previous.version}`);
        // The sidebar is narrow: the verdict and the commit first, the figures after (all of it in the tooltip).
        const short = trend === null || node.previous === null ? null
          : trend.kind === 'undecided' ? `≈ v${node.previous.version}` : `${trend.kind} than v${node.previous.version}`.replace('mixed than', 'mixed against');
        item.description = [plural(v.calls, 'call'), short, at?.commit?.shortSha, `p50 ${formatDuration(v.latencyMs.p50)}`,
          v.costPerCall !== null ? `${formatUsd(v.costPerCall)}/call` : null].filter(Boolean).join(' · ');
        item.iconPath = trend?.kind === 'better' ? new vscode.ThemeIcon('arrow-up', new vscode.ThemeColor('testing.iconPassed'))
          : trend?.kind === 'worse' ? new vscode.ThemeIcon('arrow-down', new vscode.ThemeColor('testing.iconFailed'))
          : trend?.kind === 'mixed' ? new vscode.ThemeIcon('arrow-swap', new vscode.ThemeColor('testing.iconQueued'))
          : new vscode.ThemeIcon('git-commit');
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**v${v.version}** of ${node.prompt.name}\n\n`);
        md.appendMarkdown(`${formatInteger(v.calls)} calls, ${formatInteger(v.errors)} errors · latency p50 ${formatDuration(v.latencyMs.p50)}, p95 ${formatDuration(v.latencyMs.p95)}`);
        md.appendMarkdown(` · cost ${formatUsd(v.costUsd)}\n\n`);
        if (marker) md.appendMarkdown(`${marker}\n\n`);
        if (at) md.appendMarkdown(`In \`${at.file}:${at.line}\`${at.commit ? `, introduced in ${at.commit.shortSha} "${at.commit.subject}" by ${at.commit.author}` : ' (not committed yet)'}\n`);
        item.tooltip = md;
        item.contextValue = node.previous ? 'spyglass.promptVersion.withPrevious' : 'spyglass.promptVersion';
        item.command = { command: 'spyglass.openPromptVersion', title: 'Open Prompt Version', arguments: [node] };
        return item;
      }
      case 'source': {
        const at = node.location;
        const item = new vscode.TreeItem(`${at.file}:${at.line}`, vscode.TreeItemCollapsibleState.None);
        item.description = at.commit ? `introduced in ${at.commit.shortSha} · ${at.commit.subject}` : 'not committed yet';
        item.iconPath = new vscode.ThemeIcon('file-code');
        item.tooltip = at.commit ? `${at.commit.sha}\n${at.commit.author}, ${at.commit.date}\n${at.commit.subject}` : 'The text is in the working tree but in no commit yet.';
        item.contextValue = at.commit ? 'spyglass.promptSource.committed' : 'spyglass.promptSource';
        item.command = { command: 'spyglass.openPromptSource', title: 'Open at Source', arguments: [node] };
        return item;
      }
      case 'call': {
        const item = new vscode.TreeItem(new Date(node.startTime).toLocaleString(), vscode.TreeItemCollapsibleState.None);
        item.description = node.traceId.slice(0, 8);
        item.iconPath = new vscode.ThemeIcon('comment-discussion');
        item.command = { command: 'spyglass.showTracePanel', title: 'Open Trace', arguments: [node.traceId, node.spanId] };
        item.contextValue = 'spyglass.promptCall';
        return item;
      }
      case 'message':
        return new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
    }
  }

  dispose(): void {
    this.throttle.dispose();
    this.changeEmitter.dispose();
  }
}
