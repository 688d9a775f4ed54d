// Replay and compare in a real VS Code host: the packaged VSIX in a fresh code-server, driven in
// Debian Chromium. An app's call through the Spyglass proxy fails (the provider refuses its
// max_tokens). The developer:
//   - opens the failing call in the trace panel and presses Replay: the request opens as an
//     editable JSON file titled with provider and model;
//   - fixes max_tokens and presses Send in the editor title; no key is stored, so the notification
//     offers Set API Key; the key goes to VS Code's secret storage and the replay goes out;
//   - watches the answer stream into a document beside it, then sees the new trace open, linked
//     to the original both ways;
//   - compares the replay's answer with the original's in the native diff editor.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanDetail, TraceListPage } from '../../src/protocol/api';
import type { FakeServer } from '../fakes/fake-server';
import { openaiError, startFakeOpenAI } from '../fakes/openai-fake';
import { getJson } from './harness/collector-api';
import { seen, textMatching } from './harness/ui-wait';
import { waitFor } from './harness/wait';
import { endSession, screenshotOnFailure, startSession, type E2eSession } from './harness/session';

const ANSWER = 'Here are three short tips for a calm morning: wake at one time, drink water, and plan one task.';

let wb: E2eSession['wb'] | undefined;
let fake: FakeServer;
let httpPort = 0;
let original: { traceId: string; spanId: string };
let replayed: { traceId: string; spanId: string };

const api = <T>(p: string) => getJson<T>(httpPort, p);

/** The most recently opened webview's content (the trace panel of the replay, once it opened). */
const lastPanel = () => wb!.page.frameLocator('iframe.webview.ready >> nth=-1').frameLocator('#active-frame');

let session: E2eSession | undefined;
screenshotOnFailure(() => session);
beforeAll(async () => {
  // A provider that streams its answers a token at a time and refuses what the real API refuses.
  fake = await startFakeOpenAI({ strict: true, chat: { content: ANSWER, usage: { prompt: 31, completion: 24 } }, firstDelayMs: 150, delayMs: 60 });
  session = await startSession('replay', {
    // No OPENAI_API_KEY anywhere (an empty one counts as none): the key must come from the Set API Key flow.
    env: { OPENAI_API_KEY: '' },
    settings: { 'spyglass.proxy.upstreams': { openai: fake.url } },
  });
  ({ wb, httpPort } = session);
});

afterAll(() => endSession(session, fake));

