// The Prompts view and its commands: the tree, the version documents, the native diff of any two
// versions, the comparison panel, and the way to the source and the commit of a version's text.

import * as vscode from 'vscode';
import type { CollectorEvent, PromptDto } from '../../protocol/api';
import { PROMPT_COMPARE_VIEW_TYPE, type PromptCompareSide } from '../../protocol/prompt-compare';
import type { ApiClient } from '../connection/api-client';
import { panelHtml, webviewOptions } from '../panels/panel-html';
import { PromptCompareController } from './compare-panel';
import type { PromptSourceLocation } from './git-source';
import { ApiKeys, keyProviderOf } from '../replay/api-keys';
import { PromptDocuments, promptCommitUri, promptVersionUri } from './prompt-documents';
import { PromptsTreeProvider, type PromptsTreeNode, type SourceNode, type VersionNode } from './prompts-tree';
import { replayVersionCalls, type VersionReplayResult } from './version-replay';

export const PROMPTS_VIEW_ID = 'spyglass.prompts';

/** What the commands accept: a tree node, or `{promptId, version}` (tests, other extensions). */
type VersionArg = VersionNode | { promptId: string; version: string } | undefined;

export class PromptsView implements vscode.Disposable {
  readonly tree: PromptsTreeProvider;
  readonly treeView: vscode.TreeView<PromptsTreeNode>;
  private compare: { panel: vscode.WebviewPanel; controller: PromptCompareController } | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  private readonly keys: ApiKeys | null;

  constructor(private readonly extensionUri: vscode.Uri, private readonly getApi: () => ApiClient | null, private readonly log: vscode.LogOutputChannel, secrets?: vscode.SecretStorage) {
    this.keys = secrets ? new ApiKeys(secrets) : null;
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
      vscode.commands.registerCommand('spyglass.replayPromptVersion', (arg?: VersionArg, other?: string, count?: number) => this.replayWith(arg, other, count).catch((e: Error) => {
        this.log.error(`spyglass.replayPromptVersion: ${e.stack ?? e.message}`);
        void vscode.window.showErrorMessage(`Spyglass: ${e.message}`);
      })),
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
    await this.openCompare({ promptId: at.prompt.promptId, version: other }, { promptId: at.prompt.promptId, version: at.version }, at.prompt.name, false);
  }

  /**
   * Sends version A's recent calls again with version B's text (each call's own variable values
   * kept), with progress and cancel, then compares A's originals against the replays.
   */
  private async replayWith(arg: VersionArg, otherVersion?: string, countArg?: number): Promise<void> {
    const at = await this.pick(arg, "Replay which prompt version's calls?");
    if (!at) return;
    const other = await this.other(at.prompt, at.version, otherVersion, `Replay v${at.version}'s calls of ${at.prompt.name} with the text of…`);
    if (other === null) return;
    let count = countArg;
    if (count === undefined) {
      const v = await vscode.window.showInputBox({
        title: `Spyglass: replay v${at.version}'s calls with v${other}`, prompt: `How many of v${at.version}'s most recent calls to send again (1 to 50); each is a paid call to the provider`, value: '10',
        validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 50 ? undefined : 'A whole number from 1 to 50'),
      });
      if (v === undefined) return;
      count = Number(v.trim());
    }
    const api = this.getApi();
    if (!api) throw new Error('Spyglass capture is not running: start it to replay.');
    const a = { promptId: at.prompt.promptId, version: at.version };
    const b = { promptId: at.prompt.promptId, version: other };
    // The key goes with the request's own API; every call of a version is sent to the same provider.
    const first = (await api.promptVersion(a.promptId, a.version)).recentCalls[0];
    const wire = first ? (await api.callRequest(first.traceId, first.spanId).catch(() => null))?.api ?? null : null;
    const title = `Spyglass: replaying ${at.prompt.name} v${a.version}'s calls with v${b.version}`;
    const send = (): Thenable<VersionReplayResult> => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      let last = 0;
      return replayVersionCalls(api, a, b, count!, {
        headers: (await this.keys?.headersFor(wire)) ?? {},
        isCancelled: () => token.isCancellationRequested,
        onProgress: (done, total) => {
          progress.report({ message: `${done} of ${total}`, increment: total ? (100 * (done - last)) / total : 0 });
          last = done;
        },
      });
    });
    let result: VersionReplayResult;
    try {
      result = await send();
    } catch (e) {
      const message = (e as Error).message;
      if (!/missing credentials/.test(message) || !this.keys) throw e;
      const choice = await vscode.window.showWarningMessage(`Spyglass: ${message}`, 'Set API Key');
      if (choice !== 'Set API Key' || !(await this.keys.ask(keyProviderOf(wire)))) return;
      result = await send();
    }
    const failed = result.replays.filter((r) => r.error).length;
    const parts = [`${result.replays.length} of ${result.planned} calls replayed with v${b.version}`];
    if (failed) parts.push(`${failed} answered with an error`);
    if (result.skipped.length) parts.push(`${result.skipped.length} skipped (${result.skipped[0]!.reason})`);
    if (result.cancelled) parts.push('cancelled');
    for (const s of result.skipped) this.log.warn(`replay with v${b.version}: skipped ${s.traceId}/${s.spanId}: ${s.reason}`);
    void vscode.window.showInformationMessage(`Spyglass: ${parts.join('; ')}.`);
    this.tree.refresh();
    if (result.replays.length > 0) await this.openCompare(a, b, at.prompt.name, true);
  }

  private async openCompare(a: PromptCompareSide, b: PromptCompareSide, name: string, replays: boolean): Promise<void> {
    const title = replays ? `Replayed ${name} v${a.version} → v${b.version}` : `Compare ${name} v${a.version} ↔ v${b.version}`;
    if (this.compare) {
      this.compare.panel.title = title;
      this.compare.panel.reveal();
      await this.compare.controller.show(a, b, replays);
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
      replayWithB: (x, y) => void vscode.commands.executeCommand('spyglass.replayPromptVersion', x, y.version),
      onError: (e) => this.log.warn(`prompt comparison: ${e.message}`),
    }, replays);
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
