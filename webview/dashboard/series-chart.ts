// A chart.js chart drawn from a ChartSpec: bars and lines over time (or over a distribution's
// bins) on one or two value axes, coloured from the theme and re-coloured when it changes.

import { BarController, BarElement, CategoryScale, Chart, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';
import { formatDuration, formatInteger, formatPercent, formatUsd } from '../../src/core/format';
import type { ThemeColors } from '../shared/theme';
import { baseChartOptions } from './chart-options';
import { canvasSupported } from './charts';
import type { AxisFormat, ChartSpec } from './series-data';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

const FORMAT: Record<AxisFormat, (v: number) => string> = {
  usd: (v) => formatUsd(v),
  ms: (v) => formatDuration(v),
  percent: (v) => formatPercent(v),
  count: (v) => formatInteger(v),
  tokensPerSecond: (v) => `${v.toFixed(v < 10 ? 1 : 0)}/s`,
};

type Config = ChartConfiguration<'bar' | 'line', (number | null)[], string>;

export class SeriesChart {
  private chart: Chart<'bar' | 'line', (number | null)[], string> | null = null;
  private spec: ChartSpec | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private colors: ThemeColors,
  ) {}

  update(spec: ChartSpec): void {
    this.spec = spec;
    if (!canvasSupported(this.canvas)) return;
    // The axes change with the spec (a second axis, stacking), so the chart is rebuilt in place; with
    // animation off that is what chart.js itself does on update, and nothing flickers.
    if (this.chart) {
      const next = this.config(spec);
      this.chart.data = next.data;
      this.chart.options = next.options!;
      this.chart.update('none');
      return;
    }
    this.chart = new Chart(this.canvas, this.config(spec));
  }

  setTheme(colors: ThemeColors): void {
    this.colors = colors;
    if (this.spec) this.update(this.spec);
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }

  private config(spec: ChartSpec): Config {
    const c = this.colors;
    const font = { family: c.fontFamily };
    let next = 0;
    const datasets = spec.datasets.map((d) => {
      const color = d.error ? c.error : c.series[next++ % c.series.length]!;
      return {
        type: d.type,
        label: d.label,
        data: d.data,
        yAxisID: d.axis,
        backgroundColor: color,
        borderColor: color,
        borderWidth: d.type === 'line' ? 2 : 0,
        borderDash: d.dashed ? [5, 4] : undefined,
        // A point between two empty buckets has no line to be seen on: draw it as a dot.
        pointRadius: d.type === 'line' ? d.data.map((v, i) => (v !== null && (d.data[i - 1] ?? null) === null && (d.data[i + 1] ?? null) === null ? 3 : 0)) : 0,
        pointHitRadius: 6,
        spanGaps: false,
        maxBarThickness: 48,
        // Lines draw over the bars.
        order: d.type === 'line' ? 0 : 1,
      };
    });
    const value = (format: AxisFormat, position: 'left' | 'right') => ({
      position,
      stacked: spec.stacked ?? false,
      beginAtZero: true,
      ...(format === 'percent' ? { suggestedMax: 0.1 } : {}),
      ticks: { color: c.muted, font, maxTicksLimit: 6, ...(format === 'count' ? { precision: 0 } : {}), callback: (v: string | number) => FORMAT[format](Number(v)) },
      grid: { color: c.grid, drawOnChartArea: position === 'left' },
      border: { display: false },
    });
    const scales: Record<string, object> = {
      x: {
        stacked: spec.stacked ?? false,
        ticks: { color: c.muted, font, maxRotation: spec.distribution ? 45 : 0, autoSkip: !spec.distribution },
        grid: { display: false },
        border: { color: c.grid },
      },
      y: value(spec.y, 'left'),
    };
    if (spec.y2) scales.y2 = value(spec.y2, 'right');
    const formatOf = (axis: string) => FORMAT[axis === 'y2' && spec.y2 ? spec.y2 : spec.y];
    return {
      type: 'bar',
      data: { labels: spec.labels, datasets: datasets as Config['data']['datasets'] },
      options: {
        ...baseChartOptions<'bar' | 'line'>(c, (item) => {
          const v = item.parsed.y;
          const axis = (item.dataset as { yAxisID?: string }).yAxisID ?? 'y';
          return `${item.dataset.label ?? ''}: ${v === null || v === undefined ? '—' : formatOf(axis)(v)}`;
        }),
        scales,
      },
    };
  }
}
