// Clear, import and export: the commands that touch the user's files or delete data.
// Loaded on first use.

import * as vscode from 'vscode';
import type { ApiClient } from './connection/api-client';
import type { SpyglassHost } from './spyglass-host';

export async function clearData(host: SpyglassHost, api: ApiClient): Promise<void> {
  const state = host.collectorState;
  const where = state.kind === 'owner' || state.kind === 'reader' ? ` from ${state.dbPath}` : '';
  const choice = await vscode.window.showWarningMessage(
    'Delete all captured traces?',
    { modal: true, detail: `Every trace, span and LLM call is removed${where}. Other windows reading this collector lose them too. This cannot be undone.` },
    'Delete All Traces',
  );
  if (choice !== 'Delete All Traces') return;
  await api.clearAll();
  host.tree.refresh();
  host.statusBar.refresh();
  vscode.window.setStatusBarMessage('Spyglass: all traces deleted', 3000);
}

function isJsonLines(uri: vscode.Uri): boolean {
  return /\.(jsonl|ndjson)$/i.test(uri.path);
}

export async function importTraceFiles(host: SpyglassHost, api: ApiClient): Promise<void> {
  const uris = await vscode.window.showOpenDialog({
    title: 'Import OTLP trace files into Spyglass',
    canSelectMany: true,
    openLabel: 'Import',
    filters: { 'OTLP JSON': ['json', 'jsonl', 'ndjson'], 'All files': ['*'] },
  });
  if (!uris || uris.length === 0) return;
  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Spyglass: importing traces', cancellable: false },
    async (progress) => {
      const out: { uri: vscode.Uri; spans?: number; error?: string }[] = [];
      for (const uri of uris) {
        progress.report({ message: uri.path.split('/').pop(), increment: 100 / uris.length });
        try {
          const bytes = await vscode.workspace.fs.readFile(uri);
          const res = await api.importTraces(Buffer.from(bytes), isJsonLines(uri));
          out.push({ uri, spans: res.acceptedSpans });
        } catch (e) {
          out.push({ uri, error: (e as Error).message });
        }
      }
      return out;
    },
  );
  const spans = results.reduce((s, r) => s + (r.spans ?? 0), 0);
  const failed = results.filter((r) => r.error);
  for (const f of failed) host.log.error(`import ${f.uri.fsPath}: ${f.error}`);
  host.tree.refresh();
  if (failed.length === 0) {
    void vscode.window.showInformationMessage(`Spyglass: imported ${spans} span${spans === 1 ? '' : 's'} from ${results.length} file${results.length === 1 ? '' : 's'}.`);
  } else {
    void vscode.window.showErrorMessage(
      `Spyglass: ${failed.length} of ${results.length} file(s) could not be imported (${failed.map((f) => `${f.uri.path.split('/').pop()}: ${f.error}`).join('; ')}). ${spans} spans were imported.`,
    );
  }
}

export async function exportTraceFile(api: ApiClient, traceId?: string): Promise<void> {
  const day = new Date().toISOString().slice(0, 10);
  const name = traceId ? `trace-${traceId}.json` : `spyglass-traces-${day}.json`;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: traceId ? 'Export this trace as OTLP JSON' : 'Export all traces as OTLP JSON',
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: { 'OTLP JSON': ['json'] },
    saveLabel: 'Export',
  });
  if (!target) return;
  const bytes = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Spyglass: exporting traces' },
    () => api.exportTraces(traceId),
  );
  await vscode.workspace.fs.writeFile(target, bytes);
  const choice = await vscode.window.showInformationMessage(`Spyglass: exported ${(bytes.length / 1024).toFixed(1)} KB of OTLP JSON to ${target.fsPath}.`, 'Open File');
  if (choice === 'Open File') await vscode.window.showTextDocument(target);
}
