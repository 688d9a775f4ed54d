// Replay and compare in the editor: a call's request opens as an editable JSON file (titled with
// provider and model) with Send as an editor title button and CodeLens; the answer streams into a
// document beside it and the new trace opens when it is stored; Replay ×N puts N answers side by
// side; Copy as curl / TypeScript / Python; and any two calls or traces in the native diff editor.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { codeLanguages, toCode, type CodeLanguage } from '../../core/replay/codegen';
import { prettyBody, renderReplaySet } from '../../core/replay/documents';
import { modelOf } from '../../core/replay/rebuild';
import { formatDuration } from '../../core/format';
import type { ReplayOutcome, ReplayRequestDto, ReplayRunRequest, ReplayStreamEvent, SpanDetail } from '../../protocol/api';
import type { ApiClient } from '../connection/api-client';
import { callDocumentUri, liveDocumentUri, traceSummaryUri, type TraceDocuments } from '../documents/trace-documents';
import type { SpyglassHost } from '../spyglass-host';
import { ApiKeys, keyProviderOf, KEY_PROVIDERS } from './api-keys';
import { sameTarget, targetOf, type Target } from './targets';

/** The call a request file replays, kept beside it (`<file>.target`) so it survives a reload. */
interface FileTarget {
  traceId: string;
  spanId: string;
  api: ReplayRequestDto['api'];
  /** The body as the file first showed it: an unedited file replays the original bytes. */
  pristine: string;
}

export const REQUEST_FILE_SUFFIX = '.replay.json';

