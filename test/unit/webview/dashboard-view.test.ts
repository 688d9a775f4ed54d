// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MessageEndpoint,
  type DashboardHostToWebview,
  type DashboardPersistedState,
  type DashboardWebviewToHost,
  type WireMessage,
} from '../../../src/protocol/webview';
import { OTHER_MODELS, bucketLabel, bucketStarts, costOverTime, latencyByModel, tokensByModel, type BarData } from '../../../webview/dashboard/chart-data';
import { mountDashboard } from '../../../webview/dashboard/view';
import type { ChartSpec } from '../../../webview/dashboard/series-data';
import { readThemeColors, watchTheme, type ThemeColors } from '../../../webview/shared/theme';
import { HOSTILE, dashboardState, seriesDto, statsDto } from './fixtures';

class RecordingSeriesChart {
  updates: ChartSpec[] = [];
  themes: ThemeColors[] = [];
  constructor(readonly kind: string) {}
  update(spec: ChartSpec) {
    this.updates.push(spec);
  }
  setTheme(colors: ThemeColors) {
    this.themes.push(colors);
  }
}

class RecordingChart {
  updates: BarData[] = [];
  themes: ThemeColors[] = [];
  constructor(readonly kind: string, readonly canvas: HTMLCanvasElement, public colors: ThemeColors) {}
  update(data: BarData) {
    this.updates.push(data);
  }
  setTheme(colors: ThemeColors) {
    this.themes.push(colors);
    this.colors = colors;
  }
}

function mount(initial = dashboardState()) {
  const posted: WireMessage[] = [];
  const persisted: DashboardPersistedState[] = [];
  const charts: RecordingChart[] = [];
  const seriesCharts: RecordingSeriesChart[] = [];
  const endpoint = new MessageEndpoint<DashboardWebviewToHost, DashboardHostToWebview>({ post: (m) => posted.push(m) });
  const root = document.createElement('div');
  document.body.appendChild(root);
  const view = mountDashboard(root, {
    endpoint,
    initial,
    persist: (s) => persisted.push(s),
    createChart: (canvas, kind, colors) => {
      const c = new RecordingChart(kind, canvas, colors);
      charts.push(c);
      return c;
    },
    createSeriesChart: (_canvas, kind) => {
      const c = new RecordingSeriesChart(kind);
      seriesCharts.push(c);
      return c;
    },
  });
  const chart = (kind: string) => charts.find((c) => c.kind === kind)!;
  const seriesChart = (kind: string) => seriesCharts.find((c) => c.kind === kind)!;
  return { view, root, posted, persisted, charts, chart, seriesChart, endpoint };
}

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

beforeEach(() => {
  document.body.replaceChildren();
  document.body.className = 'vscode-dark';
  document.documentElement.removeAttribute('style');
});

describe('chart data', () => {
  it('stacks cost per bucket and model, costliest model first', () => {
    const series = seriesDto(0, 3_600_000, 300_000);
    const data = costOverTime(series);
    expect(data.labels).toHaveLength(12);
    expect(data.datasets.map((d) => d.label)).toEqual(['claude-sonnet-4-5', 'gpt-4o-mini']);
    expect(data.datasets[0].data.slice(0, 4)).toEqual([0.6, 0, 0, 0.6]);
    expect(data.datasets[1].data[2]).toBeCloseTo(0.052);
    const total = data.datasets.flatMap((d) => d.data).reduce((a, b) => a! + b!, 0)!;
    expect(total).toBeCloseTo(series.points.reduce((a, p) => a + p.costUsd, 0));
  });

  it('folds models past the limit into "other models" without losing cost', () => {
    const points = Array.from({ length: 9 }, (_, i) => ({ bucketStart: 0, model: `m${i}`, calls: 1, errors: 0, costUsd: i + 1, inputTokens: 0, outputTokens: 0 }));
    const data = costOverTime({ from: 0, to: 60_000, bucketMs: 60_000, points }, 4);
    expect(data.datasets.map((d) => d.label)).toEqual(['m8', 'm7', 'm6', OTHER_MODELS]);
    expect(data.datasets[3].data).toEqual([1 + 2 + 3 + 4 + 5 + 6]);
  });

  it('puts points on the grid of the width, and clamps points outside the range into the edge buckets', () => {
    // [1 s, 121 s) in minutes: [1 s, 60 s), [60 s, 120 s), [120 s, 121 s).
    const data = costOverTime({ from: 1000, to: 121_000, bucketMs: 60_000, points: [
      { bucketStart: 0, model: 'a', calls: 1, errors: 0, costUsd: 1, inputTokens: 0, outputTokens: 0 },
      { bucketStart: 60_000, model: 'a', calls: 1, errors: 0, costUsd: 4, inputTokens: 0, outputTokens: 0 },
      { bucketStart: 200_000, model: 'a', calls: 1, errors: 0, costUsd: 2, inputTokens: 0, outputTokens: 0 },
    ] });
    expect(data.datasets[0].data).toEqual([1, 4, 2]);
    expect(data.labels).toHaveLength(3);
  });

  it('makes bucket starts and labels', () => {
    expect(bucketStarts(0, 250, 100)).toEqual([0, 100, 200]);
    expect(bucketStarts(0, 0, 100)).toEqual([]);
    // Off the grid: the first bucket starts at `from`, the others on multiples of the width.
    expect(bucketStarts(50, 250, 100)).toEqual([50, 100, 200]);
    const t = new Date(2026, 10, 22, 9, 5).getTime();
    expect(bucketLabel(t, 60_000)).toBe('09:05');
    expect(bucketLabel(t, 6 * 3_600_000)).toBe('11-22 09:05');
  });

  it('orders latency and token bars by calls and keeps missing percentiles as gaps', () => {
    const latency = latencyByModel(statsDto());
    expect(latency.labels).toEqual(['gpt-4o-mini', 'claude-sonnet-4-5', `evil ${HOSTILE}`]);
    expect(latency.datasets.map((d) => d.label)).toEqual(['p50', 'p95', 'p99']);
    expect(latency.datasets[2].data).toEqual([3900, 6100, null]);
    const tokens = tokensByModel(statsDto());
    expect(tokens.datasets[0].data).toEqual([900_000, 300_000, 50_000]);
    expect(tokens.datasets[1].data).toEqual([60_000, 35_000, 3_000]);
  });
});

