// Batched writes: one transaction stores many spans, their LLM calls, search text, and the
// trace/rollup aggregates. Duplicate deliveries (exporter retries) are stored once; spans
// may arrive in any order and log records before or after the span they belong to.

import type Database from 'better-sqlite3';
import type { Attributes, IngestBatch, IngestLogRecord, IngestSpan, LlmCall, PricedCall } from '../core/model';
import { BatchAggregates, callModel, prepareAggregateStatements, type AggregateStatements, type CallFacts } from './aggregates';
import type { Analyzer } from './analyzer';
import { upsertSql } from './sql';

export interface WriteResult {
  /** Spans newly stored (duplicates excluded). */
  stored: number;
  duplicates: number;
  logs: number;
  llmCalls: number;
  touchedTraceIds: string[];
}

/** A call whose reading is fixed by the caller (the proxy), not derived from attributes. */
export interface ForcedCall {
  call: LlmCall;
  exchange?: {
    method: string;
    path: string;
    headers: Record<string, string>;
    requestBody: string;
    responseBody: string;
    httpStatus: number | null;
    outcome: string;
    warnings: string[];
  };
}

export interface WriterOptions {
  /** When false, message content is dropped before storing (privacy setting). */
  storeContent?: boolean;
  /** Told of every newly stored LLM call (metrics). */
  onCall?: (facts: CallFacts) => void;
}

interface SpanRow {
  id: number;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: number;
  start_us: number;
  end_us: number;
  status_code: number;
  status_message: string;
  scope_name: string | null;
  scope_version: string | null;
  attributes: string;
  events: string | null;
  links: string | null;
  resource: string | null;
}

export class SpanWriter {
  private readonly stmts;
  private readonly agg: AggregateStatements;
  private readonly resourceIds = new Map<string, number>();
  private resourceJson = new WeakMap<Attributes, string>();
  private storeContent: boolean;
  private readonly onCall?: (facts: CallFacts) => void;

