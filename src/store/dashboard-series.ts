// The dashboard's charts over a range (GET /api/dashboard/series), fed to the pure series builder
// (src/core/dashboard/series.ts). Without a filter each bucket is read from the rollups
// (rollups.ts for the sums, latency histograms and TTFT/TPOT bins per model, provider and
// service; prompt-rollups.ts for the cost per prompt version): whole ten-minute, hour or day rows
// where they fit inside the bucket, minute rows at its edges, and the calls themselves only below
// a minute (coverRange). With a service, model or prompt filter the range's calls of that group
// are read through an index with the filter column leading. Spend per user, session and feature
// reads the attribution columns of the calls that have one (filled at write time, schema 16),
// refusals the guardrail annotations of category `refusal`: both are few beside the calls.

import type Database from 'better-sqlite3';
import { DASHBOARD_BUCKETS, niceBucketMs } from '../core/dashboard/buckets';
import { SeriesBuilder, type SeriesCall } from '../core/dashboard/series';
import type { DashboardSeries, DashboardSeriesQuery } from '../core/dashboard/types';
import { cacheReadSavingPerToken, type PriceOverride } from '../core/pricing';
import { callFilterSql } from './call-filter';
import { HistogramSum } from './histogram-sum';
import { PROMPT_LEVELS } from './prompt-rollups';
import { coverRange, ROLLUP_LEVELS, ROLLUP_SERIES_COLUMNS, type StoredRollup } from './rollups';
import { schemaInfo } from './schema-info';

interface CallRow {
  start_us: number;
  trace_id: string;
  model: string;
  provider: string | null;
  service_name: string | null;
  prompt_name: string | null;
  prompt_version: string | null;
  user_id: string | null;
  session_id: string | null;
  feature: string | null;
  duration_us: number;
  ttft_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  cost_usd: number | null;
  is_error: number;
}

/** A level's sums over a piece, per model, provider and service. */
type RollupRow = Omit<StoredRollup, 'bucket_us' | 'reasoning_tokens' | 'latency_hist' | 'ttft_hist' | 'ttft_bins' | 'tpot_bins'>;

interface AttributedRow {
  start_us: number;
  trace_id: string;
  user_id: string | null;
  session_id: string | null;
  feature: string | null;
  cost_usd: number | null;
}

export interface DashboardSeriesOptions {
  /** The collector's price overrides, so cache savings use the prices the calls were billed at. */
  priceOverrides?: readonly PriceOverride[];
}

const CALL_COLUMNS = `c.start_us, c.trace_id, c.model, c.provider, c.service_name, c.prompt_name, c.prompt_version, c.duration_us, c.ttft_ms,
  c.input_tokens, c.output_tokens, c.cached_input_tokens, c.cost_usd, c.is_error`;
const ATTRIBUTED = 'c.user_id IS NOT NULL OR c.session_id IS NOT NULL OR c.feature IS NOT NULL';

function seriesCall(r: CallRow): SeriesCall {
  return {
    startMs: r.start_us / 1000, traceId: r.trace_id, model: r.model, provider: r.provider, service: r.service_name,
    prompt: r.prompt_name === null ? null : r.prompt_version ? `${r.prompt_name}@${r.prompt_version}` : r.prompt_name,
    user: r.user_id, session: r.session_id, feature: r.feature,
    durationMs: r.duration_us / 1000, ttftMs: r.ttft_ms, inputTokens: r.input_tokens, outputTokens: r.output_tokens,
    cachedInputTokens: r.cached_input_tokens, costUsd: r.cost_usd, isError: r.is_error === 1, refused: false,
  };
}

export class DashboardSeriesReader {
  private readonly cache = new Map<string, Database.Statement>();
  /** False on a file its owner has not migrated to schema 16 yet: every series then reads the calls, without attribution. */
  private readonly migrated: boolean;

