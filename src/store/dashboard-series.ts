// The dashboard's charts over a range: one pass over the range's calls (by the time index) feeds
// the pure series builder (src/core/dashboard/series.ts). The filters (service, model, prompt
// version) apply to every series. User, session and feature come from the call's span attributes,
// else from its trace; a refusal is a guardrail annotation of category `refusal` on the call.

import type Database from 'better-sqlite3';
import { FEATURE_ATTRIBUTES, SESSION_ID_ATTRIBUTES, USER_ID_ATTRIBUTES } from '../core/dashboard/attribution';
import { SeriesBuilder, type SeriesCall } from '../core/dashboard/series';
import type { DashboardSeries, DashboardSeriesQuery } from '../core/dashboard/types';
import { cacheReadSavingPerToken, type PriceOverride } from '../core/pricing';
import { callFilterSql } from './call-filter';

interface Row {
  start_us: number;
  trace_id: string;
  model: string;
  provider: string | null;
  service_name: string | null;
  prompt_name: string | null;
  prompt_version: string | null;
  trace_user: string | null;
  session_id: string | null;
  trace_session: string | null;
  attrs: string | null;
  duration_us: number;
  ttft_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  cost_usd: number | null;
  is_error: number;
  refused: number;
}

export interface DashboardSeriesOptions {
  /** The collector's price overrides, so cache savings use the prices the calls were billed at. */
  priceOverrides?: readonly PriceOverride[];
}

const ATTRIBUTE_KEYS = [USER_ID_ATTRIBUTES, SESSION_ID_ATTRIBUTES, FEATURE_ATTRIBUTES];
const quote = (k: string) => k.replace(/'/g, "''").replace(/"/g, '');

/**
 * Every attribute the attribution reads, in one json_extract: SQLite parses the span's attributes
 * once and answers a JSON array (one json_extract per key parsed them once per key, 15x slower).
 */
const ATTRIBUTES_SQL = `json_extract(s.attributes, ${ATTRIBUTE_KEYS.flat().map((k) => `'$."${quote(k)}"'`).join(', ')})`;

/** The first value present of each key group, from the array ATTRIBUTES_SQL answers. */
function attribution(json: string | null): (string | null)[] {
  const values = json ? (JSON.parse(json) as unknown[]) : [];
  let at = 0;
  return ATTRIBUTE_KEYS.map((keys) => {
    let found: string | null = null;
    for (let k = 0; k < keys.length; k++, at++) {
      const v = values[at];
      if (found === null && (typeof v === 'string' ? v !== '' : typeof v === 'number')) found = String(v);
    }
    return found;
  });
}

/** A prompt filter `name@version` (or a bare `name`, every version) as SQL. */
export class DashboardSeriesReader {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly options: DashboardSeriesOptions = {},
  ) {}

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  series(q: DashboardSeriesQuery, now = Date.now()): DashboardSeries {
    const to = q.to ?? now;
    const from = q.from ?? to - 3_600_000;
    const builder = new SeriesBuilder(from, to, q.bucketMs ?? Math.max(1, Math.ceil((to - from) / 60)), {
      savingPerCachedToken: this.savings(),
    });
    if (!(to > from)) return builder.build();
    const { where, args } = callFilterSql({ from, to, service: q.service, model: q.model, prompt: q.prompt });
    const sql = `SELECT c.start_us, c.trace_id, c.model, c.provider, c.service_name, c.prompt_name, c.prompt_version,
        t.user_id AS trace_user, c.conversation_id AS session_id, t.session_id AS trace_session, ${ATTRIBUTES_SQL} AS attrs,
        c.duration_us, c.ttft_ms, c.input_tokens, c.output_tokens, c.cached_input_tokens, c.cost_usd, c.is_error,
        EXISTS (SELECT 1 FROM annotations a WHERE a.trace_id = c.trace_id AND a.span_id = s.span_id AND a.kind = 'guardrail'
          AND json_extract(a.attributes, '$.category') = 'refusal') AS refused
      FROM llm_calls c INDEXED BY llm_calls_by_time JOIN spans s ON s.id = c.span_row LEFT JOIN traces t ON t.trace_id = c.trace_id
      WHERE ${where.join(' AND ')}`;
    for (const r of this.stmt(sql).iterate(...args) as IterableIterator<Row>) {
      const [user, session, feature] = attribution(r.attrs);
      const call: SeriesCall = {
        startMs: r.start_us / 1000, traceId: r.trace_id, model: r.model, provider: r.provider, service: r.service_name,
        prompt: r.prompt_name === null ? null : r.prompt_version ? `${r.prompt_name}@${r.prompt_version}` : r.prompt_name,
        user: user ?? r.trace_user, session: r.session_id ?? session ?? r.trace_session, feature,
        durationMs: r.duration_us / 1000, ttftMs: r.ttft_ms, inputTokens: r.input_tokens, outputTokens: r.output_tokens,
        cachedInputTokens: r.cached_input_tokens, costUsd: r.cost_usd, isError: r.is_error === 1, refused: r.refused === 1,
      };
      builder.add(call);
    }
    return builder.build();
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
