// Keeps the walkthrough's "Connect an app" page (media/walkthrough/connect-app.md) showing the
// ports in use. VS Code renders a walkthrough step's markdown from the extension's own folder and
// offers no way to pass it values, so the page is written from its template there, only when the
// ports change, and only in an installed extension (never into a developer's checkout). Where
// the folder is read-only the shipped page stays: it names the default port and the status bar.

import * as vscode from 'vscode';
import { fillPorts, type PortsInUse } from './ports-markdown';

export class WalkthroughPorts {
  private last = '';
  /** The newest write: VS Code reads the page once per Welcome page, so it must be on disk before the page opens. */
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly context: vscode.ExtensionContext, private readonly warn: (message: string) => void) {}

  update(ports: PortsInUse): Promise<void> {
    if (this.context.extensionMode !== vscode.ExtensionMode.Production) return this.pending;
    const key = `${ports.httpPort}/${ports.grpcPort}`;
    if (key === this.last) return this.pending;
    this.last = key;
    this.pending = this.pending.then(() => this.write(ports));
    return this.pending;
  }

  /** Resolves once the page names the ports of the newest update. */
  written(): Promise<void> {
    return this.pending;
  }

  private async write(ports: PortsInUse): Promise<void> {
    const dir = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'walkthrough');
    try {
      const template = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, 'connect-app.template.md')));
      await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'connect-app.md'), new TextEncoder().encode(fillPorts(template, ports)));
    } catch (err) {
      this.warn(`walkthrough: the "Connect an app" page keeps the default port (${(err as Error).message})`);
    }
  }
}
