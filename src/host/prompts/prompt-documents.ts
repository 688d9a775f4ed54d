// Prompt versions and the commits that introduced them as read-only text documents, so the
// native diff editor compares any two versions (`vscode.diff`) and the editor's own search,
// folding and copy work on them:
//   spyglass-prompt:/version/<promptId>/<version>/<title>.prompt   a version's text (language "Prompt", wrapped)
//   spyglass-prompt:/commit/<sha>/<file>.diff?<root>             `git show` of that commit for that file

import * as vscode from 'vscode';
import type { ApiClient } from '../connection/api-client';
import { showCommit } from './git-source';

export const PROMPT_SCHEME = 'spyglass-prompt';

const VERSION = /^\/version\/([0-9a-f]{1,32})\/([^/]+)\/[^/]*\.prompt$/;
const COMMIT = /^\/commit\/([0-9a-f]{7,64})\/(.+)\.diff$/;

/** A file name safe in a tab title and a path segment. */
const title = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').trim().slice(0, 60) || 'prompt';

export function promptVersionUri(promptId: string, version: string, name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PROMPT_SCHEME, path: `/version/${promptId}/${encodeURIComponent(version)}/${title(`${name} v${version}`)}.prompt` });
}

export function promptCommitUri(root: string, sha: string, file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PROMPT_SCHEME, path: `/commit/${sha}/${file}.diff`, query: encodeURIComponent(root) });
}

export class PromptDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;

  constructor(private readonly getApi: () => ApiClient | null) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PROMPT_SCHEME, this);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const v = VERSION.exec(uri.path);
    if (v) {
      const api = this.getApi();
      if (!api) throw new Error('Spyglass capture is not running, so there is no prompt to read.');
      const detail = await api.promptVersion(v[1]!, decodeURIComponent(v[2]!));
      return detail.text.endsWith('\n') ? detail.text : `${detail.text}\n`;
    }
    const c = COMMIT.exec(uri.path);
    if (c) {
      const shown = await showCommit(decodeURIComponent(uri.query), c[1]!, c[2]!);
      if (shown === null) throw new Error(`git could not show commit ${c[1]}`);
      return shown;
    }
    throw new Error(`Spyglass has no document at ${uri.toString()}`);
  }

  dispose(): void {
    this.registration.dispose();
  }
}
