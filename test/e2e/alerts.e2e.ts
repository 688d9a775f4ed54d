// Budgets, alerts and the dashboard in a real VS Code host: the packaged VSIX in a fresh
// code-server, driven in Debian Chromium. A runaway agent (test/e2e/app/runaway-app.mjs, the
// official openai client through the recording proxy to a fake OpenAI) loops on one request:
//   - a P1 shows in the status bar and as a notification within ten seconds of the loop starting;
//   - the hard limit (spyglass.alerts.maxCallsPerMinute) stops it with a JSON 429, recorded;
//   - the crossed daily budget shows in the Alerts view with its projection;
//   - the dashboard's figures match the calls behind them (read back from the JSON API);
//   - lifting the breaker lets the service call again.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsDto, BreakersDto } from '../../src/protocol/alerts';
import type { StatsDto, TraceListPage } from '../../src/protocol/api';
import { NICE_BUCKET_MS } from '../../src/core/dashboard/buckets';
import type { DashboardSeries } from '../../src/protocol/dashboard';
import { formatInteger, formatPercent, formatUsd } from '../../src/core/format';
import type { FakeServer } from '../fakes/fake-server';
import { startFakeOpenAI } from '../fakes/openai-fake';
import { getJson } from './harness/collector-api';
import { runApp } from './harness/apps';
import { seen, textMatching } from './harness/ui-wait';
import { waitFor } from './harness/wait';
import { endSession, screenshotOnFailure, startSession, type E2eSession } from './harness/session';

const LIMIT = 40;
const BUDGET_USD = 0.00005;

let wb: E2eSession['wb'] | undefined;
let fake: FakeServer | undefined;
let httpPort = 0;
let run: { startedAt: number; ok: number; refused: { status: number; code: string; message: string; at: number } | null } | undefined;

const api = <T>(p: string) => getJson<T>(httpPort, p);

const statusItem = () => wb!.page.locator('#workbench\\.parts\\.statusbar [aria-label^="Spyglass"]').first();

let session: E2eSession | undefined;
screenshotOnFailure(() => session);
beforeAll(async () => {
  fake = await startFakeOpenAI();
  session = await startSession('alerts', {
    settings: {
      'spyglass.proxy.upstreams': { fakeai: fake.url },
      'spyglass.alerts.maxCallsPerMinute': LIMIT,
      'spyglass.alerts.budgetDailyUsd': BUDGET_USD,
    },
  });
  ({ wb, httpPort } = session);
});

afterAll(() => endSession(session, fake));