function fileName(r: ReplayRequestDto, spanId: string, model: string | null): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${safe(r.provider ?? r.upstream ?? 'provider')} ${safe(model ?? 'model')} ${spanId.slice(0, 8)}${REQUEST_FILE_SUFFIX}`;
}

export class ReplayCommands implements vscode.CodeLensProvider {
  private readonly keys: ApiKeys;
  private lastSelected: Target | null;
  private readonly lensChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensChanged.event;
  private runs = 0;

  constructor(private readonly host: SpyglassHost, private readonly docs: TraceDocuments) {
    this.keys = new ApiKeys(host.context.secrets);
    this.lastSelected = host.context.workspaceState.get<Target>('spyglass.compare.lastSelected') ?? null;
  }

  register(): vscode.Disposable[] {
    const reg = (id: string, fn: (...args: unknown[]) => unknown) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await fn(...args);
        } catch (e) {
          this.host.log.error(`${id}: ${(e as Error).stack ?? e}`);
          void vscode.window.showErrorMessage(`Spyglass: ${(e as Error).message}`);
        }
      });
    return [
      reg('spyglass.replayCall', (a, s) => this.openRequest(a, s)),
      reg('spyglass.replayCallTimes', (a, s) => this.replayTimes(a, s)),
      reg('spyglass.sendReplay', (uri) => this.sendFile(uri, 1)),
      reg('spyglass.sendReplayTimes', (uri) => this.sendFile(uri, null)),
      reg('spyglass.compareReplayRequest', (uri) => this.compareFileWithOriginal(uri)),
      reg('spyglass.setApiKey', (p) => this.keys.ask(typeof p === 'string' && p in KEY_PROVIDERS ? (p as keyof typeof KEY_PROVIDERS) : undefined)),
      reg('spyglass.copyAsCurl', (a, s) => this.copyAs('curl', a, s)),
      reg('spyglass.copyAsTypeScript', (a, s) => this.copyAs('typescript', a, s)),
      reg('spyglass.copyAsPython', (a, s) => this.copyAs('python', a, s)),
      reg('spyglass.compareWith', (a, s) => this.compareWith(targetOf(a, s), 'response')),
      reg('spyglass.compareRequestsWith', (a, s) => this.compareWith(targetOf(a, s), 'request')),
      reg('spyglass.compareTraces', (a, b) => this.compareTraces(a, b)),
      vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: `**/*${REQUEST_FILE_SUFFIX}` }, this),
      this.lensChanged,
    ];
  }

  private api(): ApiClient {
    const api = this.host.api;
    if (!api) throw new Error('Spyglass capture is not running: start it to replay or compare.');
    return api;
  }

  private callOf(arg: unknown, spanArg: unknown): { traceId: string; spanId: string } {
    const t = targetOf(arg, spanArg);
    if (t?.kind !== 'call') throw new Error('choose an LLM call (in the Traces tree or the trace panel) to replay');
    return t;
  }

  // ---- the editable request ----

  private filesDir(): vscode.Uri {
    return vscode.Uri.joinPath(this.host.context.globalStorageUri, 'replays');
  }

  async openRequest(arg: unknown, spanArg?: unknown): Promise<vscode.TextEditor> {
    const { traceId, spanId } = this.callOf(arg, spanArg);
    const r = await this.api().callRequest(traceId, spanId);
    const pristine = `${prettyBody(r.body)}\n`;
    const uri = vscode.Uri.joinPath(this.filesDir(), fileName(r, spanId, modelOf(r)));
    await vscode.workspace.fs.createDirectory(this.filesDir());
    const target: FileTarget = { traceId, spanId, api: r.api, pristine };
    await vscode.workspace.fs.writeFile(vscode.Uri.file(`${uri.fsPath}.target`), Buffer.from(JSON.stringify(target)));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(pristine));
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    if (r.notes.length > 0) void vscode.window.showInformationMessage(`Spyglass: this request was rebuilt from the capture: ${r.notes.join('; ')}.`);
    this.lensChanged.fire();
    return editor;
  }

  private async fileTarget(uri: vscode.Uri): Promise<FileTarget> {
    try {
      return JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(`${uri.fsPath}.target`))).toString('utf8')) as FileTarget;
    } catch {
      throw new Error(`${path.basename(uri.fsPath)} is not a Spyglass replay request (open one with "Replay" on an LLM call)`);
    }
  }

  private requestDocument(arg: unknown): vscode.TextDocument {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    const doc = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : undefined;
    if (!doc || !doc.uri.fsPath.endsWith(REQUEST_FILE_SUFFIX)) throw new Error('open a replay request (Replay on an LLM call) and send it from there');
    return doc;
  }

  async sendFile(arg: unknown, countArg: number | null): Promise<void> {
    const doc = this.requestDocument(arg);
    const target = await this.fileTarget(doc.uri);
    const text = doc.getText();
    try {
      JSON.parse(text);
    } catch (e) {
      throw new Error(`the request is not valid JSON: ${(e as Error).message}`);
    }
    const count = countArg ?? (await this.askCount());
    if (count === null) return;
    // An unedited request goes as the app sent it, byte for byte.
    const run: ReplayRunRequest = { traceId: target.traceId, spanId: target.spanId, count, ...(text === target.pristine ? {} : { body: text }) };
    await this.run(run, target.api, `${path.basename(doc.uri.fsPath, REQUEST_FILE_SUFFIX)}`);
  }

  async compareFileWithOriginal(arg: unknown): Promise<void> {
    const doc = this.requestDocument(arg);
    const target = await this.fileTarget(doc.uri);
    const original = liveDocumentUri(`original-${target.spanId}.json`);
    this.docs.setLive(original, target.pristine);
    await vscode.commands.executeCommand('vscode.diff', original, doc.uri, `Original request ↔ ${path.basename(doc.uri.fsPath)}`);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(play) Send', command: 'spyglass.sendReplay', arguments: [doc.uri], tooltip: 'Send this request again through Spyglass and watch the answer' }),
      new vscode.CodeLens(top, { title: '$(run-all) Send ×N', command: 'spyglass.sendReplayTimes', arguments: [doc.uri], tooltip: 'Send it several times and compare the answers side by side' }),
      new vscode.CodeLens(top, { title: '$(diff) Compare with the original', command: 'spyglass.compareReplayRequest', arguments: [doc.uri] }),
    ];
  }

  private async askCount(): Promise<number | null> {
    const v = await vscode.window.showInputBox({
      title: 'Spyglass: Replay ×N', prompt: 'How many times to send it (2 to 20): the answers are shown side by side', value: '5',
      validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 20 ? undefined : 'A whole number from 1 to 20'),
    });
    return v === undefined ? null : Number(v.trim());
  }

  async replayTimes(arg: unknown, spanArg?: unknown): Promise<void> {
    const { traceId, spanId } = this.callOf(arg, spanArg);
    const count = await this.askCount();
    if (count === null) return;
    const r = await this.api().callRequest(traceId, spanId);
    await this.run({ traceId, spanId, count }, r.api, `${r.provider ?? ''} ${modelOf(r) ?? ''}`.trim());
  }

  // ---- sending and showing ----

  /** Sends a replay; a missing key offers to set one and sends again. */
  private async run(run: ReplayRunRequest, api: ReplayRequestDto['api'], title: string): Promise<void> {
    const id = `${Date.now().toString(36)}-${++this.runs}`;
    const single = run.count === 1;
    const live = liveDocumentUri(single ? `replay-${id}.txt` : `replays-${id}.md`);
    const texts: string[] = Array.from({ length: run.count ?? 1 }, () => '');
    const state: Array<{ traceId: string; spanId: string; done?: ReplayOutcome }> = [];
    let opened = false;
    let failure: string | null = null;
    const started = Date.now();
    const render = () => {
      if (single) {
        const s = state[0];
        const head = s ? `Replay of ${title} · trace ${s.traceId} · ${s.done ? `HTTP ${s.done.httpStatus ?? '—'} after ${formatDuration(Date.now() - started)}` : 'streaming…'}` : 'Replay: sending…';
        return `${head}\n${s?.done?.error ? `error: ${s.done.error}\n` : ''}\n${texts[0]}`;
      }
      return renderReplaySet(`Replay ×${run.count} of ${title}`, state.map((s, i) => ({ traceId: s.traceId, httpStatus: s.done?.httpStatus ?? null, error: s.done?.error, text: texts[i] ?? '', span: null })));
    };
    const onEvent = (e: ReplayStreamEvent) => {
      if (e.type === 'started') state[e.index] = { traceId: e.traceId, spanId: e.spanId };
      else if (e.type === 'text') texts[e.index] += e.text;
      else if (e.type === 'done') state[e.index] = { ...state[e.index]!, done: e };
      else if (e.type === 'error') failure = `${e.error}${e.detail ? `: ${e.detail}` : ''}`;
      this.docs.setLive(live, render());
      if (!opened && e.type === 'started') {
        opened = true;
        if (single) {
          void vscode.workspace.openTextDocument(live).then((d) => vscode.window.showTextDocument(d, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true }));
        }
      }
    };
    const send = async () => this.api().replay(run, await this.keys.headersFor(api), onEvent);
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Spyglass: replaying ${title}${single ? '' : ` ×${run.count}`}…` }, send);
    } catch (e) {
      const message = (e as Error).message;
      if (!/missing credentials/.test(message)) throw e;
      const provider = keyProviderOf(api);
      const choice = await vscode.window.showWarningMessage(`Spyglass: ${message}`, 'Set API Key');
      if (choice !== 'Set API Key' || !(await this.keys.ask(provider))) return;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Spyglass: replaying ${title}…` }, send);
    }
    if (failure) throw new Error(failure);
    if (single) {
      const s = state[0];
      if (!s) return;
      if (s.done?.error) void vscode.window.showWarningMessage(`Spyglass: the replay answered HTTP ${s.done.httpStatus ?? '—'}: ${s.done.error}`);
      await this.host.panels.showTrace(s.traceId, s.spanId);
      return;
    }
    // All stored: the table gets each replay's latency, first token, tokens and cost.
    const api$ = this.api();
    const spans = await Promise.all(state.map((s) => api$.spanDetail(s.traceId, s.spanId).catch(() => null)));
    this.docs.setLive(live, renderReplaySet(`Replay ×${run.count} of ${title}`, state.map((s, i) => ({ traceId: s.traceId, httpStatus: s.done?.httpStatus ?? null, error: s.done?.error, text: texts[i] ?? '', span: spans[i] ?? null }))));
    const doc = await vscode.workspace.openTextDocument(live);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => undefined);
  }

  // ---- code ----

  async copyAs(language: CodeLanguage, arg: unknown, spanArg?: unknown): Promise<void> {
    const { traceId, spanId } = this.callOf(arg, spanArg);
    const api = this.api();
    const r = await api.callRequest(traceId, spanId);
    if (!codeLanguages(r).includes(language)) throw new Error(`this ${r.api ?? 'request'} can be copied as curl only`);
    const base = `${api.baseUrl}/proxy/${r.upstream ?? 'openai'}`;
    await vscode.env.clipboard.writeText(toCode(language, r, base));
    const what = language === 'curl' ? 'a curl command' : language === 'typescript' ? 'TypeScript' : 'Python';
    void vscode.window.showInformationMessage(`Spyglass: copied the request as ${what} (the key is read from the environment).`);
  }

  // ---- compare ----

  private async label(t: Target): Promise<string> {
    const api = this.api();
    if (t.kind === 'trace') {
      const s = await api.listTraces({ text: t.traceId, limit: 1 }).catch(() => null);
      return `${s?.traces[0]?.rootName ?? 'trace'} · ${t.traceId.slice(0, 8)}`;
    }
    const span = await api.spanDetail(t.traceId, t.spanId).catch(() => null);
    return `${span?.name ?? 'call'} · ${t.spanId.slice(0, 8)}`;
  }

  private remember(t: Target): void {
    this.lastSelected = t;
    void this.host.context.workspaceState.update('spyglass.compare.lastSelected', t);
  }

  /** Two calls' responses (or requests), or two traces' summaries, in the native diff editor. */
  async diff(a: Target, b: Target, what: 'response' | 'request'): Promise<void> {
    const api = this.api();
    const firstCall = async (t: Target): Promise<Extract<Target, { kind: 'call' }>> => {
      if (t.kind === 'call') return t;
      const trace = await api.getTrace(t.traceId, 60_000);
      const s = trace.spans.find((x) => x.llm && x.status === 'error') ?? trace.spans.find((x) => x.llm);
      if (!s) throw new Error(`trace ${t.traceId.slice(0, 8)} has no LLM call to compare`);
      return { kind: 'call', traceId: t.traceId, spanId: s.spanId };
    };
    if (a.kind === 'trace' && b.kind === 'trace') {
      await vscode.commands.executeCommand('vscode.diff', traceSummaryUri(a.traceId), traceSummaryUri(b.traceId), `${await this.label(a)} ↔ ${await this.label(b)}`);
      return;
    }
    const [x, y] = [await firstCall(a), await firstCall(b)];
    const title = `${what === 'request' ? 'Request' : 'Response'}: ${await this.label(x)} ↔ ${await this.label(y)}`;
    await vscode.commands.executeCommand('vscode.diff', callDocumentUri(x.traceId, x.spanId, what), callDocumentUri(y.traceId, y.spanId, what), title);
  }

  async compareWith(current: Target | null, what: 'response' | 'request'): Promise<void> {
    if (!current) throw new Error('choose a trace or an LLM call to compare');
    const api = this.api();
    type Item = vscode.QuickPickItem & { target?: Target };
    const items: Item[] = [];
    if (this.lastSelected && !sameTarget(this.lastSelected, current)) {
      items.push({ label: `$(history) ${await this.label(this.lastSelected)}`, description: 'last selected', target: this.lastSelected });
    }
    if (current.kind === 'call') {
      const span: SpanDetail | null = await api.spanDetail(current.traceId, current.spanId).catch(() => null);
      const o = span?.llm?.replayOf;
      if (o) items.push({ label: `$(reply) ${await this.label({ kind: 'call', ...o })}`, description: 'the original of this replay', target: { kind: 'call', ...o } });
      for (const r of [...(span?.llm?.replays ?? [])].reverse()) {
        items.push({ label: `$(debug-restart) replay ${r.traceId.slice(0, 8)}`, description: `${r.model ?? ''} · HTTP ${r.httpStatus ?? '—'} · ${new Date(r.at).toLocaleTimeString()}`, target: { kind: 'call', traceId: r.traceId, spanId: r.spanId } });
      }
    }
    const recent = await api.listTraces({ limit: 30 });
    const recentItems: Item[] = recent.traces.filter((t) => t.traceId !== current.traceId).map((t) => ({
      label: `$(list-tree) ${t.rootName ?? t.traceId.slice(0, 8)}`, description: `${t.models.join(', ')} · ${new Date(t.startTime).toLocaleTimeString()}`, detail: t.traceId, target: { kind: 'trace', traceId: t.traceId },
    }));
    if (recentItems.length > 0) items.push({ label: 'Recent traces', kind: vscode.QuickPickItemKind.Separator }, ...recentItems);
    const pick = await vscode.window.showQuickPick(items, { title: `Spyglass: Compare ${what === 'request' ? 'request' : current.kind === 'trace' ? 'trace' : 'response'} with…`, matchOnDescription: true, matchOnDetail: true });
    // This one is remembered either way: choosing it from another item later is the second click.
    this.remember(current);
    if (!pick?.target) return;
    await this.diff(pick.target, current, what);
  }

  async compareTraces(a: unknown, b: unknown): Promise<void> {
    const ids = Array.isArray(a) ? (a as unknown[]) : [a, b];
    const [x, y] = ids.map((v) => targetOf(v));
    if (!x || !y) throw new Error('Compare Traces needs two trace ids');
    await this.diff(x, y, 'response');
  }
}
