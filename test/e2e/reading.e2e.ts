// Reading a call and the waterfall in a real VS Code host (issue 10): the packaged VSIX in a fresh
// code-server, driven in Debian Chromium, over a store that already holds a 10,000-span session.
// A real app (test/e2e/app/markdown-app.mjs, OpenTelemetry SDK over OTLP/HTTP protobuf) sends a
// chat call whose answer is markdown and a tool call. The developer:
//   - reads the call's markdown answer rendered (nothing loaded from the web, raw HTML inert),
//     and a link asks before it opens;
//   - reads its attributes as a table with a foldable JSON value;
//   - copies the answer and the whole span as JSON (the clipboard holds them);
//   - reads the tool call's arguments and result as formatted blocks;
//   - zooms the long trace's time axis into its busiest second (Ctrl + wheel, then a drag).
// The store is as the previous version left it, and another process holds its write lock at first:
// the window says it is upgrading the store (status bar and notification) until capture starts.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceOutline } from '../../src/protocol/api';
import Database from 'better-sqlite3';
import { storeBigTraces } from '../../bench/lib/panel-fixture';
import { SCHEMA_VERSION } from '../../src/store/schema';
import { getJson } from './harness/collector-api';
import { runApp } from './harness/apps';
import { seen, textMatching } from './harness/ui-wait';
import { waitFor } from './harness/wait';
import { endSession, screenshotOnFailure, startSession, type E2eSession } from './harness/session';

const APP_ROOT = 'travel planner';

let wb: E2eSession['wb'] | undefined;
let httpPort = 0;
let grpcPort = 0;
let bigTraceId = '';
let app: { traceId: string; chatSpanId: string; toolSpanId: string } | undefined;
/** Holds the store's write lock until the upgrade has been seen. */
let lock: Database.Database | undefined;

const api = <T>(p: string) => getJson<T>(httpPort, p);

const panel = () => wb!.webviewContent();
const statusItem = () => wb!.page.locator(`#workbench\\.parts\\.statusbar [aria-label^="Spyglass: listening on port ${httpPort}"]`);
const clipboard = () => wb!.page.evaluate(() => navigator.clipboard.readText());

let session: E2eSession | undefined;
screenshotOnFailure(() => session);
beforeAll(async () => {
  session = await startSession('reading', {
    prepare: ({ db }) => {
      [{ traceId: bigTraceId }] = storeBigTraces(db, [10_000], () => undefined);
      lock = new Database(db);
      lock.pragma(`user_version = ${SCHEMA_VERSION - 1}`);
      lock.exec('BEGIN IMMEDIATE');
    },
  });
  ({ wb, httpPort, grpcPort } = session);
});

afterAll(async () => {
  if (lock?.inTransaction) lock.exec('COMMIT');
  lock?.close();
  await endSession(session);
});

