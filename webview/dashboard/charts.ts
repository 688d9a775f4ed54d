// The dashboard's three chart.js bar charts, coloured from the theme and re-coloured when it
// changes (a canvas does not follow CSS variables by itself).

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { formatDuration, formatTokens, formatUsd } from '../../src/core/format';
import type { ThemeColors } from '../shared/theme';
import type { BarData } from './chart-data';
import { baseChartOptions } from './chart-options';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export type ChartKind = 'cost' | 'latency' | 'tokens';

const FORMATTERS: Record<ChartKind, (v: number) => string> = {
  cost: (v) => formatUsd(v),
  latency: (v) => formatDuration(v),
  tokens: (v) => formatTokens(v),
};

/** True where a 2D canvas context exists (not in a DOM emulation without canvas). */
export function canvasSupported(canvas: HTMLCanvasElement): boolean {
  try {
    return typeof canvas.getContext === 'function' && canvas.getContext('2d') !== null;
  } catch {
    return false;
  }
}

export class BarChart {
  private chart: Chart<'bar', (number | null)[], string> | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly kind: ChartKind,
    private colors: ThemeColors,
  ) {}

  update(data: BarData): void {
    if (!this.chart) {
      if (!canvasSupported(this.canvas)) return;
      this.chart = new Chart(this.canvas, this.config(data));
      return;
    }
    this.chart.data.labels = data.labels;
    this.chart.data.datasets = this.datasets(data);
    this.chart.update();
  }

  setTheme(colors: ThemeColors): void {
    this.colors = colors;
    if (!this.chart) return;
    const labels = (this.chart.data.labels ?? []) as string[];
    const datasets = this.chart.data.datasets.map((d) => ({ label: d.label ?? '', data: d.data as (number | null)[] }));
    // Rebuilding the options is simpler and safer than patching every nested colour.
    this.chart.options = this.config({ labels, datasets }).options!;
    this.chart.data.datasets = this.datasets({ labels, datasets });
    this.chart.update();
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }

  private datasets(data: BarData) {
    const { series } = this.colors;
    return data.datasets.map((d, i) => ({
      label: d.label,
      data: d.data,
      backgroundColor: series[i % series.length],
      borderColor: series[i % series.length],
      borderWidth: 0,
      maxBarThickness: 48,
    }));
  }

  private config(data: BarData): ChartConfiguration<'bar', (number | null)[], string> {
    const c = this.colors;
    const stacked = this.kind === 'cost';
    const format = FORMATTERS[this.kind];
    const font = { family: c.fontFamily };
    // Model names are long and many: per-model charts lie on their side, one readable name a row.
    const byModel = this.kind !== 'cost';
    const category = {
      stacked,
      ticks: {
        color: c.muted,
        font,
        maxRotation: 0,
        // Time buckets may skip labels; model names may not, but long ones are cut.
        autoSkip: stacked,
        callback(this: { getLabelForValue(v: number): string }, value: string | number) {
          const label = this.getLabelForValue(Number(value));
          return label.length > 32 ? `${label.slice(0, 31)}…` : label;
        },
      },
      grid: { display: false },
      border: { color: c.grid },
    };
    const amount = {
      stacked,
      beginAtZero: true,
      ticks: { color: c.muted, font, callback: (v: string | number) => format(Number(v)) },
      grid: { color: c.grid },
      border: { display: false },
    };
    return {
      type: 'bar',
      data: { labels: data.labels, datasets: this.datasets(data) },
      options: {
        ...baseChartOptions<'bar'>(c, (item) => {
          const v = byModel ? item.parsed.x : item.parsed.y;
          return `${item.dataset.label ?? ''}: ${v === null ? '—' : format(v)}`;
        }),
        indexAxis: byModel ? 'y' : 'x',
        scales: byModel ? { x: amount, y: category } : { x: category, y: amount },
      },
    };
  }
}
