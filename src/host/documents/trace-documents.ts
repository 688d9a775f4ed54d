// Read-only text documents of stored data under the `spyglass-data:` scheme, so VS Code's own
// editors (search, folding, copy, and the native diff editor with `vscode.diff`) work on them:
//   spyglass-data:/trace/<traceId>.json                   the whole trace (TraceDetail)
//   spyglass-data:/trace/<traceId>/<spanId>.json          one span (SpanDto, annotations included)
//   spyglass-data:/trace/<traceId>/summary.txt            the trace's calls in order, for diffs
//   spyglass-data:/call/<traceId>/<spanId>/request.txt    the provider request behind a call
//   spyglass-data:/call/<traceId>/<spanId>/response.txt   a call's answer with timing, tokens, cost
//   spyglass-data:/live/<name>                            text the host writes as it arrives (a replay streaming)

import * as vscode from 'vscode';
import { renderRequest, renderResponse, renderTraceSummary } from '../../core/replay/documents';
import type { ApiClient } from '../connection/api-client';

export const DATA_SCHEME = 'spyglass-data';

const TRACE = /^\/trace\/([0-9a-f]{32})(?:\/([0-9A-Za-z_-]{1,64}))?\.json$/;
const SUMMARY = /^\/trace\/([0-9a-f]{32})\/summary\.txt$/;
const CALL = /^\/call\/([0-9a-f]{32})\/([0-9a-f]{16})\/(request|response)\.txt$/;

export function traceDocumentUri(traceId: string, spanId?: string): vscode.Uri {
  return vscode.Uri.from({ scheme: DATA_SCHEME, path: `/trace/${traceId}${spanId ? `/${spanId}` : ''}.json` });
}

export function traceSummaryUri(traceId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: DATA_SCHEME, path: `/trace/${traceId}/summary.txt` });
}

export function callDocumentUri(traceId: string, spanId: string, what: 'request' | 'response'): vscode.Uri {
  return vscode.Uri.from({ scheme: DATA_SCHEME, path: `/call/${traceId}/${spanId}/${what}.txt` });
}

export function liveDocumentUri(name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: DATA_SCHEME, path: `/live/${name}` });
}

export class TraceDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly live = new Map<string, string>();

  constructor(private readonly getApi: () => ApiClient | null) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(DATA_SCHEME, this);
  }

  /** Sets a live document's text (it may be open: VS Code reads it again). */
  setLive(uri: vscode.Uri, text: string): void {
    this.live.set(uri.path, text);
    this.changed.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    if (uri.path.startsWith('/live/')) return this.live.get(uri.path) ?? '';
    const api = this.getApi();
    if (!api) throw new Error('Spyglass capture is not running, so there is no trace data to read.');
    const call = CALL.exec(uri.path);
    if (call) {
      if (call[3] === 'request') return renderRequest(await api.callRequest(call[1]!, call[2]!));
      return renderResponse(await api.spanDetail(call[1]!, call[2]!));
    }
    const summary = SUMMARY.exec(uri.path);
    if (summary) {
      const t = await api.getTrace(summary[1]!, 60_000);
      return renderTraceSummary(t.trace, t.spans);
    }
    const m = TRACE.exec(uri.path);
    if (!m) throw new Error(`Spyglass has no document at ${uri.toString()}`);
    const data = m[2] ? await api.spanDetail(m[1]!, m[2]) : await api.getTrace(m[1]!, 60_000);
    return `${JSON.stringify(data, null, 2)}\n`;
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}

/** Opens a trace or one span as a read-only JSON document. */
export async function openTraceDocument(traceId: string, spanId?: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(traceDocumentUri(traceId, spanId));
  await vscode.languages.setTextDocumentLanguage(doc, 'json');
  await vscode.window.showTextDocument(doc, { preview: true });
}