describe('reading a call and the waterfall in code-server', () => {
  it('says it is upgrading a store the previous version left, then captures', async () => {
    const upgrading = wb!.page.locator('#workbench\\.parts\\.statusbar [aria-label="Spyglass: upgrading the trace store"]');
    await seen(upgrading, 'status bar item "Spyglass: upgrading the trace store"', 90_000);
    await seen(wb!.notification(new RegExp(`upgrading the trace store \\(.+\\) for this version.*\\(schema ${SCHEMA_VERSION - 1} → ${SCHEMA_VERSION}\\)`)), 'the upgrade notification', 15_000);
    await wb!.screenshot('00-upgrading-store');
    lock!.exec('COMMIT');
    lock!.close();
    await seen(statusItem(), `status bar item "Spyglass: listening on port ${httpPort}"`, 60_000);
    expect(await upgrading.count()).toBe(0);
  });

  it('captures the app\'s call with a markdown answer and a tool call', async () => {
    await seen(statusItem(), `status bar item "Spyglass: listening on port ${httpPort}"`, 90_000);
    app = await runApp(path.join(import.meta.dirname, 'app', 'markdown-app.mjs'), { SPYGLASS_URL: `http://127.0.0.1:${httpPort}` }, path.join(session!.out, 'app-output.log'));
    await waitFor('the app\'s trace stored', async () => (await api<TraceOutline>(`/api/traces/${app!.traceId}/outline`).catch(() => undefined))?.spanId.length === 3 ? true : undefined, { timeoutMs: 15_000 });
  });

  it('renders the call\'s markdown answer: formatting, no remote image, raw HTML as text, links through VS Code', async () => {
    await wb!.openViewContainer('Spyglass');
    const row = wb!.viewRows('Traces', APP_ROOT);
    await seen(row, `tree row "${APP_ROOT}"`, 15_000);
    await row.first().click();
    const answer = panel().locator('.message-output .part-markdown');
    await seen(answer, 'the rendered answer', 30_000);
    await textMatching(answer.locator('h2'), 'Your trip to Lisbon', 'the heading', 5_000);
    await textMatching(answer.locator('strong'), 'sunny', 'bold text', 5_000);
    expect(await answer.locator('ol li').count()).toBe(2);
    expect(await answer.locator('pre code').textContent()).toContain('"city": "Lisbon"');
    // nothing from the web, nothing that runs
    expect(await answer.locator('img, script, iframe, a[href]').count()).toBe(0);
    await textMatching(answer.locator('.md-image'), /Image: map of Lisbon/, 'the image placeholder', 5_000);
    expect(await answer.textContent()).toContain('<img src=x onerror=');
    expect(await panel().locator('body').evaluate(() => document.title)).not.toBe('pwned');
    await textMatching(answer.locator('.md-link').first(), 'Belém Tower (example.com)', 'the link with where it goes', 5_000);
    await wb!.screenshot('01-markdown-answer');

    // a link opens only after VS Code asks
    await answer.locator('.md-link').first().click();
    const dialog = wb!.page.locator('.monaco-dialog-box');
    await textMatching(dialog, /Open a link from captured text\?[\s\S]*https:\/\/example\.com\/belem/, 'the confirmation with the address', 15_000);
    await wb!.screenshot('02-link-asks-first');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });

    // the raw text, one click away
    await panel().locator('.message-output .markdown-toggle').click();
    await textMatching(panel().locator('.message-output .part-text'), /## Your trip to Lisbon[\s\S]*\*\*sunny\*\*/, 'the raw markdown', 5_000);
    await panel().locator('.message-output .markdown-toggle').click();
    await seen(panel().locator('.message-output .part-markdown h2'), 'rendered again', 5_000);
  });

  it('copies the answer and the whole span as JSON to the clipboard', async () => {
    await panel().locator('.message-output .copy-button').first().click();
    await waitFor('the answer on the clipboard', async () => ((await clipboard()).startsWith('## Your trip to Lisbon') ? true : undefined), { timeoutMs: 10_000 });
    await panel().locator('#copy-span-json').click();
    const span = await waitFor('the span as JSON on the clipboard', async () => {
      try {
        const parsed = JSON.parse(await clipboard()) as { spanId?: string; llm?: { outputMessages: unknown[] } };
        return parsed.spanId === app!.chatSpanId ? parsed : undefined;
      } catch {
        return undefined;
      }
    }, { timeoutMs: 10_000 });
    expect(span.llm?.outputMessages).toHaveLength(1);
  });

  it('shows the attributes as a key/value table with the JSON value foldable', async () => {
    // The fixture's failing calls raise an alert, whose notification can sit over the panel.
    await wb!.runCommand('Notifications: Clear All Notifications');
    const section = panel().locator('details.section').filter({ has: panel().locator('#attributes') });
    await section.locator('> summary').click();
    const row = panel().locator('#attributes tr[data-key="app.request.options"]');
    await seen(row, 'the JSON attribute row', 10_000);
    await textMatching(row.locator('.json-children').first(), /temperature: 0\.2/, 'the pretty-printed value', 5_000);
    const nested = row.locator('.json-children details.json-node').first();
    expect(await nested.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await nested.locator('> summary').click();
    await textMatching(nested, /attempts: 3/, 'the unfolded nested object', 5_000);
    await row.locator('.copy-button').click();
    await waitFor('the value on the clipboard', async () => ((await clipboard()).includes('"backoffMs": [') ? true : undefined), { timeoutMs: 10_000 });
    await row.scrollIntoViewIfNeeded();
    await wb!.screenshot('03-attributes-table');
  });

  it('shows the tool call\'s arguments and result as formatted blocks', async () => {
    await panel().locator(`.span-row[data-span-id="${app!.toolSpanId}"] .span-name`).click();
    const args = panel().locator('#tool-io-arguments');
    await textMatching(args, /city: "Lisbon"[\s\S]*days: 3/, 'the arguments', 15_000);
    await textMatching(panel().locator('#tool-io-result'), /forecast/, 'the result', 5_000);
    await textMatching(panel().locator('#tool-io h3'), /tool get_weather/i, 'the tool name', 5_000);
    await wb!.screenshot('04-tool-call');
  });

  it('zooms the 10,000-span trace into its busiest second', async () => {
    // The fixture's failing calls raise an alert, whose notification can sit over the panel.
    await wb!.runCommand('Notifications: Clear All Notifications');
    // the busiest second by span starts, from the collector's outline
    const outline = await api<TraceOutline>(`/api/traces/${bigTraceId}/outline`);
    const perSecond = new Map<number, number>();
    for (const s of outline.start) perSecond.set(Math.floor(s / 1000), (perSecond.get(Math.floor(s / 1000)) ?? 0) + 1);
    const [busy] = [...perSecond].sort((a, b) => b[1] - a[1])[0]!;
    const centre = busy * 1000 + 500;

    await wb!.runCommand('Spyglass: Open Trace…');
    await wb!.page.locator('.quick-input-widget input.input').fill(bigTraceId);
    await wb!.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: bigTraceId }).first().click();
    await wb!.waitInWebview('#waterfall .span-row');
    const pane = panel().locator('#waterfall-pane');
    await seen(pane, 'the waterfall', 30_000);
    const windowMs = async () => pane.evaluate((el) => ({ start: Number((el as HTMLElement).dataset.windowStart), end: Number((el as HTMLElement).dataset.windowEnd) }));
    const axis = panel().locator('.waterfall-axis');
    const xOf = async (t: number) => {
      const box = (await axis.boundingBox())!;
      const w = await windowMs();
      return box.x + ((t - w.start) / (w.end - w.start)) * box.width;
    };
    const full = await windowMs();
    expect(full.start).toBe(0);
    const y = (await axis.boundingBox())!.y + 200; // over the rows' timeline
    // Ctrl + wheel over the busy time, until about ten seconds are in view
    await wb!.page.keyboard.down('Control');
    for (let i = 0; i < 8; i++) {
      const w = await windowMs();
      if (w.end - w.start <= 12_000) break;
      await wb!.page.mouse.move(await xOf(centre), y);
      await wb!.page.mouse.wheel(0, -400);
      await waitFor('the zoom applied', async () => ((await windowMs()).end - (await windowMs()).start < w.end - w.start ? true : undefined), { timeoutMs: 5_000 });
    }
    await wb!.page.keyboard.up('Control');
    // then a drag across the busy second selects it
    const x0 = await xOf(busy * 1000);
    const x1 = await xOf(busy * 1000 + 1000);
    await wb!.page.mouse.move(x0, y);
    await wb!.page.mouse.down();
    await wb!.page.mouse.move((x0 + x1) / 2, y, { steps: 3 });
    await wb!.page.mouse.move(x1, y, { steps: 3 });
    await wb!.page.mouse.up();
    const zoomed = await waitFor('the busy second in view', async () => {
      const w = await windowMs();
      return w.end - w.start < 1_500 ? w : undefined;
    }, { timeoutMs: 10_000 });
    expect(zoomed.start).toBeGreaterThan(busy * 1000 - 300);
    expect(zoomed.end).toBeLessThan(busy * 1000 + 1300);
    await seen(panel().locator('#waterfall-pane.zoomed .minimap-window'), 'the window on the minimap', 5_000);
    await textMatching(panel().locator('#zoom-label'), /–/, 'the visible range', 5_000);
    await wb!.screenshot('05-zoomed-busy-second');
    // 0 shows the whole trace again
    await panel().locator('#waterfall').focus();
    await panel().locator('#waterfall').press('0');
    await waitFor('the whole trace again', async () => ((await windowMs()).end === full.end ? true : undefined), { timeoutMs: 5_000 });
  });
});