  constructor(
    private readonly db: Database.Database,
    private readonly analyzer: Analyzer,
    opts: WriterOptions = {},
  ) {
    this.storeContent = opts.storeContent ?? true;
    this.onCall = opts.onCall;
    this.agg = prepareAggregateStatements(db);
    this.stmts = {
      insertSpan: db.prepare(`INSERT OR IGNORE INTO spans (trace_id, span_id, parent_span_id, name, kind, category, start_us,
        end_us, status_code, status_message, service_name, resource_id, scope_name, scope_version, attributes, events, links)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertCall: db.prepare(upsertSql('llm_calls', ['span_row', 'trace_id', 'start_us', 'duration_us', 'model', 'provider',
        'service_name', 'operation', 'is_error', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'reasoning_tokens', 'cost_usd',
        'cost_estimated', 'ttft_ms', 'conversation_id', 'prompt_name', 'prompt_version', 'call'], ['span_row'])),
      getCall: db.prepare('SELECT call FROM llm_calls WHERE span_row = ?'),
      setCategory: db.prepare('UPDATE spans SET category = ? WHERE id = ?'),
      insertSearch: db.prepare('INSERT INTO search (rowid, content) VALUES (?, ?)'),
      deleteSearch: db.prepare('DELETE FROM search WHERE rowid = ?'),
      insertExchange: db.prepare(upsertSql('proxy_exchanges', ['span_row', 'method', 'path', 'request_headers', 'request_body',
        'response_body', 'http_status', 'outcome', 'warnings'], ['span_row'])),
      insertLog: db.prepare(`INSERT INTO logs (trace_id, span_id, time_us, event_name, severity_number, severity_text, body,
        attributes, resource_id, scope_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      traceHasLogs: db.prepare('SELECT 1 FROM logs WHERE trace_id = ? LIMIT 1').pluck(),
      anyLogs: db.prepare('SELECT 1 FROM logs LIMIT 1').pluck(),
      logsOfSpan: db.prepare(`SELECT l.time_us, l.event_name, l.severity_number, l.severity_text, l.body, l.attributes,
        l.scope_name, r.attributes AS resource FROM logs l LEFT JOIN resources r ON r.id = l.resource_id
        WHERE l.trace_id = ? AND l.span_id = ? ORDER BY l.time_us, l.id`),
      spanByIds: db.prepare(`SELECT s.*, r.attributes AS resource FROM spans s LEFT JOIN resources r ON r.id = s.resource_id
        WHERE s.trace_id = ? AND s.span_id = ?`),
      findResource: db.prepare('SELECT id FROM resources WHERE hash = ?').pluck(),
      insertResource: db.prepare('INSERT INTO resources (hash, service_name, attributes) VALUES (?, ?, ?)'),
    };
  }

  setStoreContent(on: boolean): void {
    this.storeContent = on;
  }

  /** Stores batches in one transaction. */
  write(batches: IngestBatch[], forced?: Map<IngestSpan, ForcedCall>): WriteResult {
    return this.db.transaction(() => this.writeInTransaction(batches, forced))();
  }

  private writeInTransaction(batches: IngestBatch[], forced?: Map<IngestSpan, ForcedCall>): WriteResult {
    // Per write: a caller may change an object between writes, never during one.
    this.resourceJson = new WeakMap();
    const agg = new BatchAggregates();
    const result: WriteResult = { stored: 0, duplicates: 0, logs: 0, llmCalls: 0, touchedTraceIds: [] };

    // Logs first, so spans in the same batch see them.
    const batchLogs = new Map<string, IngestLogRecord[]>();
    for (const batch of batches) {
      for (const log of batch.logs) {
        this.insertLog(log);
        result.logs += 1;
        if (log.traceId && log.spanId) {
          const key = log.traceId + log.spanId;
          const list = batchLogs.get(key);
          if (list) list.push(log);
          else batchLogs.set(key, [log]);
        }
      }
    }

    const tracesWithStoredLogs = new Map<string, boolean>();
    const seenInBatch = new Set<string>();
    // Most stores hold no log records at all: one look then spares a lookup per trace.
    const anyLogs = result.logs > 0 || this.stmts.anyLogs.get() !== undefined;
    for (const batch of batches) {
      for (const span of batch.spans) {
        const key = span.traceId + span.spanId;
        seenInBatch.add(key);
        let logs: IngestLogRecord[] = [];
        let hasStored = anyLogs ? tracesWithStoredLogs.get(span.traceId) : false;
        if (hasStored === undefined) {
          hasStored = this.stmts.traceHasLogs.get(span.traceId) !== undefined;
          tracesWithStoredLogs.set(span.traceId, hasStored);
        }
        if (hasStored) logs = this.storedLogs(span.traceId, span.spanId);
        else logs = batchLogs.get(key) ?? [];
        const outcome = this.storeSpan(span, logs, agg, forced?.get(span));
        if (outcome === 'duplicate') result.duplicates += 1;
        else result.stored += 1;
        if (outcome === 'llm') result.llmCalls += 1;
      }
    }

    // Log records for spans stored in an earlier batch: read the span again with its logs.
    for (const [key, logs] of batchLogs) {
      if (seenInBatch.has(key)) continue;
      const traceId = logs[0]!.traceId!;
      const spanId = logs[0]!.spanId!;
      this.rereadSpan(traceId, spanId, agg);
    }

    result.touchedTraceIds = agg.touchedTraceIds;
    agg.flush(this.db, this.agg);
    return result;
  }

  private storeSpan(span: IngestSpan, logs: IngestLogRecord[], agg: BatchAggregates, forced?: ForcedCall): 'duplicate' | 'span' | 'llm' {
    const serviceName = stringAttr(span.resource['service.name']);
    const resourceId = this.resourceId(span.resource, serviceName);
    const category = forced ? 'llm' : this.analyzer.categorize(span);
    const attributes = this.storeContent ? span.attributes : withoutContent(span.attributes);
    const info = this.stmts.insertSpan.run(
      span.traceId, span.spanId, span.parentSpanId, span.name, span.kind, category, span.startUs, span.endUs,
      span.statusCode, span.statusMessage, serviceName, resourceId, span.scope.name || null, span.scope.version ?? null,
      JSON.stringify(attributes), span.events.length ? JSON.stringify(this.storeContent ? span.events : []) : null,
      span.links.length ? JSON.stringify(span.links) : null,
    );
    if (info.changes === 0) return 'duplicate';
    const row = Number(info.lastInsertRowid);
    const raw = forced ? forced.call : this.analyzer.normalize(span, logs);
    const call = raw ? this.price(raw, span.startUs) : null;
    const sessionId = call?.conversationId ?? stringAttr(span.attributes['session.id']) ?? null;
    agg.addSpan(span, serviceName, sessionId);
    if (call) {
      // Some calls are known as such only from their log records; the category follows the call.
      if (category !== 'llm' && category !== 'embedding') this.stmts.setCategory.run(callCategory(call), row);
      this.putCall(row, span, serviceName, call);
      const f = facts(span, serviceName, call);
      agg.addCall(f);
      this.onCall?.(f);
    }
    const text = this.analyzer.searchText(span, this.storeContent ? call : null);
    if (text) this.stmts.insertSearch.run(row, text);
    if (forced?.exchange) {
      const x = forced.exchange;
      this.stmts.insertExchange.run(row, x.method, x.path, JSON.stringify(x.headers),
        this.storeContent ? x.requestBody : '', this.storeContent ? x.responseBody : '', x.httpStatus, x.outcome,
        JSON.stringify(x.warnings));
    }
    return call ? 'llm' : 'span';
  }

  /** A log record arrived for a stored span: its reading as an LLM call may change. */
  private rereadSpan(traceId: string, spanId: string, agg: BatchAggregates): void {
    const row = this.stmts.spanByIds.get(traceId, spanId) as SpanRow | undefined;
    if (!row) return; // the span comes later; it will find its logs then
    const span = spanFromRow(row);
    const oldJson = this.stmts.getCall.get(row.id) as { call: string } | undefined;
    const serviceName = stringAttr(span.resource['service.name']);
    const raw = this.analyzer.normalize(span, this.storedLogs(traceId, spanId));
    if (!raw) return;
    const call = this.price(raw, span.startUs);
    if (oldJson) {
      const old = JSON.parse(oldJson.call) as PricedCall;
      if (old.convention === 'proxy') return; // the wire is the better witness
      agg.addCall(facts(span, serviceName, old), -1);
    }
    this.stmts.setCategory.run(callCategory(call), row.id);
    this.putCall(row.id, span, serviceName, call);
    agg.addCall(facts(span, serviceName, call));
    this.stmts.deleteSearch.run(row.id);
    const text = this.analyzer.searchText(span, this.storeContent ? call : null);
    if (text) this.stmts.insertSearch.run(row.id, text);
  }

  private price(raw: LlmCall, startUs: number): PricedCall {
    const priced = this.analyzer.price(raw, startUs);
    const base = priced.call ?? raw;
    const call: PricedCall = { ...base, costUsd: priced.costUsd, costEstimated: priced.costEstimated };
    if (!this.storeContent) {
      call.systemInstructions = [];
      call.inputMessages = [];
      call.outputMessages = [];
    }
    return call;
  }

  private putCall(row: number, span: IngestSpan, serviceName: string | null, call: PricedCall): void {
    const isError = span.statusCode === 2 || call.errorType !== null;
    this.stmts.insertCall.run(
      row, span.traceId, span.startUs, Math.max(0, span.endUs - span.startUs), callModel(call), call.provider, serviceName,
      call.operation, isError ? 1 : 0, call.inputTokens, call.outputTokens, call.cachedInputTokens, call.reasoningTokens,
      call.costUsd, call.costEstimated ? 1 : 0, call.ttftMs, call.conversationId, call.promptName, call.promptVersion,
      JSON.stringify(call),
    );
  }

  private storedLogs(traceId: string, spanId: string): IngestLogRecord[] {
    const rows = this.stmts.logsOfSpan.all(traceId, spanId) as {
      time_us: number; event_name: string | null; severity_number: number; severity_text: string; body: string;
      attributes: string; scope_name: string | null; resource: string | null;
    }[];
    return rows.map((r) => ({
      timeUs: r.time_us,
      observedTimeUs: r.time_us,
      traceId,
      spanId,
      severityNumber: r.severity_number,
      severityText: r.severity_text,
      eventName: r.event_name,
      body: JSON.parse(r.body),
      attributes: JSON.parse(r.attributes),
      resource: r.resource ? JSON.parse(r.resource) : {},
      scope: { name: r.scope_name ?? '' },
    }));
  }

  private insertLog(log: IngestLogRecord): void {
    const serviceName = stringAttr(log.resource['service.name']);
    this.stmts.insertLog.run(
      log.traceId, log.spanId, log.timeUs || log.observedTimeUs, log.eventName, log.severityNumber, log.severityText,
      JSON.stringify(this.storeContent ? log.body : null), JSON.stringify(log.attributes),
      this.resourceId(log.resource, serviceName), log.scope.name || null,
    );
  }

  private resourceId(resource: Attributes, serviceName: string | null): number {
    // The decoders share one resource object among the spans of a ResourceSpans.
    let json = this.resourceJson.get(resource);
    if (json === undefined) {
      json = JSON.stringify(resource);
      this.resourceJson.set(resource, json);
    }
    const cached = this.resourceIds.get(json);
    if (cached !== undefined) return cached;
    let id = this.stmts.findResource.get(json) as number | undefined;
    if (id === undefined) id = Number(this.stmts.insertResource.run(json, serviceName, json).lastInsertRowid);
    if (this.resourceIds.size > 10_000) this.resourceIds.clear();
    this.resourceIds.set(json, id);
    return id;
  }

  /** Forget cached resource ids (after the tables were cleared). */
  resetCaches(): void {
    this.resourceIds.clear();
  }
}

function callCategory(call: LlmCall): 'llm' | 'embedding' {
  return /embed/i.test(call.operation) ? 'embedding' : 'llm';
}

function facts(span: IngestSpan, serviceName: string | null, call: PricedCall): CallFacts {
  return {
    traceId: span.traceId,
    startUs: span.startUs,
    durationUs: Math.max(0, span.endUs - span.startUs),
    model: callModel(call),
    provider: call.provider,
    service: serviceName,
    isError: span.statusCode === 2 || call.errorType !== null,
    call,
  };
}

export function stringAttr(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

const CONTENT_KEY = /(^|\.)(messages?|prompt|completion|content|input\.value|output\.value|system_instructions|input_messages|output_messages)(\.|$)/;

/** With content storage off, message text attributes are dropped; counts and models stay. */
function withoutContent(attrs: Attributes): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) if (k.includes('token') || !CONTENT_KEY.test(k)) out[k] = v;
  return out;
}

export function spanFromRow(row: SpanRow): IngestSpan {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    kind: row.kind,
    startUs: row.start_us,
    endUs: row.end_us,
    statusCode: row.status_code as 0 | 1 | 2,
    statusMessage: row.status_message,
    attributes: JSON.parse(row.attributes),
    events: row.events ? JSON.parse(row.events) : [],
    links: row.links ? JSON.parse(row.links) : [],
    resource: row.resource ? JSON.parse(row.resource) : {},
    scope: { name: row.scope_name ?? '', ...(row.scope_version ? { version: row.scope_version } : {}) },
  };
}