  constructor(
    private readonly db: Database.Database,
    private readonly options: DashboardSeriesOptions = {},
  ) {
    const schema = schemaInfo(db);
    this.migrated = schema.hasColumn('llm_calls', 'feature') && schema.hasTable(PROMPT_LEVELS[0].table)
      && ROLLUP_LEVELS.every((l) => schema.hasColumn(l.table, Object.keys(ROLLUP_SERIES_COLUMNS)[0]!));
  }

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  series(q: DashboardSeriesQuery, now = Date.now()): DashboardSeries {
    const to = q.to ?? now;
    const from = q.from ?? to - 3_600_000;
    const builder = new SeriesBuilder(from, to, q.bucketMs ?? niceBucketMs(to - from, DASHBOARD_BUCKETS), {
      savingPerCachedToken: this.savings(),
    });
    if (!(to > from)) return builder.build();
    const filtered = Boolean(q.service || q.model || q.prompt);
    if (filtered || !this.migrated) this.fromCalls(builder, q, from, to);
    else {
      this.fromRollups(builder, from, to);
      this.spend(builder, from, to);
    }
    if (this.migrated) this.refusals(builder, q, from, to);
    return builder.build();
  }

  /** Every call of the range (of the filter's group, through its index). */
  private fromCalls(builder: SeriesBuilder, q: DashboardSeriesQuery, from: number, to: number): void {
    const { where, args } = callFilterSql({ from, to, service: q.service, model: q.model, prompt: q.prompt });
    // A prompt version's calls by its own index (schema 16); a model's or service's are most of the range's, read by time.
    const index = q.prompt ? 'llm_calls_by_prompt_time' : 'llm_calls_by_time';
    const attribution = this.migrated ? 'c.user_id, c.session_id, c.feature' : 'NULL AS user_id, NULL AS session_id, NULL AS feature';
    const sql = `SELECT ${CALL_COLUMNS}, ${attribution} FROM llm_calls c ${this.migrated ? `INDEXED BY ${index}` : ''} WHERE ${where.join(' AND ')}`;
    for (const r of this.stmt(sql).iterate(...args) as IterableIterator<CallRow>) builder.add(seriesCall(r));
  }

  /** Each bucket from the coarsest rollup rows inside it; the calls only in its pieces under a minute. */
  private fromRollups(builder: SeriesBuilder, from: number, to: number): void {
    const grains = ROLLUP_LEVELS.map((l) => l.us);
    // The sums in SQL, grouped over the piece's rows; the histograms' text apart, as bare arrays (no row objects).
    const sums = ROLLUP_LEVELS.map((l) => this.stmt(`SELECT model, provider, service_name, sum(calls) AS calls, sum(errors) AS errors, sum(cost_usd) AS cost_usd,
      sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cached_input_tokens) AS cached_input_tokens, sum(weighted_ms) AS weighted_ms,
      sum(weight) AS weight, sum(gen_output) AS gen_output, sum(gen_ms) AS gen_ms FROM ${l.table} WHERE ${l.key} >= ? AND ${l.key} < ? AND calls > 0
      GROUP BY model, provider, service_name`));
    const histograms = ROLLUP_LEVELS.map((l) => this.stmt(`SELECT latency_hist, ttft_bins, tpot_bins FROM ${l.table}
      WHERE ${l.key} >= ? AND ${l.key} < ? AND calls > 0`).raw());
    // Bare rows, keyed in JS: a GROUP BY sorts them first, which cost more than adding them up here.
    const prompts = PROMPT_LEVELS.map((l) => this.stmt(`SELECT prompt_name, prompt_version, calls, cost_usd FROM ${l.table}
      WHERE bucket_us >= ? AND bucket_us < ?`).raw());
    const edgeCalls = this.stmt(`SELECT ${CALL_COLUMNS}, NULL AS user_id, NULL AS session_id, NULL AS feature FROM llm_calls c INDEXED BY llm_calls_by_time
      WHERE c.start_us >= ? AND c.start_us < ?`);
    const ttft = new HistogramSum();
    const tpot = new HistogramSum();
    const { grid } = builder;
    for (let k = 0; k < grid.count; k++) {
      // The bucket's calls are those with start ≤ start time < end (ms): in whole µs, ceil(start) ≤
      // start_us < ceil(end). Inner edges lie on the grid, so only the range's two ends cut rollup rows.
      const lo = Math.ceil(grid.start(k) * 1000);
      const hi = Math.ceil(grid.end(k) * 1000);
      const latency = new HistogramSum();
      for (const p of coverRange(lo, hi, grains)) {
        if (p.level < 0) {
          // Spend and refusals are read for the whole range apart; an edge call adds the rest.
          for (const r of edgeCalls.iterate(p.lo, p.hi) as IterableIterator<CallRow>) builder.add(seriesCall(r));
          continue;
        }
        let calls = 0;
        let cost = 0;
        for (const r of sums[p.level]!.all(p.lo, p.hi) as RollupRow[]) {
          calls += r.calls;
          cost += r.cost_usd;
          builder.addRollup(k, {
            model: r.model, provider: r.provider || null, service: r.service_name || null, calls: r.calls, errors: r.errors,
            costUsd: r.cost_usd, inputTokens: r.input_tokens, outputTokens: r.output_tokens, cachedInputTokens: r.cached_input_tokens,
            weightedMs: r.weighted_ms, weight: r.weight, genOutput: r.gen_output, genMs: r.gen_ms,
          });
        }
        for (const [l, t, p2] of histograms[p.level]!.iterate(p.lo, p.hi) as IterableIterator<[string, string, string]>) {
          latency.addStored(l);
          ttft.addStored(t);
          tpot.addStored(p2);
        }
        for (const [name, version, n, c] of prompts[p.level]!.iterate(p.lo, p.hi) as IterableIterator<[string, string, number, number]>) {
          builder.addPromptCost(k, version ? `${name}@${version}` : name, c);
          calls -= n;
          cost -= c;
        }
        // The prompt rollups hold the calls that name a prompt; the rest of the piece named none.
        if (calls > 0) builder.addPromptCost(k, null, cost);
      }
      builder.addLatency(k, latency.toSparse());
    }
    builder.addDistributions(ttft.toSparse(), tpot.toSparse());
  }

