// What a trace panel asks of VS Code beyond itself: the clipboard, and opening a link found in
// captured text. A model's output can hold any link, so nothing opens without the user seeing
// the whole address and saying yes.

import * as vscode from 'vscode';

export async function copyToClipboard(text: string, what: string): Promise<void> {
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(`$(copy) Copied ${what} (${text.length.toLocaleString('en-US')} characters)`, 2_500);
}

export async function openExternalLink(url: string): Promise<boolean> {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(url, true);
  } catch {
    void vscode.window.showWarningMessage(`Spyglass: not a link that can be opened: ${url.slice(0, 200)}`);
    return false;
  }
  if (!['http', 'https', 'mailto'].includes(uri.scheme)) return false;
  const choice = await vscode.window.showWarningMessage(
    'Open a link from captured text?',
    { modal: true, detail: `${url}\n\nIt was written by a model or an app, not by Spyglass. Open it only if you trust where it goes.` },
    'Open Link',
    'Copy Link',
  );
  if (choice === 'Copy Link') {
    await copyToClipboard(url, 'link');
    return false;
  }
  if (choice !== 'Open Link') return false;
  return vscode.env.openExternal(uri);
}