describe('replay and compare in code-server', () => {
  it('records an app call that fails', async () => {
    await seen(wb!.page.locator(`#workbench\\.parts\\.statusbar [aria-label^="Spyglass: listening on port ${httpPort}"]`), 'the collector listening', 90_000);
    fake.enqueue(openaiError(400, "max_tokens is too large: 999999. This model supports at most 16384 completion tokens, whereas you provided 999999.", { param: 'max_tokens', code: 'invalid_value' }));
    const client = new OpenAI({ apiKey: 'sk-app-key', baseURL: `http://127.0.0.1:${httpPort}/proxy/openai/v1`, maxRetries: 0 });
    await expect(client.chat.completions.create({
      model: 'gpt-4o-mini', max_tokens: 999999, stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'system', content: 'You are a concise coach.' }, { role: 'user', content: 'Three tips for a calm morning?' }],
    })).rejects.toThrow(/max_tokens is too large/);
    const t = await waitFor('the failed call stored', async () => (await api<TraceListPage>('/api/traces?status=error')).traces[0], { timeoutMs: 15_000 });
    const detail = await api<{ spans: SpanDetail[] }>(`/api/traces/${t.traceId}`);
    original = { traceId: t.traceId, spanId: detail.spans[0]!.spanId };
  });

  it('opens the failing call and its request as editable JSON titled with provider and model', async () => {
    await wb!.openViewContainer('Spyglass');
    // The trace's row in the Traces view (the Prompts view beside it names a prompt the same way).
    const row = wb!.viewRows('Traces', /chat gpt-4o-mini/);
    await seen(row, 'the failed trace in the tree', 30_000);
    await row.first().click();
    const panel = lastPanel();
    await seen(panel.locator('#call-actions #replay-call'), 'the Replay action of the call', 30_000);
    await wb!.screenshot('01-failed-call-actions');
    await panel.locator('#replay-call').click();
    const tab = wb!.page.locator('.tabs-container .tab').filter({ hasText: /openai gpt-4o-mini .*\.replay\.json/ });
    await seen(tab, 'the request tab titled with provider and model', 30_000);
    await textMatching(wb!.page.locator('.monaco-editor .view-lines').first(), /"max_tokens":\s999999/, 'the request body in the editor', 15_000);
    await seen(wb!.page.locator('.monaco-editor .codelens-decoration').filter({ hasText: 'Send' }), 'the Send CodeLens', 15_000);
    await wb!.screenshot('02-request-editable');
  });

  it('sends the edited request; a missing key leads to Set API Key; the answer streams beside it', async () => {
    const page = wb!.page;
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').click();
    // Change one thing: max_tokens, with the editor's own Find/Replace.
    await page.keyboard.press('Control+H');
    const find = page.locator('.find-widget textarea[aria-label="Find"], .find-widget .find-part .input').first();
    await find.fill('999999');
    const replace = page.locator('.find-widget textarea[aria-label="Replace"], .find-widget .replace-part .input').first();
    await replace.fill('400');
    await page.keyboard.press('Control+Alt+Enter');
    await page.keyboard.press('Escape');
    await textMatching(page.locator('.monaco-editor .view-lines').first(), /"max_tokens":\s400/, 'the edited max_tokens', 10_000);

    // Send is an editor title button and a CodeLens; the CodeLens is pressed.
    await seen(page.locator('.editor-actions a.action-label[aria-label*="Send Replay"]'), 'the Send button in the editor title', 10_000);
    await page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: /^\s*Send\s*$/ }).first().click();
    const toast = wb!.notification(/needs an API key/);
    await seen(toast, 'the missing-key notification', 30_000);
    await wb!.screenshot('03-missing-key');
    await toast.locator('a.monaco-button, .monaco-button').filter({ hasText: 'Set API Key' }).first().click();
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('sk-from-secret-storage');
    await page.keyboard.press('Enter');

    // The answer streams into a document beside the request.
    const streamed = page.locator('.monaco-editor .view-lines').filter({ hasText: /Replay\sof\sopenai\sgpt-4o-mini/ });
    await seen(streamed, 'the streaming answer document', 30_000);
    await textMatching(streamed.first(), /streaming…[\s\S]*Here\sare/, 'the answer while it streams', 30_000).then(() => wb!.screenshot('04-answer-streaming'), () => undefined);
    await textMatching(streamed.first(), /HTTP\s200[\s\S]*plan\sone\stask\./, 'the whole answer with its status', 30_000);

    const sent = JSON.parse(fake.lastRequest.body.toString()) as { max_tokens: number; messages: unknown[] };
    expect(sent.max_tokens).toBe(400);
    expect(sent.messages).toHaveLength(2);
    expect(fake.lastRequest.headers.authorization).toBe('Bearer sk-from-secret-storage');
  });

  it('opens the new trace, linked to the original both ways', async () => {
    const orig = await waitFor('the replay listed on the original', async () => {
      const s = await api<SpanDetail>(`/api/traces/${original.traceId}/spans/${original.spanId}`);
      return s.llm?.replays?.length ? s : undefined;
    }, { timeoutMs: 15_000 });
    const link = orig.llm!.replays![0]!;
    expect(link).toMatchObject({ model: 'gpt-4o-mini', httpStatus: 200 });
    replayed = { traceId: link.traceId, spanId: link.spanId };
    const span = await api<SpanDetail>(`/api/traces/${replayed.traceId}/spans/${replayed.spanId}`);
    expect(span.llm!.replayOf).toEqual(original);
    expect(span.llm!.ttftMs).not.toBeNull();
    expect(span.status).not.toBe('error');

    const panel = lastPanel();
    await seen(panel.locator('#replay-of'), 'the "Replay of" link in the new trace\'s panel', 30_000);
    await textMatching(panel.locator('#trace-header'), /chat gpt-4o-mini/, 'the replay trace header', 10_000);
    await wb!.screenshot('05-replay-trace-linked');
  });

  it('compares the replay\'s answer with the original\'s in the native diff editor', async () => {
    const panel = lastPanel();
    await panel.locator('#compare-call').click();
    const item = wb!.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'the original of this replay' });
    await seen(item, 'the original offered first', 20_000);
    await item.first().click();
    const diff = wb!.page.locator('.monaco-diff-editor');
    await seen(diff, 'the diff editor', 30_000);
    await textMatching(diff.first(), /HTTP\s400[\s\S]*HTTP\s200/, 'both answers side by side', 30_000);
    await seen(wb!.page.locator('.tabs-container .tab').filter({ hasText: /Response: .*↔/ }), 'the diff tab', 10_000);
    await wb!.screenshot('06-diff-original-vs-replay');
  });
});
