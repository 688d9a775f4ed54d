// A Copilot-shaped session end to end in a real VS Code host: the packaged Spyglass VSIX and a
// stand-in for GitHub Copilot Chat's OpenTelemetry export (test/e2e/copilot-stand-in, with the
// settings Copilot Chat documents) in a fresh code-server, driven in Debian Chromium. The
// developer runs "Spyglass: Trace Copilot Chat with Spyglass", reloads as told, and Copilot's
// agent session shows as an agent run: the subagent under the tool call that started it, the
// agent spans not counted as calls, per-agent totals; its GenAI metrics are stored; then
// "Stop Tracing Copilot Chat" puts the user's settings back.
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenAiMetricsDto, TraceDetail, TraceListPage } from '../../src/protocol/api';
import { getJson } from './harness/collector-api';
import { seen, textMatching } from './harness/ui-wait';
import { packageVsix } from './harness/vsix';
import { waitFor } from './harness/wait';
import { endSession, screenshotOnFailure, startSession, type E2eSession } from './harness/session';

let wb: E2eSession['wb'] | undefined;
let httpPort = 0;
let settingsFile = '';
let traceId = '';


const api = <T>(p: string) => getJson<T>(httpPort, p);

const userSettings = (): Record<string, unknown> => JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;

let session: E2eSession | undefined;
screenshotOnFailure(() => session);
beforeAll(async () => {
  session = await startSession('copilot', {
    // The user's own value, which undo must give back.
    settings: { 'github.copilot.chat.otel.otlpEndpoint': 'http://collector.example:4318' },
    prepare: ({ home, server }) => {
      const standIn = path.join(home, 'stand-in');
      cpSync(path.join(import.meta.dirname, 'copilot-stand-in'), standIn, { recursive: true });
      mkdirSync(path.join(standIn, 'dist'));
      cpSync(path.join(standIn, 'extension.js'), path.join(standIn, 'dist', 'extension.js'));
      server.installExtension(packageVsix({ root: standIn, out: path.join(home, 'stand-in.vsix'), build: false }).vsix);
      settingsFile = path.join(server.userDataDir, 'User', 'settings.json');
    },
  });
  ({ wb, httpPort } = session);
});

afterAll(() => endSession(session));

