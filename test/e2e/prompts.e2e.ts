// Prompt versions in a real VS Code host: the packaged VSIX in a fresh code-server, driven in
// Debian Chromium. The workspace is a git repository holding an assistant's system prompt. The
// assistant (test/e2e/app/prompt-app.mjs: the openai client through the recording proxy, to a
// fake OpenAI) runs, the developer changes one word of the prompt and commits, and it runs again.
// The developer then:
//   - sees the prompt in the Prompts view with two versions, newest first, their calls and figures,
//     a trend marker, and the commit that introduced the new text;
//   - diffs the two versions in the native diff editor;
//   - compares them side by side: intervals and a verdict per figure;
//   - opens the prompt at its source, and the commit that changed it;
//   - replays v1's calls with v2's text (each user's name kept) and compares the originals
//     against the replays: the same inputs on both sides.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PromptsDto, PromptDto } from '../../src/protocol/api';
import { requestJson, type FakeServer } from '../fakes/fake-server';
import { chatReply, startFakeOpenAI } from '../fakes/openai-fake';
import { getJson } from './harness/collector-api';
import { runApp } from './harness/apps';
import { seen, textMatching } from './harness/ui-wait';
import { waitFor } from './harness/wait';
import { endSession, screenshotOnFailure, startSession, type E2eSession } from './harness/session';

const BRIEF = "You are ${user}'s trip planning assistant. Keep every answer brief and friendly.";
const THOROUGH = "You are ${user}'s trip planning assistant. Keep every answer thorough and friendly.";

let wb: E2eSession['wb'] | undefined;
let fake: FakeServer | undefined;
let httpPort = 0;
let workspace = '';
let prompt: PromptDto;
let thoroughCommit = '';

const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace, encoding: 'utf8' }).trim();

function writePrompt(text: string, message: string): string {
  writeFileSync(path.join(workspace, 'assistant', 'prompts.mjs'), `// The assistant's instructions.\nexport const systemPrompt = (user) => \`${text}\`;\n`);
  git('add', '.');
  git('-c', 'user.name=Pat Developer', '-c', 'user.email=pat@example.invalid', 'commit', '-q', '-m', message);
  return git('rev-parse', '--short', 'HEAD');
}

const api = <T>(p: string) => getJson<T>(httpPort, p);

function runAssistant(run: string): Promise<{ calls: number }> {
  return runApp(path.join(import.meta.dirname, 'app', 'prompt-app.mjs'),
    { SPYGLASS_URL: `http://127.0.0.1:${httpPort}`, PROMPT_MODULE: path.join(workspace, 'assistant', 'prompts.mjs') }, path.join(session!.out, `app-${run}.log`));
}

/** Picks the quick-pick row with this text. */
async function pickRow(text: string | RegExp): Promise<void> {
  const row = wb!.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: text }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

let session: E2eSession | undefined;
screenshotOnFailure(() => session);
beforeAll(async () => {
  // The fake OpenAI streams: a brief answer soon, a thorough one later and longer.
  fake = await startFakeOpenAI();
  fake.setHandler((req) => {
    const body = requestJson(req);
    const system = String((body.messages as { content: string }[])[0]?.content ?? '');
    const thorough = system.includes('thorough');
    return chatReply({ content: thorough ? 'Morning: Alfama. Noon: Belém. Evening: Bairro Alto.' : 'Alfama, then Belém.', usage: { prompt: 40, completion: thorough ? 420 : 12 } },
      body, { firstDelayMs: thorough ? 400 : 5 });
  });
  session = await startSession('prompts', {
    settings: { 'spyglass.proxy.upstreams': { openai: fake.url } },
    // Replays take the key from the collector's environment (the Set API Key flow is replay.e2e's).
    env: { OPENAI_API_KEY: 'sk-e2e-replay-key' },
    prepare: ({ server }) => {
      workspace = server.workspace;
      mkdirSync(path.join(workspace, 'assistant'), { recursive: true });
      git('init', '-q');
      writePrompt(BRIEF, 'Add the trip planning assistant');
    },
  });
  ({ wb, httpPort } = session);
});

afterAll(() => endSession(session, fake));

