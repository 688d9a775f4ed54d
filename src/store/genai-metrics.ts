// The GenAI client metrics received over OTLP, one row per delta data point, and their read side
// for the dashboard: per metric, operation, provider, model, token type and service, the count,
// sum, min, max and quantiles from merged histogram buckets.

import type Database from 'better-sqlite3';
import { bucketQuantile, type GenAiMetricRow } from '../core/metrics/otlp-points';
import type { GenAiMetricSeries, GenAiMetricsQuery } from '../protocol/api';

interface PointRow {
  name: string;
  unit: string;
  kind: string;
  service_name: string | null;
  operation: string | null;
  provider: string | null;
  request_model: string | null;
  response_model: string | null;
  token_type: string | null;
  value: number | null;
  count: number | null;
  sum: number | null;
  min: number | null;
  max: number | null;
  bounds: string;
  bucket_counts: string;
}

const MAX_ROWS_READ = 200_000;

export class GenAiMetricStore {
  private readonly insertStmt;

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare(`INSERT INTO genai_metric_points (time_us, start_us, name, unit, kind, service_name, operation, provider,
      request_model, response_model, token_type, error_type, value, count, sum, min, max, bounds, bucket_counts, attributes)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Stores rows in one transaction (a savepoint when the writer's transaction is open). */
  insert(rows: readonly GenAiMetricRow[]): void {
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const r of rows) {
        this.insertStmt.run(
          r.timeUs, r.startUs, r.name, r.unit, r.kind, r.service, r.operation, r.provider, r.requestModel, r.responseModel,
          r.tokenType, r.errorType, r.value, r.count, r.sum, r.min, r.max, JSON.stringify(r.bounds), JSON.stringify(r.bucketCounts),
          JSON.stringify(r.attributes),
        );
      }
    })();
  }

  series(q: GenAiMetricsQuery & { from: number; to: number }): GenAiMetricSeries[] {
    const where = ['time_us >= ?', 'time_us < ?'];
    const args: unknown[] = [q.from * 1000, q.to * 1000];
    if (q.name) {
      where.push('name = ?');
      args.push(q.name);
    }
    if (q.service) {
      where.push('service_name = ?');
      args.push(q.service);
    }
    if (q.model) {
      where.push('(request_model = ? OR response_model = ?)');
      args.push(q.model, q.model);
    }
    const rows = this.db
      .prepare(`SELECT name, unit, kind, service_name, operation, provider, request_model, response_model, token_type, value, count, sum, min, max,
        bounds, bucket_counts FROM genai_metric_points WHERE ${where.join(' AND ')} ORDER BY time_us LIMIT ${MAX_ROWS_READ}`)
      .all(...args) as PointRow[];
    const groups = new Map<string, { s: GenAiMetricSeries; bounds: string | null; counts: number[] | null; kind: string }>();
    for (const r of rows) {
      const model = r.response_model ?? r.request_model;
      const key = [r.name, r.operation, r.provider, model, r.token_type, r.service_name].join('\u0000');
      let g = groups.get(key);
      if (!g) {
        g = {
          s: {
            name: r.name, unit: r.unit, operation: r.operation, provider: r.provider, model, tokenType: r.token_type, service: r.service_name,
            points: 0, count: 0, sum: 0, mean: null, min: null, max: null, p50: null, p95: null, p99: null,
          },
          bounds: r.bounds,
          counts: null,
          kind: r.kind,
        };
        groups.set(key, g);
      }
      const s = g.s;
      s.points += 1;
      if (r.kind === 'gauge') {
        s.count = 1;
        s.sum = r.value ?? s.sum;
      } else if (r.kind === 'sum') {
        s.count += 1;
        s.sum += r.value ?? 0;
      } else {
        s.count += r.count ?? 0;
        s.sum += r.sum ?? 0;
        if (r.min !== null) s.min = s.min === null ? r.min : Math.min(s.min, r.min);
        if (r.max !== null) s.max = s.max === null ? r.max : Math.max(s.max, r.max);
        const counts = JSON.parse(r.bucket_counts) as number[];
        if (g.bounds === r.bounds && counts.length > 0) {
          g.counts = g.counts ? g.counts.map((c, i) => c + (counts[i] ?? 0)) : counts;
        } else if (counts.length > 0) {
          g.bounds = null; // buckets differ between points: no merged quantiles
        }
      }
    }
    const out: GenAiMetricSeries[] = [];
    for (const g of groups.values()) {
      const s = g.s;
      if (g.kind !== 'gauge' && g.kind !== 'sum') {
        s.mean = s.count > 0 ? s.sum / s.count : null;
        if (g.bounds !== null && g.counts) {
          const bounds = JSON.parse(g.bounds) as number[];
          s.p50 = bucketQuantile(bounds, g.counts, 0.5, s.min, s.max);
          s.p95 = bucketQuantile(bounds, g.counts, 0.95, s.min, s.max);
          s.p99 = bucketQuantile(bounds, g.counts, 0.99, s.min, s.max);
        }
      }
      out.push(s);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || (a.model ?? '').localeCompare(b.model ?? '') || (a.tokenType ?? '').localeCompare(b.tokenType ?? ''));
  }

  pruneBefore(us: number): void {
    this.db.prepare('DELETE FROM genai_metric_points WHERE time_us < ?').run(us);
  }

  clear(): void {
    this.db.exec('DELETE FROM genai_metric_points');
  }
}
