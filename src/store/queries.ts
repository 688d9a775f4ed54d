// The read side: trace list, one trace, aggregates. Every query here is shaped for an index
// (see schema.ts); the API and the extension read only through these.

import type Database from 'better-sqlite3';
import { BucketGrid, DASHBOARD_BUCKETS, niceBucketMs } from '../core/dashboard/buckets';
import { bucketOf, quantiles } from '../core/histogram';
import type { PricedCall, SpanCategory } from '../core/model';
import type {
  AnnotationDto, LlmCallDto, ModelStats, SessionDetail, SessionListPage, SessionListQuery, SpanDetail, SpanDto, StatsDto, StatsQuery, StatsSeriesDto, StatsSeriesPoint, StatsSeriesQuery, TodaySummaryDto, TraceDetail, TraceListPage, TraceListQuery,
  TraceOutline, TraceStatus, TraceSummary,
} from '../protocol/api';
import { AnnotationQueries } from './annotation-queries';
import { GuardrailQueries, guardrailHits } from './guardrail-queries';
import { apiColumns, CALL_FIELDS } from './call-fields';
import { MINUTE_US, splitModels, type RollupRow, type TraceRow } from './aggregates';
import { addStoredTo, HistogramSum } from './histogram-sum';
import { OutlineQuery, TRACE_ROWS_IN_ROW_ORDER } from './outline';
import { decodeCursor, encodeCursor, pageOf, StatementCache } from './pages';
import { PromptQueries } from './prompt-queries';
import { SessionQueries } from './sessions';
import { TraceList } from './trace-list';
import { schemaInfo } from './schema-info';
import { ROLLUP_LEVELS, type ROLLUP_SERIES_COLUMNS } from './rollups';
import { WindowSums } from './window-sums';

/** A rollup row of any level, without its time key. */
type RollupValues = Omit<RollupRow, 'minute_us'>;

export function traceSummaryFromRow(r: TraceRow): TraceSummary {
  return {
    traceId: r.trace_id,
    startTime: r.start_us / 1000,
    durationMs: (r.end_us - r.start_us) / 1000,
    spanCount: r.span_count,
    llmCallCount: r.llm_call_count,
    errorCount: r.error_count,
    costUsd: roundCost(r.cost_usd),
    costEstimated: r.cost_estimated === 1,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    status: r.error_count > 0 ? 'error' : 'ok',
    rootName: r.root_name,
    serviceName: r.service_name,
    models: splitModels(r.models),
    sessionId: r.session_id,
    annotationCounts: r.annotation_counts ? JSON.parse(r.annotation_counts) : {},
    feedback: { up: r.feedback_up ?? 0, down: r.feedback_down ?? 0 },
    userId: r.user_id ?? null,
    inputPreview: r.input_preview ?? null,
    outputPreview: r.output_preview ?? null,
  };
}

/** Float sums drift (0.1 + 0.2); costs are shown to the micro-dollar at most. */
function roundCost(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}

/** The columns of a span and its call and exchange, for the API; `callApi`: the call's columns it shows. */
function spanSelect(callApi: ReturnType<typeof apiColumns>, revisions: boolean): string {
  return `SELECT s.id, s.trace_id, s.span_id, s.parent_span_id, s.name, s.kind, s.category, s.start_us, s.end_us,
  s.status_code, s.status_message, s.service_name, s.scope_name, s.attributes, s.events, s.links, r.attributes AS resource,
  c.call, ${revisions ? 'c.revision' : '0'} AS call_revision${callApi.select ? `, ${callApi.select}` : ''}, x.method, x.path, x.request_body, x.http_status
  FROM spans s LEFT JOIN resources r ON r.id = s.resource_id LEFT JOIN llm_calls c ON c.span_row = s.id
  LEFT JOIN proxy_exchanges x ON x.span_row = s.id`;
}

export class TraceQueries {
  readonly annotations: AnnotationQueries;
  readonly prompts: PromptQueries;
  readonly guardrails: GuardrailQueries;
  private readonly outlines: OutlineQuery;
  private readonly stmts;
  private readonly traceList: TraceList;
  private readonly sessionQueries: SessionQueries;
  private readonly sums: WindowSums;
  /** The call's columns the API shows (call-fields.ts): they, not the JSON's copies, are what the aggregates sum. */
  private readonly callApi: ReturnType<typeof apiColumns>;

