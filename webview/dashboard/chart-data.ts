// Shapes API data into chart rows: pure, so it is tested without a canvas.

import { BucketGrid } from '../../src/core/dashboard/buckets';
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

/** The buckets of [from, to) on the calendar grid of their width, as the collector cuts them; null when there are none to draw. */
function gridOf(from: number, to: number, bucketMs: number): BucketGrid | null {
  if (!(bucketMs > 0) || !(to > from)) return null;
  const grid = new BucketGrid(from, to, bucketMs);
  return grid.count <= MAX_BUCKETS ? grid : null;
}

/** Start of each bucket in [from, to): `from`, then the multiples of the width. */
export function bucketStarts(from: number, to: number, bucketMs: number): number[] {
  return gridOf(from, to, bucketMs)?.starts() ?? [];
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
  const grid = gridOf(series.from, series.to, series.bucketMs);
  const starts = grid?.starts() ?? [];
  const totals = new Map<string, number>();
  for (const p of series.points) totals.set(p.model, (totals.get(p.model) ?? 0) + p.costUsd);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([m]) => m);
  const kept = ranked.length > maxModels ? ranked.slice(0, maxModels - 1) : ranked;
  const keptSet = new Set(kept);
  const names = ranked.length > kept.length ? [...kept, OTHER_MODELS] : kept;
  const rows = new Map(names.map((m) => [m, new Array<number>(starts.length).fill(0)]));
  for (const p of series.points) {
    if (!grid) break;
    // Points outside the range (a collector aligned otherwise) go to the nearest edge bucket.
    const k = p.bucketStart < series.from ? 0 : p.bucketStart >= series.to ? grid.count - 1 : grid.indexOf(p.bucketStart);
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