describe('budgets, alerts and the dashboard in code-server', () => {
  it('starts the collector with the alert settings', async () => {
    await seen(wb!.page.locator(`#workbench\\.parts\\.statusbar [aria-label^="Spyglass: listening on port ${httpPort}"]`), 'the status bar item', 90_000);
    expect((await api<BreakersDto>('/api/breakers')).maxCallsPerMinute).toBe(LIMIT);
    await wb!.openViewContainer('Spyglass');
  });

  it('a runaway loop raises a P1 in the status bar and a notification within ten seconds; the hard limit stops it', async () => {
    const app = runApp<NonNullable<typeof run>>(path.join(import.meta.dirname, 'app', 'runaway-app.mjs'), {
      SPYGLASS_URL: `http://127.0.0.1:${httpPort}`, ROUTE: 'fakeai', SERVICE: 'runaway-agent', MAX_CALLS: '500',
    }, path.join(session!.out, 'runaway-app.log'));
    // The loop starts with its first call at the provider (the app's Node and SDK take a while to load on a busy machine).
    await waitFor('the loop\'s first call', async () => (fake!.requests.length > 0 ? true : undefined), { timeoutMs: 30_000 });
    const started = Date.now();
    await textMatching(statusItem(), /P1/, 'a P1 in the status bar', 10_000).catch(async () => {
      // say what the status bar showed instead
      throw new Error(`no P1 in the status bar within 10 s: ${await statusItem().getAttribute('aria-label')}`);
    });
    const label = (await statusItem().getAttribute('aria-label'))!;
    expect(label).toMatch(/^Spyglass alert: P1 /);
    await seen(wb!.notification(/Spyglass P1: .*runaway-agent/), 'the P1 notification', Math.max(1_000, 10_000 - (Date.now() - started)));
    console.log(`[e2e] status bar and notification showed the P1 ${Date.now() - started} ms after the loop started`);
    await wb!.screenshot('01-runaway-p1-status-and-notification');

    run = await app;
    expect(run.refused).toMatchObject({ status: 429, code: 'circuit_open' });
    expect(run.refused!.message).toMatch(/runaway-agent.*hard limit/);
    expect(run.ok).toBe(LIMIT);
    expect(fake!.requests.length).toBe(LIMIT);
    // The refused call is recorded through the write queue: it lands shortly after the app has its 429.
    const refusedCalls = await waitFor('the refused call recorded', async () => {
      const page = await api<TraceListPage>('/api/traces?service=runaway-agent&status=error');
      return page.traces.length > 0 ? page : undefined;
    }, { timeoutMs: 10_000 });
    expect(refusedCalls.traces.length).toBe(1);
  });

  it('lists the alerts with the crossed daily budget and its projection', async () => {
    const alerts = await waitFor('the budget alert', async () => {
      const a = await api<AlertsDto>('/api/alerts');
      return a.alerts.some((x) => x.rule === 'budget-daily' && x.severity === 'P1') ? a.alerts : undefined;
    }, { timeoutMs: 15_000 });
    const budget = alerts.find((a) => a.rule === 'budget-daily')!;
    expect(budget.severity).toBe('P1');
    expect(budget.projectedUsd).toBeGreaterThan(BUDGET_USD);
    await wb!.runCommand('Spyglass: Show Alerts');
    const row = wb!.viewRows('Alerts', /P1 daily budget/);
    await textMatching(row.first(), /projected \$/, 'the budget row with its projection', 15_000);
    await seen(wb!.viewRows('Alerts', /P1 runaway loop/), 'the runaway loop row', 5_000);
    await seen(wb!.viewRows('Alerts', /P1 calls refused/), 'the open breaker row', 5_000);
    await row.first().hover();
    await wb!.screenshot('02-alerts-view-budget-projection');
  });

  it('shows dashboard figures that match the calls behind them', async () => {
    const stats = await api<StatsDto>(`/api/stats?from=${run!.startedAt - 60_000}&to=${Date.now() + 1}`);
    expect(stats.calls).toBe(LIMIT + 1); // the refused call is recorded too
    await wb!.runCommand('Spyglass: Open Dashboard');
    const dash = wb!.webviewContent();
    await textMatching(dash.locator('[data-card="calls"] .card-value'), String(LIMIT + 1), 'the calls card', 30_000);
    await textMatching(dash.locator('[data-card="errors"] .card-value'), '1', 'the errors card (the refused call)', 10_000);
    await seen(dash.locator('#dashboard-alerts .dashboard-alert').filter({ hasText: 'runaway' }), 'the active alerts on the dashboard', 10_000);
    await wb!.screenshot('03-dashboard');

    // The charts over time: their headline figures are the calls behind them.
    const series = await api<DashboardSeries>(`/api/dashboard/series?from=${run!.startedAt - 60_000}&to=${Date.now() + 1}&bucketMs=60000`);
    expect(series.totals.calls).toBe(stats.calls);
    expect(series.totals.errors).toBe(stats.errors);
    expect(series.totals.costUsd).toBeCloseTo(stats.costUsd, 12);
    expect(series.buckets.reduce((a, b) => a + b.calls, 0)).toBe(LIMIT + 1);
    expect(series.costBy.service.map((s) => s.key)).toContain('runaway-agent');
    // Without a width, the nice one the dashboard would pick; inner bucket edges on its grid, the first clipped to `from`.
    const from = run!.startedAt - 60_001;
    const auto = await api<DashboardSeries>(`/api/dashboard/series?from=${from}&to=${Date.now() + 1}`);
    expect(NICE_BUCKET_MS).toContain(auto.bucketMs);
    expect(auto.buckets[0]!.start).toBe(from);
    expect(auto.buckets.slice(1).every((b, k) => b.start % auto.bucketMs === 0 && b.start === auto.buckets[k]!.end)).toBe(true);
    expect(auto.totals.calls).toBe(stats.calls);
    const rates = dash.locator('[data-headline="rates"]');
    await textMatching(rates, `${formatInteger(LIMIT + 1)} calls · ${formatPercent(1 / (LIMIT + 1))} errors · 0% refused`, 'the calls and rates chart', 15_000);
    await textMatching(dash.locator('[data-headline="costStack"]'), formatUsd(stats.costUsd), 'the cost chart\'s total', 10_000);
    await dash.locator('#cost-stack-by').selectOption('service');
    await seen(dash.locator('[data-card="cache-savings"]'), 'the cache savings card', 10_000);
    await seen(dash.locator('#spend'), 'the spend table', 10_000);
    await dash.locator('#card-rates').scrollIntoViewIfNeeded();
    await wb!.screenshot('04-dashboard-charts-over-time');
    await dash.locator('#card-ttft').scrollIntoViewIfNeeded();
    await wb!.screenshot('05-dashboard-distributions-and-spend');
  });

  it('lifting the breaker lets the service call again', async () => {
    await wb!.runCommand('Spyglass: Lift Circuit Breaker');
    const pick = wb!.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'runaway-agent' }).first();
    await pick.waitFor({ timeout: 15_000 });
    await pick.click();
    await waitFor('the breaker lifted', async () => ((await api<BreakersDto>('/api/breakers')).breakers.length === 0 ? true : undefined), { timeoutMs: 10_000 });
    const again = await runApp<NonNullable<typeof run>>(path.join(import.meta.dirname, 'app', 'runaway-app.mjs'), {
      SPYGLASS_URL: `http://127.0.0.1:${httpPort}`, ROUTE: 'fakeai', SERVICE: 'runaway-agent', MAX_CALLS: '1',
    }, path.join(session!.out, 'after-lift.log'));
    expect(again).toMatchObject({ ok: 1, refused: null });
  });
});