  constructor(db: Database.Database) {
    // A reader may open a file an older Spyglass still owns, before it is migrated: read what is there.
    const schema = schemaInfo(db);
    this.traceList = new TraceList(db, { schema, summary: traceSummaryFromRow });
    this.sessionQueries = new SessionQueries(db, schema, traceSummaryFromRow);
    this.sums = new WindowSums(db);
    this.annotations = new AnnotationQueries(db, schema);
    this.prompts = new PromptQueries(db, schema);
    this.guardrails = new GuardrailQueries(db, schema);
    this.callApi = apiColumns(Object.fromEntries(Object.entries(CALL_FIELDS).filter(([, f]) => schema.hasColumn('llm_calls', f.column))), 'c');
    const spanSql = spanSelect(this.callApi, schema.hasColumn('llm_calls', 'revision'));
    this.stmts = {
      trace: db.prepare('SELECT * FROM traces WHERE trace_id = ?'),
      spans: db.prepare(`${spanSql} WHERE ${TRACE_ROWS_IN_ROW_ORDER} ORDER BY s.start_us, s.id`),
      span: db.prepare(`${spanSql} WHERE s.trace_id = ? AND s.span_id = ?`),
      exchange: db.prepare(`SELECT x.method, x.path, x.request_headers, x.request_body, x.response_body, x.http_status
        FROM spans s JOIN proxy_exchanges x ON x.span_row = s.id WHERE s.trace_id = ? AND s.span_id = ?`),
      revision: db.prepare("SELECT value FROM meta WHERE key = 'revision'").pluck(),
      levelRows: ROLLUP_LEVELS.filter((l) => schema.hasTable(l.table))
        .map((l) => ({ us: l.us, rows: db.prepare(`SELECT * FROM ${l.table} WHERE ${l.key} >= ? AND ${l.key} < ?`) })),
      edgeCalls: db.prepare(`SELECT model, provider, service_name, is_error, duration_us, ttft_ms, cost_usd, input_tokens,
        output_tokens, cached_input_tokens, reasoning_tokens FROM llm_calls WHERE start_us >= ? AND start_us < ?`),
      // Two subqueries: min() and max() together in one SELECT make SQLite scan the whole table.
      timeBounds: db.prepare('SELECT (SELECT min(minute_us) FROM llm_rollup) AS lo, (SELECT max(minute_us) FROM llm_rollup) AS hi'),
    };
    this.outlines = new OutlineQuery(db, schema, {
      revision: () => this.revision(),
      trace: (id) => {
        const row = this.stmts.trace.get(id) as TraceRow | undefined;
        return row ? { summary: traceSummaryFromRow(row), startUs: row.start_us } : null;
      },
      countsBySpan: (id) => this.annotations.countsBySpan(id),
      traceAnnotations: (id) => this.annotations.ofSpan(id, null),
    });
  }

  /** The store revision: bumped by every write that stores or changes spans, calls or annotations. */
  revision(): number {
    return Number(this.stmts.revision.get() ?? 0);
  }

  listTraces(q: TraceListQuery = {}): TraceListPage {
    return this.traceList.list(q);
  }

  listSessions(q: SessionListQuery = {}): SessionListPage {
    return this.sessionQueries.list(q);
  }

  getSession(sessionId: string): SessionDetail | null {
    return this.sessionQueries.get(sessionId);
  }

  getTrace(traceId: string): TraceDetail | null {
    const row = this.stmts.trace.get(traceId) as TraceRow | undefined;
    if (!row) return null;
    const { trace, bySpan } = this.annotations.ofTrace(traceId);
    const spans = (this.stmts.spans.all(traceId) as SpanJoinRow[]).map((r) => spanDtoFromRow(r, bySpan.get(r.span_id) ?? [], this.callApi));
    return { trace: traceSummaryFromRow(row), spans, annotations: trace };
  }

  getTraceSummary(traceId: string): TraceSummary | null {
    const row = this.stmts.trace.get(traceId) as TraceRow | undefined;
    return row ? traceSummaryFromRow(row) : null;
  }

