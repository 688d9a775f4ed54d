// The Prompts view and its commands: the tree, the version documents, the native diff of any two
// versions, the comparison panel, and the way to the source and the commit of a version's text.

import * as vscode from 'vscode';
import type { CollectorEvent, PromptDto } from '../../protocol/api';
import { PROMPT_COMPARE_VIEW_TYPE, type PromptCompareSide } from '../../protocol/prompt-compare';
import type { ApiClient } from '../connection/api-client';
import { panelHtml, webviewOptions } from '../panels/panel-html';
import { PromptCompareController } from './compare-panel';
import type { PromptSourceLocation } from './git-source';
import { PromptDocuments, promptCommitUri, promptVersionUri } from './prompt-documents';
import { PromptsTreeProvider, type PromptsTreeNode, type SourceNode, type VersionNode } from './prompts-tree';

export const PROMPTS_VIEW_ID = 'spyglass.prompts';

/** What the commands accept: a tree node, or `{promptId, version}` (tests, other extensions). */
type VersionArg = VersionNode | { promptId: string; version: string } | undefined;

export class PromptsView implements vscode.Disposable {
  readonly tree: PromptsTreeProvider;
  readonly treeView: vscode.TreeView<PromptsTreeNode>;
  private compare: { panel: vscode.WebviewPanel; controller: PromptCompareController } | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly getApi: () => ApiClient | null, private readonly log: vscode.LogOutputChannel) {
    this.tree = new PromptsTreeProvider(getApi, (m) => log.warn(m));
    this.treeView = vscode.window.createTreeView(PROMPTS_VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true });
    this.disposables.push(
      this.tree, this.treeView, new PromptDocuments(getApi),
      this.tree.onDidChangeTreeData(() => {
        this.treeView.message = this.tree.message;
      }),
      vscode.commands.registerCommand('spyglass.refreshPrompts', () => this.tree.refresh()),
      vscode.commands.registerCommand('spyglass.openPromptVersion', (arg?: VersionArg) => this.openVersion(arg)),
      vscode.commands.registerCommand('spyglass.diffPromptVersions', (arg?: VersionArg, other?: string) => this.diff(arg, other)),
      vscode.commands.registerCommand('spyglass.comparePromptVersions', (arg?: VersionArg, other?: string) => this.showCompare(arg, other)),
      vscode.commands.registerCommand('spyglass.openPromptSource', (arg?: SourceNode | VersionArg) => this.openSource(arg)),
      vscode.commands.registerCommand('spyglass.showPromptCommit', (arg?: SourceNode | VersionArg) => this.showCommit(arg)),
    );
  }

  handleEvent(event: CollectorEvent): void {
    this.tree.handleEvent(event);
    if (event.type === 'traces-changed' || event.type === 'annotations-changed') this.compare?.controller.loadSoon(1_500);
  }

  /** The collector came or went. */
  handleConnectionChanged(): void {
    this.tree.refresh();
  }

  private async prompts(): Promise<PromptDto[]> {
    if (this.tree.current.length === 0) await this.tree.reload();
    return [...this.tree.current];
  }

  /** The prompt and version an argument names, asking with quick picks for what it leaves open. */
  private async pick(arg: VersionArg, title: string): Promise<{ prompt: PromptDto; version: string } | null> {
    const prompts = await this.prompts();
    if (arg && 'kind' in arg) return { prompt: arg.prompt, version: arg.version.version };
    if (arg && 'promptId' in arg) {
      const prompt = prompts.find((p) => p.promptId === arg.promptId);
      return prompt ? { prompt, version: arg.version } : null;
    }
    const items = prompts.flatMap((p) => p.versions.map((v) => ({
      label: `${p.name} v${v.version}`, description: `${v.calls} calls`, detail: p.serviceName ?? undefined, prompt: p, version: v.version,
    })));
    if (items.length === 0) {
      void vscode.window.showInformationMessage('Spyglass has no prompt versions yet: run your app with Spyglass capturing.');
      return null;
    }
    const chosen = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
    return chosen ? { prompt: chosen.prompt, version: chosen.version } : null;
  }

  /** The version to set against `version`: given, the one before it, or asked for (any other version). */
  private async other(prompt: PromptDto, version: string, given: string | undefined, title: string): Promise<string | null> {
    if (given !== undefined) return given;
    const others = prompt.versions.filter((v) => v.version !== version);
    if (others.length === 0) {
      void vscode.window.showInformationMessage(`${prompt.name} has only one version so far.`);
      return null;
    }
    const chosen = await vscode.window.showQuickPick(
      others.map((v) => ({ label: `v${v.version}`, description: `${v.calls} calls · first seen ${new Date(v.firstSeen).toLocaleString()}`, version: v.version })),
      { title },
    );
    return chosen?.version ?? null;
  }

  private async openVersion(arg: VersionArg): Promise<void> {
    const at = await this.pick(arg, 'Open which prompt version?');
    if (!at) return;
    const doc = await vscode.workspace.openTextDocument(promptVersionUri(at.prompt.promptId, at.version, at.prompt.name));
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  /** Older version on the left, newer on the right, in the native diff editor. */
  private async diff(arg: VersionArg, otherVersion?: string): Promise<void> {
    const at = await this.pick(arg, 'Diff which prompt version?');
    if (!at) return;
    const other = await this.other(at.prompt, at.version, otherVersion, `Diff v${at.version} of ${at.prompt.name} with…`);
    if (other === null) return;
    this.openDiff({ promptId: at.prompt.promptId, version: other }, { promptId: at.prompt.promptId, version: at.version }, at.prompt);
  }

  private openDiff(a: PromptCompareSide, b: PromptCompareSide, prompt?: PromptDto): void {
    const p = prompt ?? this.tree.current.find((x) => x.promptId === a.promptId);
    const name = p?.name ?? 'prompt';
    const order = (s: PromptCompareSide) => p?.versions.find((v) => v.version === s.version)?.firstSeen ?? 0;
    const [left, right] = order(a) <= order(b) ? [a, b] : [b, a];
    void vscode.commands.executeCommand('vscode.diff', promptVersionUri(left.promptId, left.version, name), promptVersionUri(right.promptId, right.version, name),
      `${name}: v${left.version} ↔ v${right.version}`);
  }

  private async showCompare(arg: VersionArg, otherVersion?: string): Promise<void> {
    const at = await this.pick(arg, 'Compare which prompt version?');
    if (!at) return;
    const other = await this.other(at.prompt, at.version, otherVersion, `Compare v${at.version} of ${at.prompt.name} with…`);
    if (other === null) return;
    const a = { promptId: at.prompt.promptId, version: other };
    const b = { promptId: at.prompt.promptId, version: at.version };
    const title = `Compare ${at.prompt.name} v${a.version} ↔ v${b.version}`;
    if (this.compare) {
      this.compare.panel.title = title;
      this.compare.panel.reveal();
      await this.compare.controller.show(a, b);
      return;
    }
    const panel = vscode.window.createWebviewPanel(PROMPT_COMPARE_VIEW_TYPE, title, vscode.ViewColumn.Active, { ...webviewOptions(this.extensionUri), retainContextWhenHidden: false });
    const controller = new PromptCompareController(panel.webview, a, b, {
      getApi: this.getApi,
      sourceOf: (side) => {
        const p = this.tree.current.find((x) => x.promptId === side.promptId);
        const v = p?.versions.find((x) => x.version === side.version);
        return p && v ? this.tree.sourceOf(v, p) : Promise.resolve(null);
      },
      openDiff: (x, y) => this.openDiff(x, y),
      openSource: (loc) => void this.revealSource(loc),
      onError: (e) => this.log.warn(`prompt comparison: ${e.message}`),
    });
    this.compare = { panel, controller };
    panel.onDidDispose(() => {
      controller.dispose();
      this.compare = null;
    });
    await controller.load();
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, 'prompt-compare', title, controller.snapshotForHtml());
  }

  private async locationOf(arg: SourceNode | VersionArg): Promise<PromptSourceLocation | null> {
    if (arg && 'kind' in arg && arg.kind === 'source') return arg.location;
    const at = await this.pick(arg as VersionArg, 'Which prompt version?');
    if (!at) return null;
    const v = at.prompt.versions.find((x) => x.version === at.version);
    const found = v ? await this.tree.sourceOf(v, at.prompt) : null;
    if (!found) void vscode.window.showInformationMessage(`The text of ${at.prompt.name} v${at.version} was not found in this workspace's git repository.`);
    return found;
  }

  private async openSource(arg: SourceNode | VersionArg): Promise<void> {
    const at = await this.locationOf(arg);
    if (at) await this.revealSource(at);
  }

  private async revealSource(at: PromptSourceLocation): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.Uri.file(at.root), ...at.file.split('/')));
    const line = Math.max(0, at.line - 1);
    const col = Math.max(0, doc.lineAt(Math.min(line, doc.lineCount - 1)).text.indexOf(at.piece));
    const range = new vscode.Range(line, col, line, col + at.piece.length);
    await vscode.window.showTextDocument(doc, { selection: range, preview: false });
  }

  private async showCommit(arg: SourceNode | VersionArg): Promise<void> {
    const at = await this.locationOf(arg);
    if (!at) return;
    if (!at.commit) {
      void vscode.window.showInformationMessage(`${at.file}:${at.line} is not committed yet.`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(promptCommitUri(at.root, at.commit.sha, at.file));
    await vscode.languages.setTextDocumentLanguage(doc, 'diff');
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose(): void {
    this.compare?.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
