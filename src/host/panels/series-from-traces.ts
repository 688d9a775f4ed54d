// Cost-over-time buckets computed from the trace list, for a collector that has no
// `/api/stats/series` yet. A trace is one cell: its cost goes to its model, or to the joined
// names of its models when it used several (splitting it would invent numbers).

import { BucketGrid } from '../../core/dashboard/buckets';
import type { StatsSeriesDto, StatsSeriesPoint, TraceSummary } from '../../protocol/api';

export function modelLabel(models: readonly string[]): string {
  if (models.length === 0) return '(no model)';
  if (models.length === 1) return models[0];
  return [...models].sort().join(' + ');
}

export function seriesFromTraces(traces: readonly TraceSummary[], from: number, to: number, bucketMs: number): StatsSeriesDto {
  if (!(bucketMs > 0)) throw new Error('bucketMs must be positive');
  const grid = new BucketGrid(from, to, bucketMs);
  const cells = new Map<string, StatsSeriesPoint>();
  for (const t of traces) {
    const k = grid.indexOf(t.startTime);
    if (k < 0) continue;
    if (t.llmCallCount === 0 && t.costUsd === 0) continue;
    const bucketStart = grid.start(k);
    const model = modelLabel(t.models);
    const key = `${bucketStart}\u0000${model}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { bucketStart, model, calls: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 };
      cells.set(key, cell);
    }
    cell.calls += t.llmCallCount;
    cell.errors += t.errorCount;
    cell.costUsd += t.costUsd;
    cell.inputTokens += t.inputTokens;
    cell.outputTokens += t.outputTokens;
  }
  const points = [...cells.values()].sort((a, b) => a.bucketStart - b.bucketStart || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return { from, to, bucketMs, points };
}