  /** The light span list of a trace, or with `since` what changed after that revision; null when not stored. `limit`: a preview. */
  outline(traceId: string, since?: number, limit?: number): TraceOutline | null {
    return this.outlines.outline(traceId, since, limit);
  }

  /** The exchange a proxied call recorded (request headers without credentials, bodies); null for others. */
  proxyExchange(traceId: string, spanId: string): { method: string; path: string; headers: Record<string, string>; requestBody: string; responseBody: string; httpStatus: number | null } | null {
    const row = this.stmts.exchange.get(traceId, spanId) as { method: string; path: string; request_headers: string; request_body: string; response_body: string; http_status: number | null } | undefined;
    if (!row) return null;
    return { method: row.method, path: row.path, headers: JSON.parse(row.request_headers) as Record<string, string>, requestBody: row.request_body, responseBody: row.response_body, httpStatus: row.http_status };
  }

  /** One span in full, with its annotations; null when not stored. */
  getSpan(traceId: string, spanId: string): SpanDetail | null {
    const row = this.stmts.span.get(traceId, spanId) as SpanJoinRow | undefined;
    return row ? spanDtoFromRow(row, this.annotations.ofSpan(traceId, spanId), this.callApi) : null;
  }

  stats(q: StatsQuery = {}): StatsDto {
    const fromUs = q.from !== undefined ? Math.floor(q.from * 1000) : null;
    const toUs = q.to !== undefined ? Math.floor(q.to * 1000) : null;
    const acc = new StatsAccumulator(q);
    const bounds = this.stmts.timeBounds.get() as { lo: number | null; hi: number | null };
    if (bounds.lo !== null && bounds.hi !== null) {
      const lo = fromUs ?? bounds.lo;
      const hi = toUs ?? bounds.hi + MINUTE_US;
      this.addWindow(acc, lo, hi, this.stmts.levelRows.length - 1);
    }
    return acc.result(q.from ?? null, q.to ?? null);
  }

  /**
   * Adds the calls that started in [lo, hi): whole buckets of `level` from its rollup rows, the
   * partial buckets at either edge from the next finer level, and below minutes from the calls.
   */
  private addWindow(acc: StatsAccumulator, lo: number, hi: number, level: number): void {
    if (level < 0) {
      for (const c of this.stmts.edgeCalls.iterate(lo, hi) as IterableIterator<EdgeCallRow>) acc.addCall(c);
      return;
    }
    const grain = this.stmts.levelRows[level]!.us;
    const firstWhole = Math.ceil(lo / grain) * grain;
    const lastWhole = Math.floor(hi / grain) * grain;
    if (firstWhole < lastWhole) {
      for (const r of this.stmts.levelRows[level]!.rows.iterate(firstWhole, lastWhole) as IterableIterator<RollupValues>) acc.addRollup(r);
      if (lo < firstWhole) this.addWindow(acc, lo, firstWhole, level - 1);
      if (lastWhole < hi) this.addWindow(acc, lastWhole, hi, level - 1);
    } else {
      this.addWindow(acc, lo, hi, level - 1);
    }
  }

  /**
   * Cost and calls per time bucket and model (bucket ≥ 1 minute, on the calendar grid of its width,
   * the first starting at `from`): each minute's calls count in the bucket its minute starts in,
   * read through the coarsest rollups that fit in the bucket.
   */
  series(q: StatsSeriesQuery = {}): StatsSeriesDto {
    const to = q.to ?? Date.now();
    const from = q.from ?? to - 24 * 3_600_000;
    const minuteMs = MINUTE_US / 1000;
    const bucketMs = Math.max(minuteMs, Math.round((q.bucketMs ?? niceBucketMs(to - from, DASHBOARD_BUCKETS)) / minuteMs) * minuteMs);
    const cells = new Map<string, StatsSeriesPoint>();
    const grid = new BucketGrid(from, to, bucketMs);
    const minuteAt = (us: number) => Math.ceil(us / MINUTE_US) * MINUTE_US;
    // Inner edges are whole minutes; the first bucket holds the minute `from` falls in, the last the one `to` does.
    for (let k = 0; k < grid.count; k++) {
      const a = k === 0 ? Math.floor(from / minuteMs) * MINUTE_US : grid.start(k) * 1000;
      const bucketStart = grid.start(k);
      for (const r of this.sums.byScopeUs(a, minuteAt(grid.end(k) * 1000))) {
        if ((q.model && q.model !== r.model) || (q.service && q.service !== r.service)) continue;
        const key = `${bucketStart}|${r.model}`;
        let cell = cells.get(key);
        if (!cell) {
          cell = { bucketStart, model: r.model, calls: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 };
          cells.set(key, cell);
        }
        cell.calls += r.calls;
        cell.errors += r.errors;
        cell.costUsd += r.costUsd;
        cell.inputTokens += r.inputTokens;
        cell.outputTokens += r.outputTokens;
      }
    }
    const points = [...cells.values()]
      .filter((c) => c.calls > 0)
      .map((c) => ({ ...c, costUsd: roundCost(c.costUsd) }))
      .sort((a, b) => a.bucketStart - b.bucketStart || a.model.localeCompare(b.model));
    return { from, to, bucketMs, points };
  }

