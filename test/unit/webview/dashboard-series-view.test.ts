// @vitest-environment happy-dom
// The dashboard's series charts and spend table in the webview: specs shaped from the series,
// the stack and spend selectors, captured names rendered as text, rows that open their trace.
import { beforeEach, describe, expect, it } from 'vitest';
import { SeriesBuilder, type SeriesCall } from '../../../src/core/dashboard/series';
import { MessageEndpoint, type DashboardHostToWebview, type DashboardWebviewToHost, type WireMessage } from '../../../src/protocol/webview';
import { binLabel, cacheSpec, costStackSpec, headlines, histogramSpec, ratesSpec } from '../../../webview/dashboard/series-data';
import type { ChartSpec } from '../../../webview/dashboard/series-data';
import { mountDashboard } from '../../../webview/dashboard/view';
import { HOSTILE, dashboardState } from './fixtures';

const T0 = 1_764_000_000_000;
const TRACE = '0af7651916cd43dd8448eb211c80319c';

function call(over: Partial<SeriesCall>): SeriesCall {
  return {
    startMs: T0, traceId: TRACE, model: 'gpt-4o', provider: 'openai', service: 'api', prompt: null, user: null, session: null, feature: null,
    durationMs: 1000, ttftMs: 200, inputTokens: 1000, outputTokens: 101, cachedInputTokens: 500, costUsd: 0.01, isError: false, refused: false, ...over,
  };
}

function series() {
  const b = new SeriesBuilder(T0, T0 + 3_600_000, 300_000, { savingPerCachedToken: () => 2e-6 });
  b.add(call({ user: HOSTILE, feature: 'search' }));
  b.add(call({ startMs: T0 + 400_000, model: 'claude', service: 'worker', isError: true, costUsd: 0.025, user: 'bob' }));
  b.add(call({ startMs: T0 + 400_001, refused: true, prompt: 'greet@2', costUsd: 0.02 }));
  return b.build();
}

function mount() {
  const posted: WireMessage[] = [];
  const specs = new Map<string, ChartSpec[]>();
  const endpoint = new MessageEndpoint<DashboardWebviewToHost, DashboardHostToWebview>({ post: (m) => posted.push(m) });
  const root = document.createElement('div');
  document.body.appendChild(root);
  mountDashboard(root, {
    endpoint, initial: dashboardState({ charts: series() }), persist: () => undefined,
    createChart: () => ({ update: () => undefined, setTheme: () => undefined }),
    createSeriesChart: (_c, kind) => ({ update: (s) => specs.set(kind, [...(specs.get(kind) ?? []), s]), setTheme: () => undefined }),
  });
  return { root, posted, last: (kind: string) => specs.get(kind)!.at(-1)! };
}

beforeEach(() => document.body.replaceChildren());

describe('series chart specs', () => {
  it('stacks cost by the chosen group and puts rates on a percent axis', () => {
    const s = series();
    const byModel = costStackSpec(s, 'model');
    expect(byModel.stacked).toBe(true);
    expect(byModel.datasets.map((d) => d.label)).toEqual(['gpt-4o', 'claude']);
    expect(byModel.datasets[0]!.data[1]).toBeCloseTo(0.02, 12);
    expect(costStackSpec(s, 'prompt').datasets.map((d) => d.label)).toEqual(['(no prompt)', 'greet@2']);
    const rates = ratesSpec(s);
    expect(rates.y2).toBe('percent');
    expect(rates.datasets.find((d) => d.label === 'Error rate')!.data[1]).toBeCloseTo(1 / 2, 12);
    expect(rates.datasets.find((d) => d.label === 'Refusal rate')!.data[1]).toBeCloseTo(1 / 2, 12);
    expect(rates.datasets.find((d) => d.label === 'Error rate')!.data[2]).toBeNull();
    expect(cacheSpec(s).datasets.find((d) => d.label === 'Saved by the cache')!.data[0]).toBeCloseTo(500 * 2e-6, 12);
    expect(histogramSpec(s.ttftHistogram, 'Calls').labels).toEqual(['0–200ms', '200ms–500ms']);
    expect(binLabel({ lo: 1000, hi: 2000, count: 1 })).toBe('1s–2s');
    expect(headlines(s).rates).toBe('3 calls · 33% errors · 33% refused');
  });
});

describe('dashboard series view', () => {
  it('draws every series chart, re-stacks on the selector, and lists spend rows as text that open their trace', () => {
    const h = mount();
    for (const id of ['card-cost-stacked', 'card-rates', 'card-latency-time', 'card-throughput', 'card-cache', 'card-ttft', 'card-tpot']) {
      expect((h.root.querySelector(`#${id}`) as HTMLElement).hidden).toBe(false);
    }
    expect((h.root.querySelector('#card-cost') as HTMLElement).hidden).toBe(true);
    expect(h.last('costStack').datasets.map((d) => d.label)).toEqual(['gpt-4o', 'claude']);
    const select = h.root.querySelector('#cost-stack-by') as HTMLSelectElement;
    select.value = 'service';
    select.dispatchEvent(new Event('change'));
    expect(h.last('costStack').datasets.map((d) => d.label)).toEqual(['api', 'worker']);
    expect(h.root.querySelector('[data-headline="rates"]')!.textContent).toBe('3 calls · 33% errors · 33% refused');
    expect(h.root.querySelector('[data-card="cache-savings"] .card-value')!.textContent).toBe('$0.003');

    const rows = [...h.root.querySelectorAll('#spend-list .trace-link')];
    expect(rows.map((r) => r.textContent)).toEqual(['bob', HOSTILE]);
    expect(h.root.querySelector('#spend img')).toBeNull();
    (rows[1] as HTMLButtonElement).click();
    expect(h.posted).toContainEqual({ kind: 'command', method: 'openTrace', params: { traceId: TRACE } });
    const spendBy = h.root.querySelector('#spend-by') as HTMLSelectElement;
    spendBy.value = 'feature';
    spendBy.dispatchEvent(new Event('change'));
    expect([...h.root.querySelectorAll('#spend-list .trace-link')].map((r) => r.textContent)).toEqual(['search']);
    spendBy.value = 'session';
    spendBy.dispatchEvent(new Event('change'));
    expect(h.root.querySelector('#spend .empty')!.textContent).toMatch(/session\.id/);
  });
});

describe('empty distributions', () => {
  it('say why instead of drawing bare axes', () => {
    const b = new SeriesBuilder(T0, T0 + 3_600_000, 300_000, { savingPerCachedToken: () => 0 });
    b.add(call({ ttftMs: null }));
    const root = document.createElement('div');
    document.body.appendChild(root);
    const endpoint = new MessageEndpoint<DashboardWebviewToHost, DashboardHostToWebview>({ post: () => undefined });
    mountDashboard(root, {
      endpoint, initial: dashboardState({ charts: b.build() }), persist: () => undefined,
      createChart: () => ({ update: () => undefined, setTheme: () => undefined }),
      createSeriesChart: () => ({ update: () => undefined, setTheme: () => undefined }),
    });
    const card = root.querySelector('#card-ttft')!;
    expect((card.querySelector('.chart-box') as HTMLElement).hidden).toBe(true);
    expect(card.querySelector('.empty')!.textContent).toMatch(/No calls with a measured time to first token/);
  });
});
