// Batched writes: one transaction stores many spans, their LLM calls, search text, and the
// trace/rollup aggregates. Spans come prepared (see prepare.ts: on the collector, by a worker
// thread), so this thread runs SQL. Duplicate deliveries (exporter retries) are stored once;
// spans may arrive in any order and log records before or after the span they belong to.

import type Database from 'better-sqlite3';
import { withDenseScriptTerms } from '../core/search-terms';
import type { IngestBatch, IngestLogRecord, IngestSpan, PricedCall, StatusCodeValue } from '../core/model';
import { BatchAggregates, prepareAggregateStatements, type AggregateStatements, type CallFacts } from './aggregates';
import type { Analyzer } from './analyzer';
import { AnnotationWrites, type AnnotationOp } from './annotation-writes';
import { CALL_FIELDS, callArgs, callColumns, readCallFields } from './call-fields';
import { PromptWrites } from './prompt-writes';
import { type ForcedCall, prepareBatch, prepareSpan, spanFromColumns, stringAttr, type PreparedBatch, type PreparedCall, type PreparedSpan } from './prepare';
import { dropRepeatedLines, SearchDocs, type SearchText } from './search-docs';
import { upsertSql } from './sql';

export type { ForcedCall } from './prepare';

export interface WriteResult {
  /** Spans newly stored (duplicates excluded). */
  stored: number;
  duplicates: number;
  logs: number;
  llmCalls: number;
  /** Calls stored or read again (a new revision): what the analysis runner has to look at. */
  callsChanged: number;
  touchedTraceIds: string[];
  /** Traces whose annotations changed. */
  annotatedTraceIds: string[];
  /** The store revision the transaction took; unchanged when it stored or changed nothing. */
  revision: number;
}

/** What an open write transaction has gathered so far. */
interface OpenWrite {
  agg: BatchAggregates;
  docs: SearchDocs;
  /** Traces with a span read again: indexed again as a whole at commit. */
  reread: Set<string>;
  result: WriteResult;
  /** The revision this transaction stamps on what it stores or changes. */
  rev: number;
  /** Whether anything took the revision. */
  revUsed: boolean;
}

function emptyResult(revision: number): WriteResult {
  return { stored: 0, duplicates: 0, logs: 0, llmCalls: 0, callsChanged: 0, touchedTraceIds: [], annotatedTraceIds: [], revision };
}

