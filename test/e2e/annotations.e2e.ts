// Annotations and the trace panel's loading in a real VS Code host: the packaged VSIX in a fresh
// code-server, driven in Debian Chromium, over a store that already holds a 10,000-span agent
// session. A real app (test/e2e/app/evaluated-app.mjs, OpenTelemetry SDK over OTLP/HTTP
// protobuf) sends a chat call graded by a `gen_ai.evaluation.result` span event, and later a
// second grade as an OTLP log record. The developer:
//   - opens the 10,000-span trace from the palette and sees its rows within the figure;
//   - sees the app's evaluation on its span, and the late one appear without a reload;
//   - gives the call a thumbs down with a comment in the panel, sees the mark in the Traces tree,
//     and still sees it after the collector and the window restarted; filters the tree by it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanDetail, TraceListPage } from '../../src/protocol/api';
import { analysesSettled, storeBigTraces } from '../../bench/lib/panel-fixture';
import { getJson } from './harness/collector-api';
import { runApp } from './harness/apps';
import { seen, textMatching } from './harness/ui-wait';
import { waitFor } from './harness/wait';
import { endSession, screenshotOnFailure, startSession, type E2eSession } from './harness/session';

const APP_ROOT = 'e2e support agent';
/**
 * The Open command to visible rows of the 10,000-span trace. The figure (issue 9: at least twice as
 * fast as the 1.2 to 2.1 s before) is measured by `npm run bench:panel-host` against the reference
 * in one run; a suite on a shared machine is no timer. This bound only catches a panel that
 * freezes on a big trace, as the one before the outline could.
 */
const FROZEN_MS = 6_000;

let wb: E2eSession['wb'] | undefined;
let httpPort = 0;
let bigTraceId = '';
let app: { traceId: string; chatSpanId: string } | undefined;

const api = <T>(p: string) => getJson<T>(httpPort, p);

function runEvaluatedApp(env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const log = path.join(session!.out, `app-output${env.EVALUATE_LATER ? '-late' : ''}.log`);
  return runApp(path.join(import.meta.dirname, 'app', 'evaluated-app.mjs'), { SPYGLASS_URL: `http://127.0.0.1:${httpPort}`, ...env }, log);
}

const panel = () => wb!.webviewContent();
const statusItem = () => wb!.page.locator(`#workbench\\.parts\\.statusbar [aria-label^="Spyglass: listening on port ${httpPort}"]`);

async function closeEditors(): Promise<void> {
  await wb!.runCommand('View: Close All Editors');
  await wb!.page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
}

/** Where the time of an open went: the panel frame's creation, its script, the outline, the rows (ms after `t0`). */
async function panelTimeline(t0: number): Promise<string> {
  const marks = await panel().locator('body').evaluate(() => ({
    origin: performance.timeOrigin,
    marks: performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as const),
  }));
  const at = (ms: number) => `${Math.round(marks.origin + ms - t0)} ms`;
  return [`frame ${at(0)}`, ...marks.marks.map(([name, ms]) => `${name.replace('spyglass:', '')} ${at(ms)}`)].join(', ');
}

/** "Spyglass: Open Trace…", the trace id typed into its picker; resolves on Enter. */
async function openFromPalette(traceId: string): Promise<number> {
  const page = wb!.page;
  await wb!.runCommand('Spyglass: Open Trace…');
  const input = page.locator('.quick-input-widget input.input');
  await input.fill(traceId);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: traceId }).first().waitFor({ timeout: 30_000 });
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  return t0;
}

let session: E2eSession | undefined;
screenshotOnFailure(() => session);
beforeAll(async () => {
  // The store already holds a long agent session (written through the real writer, as ingest would).
  session = await startSession('annotations', {
    prepare: ({ db }) => {
      [{ traceId: bigTraceId }] = storeBigTraces(db, [10_000], () => undefined);
    },
  });
  ({ wb, httpPort } = session);
});

afterAll(() => endSession(session));

