// Read-only text documents of stored data under the `spyglass-data:` scheme, so VS Code's own
// editors (search, folding, copy, and the native diff editor with `vscode.diff`) work on them:
//   spyglass-data:/trace/<traceId>.json              the whole trace (TraceDetail)
//   spyglass-data:/trace/<traceId>/<spanId>.json     one span (SpanDto, annotations included)
// Later documents (a call's request, a replay's response) are more paths of the same scheme.

import * as vscode from 'vscode';
import type { ApiClient } from '../connection/api-client';

export const DATA_SCHEME = 'spyglass-data';

const TRACE = /^\/trace\/([0-9a-f]{32})(?:\/([0-9A-Za-z_-]{1,64}))?\.json$/;

export function traceDocumentUri(traceId: string, spanId?: string): vscode.Uri {
  return vscode.Uri.from({ scheme: DATA_SCHEME, path: `/trace/${traceId}${spanId ? `/${spanId}` : ''}.json` });
}

export class TraceDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;

  constructor(private readonly getApi: () => ApiClient | null) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(DATA_SCHEME, this);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const m = TRACE.exec(uri.path);
    if (!m) throw new Error(`Spyglass has no document at ${uri.toString()}`);
    const api = this.getApi();
    if (!api) throw new Error('Spyglass capture is not running, so there is no trace data to read.');
    const data = m[2] ? await api.spanDetail(m[1], m[2]) : await api.getTrace(m[1], 60_000);
    return `${JSON.stringify(data, null, 2)}\n`;
  }

  dispose(): void {
    this.registration.dispose();
  }
}

/** Opens a trace or one span as a read-only JSON document. */
export async function openTraceDocument(traceId: string, spanId?: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(traceDocumentUri(traceId, spanId));
  await vscode.languages.setTextDocumentLanguage(doc, 'json');
  await vscode.window.showTextDocument(doc, { preview: true });
}