const REVISION_KEY = 'revision';

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
  service_name: string | null;
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
  private readonly annotations: AnnotationWrites;
  private readonly prompts: PromptWrites;
  /** Resource JSON → row id, kept across transactions but checked once in each (see resourceId). */
  private readonly resourceIds = new Map<string, number>();
  private readonly resourcesChecked = new Set<string>();
  private open: OpenWrite | null = null;
  private readonly storeContent: boolean;
  private readonly onCall?: (facts: CallFacts) => void;

  constructor(
    private readonly db: Database.Database,
    private readonly analyzer: Analyzer,
    opts: WriterOptions = {},
  ) {
    this.storeContent = opts.storeContent ?? true;
    this.onCall = opts.onCall;
    this.agg = prepareAggregateStatements(db);
    this.annotations = new AnnotationWrites(db);
    this.prompts = new PromptWrites(db);
    this.stmts = {
      insertSpan: db.prepare(`INSERT OR IGNORE INTO spans (trace_id, span_id, parent_span_id, name, kind, category, start_us,
        end_us, status_code, status_message, service_name, resource_id, scope_name, scope_version, attributes, events, links, store_rev)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertCall: db.prepare(upsertSql('llm_calls', ['span_row', 'trace_id', 'start_us', 'duration_us', 'service_name',
        ...callColumns(CALL_FIELDS), 'call', 'revision', 'store_rev'], ['span_row'])),
      getCall: db.prepare('SELECT call, revision FROM llm_calls WHERE span_row = ?'),
      setCategory: db.prepare('UPDATE spans SET category = ?, store_rev = ? WHERE id = ?'),
      getRevision: db.prepare(`SELECT value FROM meta WHERE key = '${REVISION_KEY}'`).pluck(),
      putRevision: db.prepare(`INSERT INTO meta (key, value) VALUES ('${REVISION_KEY}', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      searchHasRow: db.prepare('SELECT 1 FROM search WHERE rowid = ?').pluck(),
      deleteSearch: db.prepare('DELETE FROM search WHERE rowid = ?'),
      spansOfTrace: db.prepare(`SELECT s.*, r.attributes AS resource, c.call FROM spans s LEFT JOIN resources r ON r.id = s.resource_id
        LEFT JOIN llm_calls c ON c.span_row = s.id WHERE s.trace_id = ? ORDER BY s.id`),
      insertSearch: db.prepare('INSERT INTO search (rowid, content) VALUES (?, ?)'),
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
      resourceStill: db.prepare('SELECT 1 FROM resources WHERE id = ? AND hash = ?').pluck(),
      insertResource: db.prepare('INSERT INTO resources (hash, service_name, attributes) VALUES (?, ?, ?)'),
    };
  }

  /** Prepares a batch on this thread; `forced` readings replace those of their spans. */
  prepare(batch: IngestBatch, forced?: Map<IngestSpan, ForcedCall>): PreparedBatch {
    return prepareBatch(batch, this.analyzer, this.storeContent, forced);
  }

  /** Prepares (on this thread) and stores batches in one transaction. */
  write(batches: IngestBatch[], forced?: Map<IngestSpan, ForcedCall>): WriteResult {
    return this.writePrepared(batches.map((b) => this.prepare(b, forced)));
  }

  /** Stores prepared batches in one transaction. */
  writePrepared(batches: PreparedBatch[]): WriteResult {
    this.begin();
    try {
      this.add(batches);
      return this.commit();
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  get inTransaction(): boolean {
    return this.open !== null;
  }

  /**
   * Opens a write transaction that `add` calls fill and `commit` ends. Pages a transaction
   * touches go to the WAL once at its commit: several batches in one transaction write each
   * index page, trace summary and rollup row once instead of once per batch.
   */
  begin(): void {
    if (this.open) throw new Error('a write transaction is already open');
    this.db.exec('BEGIN IMMEDIATE');
    this.resourcesChecked.clear();
    // Read inside the transaction: another process writing the same file (an import) takes its own.
    const current = Number(this.stmts.getRevision.get() ?? 0);
    this.open = {
      agg: new BatchAggregates(), docs: new SearchDocs(), reread: new Set(), result: emptyResult(current), rev: current + 1, revUsed: false,
    };
  }

  /** Stores prepared batches in the open transaction. */
  add(batches: PreparedBatch[]): void {
    const open = this.openWrite();
    const { agg, docs, reread, result, rev } = open;
    const nowUs = Date.now() * 1000;
    // Logs first, so every span finds its log records among the stored ones.
    const logSpans = new Map<string, { traceId: string; spanId: string }>();
    let logs = 0;
    for (const batch of batches) {
      for (const log of batch.logs) {
        this.insertLog(log);
        logs += 1;
        if (log.traceId && log.spanId) logSpans.set(log.traceId + log.spanId, { traceId: log.traceId, spanId: log.spanId });
      }
    }
    result.logs += logs;

    const tracesWithLogs = new Map<string, boolean>();
    const seen = new Set<string>();
    // Most stores hold no log records at all: one look then spares a lookup per trace.
    const anyLogs = logs > 0 || this.stmts.anyLogs.get() !== undefined;
    for (const batch of batches) {
      const resourceIds = batch.resources.map((r) => this.resourceId(r.json, r.serviceName));
      for (let p of batch.spans) {
        if (logSpans.size > 0) seen.add(p.traceId + p.spanId);
        if (anyLogs && !p.exchange) {
          let traceHasLogs = tracesWithLogs.get(p.traceId);
          if (traceHasLogs === undefined) {
            traceHasLogs = this.stmts.traceHasLogs.get(p.traceId) !== undefined;
            tracesWithLogs.set(p.traceId, traceHasLogs);
          }
          if (traceHasLogs) {
            // Log records from another request or an earlier one: read the span again with all of them.
            const spanLogs = this.storedLogs(p.traceId, p.spanId);
            if (spanLogs.length !== p.logsUsed) {
              const span = spanFromColumns(p, batch.resources[p.resource]!.json);
              p = prepareSpan(span, spanLogs, this.analyzer, this.storeContent, p.resource);
            }
          }
        }
        const row = this.storeSpan(p, batch.resources[p.resource]!.serviceName, resourceIds[p.resource]!, agg);
        if (row === null) {
          result.duplicates += 1;
          continue;
        }
        open.revUsed = true;
        docs.add(p.traceId, row, p.searchText);
        result.stored += 1;
        if (p.call) {
          result.llmCalls += 1;
          result.callsChanged += 1;
        }
        for (const a of p.annotations) this.annotations.add(a, rev, nowUs, p.call ? 0 : null);
      }
    }

    // Log records for spans stored before: read the span again with its logs.
    for (const [key, ids] of logSpans) {
      if (seen.has(key) || !this.rereadSpan(ids.traceId, ids.spanId, agg, rev)) continue;
      reread.add(ids.traceId);
      open.revUsed = true;
      result.callsChanged += 1;
    }
    // Last, so those from log records find their calls as this write leaves them.
    for (const batch of batches) {
      for (const a of batch.annotations) this.annotations.add(a, rev, nowUs);
      if (batch.ops) for (const op of batch.ops) this.applyOp(op, rev, nowUs);
    }
  }

  private applyOp(op: AnnotationOp, rev: number, nowUs: number): void {
    switch (op.op) {
      case 'add':
        op.ids = op.annotations.map((a) => this.annotations.add(a, rev, nowUs));
        break;
      case 'replace':
        if (op.ifStored && op.spanId && !this.annotations.spanStored(op.traceId, op.spanId)) {
          op.ids = [];
          break;
        }
        this.annotations.removeOfSpan(op.traceId, op.spanId, op.source, op.kind ?? null);
        op.ids = op.annotations.map((a) => this.annotations.add(a, rev, nowUs));
        break;
      case 'delete':
        op.removed = this.annotations.remove(op.id, op.source ?? null);
        break;
      case 'meta':
        this.annotations.setMeta(op.key, op.value);
        break;
    }
  }

  /** Writes the transaction's search documents and aggregates, and commits it. */
  commit(): WriteResult {
    const open = this.openWrite();
    const { agg, docs, reread, result, rev } = open;
    for (const doc of docs.documents()) if (!reread.has(doc.traceId)) this.stmts.insertSearch.run(doc.row, doc.text);
    for (const traceId of reread) this.reindexTrace(traceId);
    result.touchedTraceIds = agg.touchedTraceIds;
    const created = agg.flush(this.db, this.agg);
    result.annotatedTraceIds = this.annotations.finish(rev, created);
    if (open.revUsed || result.annotatedTraceIds.length > 0) {
      this.stmts.putRevision.run(String(rev));
      result.revision = rev;
    }
    this.db.exec('COMMIT');
    this.open = null;
    return result;
  }

  rollback(): void {
    this.open = null;
    this.annotations.reset();
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  private openWrite(): OpenWrite {
    if (!this.open) throw new Error('no write transaction is open');
    return this.open;
  }

  private storeSpan(
    p: PreparedSpan,
    serviceName: string | null,
    resourceId: number,
    agg: BatchAggregates,
  ): number | null {
    const rev = this.open!.rev;
    const info = this.stmts.insertSpan.run(
      p.traceId, p.spanId, p.parentSpanId, p.name, p.kind, p.category, p.startUs, p.endUs, p.statusCode, p.statusMessage,
      serviceName, resourceId, p.scopeName, p.scopeVersion, p.attributes, p.events, p.links, rev,
    );
    if (info.changes === 0) return null;
    const row = Number(info.lastInsertRowid);
    agg.addSpan(p, serviceName, p.sessionId, p.userId);
    agg.addPreviews(p);
    if (p.call) this.putCall(row, p, serviceName, agg, 0, rev);
    const x = p.exchange;
    if (x) {
      this.stmts.insertExchange.run(row, x.method, x.path, JSON.stringify(x.headers), x.requestBody, x.responseBody,
        x.httpStatus, x.outcome, JSON.stringify(x.warnings));
    }
    return row;
  }

  /**
   * Indexes a trace's spans again as one document, under its first span's row: a span read again
   * says more than it did, and the contentless index cannot give back the text it was given.
   */
  private reindexTrace(traceId: string): void {
    const texts: SearchText[] = [];
    let first: number | null = null;
    for (const row of this.stmts.spansOfTrace.all(traceId) as (SpanRow & { call: string | null })[]) {
      if (this.stmts.searchHasRow.get(row.id) !== undefined) this.stmts.deleteSearch.run(row.id);
      const call = this.storeContent && row.call ? (JSON.parse(row.call) as PricedCall) : null;
      texts.push({ traceId, searchText: withDenseScriptTerms(this.analyzer.searchText(spanFromRow(row), call)) });
      first ??= row.id;
    }
    dropRepeatedLines(texts);
    const text = texts.map((t) => t.searchText).filter(Boolean).join('\n');
    if (first !== null && text) this.stmts.insertSearch.run(first, text);
  }

  /**
   * A log record arrived for a stored span: its reading as an LLM call may change. When it does,
   * the call takes the next revision. True when it changed.
   */
  private rereadSpan(traceId: string, spanId: string, agg: BatchAggregates, rev: number): boolean {
    const row = this.stmts.spanByIds.get(traceId, spanId) as SpanRow | undefined;
    if (!row) return false; // the span comes later; it will find its logs then
    const span = spanFromRow(row);
    const p = prepareSpan(span, this.storedLogs(traceId, spanId), this.analyzer, this.storeContent, 0);
    if (!p.call) return false;
    const stored = this.stmts.getCall.get(row.id) as { call: string; revision: number } | undefined;
    let revision = 0;
    if (stored) {
      // A log record that tells nothing new (an evaluation result, a repeated delivery) is no new revision.
      if (stored.call === p.call.json) return false;
      const old = JSON.parse(stored.call) as PricedCall;
      if (old.convention === 'proxy') return false; // the wire is the better witness
      const oldCall: PreparedCall = { ...readCallFields(CALL_FIELDS, old, span), json: stored.call };
      agg.addCall(facts(p, row.service_name, oldCall), -1);
      this.prompts.note(oldCall, row.service_name, row.name, row.start_us, Math.max(0, row.end_us - row.start_us), row.id, -1);
      revision = stored.revision + 1;
    }
    this.stmts.setCategory.run(p.category, rev, row.id);
    agg.addPreviews(p);
    this.putCall(row.id, p, row.service_name, agg, revision, rev);
    return true;
  }

  private putCall(row: number, p: PreparedSpan, serviceName: string | null, agg: BatchAggregates, revision: number, rev: number): void {
    const c = p.call!;
    this.stmts.insertCall.run(row, p.traceId, p.startUs, Math.max(0, p.endUs - p.startUs), serviceName, ...callArgs(CALL_FIELDS, c), c.json, revision, rev);
    this.prompts.note(c, serviceName, p.name, p.startUs, Math.max(0, p.endUs - p.startUs), row, 1);
    const f = facts(p, serviceName, c);
    agg.addCall(f);
    this.onCall?.(f);
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
    const json = JSON.stringify(log.resource);
    const serviceName = stringAttr(log.resource['service.name']);
    this.stmts.insertLog.run(
      log.traceId, log.spanId, log.timeUs || log.observedTimeUs, log.eventName, log.severityNumber, log.severityText,
      JSON.stringify(this.storeContent ? log.body : null), JSON.stringify(log.attributes),
      this.resourceId(json, serviceName), log.scope.name || null,
    );
  }

  /**
   * The row of a resource. Another process on the same file (the CLI beside the editor) may have
   * cleared the store since this one cached an id, and ids are reused after a clear: a cached id
   * is checked once per transaction, inside it, before it is trusted.
   */
  private resourceId(json: string, serviceName: string | null): number {
    const cached = this.resourceIds.get(json);
    if (cached !== undefined) {
      if (this.resourcesChecked.has(json)) return cached;
      if (this.stmts.resourceStill.get(cached, json) !== undefined) {
        this.resourcesChecked.add(json);
        return cached;
      }
      this.resourceIds.delete(json);
    }
    let id = this.stmts.findResource.get(json) as number | undefined;
    if (id === undefined) id = Number(this.stmts.insertResource.run(json, serviceName, json).lastInsertRowid);
    if (this.resourceIds.size > 10_000) this.resourceIds.clear();
    this.resourceIds.set(json, id);
    this.resourcesChecked.add(json);
    return id;
  }

  /** Forget cached resource ids and what it knew of the annotations (after the tables were cleared). */
  resetCaches(): void {
    this.resourceIds.clear();
    this.annotations.reset();
    this.resourcesChecked.clear();
  }
}

function facts(p: PreparedSpan, serviceName: string | null, c: PreparedCall): CallFacts {
  return {
    traceId: p.traceId,
    startUs: p.startUs,
    durationUs: Math.max(0, p.endUs - p.startUs),
    model: c.model,
    provider: c.provider,
    service: serviceName,
    isError: c.isError,
    call: c,
  };
}

export function spanFromRow(row: SpanRow): IngestSpan {
  return spanFromColumns(
    {
      traceId: row.trace_id,
      spanId: row.span_id,
      parentSpanId: row.parent_span_id,
      name: row.name,
      kind: row.kind,
      startUs: row.start_us,
      endUs: row.end_us,
      statusCode: row.status_code as StatusCodeValue,
      statusMessage: row.status_message,
      attributes: row.attributes,
      events: row.events,
      links: row.links,
      scopeName: row.scope_name,
      scopeVersion: row.scope_version,
    },
    row.resource,
  );
}
