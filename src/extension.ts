// Activation wiring only: the host (status bar, Traces tree, commands, collector) and the
// webview panels. The collector starts after activate() returns; it runs in a child process.

import type * as vscode from 'vscode';
import { SpyglassHost, type SpyglassApi } from './host/spyglass-host';
import { registerWebviews } from './host/webview/register';

let host: SpyglassHost | undefined;

export function activate(context: vscode.ExtensionContext): SpyglassApi {
  host = new SpyglassHost(context);
  context.subscriptions.push(host, ...registerWebviews(context, () => host?.apiBase));
  host.startup();
  return host.publicApi;
}

export async function deactivate(): Promise<void> {
  const h = host;
  host = undefined;
  // Awaited by VS Code (for a few seconds): the owned collector flushes and frees the ports.
  await h?.disposeAsync();
}
