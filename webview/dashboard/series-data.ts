// Shapes the dashboard's series (GET /api/dashboard/series) into chart specs and headline
// figures: pure, so it is tested without a canvas.

import { formatDuration, formatInteger, formatPercent, formatUsd } from '../../src/core/format';
import type { CostStackBy, DashboardSeries, HistogramBin } from '../../src/protocol/dashboard';
import { bucketLabel } from './chart-data';

export type AxisFormat = 'usd' | 'ms' | 'percent' | 'count' | 'tokensPerSecond';

export interface SpecDataset {
  label: string;
  data: (number | null)[];
  type: 'bar' | 'line';
  axis: 'y' | 'y2';
  /** Drawn in the theme's error colour rather than the next series colour. */
  error?: boolean;
  dashed?: boolean;
}

export interface ChartSpec {
  labels: string[];
  datasets: SpecDataset[];
  y: AxisFormat;
  y2?: AxisFormat;
  /** Bars stack (cost by group). */
  stacked?: boolean;
  /** The category axis is a distribution, not time: every label is shown. */
  distribution?: boolean;
}

const labels = (s: DashboardSeries) => s.buckets.map((b) => bucketLabel(b.start, s.bucketMs));
const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export const STACK_LABELS: Record<CostStackBy, string> = { model: 'Model', service: 'Service', prompt: 'Prompt version' };

export function costStackSpec(s: DashboardSeries, by: CostStackBy): ChartSpec {
  return { labels: labels(s), stacked: true, y: 'usd', datasets: s.costBy[by].map((st) => ({ label: st.key, data: st.costUsd, type: 'bar', axis: 'y' })) };
}

export function ratesSpec(s: DashboardSeries): ChartSpec {
  return {
    labels: labels(s), y: 'count', y2: 'percent',
    datasets: [
      { label: 'Error rate', data: s.buckets.map((b) => rate(b.errors, b.calls)), type: 'line', axis: 'y2', error: true },
      { label: 'Refusal rate', data: s.buckets.map((b) => rate(b.refusals, b.calls)), type: 'line', axis: 'y2', dashed: true },
      { label: 'Calls', data: s.buckets.map((b) => b.calls), type: 'bar', axis: 'y' },
    ],
  };
}

export function latencySpec(s: DashboardSeries): ChartSpec {
  return {
    labels: labels(s), y: 'ms',
    datasets: [
      { label: 'p50', data: s.buckets.map((b) => b.latencyMs.p50), type: 'line', axis: 'y' },
      { label: 'p95', data: s.buckets.map((b) => b.latencyMs.p95), type: 'line', axis: 'y' },
      { label: 'p99', data: s.buckets.map((b) => b.latencyMs.p99), type: 'line', axis: 'y' },
      { label: 'Token-weighted mean', data: s.buckets.map((b) => b.tokenWeightedLatencyMs), type: 'line', axis: 'y', dashed: true },
    ],
  };
}

export function throughputSpec(s: DashboardSeries): ChartSpec {
  return { labels: labels(s), y: 'tokensPerSecond', datasets: [{ label: 'Output tokens per second', data: s.buckets.map((b) => b.tokensPerSecond), type: 'line', axis: 'y' }] };
}

export function cacheSpec(s: DashboardSeries): ChartSpec {
  return {
    labels: labels(s), y: 'usd', y2: 'percent',
    datasets: [
      { label: 'Cache hit rate', data: s.buckets.map((b) => rate(b.cachedInputTokens, b.inputTokens)), type: 'line', axis: 'y2' },
      { label: 'Saved by the cache', data: s.buckets.map((b) => b.cacheSavingsUsd), type: 'bar', axis: 'y' },
    ],
  };
}

/** "20–50 ms", "1–2 s": a bin's range in the unit of its upper edge. */
export function binLabel(bin: HistogramBin): string {
  return `${formatDuration(bin.lo).replace(/^0(ms|µs)$/, '0')}–${formatDuration(bin.hi)}`;
}

export function histogramSpec(bins: readonly HistogramBin[], label: string): ChartSpec {
  return { labels: bins.map(binLabel), distribution: true, y: 'count', datasets: [{ label, data: bins.map((b) => b.count), type: 'bar', axis: 'y' }] };
}

/** The figure beside each chart's title: what the whole range adds up to. */
export function headlines(s: DashboardSeries): Record<'cost' | 'rates' | 'latency' | 'throughput' | 'cache' | 'ttft' | 'tpot', string> {
  const t = s.totals;
  const count = (bins: readonly HistogramBin[]) => bins.reduce((a, b) => a + b.count, 0);
  return {
    cost: formatUsd(t.costUsd),
    rates: `${formatInteger(t.calls)} calls · ${formatPercent(rate(t.errors, t.calls))} errors · ${formatPercent(rate(t.refusals, t.calls))} refused`,
    latency: `p50 ${formatDuration(t.latencyMs.p50)} · p95 ${formatDuration(t.latencyMs.p95)} · p99 ${formatDuration(t.latencyMs.p99)}`,
    throughput: t.tokensPerSecond === null ? '—' : `${t.tokensPerSecond.toFixed(t.tokensPerSecond < 100 ? 1 : 0)} tokens/s`,
    cache: `${formatPercent(rate(t.cachedInputTokens, t.inputTokens))} hit · ${formatUsd(t.cacheSavingsUsd)} saved`,
    ttft: `${formatInteger(count(s.ttftHistogram))} calls`,
    tpot: `${formatInteger(count(s.tpotHistogram))} calls`,
  };
}
