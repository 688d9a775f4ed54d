// Finding traces in a real VS Code host: the packaged VSIX in a fresh code-server, driven in
// Debian Chromium, over a store that holds a week of traces (written through the real writer,
// as ingest would). The developer:
//   - finds last week's slowest call in three clicks: the explorer button on the Traces view,
//     the Duration header, the first row (its trace panel opens);
//   - reads a session (three turns spread over a day) as a conversation;
//   - stops capture, and the explorer and the tree still show the stored traces.
import type { Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/collector/analyzer';
import type { IngestSpan } from '../../src/core/model';
import type { TraceListPage } from '../../src/protocol/api';
import { Store } from '../../src/store/store';
import { getJson } from './harness/collector-api';
import { seen, textMatching } from './harness/ui-wait';
import { waitFor } from './harness/wait';
import { endSession, screenshotOnFailure, startSession, type E2eSession } from './harness/session';

const SESSION = 'conv-e2e-refund';
const SLOWEST = 'nightly report';

let wb: E2eSession['wb'] | undefined;
let httpPort = 0;
let slowestId = '';

const api = <T>(p: string, port = httpPort) => getJson<T>(port, p);

let idSeq = 0;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

/** A request trace: a root span and one chat call with the user's question and the answer. */
function requestTrace(o: { name: string; startMs: number; durationMs: number; question: string; answer: string; session?: string; user?: string }): IngestSpan[] {
  const traceId = hex(++idSeq, 8) + 'e2e0000000000000000000aa';
  const rootId = hex(++idSeq, 16);
  const startUs = o.startMs * 1000;
  const base = { traceId, kind: 1, statusCode: 0 as const, statusMessage: '', events: [], links: [], resource: { 'service.name': 'support-bot' }, scope: { name: 'e2e' } };
  return [
    { ...base, spanId: rootId, parentSpanId: null, name: o.name, startUs, endUs: startUs + o.durationMs * 1000,
      attributes: { ...(o.session ? { 'session.id': o.session } : {}), ...(o.user ? { 'user.id': o.user } : {}) } },
    { ...base, spanId: hex(++idSeq, 16), parentSpanId: rootId, name: 'chat gpt-4o-mini', kind: 3, startUs: startUs + 5_000, endUs: startUs + (o.durationMs - 5) * 1000,
      attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 40,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: o.question }] }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: o.answer }], finish_reason: 'stop' }]),
      } },
  ];
}

/** A week of traffic: a request every ~70 minutes, last week's slow report, and one session over a day. */
function seedStore(db: string): void {
  const now = Date.now();
  const { analyzer } = createAnalyzer([]);
  const store = new Store(db, analyzer);
  const spans: IngestSpan[] = [];
  for (let i = 0; i < 140; i++) {
    spans.push(...requestTrace({
      name: 'support answer', startMs: now - (i + 1) * 70 * 60_000, durationMs: 400 + ((i * 37) % 2500),
      question: `Where is order #${1000 + i}?`, answer: `Order #${1000 + i} shipped yesterday.`,
    }));
  }
  const slow = requestTrace({ name: SLOWEST, startMs: now - 6 * 86_400_000, durationMs: 95_000, question: 'Summarise last week\'s tickets', answer: 'Refunds doubled after the outage.' });
  slowestId = slow[0]!.traceId;
  spans.push(...slow);
  const turns: [number, string, string][] = [
    [20 * 3_600_000, 'I was charged twice for my order.', 'I am sorry. I can see two charges for order #88.'],
    [2 * 3_600_000, 'Can you refund one of them?', 'Done: the second charge of $42.00 is refunded.'],
    [3 * 60_000, 'When will I see the money?', 'Refunds reach your card in 3 to 5 business days.'],
  ];
  for (const [ago, q, a] of turns) spans.push(...requestTrace({ name: 'support chat', startMs: now - ago, durationMs: 1_200, question: q, answer: a, session: SESSION, user: 'dana' }));
  store.writer.write([{ spans, logs: [] }]);
  store.close();
}

/** The frame of the open webview whose body says `data-panel=<panel>`. */
function panelFrame(panel: string, timeoutMs = 60_000): Promise<Frame> {
  return waitFor(`the ${panel} webview`, async () => {
    for (const f of wb!.page.frames()) {
      const name = await f.evaluate(() => document.body?.dataset.panel ?? null).catch(() => null);
      if (name === panel && (await f.evaluate(() => document.visibilityState === 'visible' && document.body.offsetWidth > 0).catch(() => false))) return f;
    }
    return undefined;
  }, { timeoutMs, intervalMs: 100 });
}