describe('annotations and the trace panel in code-server', () => {
  it('starts the collector on the store that holds the 10,000-span trace', async () => {
    await seen(statusItem(), `status bar item "Spyglass: listening on port ${httpPort}"`, 90_000);
    const page = await api<TraceListPage>('/api/traces?limit=5');
    expect(page.traces.map((t) => t.traceId)).toContain(bigTraceId);
    expect(page.traces.find((t) => t.traceId === bigTraceId)!.spanCount).toBe(10_000);
    // A store filled just before the collector started keeps its analysis thread busy for a while.
    console.log(`[e2e] the collector's analyses caught up with the store after ${await analysesSettled(httpPort)} ms`);
  });

  it('opens the 10,000-span trace from the palette and shows its rows without freezing', async () => {
    // The fixture's failing calls raise an alert, whose notification can sit over the panel.
    await wb!.runCommand('Notifications: Clear All Notifications');
    await wb!.openViewContainer('Spyglass');
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = await openFromPalette(bigTraceId);
      // The frame watcher times the first paint; should it lose the panel's frame (a webview swaps
      // frames as it loads), the rows are still looked for the ordinary way, and the time is then coarser.
      const shownAt = await wb!.waitInWebview('#waterfall .span-row', 20_000).catch(async () => {
        await seen(panel().locator('#waterfall .span-row'), 'the trace panel\'s rows', 40_000);
        return Date.now();
      });
      samples.push(shownAt - t0);
      console.log(`[e2e] open ${i + 1}: ${await panelTimeline(t0)}`);
      if (i === 0) {
        await textMatching(panel().locator('#trace-header'), /10,000/, 'the span count in the header', 30_000);
        // the first LLM call is selected; its detail comes on demand
        await seen(panel().locator('#span-details #llm-summary'), 'the selected call\'s detail', 30_000);
        await wb!.screenshot('01-big-trace-open');
      }
      await closeEditors();
    }
    console.log(`[e2e] Open Trace → visible rows of the 10,000-span trace: ${samples.join(', ')} ms (the first opens the webview's files cold)`);
    expect(Math.min(...samples)).toBeLessThan(FROZEN_MS);
  });

  it('shows an evaluation an app sent on the span it grades', async () => {
    const r = await runEvaluatedApp();
    app = { traceId: String(r.traceId), chatSpanId: String(r.chatSpanId) };
    const detail = await waitFor('the evaluation stored on the chat span', async () => {
      const d = await api<SpanDetail>(`/api/traces/${app!.traceId}/spans/${app!.chatSpanId}`).catch(() => undefined);
      return d && d.annotations.some((a) => a.kind === 'evaluation') ? d : undefined;
    }, { timeoutMs: 15_000 });
    expect(detail.annotations.find((a) => a.kind === 'evaluation')).toMatchObject({ name: 'relevance', label: 'irrelevant', score: 0.12, source: 'instrumentation' });

    const row = wb!.viewRows('Traces', APP_ROOT);
    await seen(row, `tree row "${APP_ROOT}"`, 15_000);
    await row.first().click();
    const item = panel().locator('#annotations .annotation.kind-evaluation');
    await textMatching(item.first(), /relevance[\s\S]*irrelevant[\s\S]*The user asked about a refund/, 'the evaluation in the details pane', 30_000);
    await textMatching(item.first().locator('.annotation-meta'), /sent by the app/, 'its source', 5_000);
    // the waterfall row of the call carries the mark
    await seen(panel().locator('.span-row.llm-call .annotation-marks .kind-evaluation'), 'the evaluation mark on the call\'s row', 10_000);
    await wb!.screenshot('02-evaluation-on-span');
  });

  it('shows a later evaluation (an OTLP log record) on the open panel without a reload', async () => {
    const reloads = await panel().locator('#reload').count();
    expect(reloads).toBe(1);
    await runEvaluatedApp({ EVALUATE_LATER: '1', TRACE_ID: app!.traceId, SPAN_ID: app!.chatSpanId });
    const late = panel().locator('#annotations .annotation.kind-evaluation').filter({ hasText: 'groundedness' });
    await textMatching(late.first(), /groundedness[\s\S]*grounded[\s\S]*Every claim is backed/, 'the late evaluation, patched in', 20_000);
    await textMatching(panel().locator('#annotations > summary'), /2 evaluations/, 'the annotations heading', 5_000);
    await wb!.screenshot('03-late-evaluation-live');
  });

  it('takes a thumbs down with a comment from the keyboard and marks the trace and the call in the tree', async () => {
    const down = panel().locator('#feedback-call-down');
    await down.focus();
    await down.press('Enter');
    const text = panel().locator('#feedback-call-text');
    await seen(text, 'the comment box', 15_000);
    await text.fill('Answered about shipping; the user wanted a refund.');
    await text.press('Enter');
    await waitFor('the comment saved', async () => ((await text.count()) === 0 ? true : undefined), { timeoutMs: 15_000 });
    expect(await down.getAttribute('aria-pressed')).toBe('true');
    await textMatching(panel().locator('.feedback-call .feedback-comment-text'), 'Answered about shipping; the user wanted a refund.', 'the comment under the thumbs', 10_000);
    await seen(panel().locator('#annotations .annotation.kind-feedback').filter({ hasText: 'thumbs down' }), 'the feedback in the list', 10_000);
    const stored = await api<SpanDetail>(`/api/traces/${app!.traceId}/spans/${app!.chatSpanId}`);
    expect(stored.annotations.filter((a) => a.kind === 'feedback')).toMatchObject([{ label: 'down', source: 'user', explanation: 'Answered about shipping; the user wanted a refund.' }]);
    await wb!.screenshot('04-thumbs-down-in-panel');

    const row = wb!.viewRows('Traces', APP_ROOT).first();
    await textMatching(row, /1 thumbs down/, 'the trace row counting the thumbs down', 15_000);
    await seen(row.locator('.codicon-thumbsdown'), 'the thumbs-down icon on the trace row', 5_000);
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    const call = wb!.page.locator('.part.sidebar .monaco-list-row[aria-level="3"]').filter({ hasText: 'chat gpt-4o-mini' });
    await textMatching(call.first(), /thumbs down/, 'the call row marked', 15_000);
    await seen(call.first().locator('.codicon-thumbsdown'), 'the thumbs-down icon on the call row', 5_000);
    await wb!.screenshot('05-thumbs-down-in-tree');
  });

  it('still marks it after the collector and the window restarted, and filters the tree by it', async () => {
    await closeEditors();
    await wb!.runCommand('Spyglass: Restart Capture');
    await seen(statusItem(), 'the status bar after the collector restarted', 60_000);
    await wb!.runCommand('Developer: Reload Window');
    await wb!.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await seen(statusItem(), 'the status bar after the window reloaded', 90_000);
    await wb!.openViewContainer('Spyglass');
    const row = wb!.viewRows('Traces', APP_ROOT).first();
    await textMatching(row, /1 thumbs down/, 'the trace row after the restarts', 30_000);
    await seen(row.locator('.codicon-thumbsdown'), 'the thumbs-down icon after the restarts', 5_000);

    await wb!.runCommand('Spyglass: Filter Traces');
    await wb!.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'Rated thumbs down' }).first().click();
    // the long session (in "Last hour", never rated) leaves the tree; the rated trace stays
    await waitFor('only the rated trace in the tree', async () => ((await wb!.viewRows('Traces', /^Last hour/).count()) === 0 && (await wb!.viewRows('Traces', APP_ROOT).count()) === 1 ? true : undefined), { timeoutMs: 15_000 });
    await textMatching(wb!.page.locator('.part.sidebar .composite.title, .part.sidebar .pane-header').filter({ hasText: /Filtered/ }).first(), /thumbs down/, 'the filter in the view description', 10_000);
    const filtered = await api<TraceListPage>('/api/traces?feedback=down');
    expect(filtered.traces.map((t) => t.traceId)).toEqual([app!.traceId]);
    await wb!.screenshot('06-filtered-by-thumbs-down');
    await wb!.runCommand('Spyglass: Clear Trace Filter');
    await seen(wb!.viewRows('Traces', /^Last hour/), 'the other traces back after clearing the filter', 15_000);
  });
});