describe('dashboard view', () => {
  it('shows the totals, feeds the three charts and lists models and costly traces', () => {
    const h = mount();
    const card = (k: string) => h.root.querySelector(`#summary-cards [data-card="${k}"] .card-value`)!.textContent;
    expect(card('calls')).toBe('420');
    expect(card('errors')).toBe('7');
    expect(card('cost')).toBe('$3.21');
    expect(card('latency')).toBe('820ms / 2.9s / 6.1s');
    expect(h.chart('cost').updates).toHaveLength(1);
    expect(h.chart('cost').updates[0].datasets.map((d) => d.label)).toEqual(['claude-sonnet-4-5', 'gpt-4o-mini']);
    expect(h.chart('latency').updates[0].labels).toHaveLength(3);
    expect(h.chart('tokens').updates[0].labels).toHaveLength(3);
    expect(h.chart('cost').canvas.id).toBe('chart-cost');
    const models = [...h.root.querySelectorAll('#model-table tbody tr')].map((r) => r.querySelector('.model-name')!.textContent);
    expect(models).toEqual(['claude-sonnet-4-5', 'gpt-4o-mini', `evil ${HOSTILE}`]);
    expect(h.root.querySelector('.range-button[data-range="1h"]')!.getAttribute('aria-pressed')).toBe('true');
    // hostile model and trace names stay text
    expect(document.querySelectorAll('img, b, script')).toHaveLength(0);
    expect(h.root.querySelector('.trace-link')!.textContent).toBe(`agent run ${HOSTILE}`);
  });

  it('asks the host for a new range, marks it and persists it', () => {
    const h = mount();
    h.root.querySelector<HTMLButtonElement>('.range-button[data-range="24h"]')!.click();
    const req = h.posted.find((m) => m.kind === 'request');
    expect(req).toMatchObject({ kind: 'request', method: 'setRange', params: { range: '24h' } });
    expect(h.persisted).toEqual([{ range: '24h' }]);
    expect(h.root.querySelector('.range-button[data-range="24h"]')!.getAttribute('aria-pressed')).toBe('true');
    // the reply repaints
    const id = (req as { id: number }).id;
    h.endpoint.onMessage({ kind: 'reply', id, ok: true, result: dashboardState({ range: '24h', stats: statsDto({ calls: 9000 }) }) });
    return Promise.resolve().then(() => {
      expect(h.root.querySelector('#summary-cards [data-card="calls"] .card-value')!.textContent).toBe('9,000');
    });
  });

  it('opens a trace from the costliest list', () => {
    const h = mount();
    h.root.querySelector<HTMLButtonElement>('.trace-link')!.click();
    expect(h.posted).toContainEqual({ kind: 'command', method: 'openTrace', params: { traceId: '0af7651916cd43dd8448eb211c80319c' } });
  });

  it('explains an empty range and a missing collector', () => {
    const h = mount(dashboardState({ stats: statsDto({ calls: 0, byModel: [] }), topTraces: [] }));
    const banner = h.root.querySelector<HTMLElement>('#dashboard-status')!;
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain('No LLM calls in the last 1 hour');
    h.endpoint.onMessage({ kind: 'notification', method: 'didChangeState', params: dashboardState({ status: 'no-collector', error: 'The Spyglass collector is not running.' }) });
    expect(banner.textContent).toContain('not running');
  });

  it('re-reads --vscode-* colours and re-themes the charts when the theme changes', async () => {
    document.documentElement.style.setProperty('--vscode-charts-blue', '#111111');
    const h = mount();
    expect(h.chart('cost').colors.series[0]).toBe('#111111');
    // VS Code swaps the body class and rewrites the variables
    document.documentElement.style.setProperty('--vscode-charts-blue', '#222222');
    document.body.className = 'vscode-light';
    await nextFrame();
    await nextFrame();
    for (const c of h.charts) expect(c.themes.at(-1)?.series[0]).toBe('#222222');
    expect(h.chart('cost').themes.at(-1)?.kind).toBe('light');
  });
});

describe('theme watcher', () => {
  it('reports high contrast and ignores mutations that change no colour', async () => {
    const seen: ThemeColors[] = [];
    const stop = watchTheme((c) => seen.push(c));
    document.body.setAttribute('data-vscode-theme-kind', 'same');
    await nextFrame();
    await nextFrame();
    expect(seen).toHaveLength(0);
    document.body.className = 'vscode-high-contrast';
    await nextFrame();
    await nextFrame();
    expect(seen.map((c) => c.kind)).toEqual(['high-contrast']);
    stop();
    expect(readThemeColors().kind).toBe('high-contrast');
  });
});