const statusItem = () => wb!.page.locator(`#workbench\\.parts\\.statusbar [aria-label^="Spyglass: listening on port ${httpPort}"]`);

let session: E2eSession | undefined;
let windowOpenedAt = 0;
screenshotOnFailure(() => session);
beforeAll(async () => {
  session = await startSession('explorer', { prepare: ({ db }) => seedStore(db) });
  windowOpenedAt = Date.now();
  ({ wb, httpPort } = session);
});

afterAll(() => endSession(session));

describe('finding traces in code-server', () => {
  it('"Get Started", run early, opens Spyglass\'s own walkthrough with its steps', async () => {
    // First in the file, as soon as the command exists: VS Code registers an extension's
    // walkthroughs seconds after activation (see open-walkthrough.ts), and the page must land on
    // Spyglass's, not VS Code's own, however early "Get Started" runs.
    // The palette lists what the window knew when it opened: asked again until Spyglass's commands are in.
    await waitFor('"Spyglass: Get Started" in the command palette', async () => {
      try {
        await wb!.runCommand('Spyglass: Get Started', 3_000);
        return true;
      } catch {
        await wb!.page.keyboard.press('Escape');
        return undefined;
      }
    }, { timeoutMs: 90_000, intervalMs: 250 });
    console.log(`"Get Started" ran ${((Date.now() - windowOpenedAt) / 1000).toFixed(1)} s after the window opened`);
    const details = wb!.page.locator('.gettingStartedSlideDetails');
    // The command waits (with progress) until VS Code has registered the walkthrough, then opens it.
    await textMatching(details, /Get Started with Spyglass/, 'Spyglass\'s walkthrough on the Welcome page', 60_000);
    const steps = details.locator('.getting-started-step .step-title');
    const titles = await waitFor('its four steps', async () => {
      const t = (await steps.allInnerTexts()).map((s) => s.trim());
      return t.length === 4 ? t : undefined;
    }, { timeoutMs: 15_000 });
    expect(titles).toEqual(['Start capture', 'Connect an app', 'Open a trace', 'Open the dashboard']);
    // Capture is on, so its step is ticked (completion event onContext:spyglass.capturing).
    await seen(details.locator('.getting-started-step[aria-checked="true"]').filter({ hasText: 'Start capture' }), 'the "Start capture" step ticked', 60_000);
    expect(await details.innerText()).not.toMatch(/Setup VS Code|Get Started with VS Code/);
    // The next step shows its page with the port this window's collector really uses. (Run this
    // early, the page may have opened before capture started, with the first step selected.)
    await details.locator('.getting-started-step').filter({ hasText: 'Connect an app' }).first().click();
    await waitFor(`the "Connect an app" page naming 127.0.0.1:${httpPort}`, async () => {
      for (const f of wb!.page.frames()) {
        const text = await f.evaluate(() => document.body?.innerText ?? '').catch(() => '');
        if (text.includes('Connect an app') && text.includes(`127.0.0.1:${httpPort}`)) return true;
      }
      return undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    await wb!.screenshot('00-walkthrough');
    await wb!.runCommand('View: Close All Editors');
  }, 240_000);

  it('starts on a store with a week of traces', async () => {
    await seen(statusItem(), `status bar item "Spyglass: listening on port ${httpPort}"`, 90_000);
    const page = await api<TraceListPage>('/api/traces?sort=duration&limit=1');
    expect(page.traces[0]!.traceId).toBe(slowestId);
    expect(page.total).toBe(144);
  });

  it('finds last week\'s slowest call in three clicks: explorer, Duration, the first row', async () => {
    await wb!.openViewContainer('Spyglass');
    // 1: the explorer button on the Traces view's title (beside other views, a pane shows its title actions while hovered)
    await wb!.page.locator('.part.sidebar .pane-header').filter({ hasText: /Traces/i }).first().hover();
    await (await seen(wb!.page.locator('.part.sidebar .action-label[aria-label="Open Trace Explorer"]'), 'the explorer button on the Traces view', 30_000)).click();
    const explorer = await panelFrame('explorer');
    await seen(explorer.locator('#explorer-rows .trace-row'), 'the explorer\'s rows', 30_000);
    await textMatching(explorer.locator('#explorer-summary'), /144 traces/, 'the total of the last 7 days', 15_000);
    await textMatching(explorer.locator('#explorer-rows .trace-row').first(), /support chat[\s\S]*When will I see the money\?[\s\S]*Refunds reach your card/, 'the newest trace with its question and answer', 15_000);
    await wb!.screenshot('01-explorer');
    // 2: sort by duration (biggest first)
    await explorer.locator('button.sort-button[data-sort="duration"]').click();
    await textMatching(explorer.locator('#explorer-rows .trace-row').first(), new RegExp(`${SLOWEST}[\\s\\S]*1m 35s`), 'the slowest trace first', 15_000);
    expect(await explorer.locator('th.col-duration').getAttribute('aria-sort')).toBe('descending');
    await wb!.screenshot('02-sorted-by-duration');
    // 3: open it
    await explorer.locator('#explorer-rows .trace-row').first().click();
    const trace = await panelFrame('trace');
    await textMatching(trace.locator('#trace-header'), new RegExp(SLOWEST), 'the trace panel of the slowest trace', 30_000);
    await seen(trace.locator('#waterfall .span-row'), 'its waterfall', 30_000);
    await wb!.screenshot('03-slowest-trace-open');
  });

  it('filters and searches the whole store from the explorer', async () => {
    await wb!.runCommand('Spyglass: Open Trace Explorer');
    const explorer = await panelFrame('explorer');
    await explorer.locator('#explorer-search').fill('order #1100');
    await textMatching(explorer.locator('#explorer-summary'), /^1 traces?/, 'one match for a message of four days ago', 15_000);
    await textMatching(explorer.locator('#explorer-rows .trace-row').first(), /Where is order #1100\?/, 'the matching trace', 15_000);
    await explorer.locator('#explorer-search').fill('');
    await explorer.locator('#filter-session').fill(SESSION);
    await textMatching(explorer.locator('#explorer-summary'), /^3 traces/, 'the session\'s three turns', 15_000);
    await wb!.screenshot('04-filtered-by-session');
  });

  it('reads a session as a conversation, turn by turn', async () => {
    const explorer = await panelFrame('explorer');
    await explorer.locator('#explorer-rows .trace-row .row-check').first().click();
    await explorer.locator('#open-session').click();
    const session = await panelFrame('session');
    await textMatching(session.locator('#session-title'), SESSION, 'the session view', 30_000);
    const turns = session.locator('#session-turns .turn');
    await waitFor('three turns', async () => ((await turns.count()) === 3 ? true : undefined), { timeoutMs: 15_000 });
    await textMatching(turns.nth(0), /Turn 1[\s\S]*I was charged twice[\s\S]*two charges for order #88/, 'the first turn, oldest first', 5_000);
    await textMatching(turns.nth(2), /Turn 3[\s\S]*When will I see the money\?[\s\S]*3 to 5 business days/, 'the last turn', 5_000);
    await textMatching(session.locator('#session-totals'), /3 turns[\s\S]*3 calls[\s\S]*dana/, 'the session totals', 5_000);
    await wb!.screenshot('05-session-conversation');
  });

  it('still shows the stored traces in the explorer and the tree with capture stopped', async () => {
    await wb!.runCommand('View: Close All Editors');
    await wb!.runCommand('Spyglass: Stop Capture');
    await waitFor('the capture port closed', async () => fetch(`http://127.0.0.1:${httpPort}/api/health`).then(() => undefined, () => true), { timeoutMs: 30_000 });
    await wb!.runCommand('Spyglass: Open Trace Explorer');
    const explorer = await panelFrame('explorer');
    await textMatching(explorer.locator('#explorer-summary'), /144 traces[\s\S]*stored data \(capture stopped\)/, 'the explorer reading the store', 30_000);
    await seen(explorer.locator('#explorer-rows .trace-row'), 'its rows', 15_000);
    await wb!.openViewContainer('Spyglass');
    await seen(wb!.viewRows('Traces', /^Session conv-e2e-refund/), 'the session node in the tree', 30_000);
    await textMatching(wb!.viewRows('Traces', /^Session conv-e2e-refund/).first(), /3 traces/, 'all three turns counted on one session node', 15_000);
    await wb!.screenshot('06-capture-stopped-still-readable');
  });
});
