// The collector's `/v1/metrics` (HTTP and gRPC): GenAI client metrics are stored as deltas for the
// dashboard (`GET /api/metrics/genai`); every other metric is accepted and counted by name since
// the collector started, not stored, so exporters that send metrics get an answer instead of 404.

import { decodeMetrics } from '../capture/otlp/decode-metrics';
import type { MetricsSink, OtlpIngestOutcome, OtlpMetricsRequest } from '../capture/sink';
import { CumulativeToDelta, genAiRow, isGenAiMetric } from '../core/metrics/otlp-points';
import type { GenAiMetricsDto, GenAiMetricsQuery } from '../protocol/api';
import type { GenAiMetricStore } from '../store/genai-metrics';

const MAX_OTHER_NAMES = 2_000;
const DAY_MS = 86_400_000;

export class MetricsIngest implements MetricsSink {
  private readonly deltas = new CumulativeToDelta();
  private readonly other = new Map<string, { points: number; lastSeen: number }>();

  constructor(private readonly store: () => GenAiMetricStore) {}

  async ingestMetrics(req: OtlpMetricsRequest): Promise<OtlpIngestOutcome> {
    const decoded = decodeMetrics(req.body, req.encoding);
    const rows = [];
    const now = Date.now();
    for (const p of decoded.points) {
      if (!isGenAiMetric(p.name)) {
        const seen = this.other.get(p.name);
        if (seen) {
          seen.points += 1;
          seen.lastSeen = now;
        } else if (this.other.size < MAX_OTHER_NAMES) {
          this.other.set(p.name, { points: 1, lastSeen: now });
        }
        continue;
      }
      const delta = this.deltas.toDelta(p);
      if (delta) rows.push(genAiRow(delta));
    }
    this.store().insert(rows);
    return { rejected: decoded.rejected, errors: decoded.errors, warnings: decoded.warnings };
  }

  query(q: GenAiMetricsQuery): GenAiMetricsDto {
    const to = q.to ?? Date.now();
    const from = q.from ?? to - DAY_MS;
    return {
      from,
      to,
      series: this.store().series({ ...q, from, to }),
      otherMetrics: [...this.other.entries()].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.points - a.points),
    };
  }
}
