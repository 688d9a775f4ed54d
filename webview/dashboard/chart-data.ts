// Shapes API data into chart rows: pure, so it is tested without a canvas.

import type { StatsDto, StatsSeriesDto } from '../../src/protocol/api';

export interface BarDataset {
  label: string;
  data: (number | null)[];
}

export interface BarData {
  labels: string[];
  datasets: BarDataset[];
}

export const OTHER_MODELS = 'other models';
const MAX_BUCKETS = 1_000;

/** Start of each bucket in [from, to). */
export function bucketStarts(from: number, to: number, bucketMs: number): number[] {
  if (!(bucketMs > 0) || !(to > from)) return [];
  const n = Math.min(MAX_BUCKETS, Math.ceil((to - from) / bucketMs));
  return Array.from({ length: n }, (_, k) => from + k * bucketMs);
}

const two = (n: number) => String(n).padStart(2, '0');

/** "14:05" for buckets under six hours, "11-22 18:00" for longer ones (local time). */
export function bucketLabel(startMs: number, bucketMs: number): string {
  const d = new Date(startMs);
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return bucketMs >= 6 * 3_600_000 ? `${two(d.getMonth() + 1)}-${two(d.getDate())} ${hm}` : hm;
}

/**
 * Cost per bucket, one stacked dataset per model, costliest model first. Past `maxModels`
 * the cheaper ones are summed into one "other models" dataset so the legend stays readable.
 */
export function costOverTime(series: StatsSeriesDto, maxModels = 6): BarData {
  const starts = bucketStarts(series.from, series.to, series.bucketMs);
  const totals = new Map<string, number>();
  for (const p of series.points) totals.set(p.model, (totals.get(p.model) ?? 0) + p.costUsd);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([m]) => m);
  const kept = ranked.length > maxModels ? ranked.slice(0, maxModels - 1) : ranked;
  const keptSet = new Set(kept);
  const names = ranked.length > kept.length ? [...kept, OTHER_MODELS] : kept;
  const rows = new Map(names.map((m) => [m, new Array<number>(starts.length).fill(0)]));
  for (const p of series.points) {
    if (starts.length === 0) break;
    const k = Math.min(starts.length - 1, Math.max(0, Math.floor((p.bucketStart - series.from) / series.bucketMs)));
    rows.get(keptSet.has(p.model) ? p.model : OTHER_MODELS)![k] += p.costUsd;
  }
  return {
    labels: starts.map((s) => bucketLabel(s, series.bucketMs)),
    datasets: names.map((m) => ({ label: m, data: rows.get(m)! })),
  };
}

/** Models by calls, most used first, at most `max`. */
function topModels(stats: StatsDto, max: number) {
  return [...stats.byModel].sort((a, b) => b.calls - a.calls || (a.model < b.model ? -1 : 1)).slice(0, max);
}

export function latencyByModel(stats: StatsDto, max = 10): BarData {
  const models = topModels(stats, max);
  return {
    labels: models.map((m) => m.model),
    datasets: [
      { label: 'p50', data: models.map((m) => m.latencyMs.p50) },
      { label: 'p95', data: models.map((m) => m.latencyMs.p95) },
      { label: 'p99', data: models.map((m) => m.latencyMs.p99) },
    ],
  };
}

export function tokensByModel(stats: StatsDto, max = 10): BarData {
  const models = topModels(stats, max);
  return {
    labels: models.map((m) => m.model),
    datasets: [
      { label: 'Input', data: models.map((m) => m.inputTokens) },
      { label: 'Output', data: models.map((m) => m.outputTokens) },
    ],
  };
}
