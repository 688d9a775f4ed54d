// The git lookup of a prompt's source on a real temporary repository: the file and line where
// the text lives, the commit that introduced it (not a later one that touched the file), an
// uncommitted edit, and no repository at all.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctivePieces } from '../../../src/core/prompts/source-lines';
import { SLOT } from '../../../src/core/prompts/versions';
import { findPromptSource, showCommit } from '../../../src/host/prompts/git-source';

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

function commit(file: string, text: string, message: string): string {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  fs.writeFileSync(path.join(repo, file), text);
  git('add', file);
  git('-c', 'user.name=Dev One', '-c', 'user.email=dev@example.invalid', 'commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-git-source-'));
  git('init', '-q');
  commit('README.md', '# app\n', 'first commit');
});

afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

describe('distinctive pieces of a prompt', () => {
  it('takes the longest fixed runs, never across a variable, quote or line break', () => {
    const pieces = distinctivePieces(`You are ${SLOT}'s planning assistant.\nAnswer briefly and in plain words.\nOk`);
    expect(pieces).toEqual(['Answer briefly and in plain words.', 's planning assistant.']);
  });
  it('has nothing to look for in a short text', () => {
    expect(distinctivePieces('Be terse.')).toEqual([]);
  });
});

describe('finding a prompt in the repository', () => {
  let introduced: string;

  beforeAll(() => {
    introduced = commit('app/prompts.py', 'SYSTEM = (\n    "You are a planning assistant. Answer thoroughly."\n)\n', 'Make answers thorough');
    commit('app/prompts.py', 'SYSTEM = (\n    "You are a planning assistant. Answer thoroughly."\n)\nTEMPERATURE = 0.2\n', 'Lower the temperature');
  });

  it('gives the file, the line, and the commit that introduced the text', async () => {
    const found = await findPromptSource(repo, 'You are a planning assistant. Answer thoroughly.');
    expect(found).toMatchObject({ file: 'app/prompts.py', line: 2 });
    expect(found!.commit).toMatchObject({ sha: introduced, author: 'Dev One', subject: 'Make answers thorough' });
    expect(fs.realpathSync(found!.root)).toBe(fs.realpathSync(repo));
  });

  it('finds text that is not committed yet, with no commit', async () => {
    fs.writeFileSync(path.join(repo, 'app', 'draft.ts'), 'const p = `Summarise the ticket for the on-call engineer.`;\n');
    const found = await findPromptSource(repo, 'Summarise the ticket for the on-call engineer.');
    expect(found).toMatchObject({ file: 'app/draft.ts', line: 1, commit: null });
  });

  it('is null for text that is nowhere, and outside a repository', async () => {
    expect(await findPromptSource(repo, 'This sentence appears in no file of the repository.')).toBeNull();
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-no-git-'));
    try {
      expect(await findPromptSource(bare, 'You are a planning assistant. Answer thoroughly.')).toBeNull();
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });

  it('shows the commit’s change to that file', async () => {
    const shown = await showCommit(repo, introduced, 'app/prompts.py');
    expect(shown).toContain('Make answers thorough');
    expect(shown).toContain('+    "You are a planning assistant. Answer thoroughly."');
    expect(await showCommit(repo, '--output=/tmp/x')).toBeNull();
  });
});
