// "Go to source" from a span's `code.filepath` / `code.lineno`: the file as given (absolute, or
// relative to a workspace folder), else the first file of that name in the workspace.

import * as path from 'node:path';
import * as vscode from 'vscode';

export async function openSource(file: string, line: number | null): Promise<void> {
  const candidates: vscode.Uri[] = [];
  if (path.isAbsolute(file)) candidates.push(vscode.Uri.file(file));
  for (const folder of vscode.workspace.workspaceFolders ?? []) candidates.push(vscode.Uri.joinPath(folder.uri, file));
  let target: vscode.Uri | undefined;
  for (const uri of candidates) {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.File) {
        target = uri;
        break;
      }
    } catch {
      // not there; try the next place
    }
  }
  if (!target) {
    const base = path.basename(file).replace(/[[\]{}*?!]/g, '');
    if (base) [target] = await vscode.workspace.findFiles(`**/${base}`, '**/node_modules/**', 1);
  }
  if (!target) {
    void vscode.window.showWarningMessage(`Spyglass: cannot find ${file} in this workspace.`);
    return;
  }
  const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  await vscode.window.showTextDocument(target, { selection: new vscode.Range(position, position), preview: true });
}