  /** Spend per user, session and feature: the range's calls that name one, along a partial index of them. */
  private spend(builder: SeriesBuilder, from: number, to: number): void {
    const sql = `SELECT c.start_us, c.trace_id, c.user_id, c.session_id, c.feature, c.cost_usd FROM llm_calls c INDEXED BY llm_calls_attributed
      WHERE c.start_us >= ? AND c.start_us < ? AND (${ATTRIBUTED})`;
    for (const r of this.stmt(sql).iterate(Math.floor(from * 1000), Math.ceil(to * 1000)) as IterableIterator<AttributedRow>) {
      if (builder.bucketOf(r.start_us / 1000) < 0) continue;
      const cost = r.cost_usd ?? 0;
      builder.addSpend('user', r.user_id, 1, cost, r.trace_id);
      builder.addSpend('session', r.session_id, 1, cost, r.trace_id);
      builder.addSpend('feature', r.feature, 1, cost, r.trace_id);
    }
  }

  /** Calls with a guardrail hit of category `refusal` (each call once, however many hits). */
  private refusals(builder: SeriesBuilder, q: DashboardSeriesQuery, from: number, to: number): void {
    const { where, args } = callFilterSql({ from, to, service: q.service, model: q.model, prompt: q.prompt });
    const sql = `SELECT DISTINCT c.span_row, c.start_us FROM annotations a INDEXED BY annotations_by_kind
      JOIN spans s ON s.trace_id = a.trace_id AND s.span_id = a.span_id JOIN llm_calls c ON c.span_row = s.id
      WHERE a.kind = 'guardrail' AND json_extract(a.attributes, '$.category') = 'refusal' AND ${where.join(' AND ')}`;
    for (const r of this.stmt(sql).all(...args) as { start_us: number }[]) {
      const k = builder.bucketOf(r.start_us / 1000);
      if (k >= 0) builder.addRefusal(k);
    }
  }

  /** Savings per cached token, priced once per model, provider and day (table prices change by date). */
  private savings(): (model: string, provider: string | null, atMs: number) => number {
    const memo = new Map<string, number>();
    const overrides = this.options.priceOverrides ?? [];
    return (model, provider, atMs) => {
      const day = Math.floor(atMs / 86_400_000);
      const key = `${model}\u0000${provider ?? ''}\u0000${day}`;
      let v = memo.get(key);
      if (v === undefined) memo.set(key, (v = cacheReadSavingPerToken(model, provider, { overrides, at: new Date(atMs) })));
      return v;
    };
  }
}
