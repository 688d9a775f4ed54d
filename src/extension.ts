// Activation wiring only: the host (collector connection, status bar, Traces tree, panels,
// commands). The collector starts after activate() returns; it runs in a child process.

import type * as vscode from 'vscode';
import { SpyglassHost, type SpyglassApi } from './host/spyglass-host';

let host: SpyglassHost | undefined;

export function activate(context: vscode.ExtensionContext): SpyglassApi {
  host = new SpyglassHost(context);
  context.subscriptions.push(host);
  host.startup();
  return host.publicApi;
}

export async function deactivate(): Promise<void> {
  const h = host;
  host = undefined;
  // Awaited by VS Code (for a few seconds): the owned collector flushes and frees the ports.
  await h?.disposeAsync();
}