  todaySummary(now = Date.now()): TodaySummaryDto {
    const start = new Date(now);
    start.setHours(0, 0, 0, 0);
    const s = this.stats({ from: start.getTime(), to: now + 1 });
    return { calls: s.calls, costUsd: s.costUsd, errors: s.errors, guardrailHits: this.annotations.guardrailHitsSince(start.getTime() * 1000) };
  }
}

interface EdgeCallRow {
  model: string;
  provider: string | null;
  service_name: string | null;
  is_error: number;
  duration_us: number;
  ttft_ms: number | null;
  cost_usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  reasoning_tokens: number | null;
}

interface ModelAcc {
  model: string;
  provider: string | null;
  calls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  latency: HistogramSum;
}

class StatsAccumulator {
  private calls = 0;
  private errors = 0;
  private cost = 0;
  private input = 0;
  private output = 0;
  private cached = 0;
  private reasoning = 0;
  private latency = new HistogramSum();
  private ttft = new HistogramSum();
  private byModel = new Map<string, ModelAcc>();

  constructor(private readonly q: StatsQuery) {}

  private accepts(model: string, service: string | null): boolean {
    if (this.q.model && this.q.model !== model) return false;
    if (this.q.service && this.q.service !== (service ?? '')) return false;
    return true;
  }

  private model(model: string, provider: string | null): ModelAcc {
    let m = this.byModel.get(model);
    if (!m) {
      m = { model, provider, calls: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0, latency: new HistogramSum() };
      this.byModel.set(model, m);
    }
    return m;
  }

  addRollup(r: RollupValues): void {
    if (r.calls <= 0) return;
    const m = this.add(r);
    if (!m) return;
    addStoredTo(r.latency_hist, [this.latency, m.latency]);
    this.ttft.addStored(r.ttft_hist);
  }

  addCall(c: EdgeCallRow): void {
    const m = this.add({
      model: c.model, provider: c.provider ?? '', service_name: c.service_name ?? '', calls: 1, errors: c.is_error,
      cost_usd: c.cost_usd ?? 0, input_tokens: c.input_tokens ?? 0, output_tokens: c.output_tokens ?? 0,
      cached_input_tokens: c.cached_input_tokens ?? 0, reasoning_tokens: c.reasoning_tokens ?? 0,
    });
    if (!m) return;
    const latency = bucketOf(c.duration_us / 1000);
    this.latency.add(latency, 1);
    m.latency.add(latency, 1);
    if (c.ttft_ms !== null) this.ttft.add(bucketOf(c.ttft_ms), 1);
  }

  /** Adds the sums; returns the model's accumulator for the histograms, or null when filtered out. */
  private add(r: Omit<RollupValues, 'latency_hist' | 'ttft_hist' | keyof typeof ROLLUP_SERIES_COLUMNS>): ModelAcc | null {
    if (!this.accepts(r.model, r.service_name)) return null;
    this.calls += r.calls;
    this.errors += r.errors;
    this.cost += r.cost_usd;
    this.input += r.input_tokens;
    this.output += r.output_tokens;
    this.cached += r.cached_input_tokens;
    this.reasoning += r.reasoning_tokens;
    const m = this.model(r.model, r.provider || null);
    m.calls += r.calls;
    m.errors += r.errors;
    m.costUsd += r.cost_usd;
    m.inputTokens += r.input_tokens;
    m.outputTokens += r.output_tokens;
    return m;
  }