describe('prompt versions in code-server', () => {
  it('groups the runs before and after a one-word change into two versions', async () => {
    await seen(wb!.page.locator(`#workbench\\.parts\\.statusbar [aria-label^="Spyglass: listening on port ${httpPort}"]`), 'the Spyglass status bar item', 90_000);
    expect((await runAssistant('brief')).calls).toBe(8);
    thoroughCommit = writePrompt(THOROUGH, 'Make the assistant thorough');
    expect((await runAssistant('thorough')).calls).toBe(8);
    prompt = await waitFor('two versions with 8 calls each', async () => {
      const dto = await api<PromptsDto>('/api/prompts');
      const p = dto.prompts.find((x) => x.source === 'system');
      return p && p.versions.length === 2 && p.versions.every((v) => v.calls === 8) ? p : undefined;
    }, { timeoutMs: 30_000 });
    expect(prompt.versions.map((v) => v.version)).toEqual(['2', '1']);
  });

  it('lists them in the Prompts view, newest first, with figures, a trend marker and the commit', async () => {
    await wb!.openViewContainer('Spyglass');
    const promptRow = wb!.viewRows('Prompts', prompt.name).filter({ hasText: '2 versions' });
    await seen(promptRow, `Prompts row "${prompt.name}"`, 30_000);
    await promptRow.first().click();
    const v2 = wb!.viewRows('Prompts', /^v2/);
    // The newer version: its calls, its commit, and the verdict against v1 (slower: worse latency).
    await textMatching(v2.first(), new RegExp(`8 calls[\\s\\S]*worse than v1[\\s\\S]*${thoroughCommit}`), 'v2 with its calls, trend and commit', 60_000);
    await textMatching(wb!.viewRows('Prompts', /^v1/).first(), /8 calls/, 'v1 below it', 10_000);
    await wb!.screenshot('01-prompts-view-two-versions');
  });

  it('diffs the two versions in the native diff editor', async () => {
    await wb!.runCommand('Spyglass: Diff Prompt Versions');
    await pickRow(/v2/);
    await pickRow(/^v1/);
    const tab = wb!.page.locator('.tabs-container .tab').filter({ hasText: 'v1 ↔ v2' });
    await seen(tab, 'the diff editor tab "v1 ↔ v2"', 30_000);
    const editor = wb!.page.locator('.monaco-diff-editor');
    await seen(editor, 'the native diff editor', 30_000);
    await textMatching(editor.locator('.modified .view-lines'), /thorough/, 'the new text on the right', 30_000);
    await textMatching(editor.locator('.original .view-lines'), /brief/, 'the old text on the left', 30_000);
    await seen(editor.locator('.char-delete, .char-insert, .line-insert, .line-delete'), 'the changed word marked', 10_000);
    await wb!.screenshot('02-native-diff-of-versions');
  });

  it('compares them side by side with intervals and verdicts', async () => {
    await wb!.runCommand('Spyglass: Compare Prompt Versions');
    await pickRow(/v2/);
    await pickRow(/^v1/);
    await wb!.waitInWebview('table.metrics tbody tr', 60_000);
    const panel = wb!.webviewContent();
    await textMatching(panel.locator('tr[data-metric="latencyMs"]'), /worse/, 'latency judged worse', 30_000);
    await textMatching(panel.locator('tr[data-metric="outputTokens"]'), /higher/, 'more tokens out', 10_000);
    await textMatching(panel.locator('tr[data-metric="latencyMs"] .ci'), /95% CI \+/, 'the latency interval above zero', 10_000);
    await textMatching(panel.locator('tr[data-metric="errorRate"] .verdict'), /not distinguishable/, 'no difference in errors', 10_000);
    await textMatching(panel.locator('.side').nth(1), new RegExp(`assistant/prompts\\.mjs:2 · ${thoroughCommit}`), 'where v2 lives and its commit', 30_000);
    await wb!.screenshot('03-comparison-with-verdicts');
  });

  it('opens the prompt at its source and shows the commit that changed it', async () => {
    await wb!.runCommand('Spyglass: Open Prompt at Source');
    await pickRow(/v2/);
    const tab = wb!.page.locator('.tabs-container .tab').filter({ hasText: 'prompts.mjs' });
    await seen(tab, 'the source file open', 30_000);
    await textMatching(wb!.page.locator('.editor-instance .view-lines').last(), /thorough/, 'the source text', 10_000);
    await wb!.screenshot('04-open-at-source');

    await wb!.runCommand('Spyglass: Show Commit That Introduced the Prompt');
    await pickRow(/v2/);
    await textMatching(wb!.page.locator('.editor-instance .view-lines').last(), /Make.the.assistant.thorough/, 'the commit shown', 30_000);
    await wb!.screenshot('05-commit-that-changed-it');
  });

  it("replays v1's calls with v2's text and compares the originals against the replays", async () => {
    const before = fake!.requests.length;
    await wb!.runCommand("Spyglass: Replay Version's Calls with Another Version");
    await pickRow(/v1/);
    await pickRow(/^v2/);
    const input = wb!.page.locator('.quick-input-widget input.input');
    await input.fill('5');
    await input.press('Enter');
    await wb!.waitInWebview('.replay-note', 90_000);
    const panel = wb!.webviewContent();
    await textMatching(panel.locator('.replay-note'), /Same inputs on both sides[\s\S]*\(5\)[\s\S]*\(5\)/, 'five originals against five replays', 30_000);
    await textMatching(panel.locator('tr[data-metric="outputTokens"]'), /higher/, 'more tokens out with v2 on the same inputs', 30_000);
    await textMatching(panel.locator('tr[data-metric="outputTokens"]'), /n = 5[\s\S]*n = 5/, 'five calls a side', 10_000);
    // The provider got v2's text with each original user's name.
    const systems = fake!.requests.slice(before).map((r) => String((requestJson(r).messages as { content: string }[])[0]?.content));
    expect(systems).toHaveLength(5);
    for (const s of systems) expect(s).toMatch(/^You are \w+'s trip planning assistant\. Keep every answer thorough and friendly\.$/);
    expect(new Set(systems).size).toBe(5);
    await wb!.screenshot('06-replayed-with-v2-compared');
    const listed = await api<PromptsDto>('/api/prompts');
    expect(listed.prompts.find((x) => x.promptId === prompt.promptId)!.versions.map((v) => [v.version, v.calls])).toEqual([['2', 13], ['1', 8]]);
  });
});