describe('Copilot Chat traced with Spyglass, in code-server', () => {
  it('turns Copilot tracing on with one command and says what it changed', async () => {
    await seen(wb!.page.locator(`#workbench\\.parts\\.statusbar [aria-label^="Spyglass: listening on port ${httpPort}"]`), 'the Spyglass status bar item', 90_000);
    await wb!.runCommand('Spyglass: Trace Copilot Chat with Spyglass');
    const items = wb!.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await seen(items.filter({ hasText: 'Also prompts, responses and tool arguments' }), 'the content choice', 15_000);
    await wb!.screenshot('01-copilot-content-choice');
    await items.filter({ hasText: 'Also prompts, responses and tool arguments' }).first().click();
    const note = wb!.notification(/Copilot Chat now sends its agent sessions to Spyglass/);
    await seen(note, 'the "what changed" notification', 15_000);
    await textMatching(note, /otlpEndpoint: "http:\/\/collector\.example:4318" → "http:\/\/127\.0\.0\.1:\d+"/, 'the endpoint change, from what to what', 5_000);
    await seen(note.locator('.monaco-button').filter({ hasText: 'Undo' }), 'the Undo button', 5_000);
    await wb!.screenshot('02-copilot-settings-changed');
    const s = await waitFor('the settings written', async () => {
      const v = userSettings();
      return v['github.copilot.chat.otel.enabled'] === true ? v : undefined;
    }, { timeoutMs: 10_000 });
    expect(s).toMatchObject({
      'github.copilot.chat.otel.enabled': true,
      'github.copilot.chat.otel.exporterType': 'otlp-http',
      'github.copilot.chat.otel.otlpEndpoint': `http://127.0.0.1:${httpPort}`,
      'github.copilot.chat.otel.captureContent': true,
    });
    await note.locator('a.monaco-button, .monaco-button').filter({ hasText: 'Reload Window' }).first().click();
  });

  it('receives the Copilot session after the reload and reads it as an agent run', async () => {
    await wb!.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    const trace = await waitFor('the Copilot session in the store', async () => {
      const page = await api<TraceListPage>('/api/traces?service=copilot-chat').catch(() => undefined);
      return page?.traces[0];
    }, { timeoutMs: 90_000 });
    traceId = trace.traceId;
    expect(trace.rootName).toBe('invoke_agent copilot');
    // Four model calls; the two invoke_agent spans repeat their calls' usage and are not counted.
    expect(trace.llmCallCount).toBe(4);
    expect(trace.inputTokens).toBe(6_000 + 4_000 + 5_000 + 9_000);
    expect(trace.costUsd).toBeGreaterThan(0);
    expect(trace.costEstimated).toBe(false);
    const detail = await api<TraceDetail>(`/api/traces/${traceId}`);
    const byName = (n: string) => detail.spans.filter((x) => x.name === n);
    expect(byName('invoke_agent copilot')[0]!.category).toBe('agent');
    expect(byName('invoke_agent Explore')[0]!.llm).toBeNull();
    expect(byName('execute_tool runSubagent')[0]!.category).toBe('tool');
    const chat = byName('chat gpt-4o')[0]!.llm!;
    expect(chat.ttftMs).toBe(420);
    expect(chat.cachedInputTokens).toBe(4_000);
    expect(chat.inputTokens).toBe(6_000); // the cache is inside it, counted once
    expect(chat.outputMessages[0]!.parts[0]).toMatchObject({ type: 'tool_call', name: 'readFile' });
  });

  it('keeps the GenAI client metrics Copilot sends', async () => {
    const metrics = await waitFor('Copilot metrics', async () => {
      const m = await api<GenAiMetricsDto>('/api/metrics/genai');
      return m.series.length > 0 ? m : undefined;
    }, { timeoutMs: 30_000 });
    expect(metrics.series.find((x) => x.name === 'gen_ai.client.token.usage' && x.tokenType === 'input')).toMatchObject({ count: 4, sum: 24_000, service: 'copilot-chat' });
    expect(metrics.series.find((x) => x.name === 'gen_ai.client.operation.duration')?.count).toBe(4);
    expect(metrics.otherMetrics.map((m) => m.name)).toContain('copilot_chat.tool.call.count');
  });

  it('shows the agent run in the trace panel: turns, tools, the subagent under runSubagent, per-agent totals', async () => {
    await wb!.openViewContainer('Spyglass');
    // Copilot's traces carry gen_ai.conversation.id, so the tree groups them under their session.
    const session = wb!.viewRows('Traces', /Session conv-/);
    await seen(session, 'the Copilot session in the Traces tree', 30_000);
    if ((await session.first().getAttribute('aria-expanded')) !== 'true') await session.first().locator('.monaco-tl-twistie').click();
    const row = wb!.viewRows('Traces', 'invoke_agent copilot');
    await seen(row, 'the Copilot agent trace under its session', 15_000);
    await wb!.screenshot('03-copilot-in-tree');
    await row.first().click();
    const frame = wb!.webviewContent();
    await textMatching(frame.locator('body'), 'invoke_agent copilot', 'the trace panel', 30_000);
    await frame.locator('#tab-agent-run').click();
    const pane = frame.locator('#agent-run-pane');
    await textMatching(pane, /turn 2/i, 'the agent run with its turns', 10_000);
    const sub = pane.locator('.agent-run-tool').filter({ hasText: 'runSubagent' }).locator('.agent-run-agent[data-agent="Explore"]');
    await seen(sub, 'the Explore subagent under the runSubagent tool call', 10_000);
    await textMatching(pane.locator('.agent-run-table'), /copilot[\s\S]*Explore/, 'per-agent totals', 5_000);
    await wb!.screenshot('04-copilot-agent-run');
  });

  it('puts the user’s settings back on request', async () => {
    await wb!.runCommand('Spyglass: Stop Tracing Copilot Chat');
    await seen(wb!.notification(/restored 4 Copilot Chat settings/), 'the "restored" notification', 15_000);
    await wb!.screenshot('05-copilot-settings-restored');
    const s = await waitFor('the settings restored', async () => {
      const v = userSettings();
      return v['github.copilot.chat.otel.enabled'] === undefined ? v : undefined;
    }, { timeoutMs: 10_000 });
    expect(s['github.copilot.chat.otel.otlpEndpoint']).toBe('http://collector.example:4318');
    expect(s['github.copilot.chat.otel.captureContent']).toBeUndefined();
  });
});
