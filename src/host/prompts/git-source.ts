// Where a prompt version's text lives in the workspace's git repository, and the commit that
// introduced it: `git grep -F` for its most distinctive fixed piece, then `git log -S` (the
// pickaxe: commits that changed how often the piece occurs) on that file, oldest first. The git
// CLI, run without a shell, with a deadline; no repository, no git or no match is simply null.

import { execFile } from 'node:child_process';
import { distinctivePieces } from '../../core/prompts/source-lines';

export interface PromptCommit {
  sha: string;
  shortSha: string;
  author: string;
  /** ISO 8601. */
  date: string;
  subject: string;
}

export interface PromptSourceLocation {
  /** The repository's root. */
  root: string;
  /** Path relative to the root, with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** The piece of text found there. */
  piece: string;
  /** The commit that introduced it, or null when it is not committed yet. */
  commit: PromptCommit | null;
}

const TIMEOUT_MS = 10_000;

function git(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024, windowsHide: true }, (err, stdout) => {
      // `git grep` exits 1 when nothing matched: an answer, not a failure.
      resolve(err ? null : stdout);
    });
  });
}

/** The first commit, oldest first, whose change added `piece` to `file`; null when none did (uncommitted). */
async function introducingCommit(root: string, file: string, piece: string): Promise<PromptCommit | null> {
  const out = await git(root, ['log', '-S', piece, '--format=%H%x1f%h%x1f%an%x1f%aI%x1f%s', '--reverse', '--', file]);
  const first = out?.split('\n').find((l) => l.trim() !== '');
  if (!first) return null;
  const [sha, shortSha, author, date, subject] = first.split('\x1f');
  return { sha: sha!, shortSha: shortSha!, author: author!, date: date!, subject: subject ?? '' };
}

/** Looks for the text in the repository that holds `folder`; null when it is not there. */
export async function findPromptSource(folder: string, text: string): Promise<PromptSourceLocation | null> {
  const root = (await git(folder, ['rev-parse', '--show-toplevel']))?.trim();
  if (!root) return null;
  for (const piece of distinctivePieces(text)) {
    // Tracked and untracked-but-not-ignored files: a prompt just written is found before its commit.
    const hits = await git(root, ['grep', '-n', '-I', '-F', '--untracked', '-e', piece]);
    const first = hits?.split('\n').find((l) => l !== '');
    if (!first) continue;
    const m = /^(.*?):(\d+):/.exec(first);
    if (!m) continue;
    const file = m[1]!;
    return { root, file, line: Number(m[2]), piece, commit: await introducingCommit(root, file, piece) };
  }
  return null;
}

/** `git show` of a commit, limited to one file when given: the change that introduced a prompt. */
export async function showCommit(root: string, sha: string, file?: string): Promise<string | null> {
  if (!/^[0-9a-f]{7,64}$/i.test(sha)) return null;
  return git(root, ['show', '--stat', '--patch', '--format=commit %H%nAuthor: %an <%ae>%nDate:   %aI%n%n    %s%n', sha, ...(file ? ['--', file] : [])]);
}