  result(from: number | null, to: number | null): StatsDto {
    const [l50, l95, l99] = quantiles(this.latency.toSparse(), [0.5, 0.95, 0.99]);
    const [t50, t95, t99] = quantiles(this.ttft.toSparse(), [0.5, 0.95, 0.99]);
    const byModel: ModelStats[] = [...this.byModel.values()]
      .map((m) => {
        const [p50, p95, p99] = quantiles(m.latency.toSparse(), [0.5, 0.95, 0.99]);
        return {
          model: m.model, provider: m.provider, calls: m.calls, errors: m.errors, costUsd: roundCost(m.costUsd),
          inputTokens: m.inputTokens, outputTokens: m.outputTokens, latencyMs: { p50: p50!, p95: p95!, p99: p99! },
        };
      })
      .sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls);
    return {
      from, to, calls: this.calls, errors: this.errors, costUsd: roundCost(this.cost), inputTokens: this.input,
      outputTokens: this.output, cachedInputTokens: this.cached, reasoningTokens: this.reasoning,
      latencyMs: { p50: l50!, p95: l95!, p99: l99! }, ttftMs: { p50: t50!, p95: t95!, p99: t99! }, byModel,
    };
  }
}

interface SpanJoinRow {
  id: number;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: number;
  category: string;
  start_us: number;
  end_us: number;
  status_code: number;
  status_message: string;
  service_name: string | null;
  scope_name: string | null;
  attributes: string;
  events: string | null;
  links: string | null;
  resource: string | null;
  call: string | null;
  call_revision: number | null;
  method: string | null;
  path: string | null;
  request_body: string | null;
  http_status: number | null;
}

function statusOf(code: number): TraceStatus {
  return code === 2 ? 'error' : code === 1 ? 'ok' : 'unset';
}

/** A call's replay links, read from its `replay` annotations (see collector/replay-routes.ts). */
function replayLinks(annotations: AnnotationDto[]): Pick<LlmCallDto, 'replayOf' | 'replays'> {
  const out: Pick<LlmCallDto, 'replayOf' | 'replays'> = {};
  for (const a of annotations) {
    if (a.kind !== 'replay') continue;
    const t = a.attributes.traceId;
    const s = a.attributes.spanId;
    if (typeof t !== 'string' || typeof s !== 'string') continue;
    if (a.name === 'replay_of') out.replayOf = { traceId: t, spanId: s };
    else if (a.name === 'replayed_as') {
      const model = a.attributes.model;
      const status = a.attributes.httpStatus;
      (out.replays ??= []).push({ traceId: t, spanId: s, at: a.createdAt, model: typeof model === 'string' ? model : null, httpStatus: typeof status === 'number' ? status : null });
    }
  }
  return out;
}

function spanDtoFromRow(r: SpanJoinRow, annotations: AnnotationDto[], callApi: ReturnType<typeof apiColumns>): SpanDto {
  let llm: LlmCallDto | null = null;
  if (r.call) {
    const c = JSON.parse(r.call) as PricedCall;
    llm = { ...c, ...(callApi.fromRow(r as unknown as Record<string, unknown>) as Partial<LlmCallDto>), params: c.params, revision: r.call_revision ?? 0 };
    if (r.method !== null) {
      llm.request = { method: r.method, path: r.path ?? '', body: r.request_body ?? '' };
      llm.httpStatus = r.http_status;
    }
    Object.assign(llm, replayLinks(annotations));
  }
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    name: r.name,
    kind: r.kind,
    category: r.category as SpanCategory,
    startTime: r.start_us / 1000,
    endTime: r.end_us / 1000,
    durationMs: (r.end_us - r.start_us) / 1000,
    status: statusOf(r.status_code),
    statusMessage: r.status_message,
    serviceName: r.service_name,
    scopeName: r.scope_name,
    attributes: JSON.parse(r.attributes),
    resource: r.resource ? JSON.parse(r.resource) : {},
    events: r.events ? JSON.parse(r.events) : [],
    links: r.links ? JSON.parse(r.links) : [],
    llm,
    annotations,
    guardrails: guardrailHits(annotations),
  };
}
