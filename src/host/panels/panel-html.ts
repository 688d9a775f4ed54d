// vscode glue for the HTML builder: which files a panel loads, as webview URIs, and the
// options that confine the webview to them.

import * as vscode from 'vscode';
import { renderWebviewHtml } from './html';

export type PanelEntry = 'trace' | 'dashboard' | 'explorer' | 'session' | 'prompt-compare';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, entry: PanelEntry, title: string, initialState: unknown): string {
  const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  return renderWebviewHtml({
    title,
    panel: entry,
    cspSource: webview.cspSource,
    scriptUri: uri('dist', 'webview', `${entry}.js`),
    styleUris: [uri('dist', 'webview', 'codicon.css'), uri('media', 'base.css'), uri('media', `${entry}.css`)],
    initialState,
  });
}
