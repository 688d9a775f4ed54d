// Everything the writer stores about a span that needs no database: its category, its reading
// as a priced LLM call, its JSON columns and its search text. That is most of ingest's CPU, so
// the collector prepares spans on a worker thread and the writer's thread only runs SQL.
// A PreparedBatch holds only plain data: it crosses threads by structured clone.

import { annotationOfLog, annotationsOfSpan, isExportedAnnotation } from '../core/annotations/instrumentation';
import type { NewAnnotation } from '../core/annotations/model';
import { withDenseScriptTerms } from '../core/search-terms';
import type { Attributes, IngestBatch, IngestLogRecord, IngestSpan, LlmCall, PricedCall, SpanCategory, StatusCodeValue } from '../core/model';
import type { Analyzer } from './analyzer';
import type { AnnotationOp } from './annotation-writes';
import { callPreviews, spanPreviews, userIdOf } from '../core/previews';
import { CALL_FIELDS, readCallFields, type StoredCallValues } from './call-fields';
import { dropRepeatedLines } from './search-docs';

/** The numbers of a stored call that feed the trace summaries, the rollups and the metrics. */
export type CallNumbers = Pick<
  PricedCall,
  'costUsd' | 'costEstimated' | 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'reasoningTokens' | 'ttftMs' | 'conversationId' | 'promptName' | 'promptVersion'
>;

/** A call ready to store: its fields (call-fields.ts) and the whole PricedCall as JSON (the llm_calls.call column). */
export type PreparedCall = StoredCallValues & { json: string };

/** The exchange the proxy recorded, stored beside its span (for replay). */
export interface ProxyExchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  requestBody: string;
  responseBody: string;
  httpStatus: number | null;
  outcome: string;
  warnings: string[];
}

/** A reading fixed by the caller (the proxy's, from the wire), used instead of the span's attributes. */
export interface ForcedCall {
  call: LlmCall;
  exchange: ProxyExchange;
}

export interface PreparedResource {
  json: string;
  serviceName: string | null;
}

export interface PreparedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  startUs: number;
  endUs: number;
  statusCode: StatusCodeValue;
  statusMessage: string;
  /** Index into the batch's resources. */
  resource: number;
  scopeName: string | null;
  scopeVersion: string | null;
  category: SpanCategory;
  /** JSON columns; content already dropped when content storage is off. */
  attributes: string;
  events: string | null;
  links: string | null;
  call: PreparedCall | null;
  /** The call's conversation id, else the span's session.id attribute. */
  sessionId: string | null;
  /** `user.id` / `enduser.id`: whom the trace was made for. */
  userId: string | null;
  /** The question and the answer this span shows (see core/previews.ts); null without content. */
  inputPreview: string | null;
  outputPreview: string | null;
  /** Text for the full-text index, less the lines an earlier span of the trace in the batch had. */
  searchText: string;
  /** How many log records the reading used: the writer reads the span again when it knows of more. */
  logsUsed: number;
  /** Set for spans the proxy recorded: their reading is the wire's and log records never replace it. */
  exchange: ProxyExchange | null;
  /** Evaluation and guardrail results the span carries (usually none). */
  annotations: NewAnnotation[];
}

export interface PreparedBatch {
  resources: PreparedResource[];
  spans: PreparedSpan[];
  logs: IngestLogRecord[];
  /** Evaluation and guardrail results sent as log records. */
  annotations: NewAnnotation[];
  /** Annotation changes that come from no span: the analysis runner's, a user's. */
  ops?: AnnotationOp[];
}

export function stringAttr(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * Prepares a decoded batch; log records in the batch are joined to their spans. `forced`
 * readings replace those of their spans (the proxy's).
 */
export function prepareBatch(batch: IngestBatch, analyzer: Analyzer, storeContent: boolean, forced?: Map<IngestSpan, ForcedCall>): PreparedBatch {
  const byKey = new Map<string, IngestLogRecord[]>();
  for (const log of batch.logs) {
    if (!log.traceId || !log.spanId) continue;
    const key = log.traceId + log.spanId;
    const list = byKey.get(key);
    if (list) list.push(log);
    else byKey.set(key, [log]);
  }
  const resources = new ResourceList();
  const spans = batch.spans.map((span) =>
    prepareSpan(span, byKey.get(span.traceId + span.spanId) ?? [], analyzer, storeContent, resources.indexOf(span.resource), forced?.get(span)));
  dropRepeatedLines(spans);
  const annotations: NewAnnotation[] = [];
  for (const log of batch.logs) {
    const a = annotationOfLog(log, storeContent);
    if (a) annotations.push(a);
  }
  return { resources: resources.list, spans, logs: batch.logs, annotations };
}

/** Resources of a batch, each serialised once: the decoders share one object per ResourceSpans. */
class ResourceList {
  readonly list: PreparedResource[] = [];
  private readonly index = new Map<Attributes, number>();

  indexOf(resource: Attributes): number {
    let i = this.index.get(resource);
    if (i === undefined) {
      i = this.list.length;
      this.list.push({ json: JSON.stringify(resource), serviceName: stringAttr(resource['service.name']) });
      this.index.set(resource, i);
    }
    return i;
  }
}

/** One span made ready to store. */
export function prepareSpan(
  span: IngestSpan,
  logs: IngestLogRecord[],
  analyzer: Analyzer,
  storeContent: boolean,
  resource: number,
  forced?: ForcedCall,
): PreparedSpan {
  const analysis = forced ? { category: 'llm' as const, call: forced.call } : analyzer.analyze(span, logs);
  const call = analysis.call ? priceCall(analysis.call, span.startUs, analyzer, storeContent) : null;
  // Some calls are known as such only from their log records: the category follows the call.
  let category = analysis.category;
  if (call && category !== 'llm' && category !== 'embedding') category = callCategory(call);
  const previews = !storeContent ? NO_PREVIEWS : call ? callPreviews(call) : spanPreviews(span.attributes);
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    startUs: span.startUs,
    endUs: span.endUs,
    statusCode: span.statusCode,
    statusMessage: span.statusMessage,
    resource,
    scopeName: span.scope.name || null,
    scopeVersion: span.scope.version ?? null,
    category,
    attributes: JSON.stringify(storeContent ? span.attributes : withoutContent(span.attributes)),
    events: storedEvents(span, storeContent),
    links: span.links.length ? JSON.stringify(span.links) : null,
    call: call ? preparedCall(span, call) : null,
    sessionId: call?.conversationId ?? stringAttr(span.attributes['session.id']),
    userId: userIdOf(span.attributes),
    inputPreview: previews.input,
    outputPreview: previews.output,
    searchText: withDenseScriptTerms(analyzer.searchText(span, storeContent ? call : null)),
    logsUsed: logs.length,
    exchange: forced ? (storeContent ? forced.exchange : { ...forced.exchange, requestBody: '', responseBody: '' }) : null,
    annotations: span.events.length || span.attributes['gen_ai.operation.name'] === 'apply_guardrail' ? annotationsOfSpan(span, storeContent) : [],
  };
}

const NO_PREVIEWS = { input: null, output: null };

/** The events column: none without content; annotations Spyglass exported become annotations again, not events. */
function storedEvents(span: IngestSpan, storeContent: boolean): string | null {
  if (span.events.length === 0) return null;
  if (!storeContent) return JSON.stringify([]);
  const kept = span.events.some(isExportedAnnotation) ? span.events.filter((e) => !isExportedAnnotation(e)) : span.events;
  return kept.length ? JSON.stringify(kept) : null;
}

/** The columns a span is stored as, its JSON ones as text. */
export type SpanColumns = Pick<PreparedSpan, 'traceId' | 'spanId' | 'parentSpanId' | 'name' | 'kind' | 'startUs' | 'endUs' | 'statusCode'
  | 'statusMessage' | 'attributes' | 'events' | 'links' | 'scopeName' | 'scopeVersion'>;

/** The span stored as these columns: for a prepared span read again, and for a stored row. */
export function spanFromColumns(p: SpanColumns, resourceJson: string | null): IngestSpan {
  return {
    traceId: p.traceId,
    spanId: p.spanId,
    parentSpanId: p.parentSpanId,
    name: p.name,
    kind: p.kind,
    startUs: p.startUs,
    endUs: p.endUs,
    statusCode: p.statusCode,
    statusMessage: p.statusMessage,
    attributes: JSON.parse(p.attributes) as Attributes,
    events: p.events ? JSON.parse(p.events) : [],
    links: p.links ? JSON.parse(p.links) : [],
    resource: resourceJson ? (JSON.parse(resourceJson) as Attributes) : {},
    scope: { name: p.scopeName ?? '', ...(p.scopeVersion ? { version: p.scopeVersion } : {}) },
  };
}

function priceCall(raw: LlmCall, startUs: number, analyzer: Analyzer, storeContent: boolean): PricedCall {
  const priced = analyzer.price(raw, startUs);
  const call: PricedCall = { ...(priced.call ?? raw), costUsd: priced.costUsd, costEstimated: priced.costEstimated };
  if (!storeContent) {
    call.systemInstructions = [];
    call.inputMessages = [];
    call.outputMessages = [];
  }
  return call;
}

function preparedCall(span: IngestSpan, call: PricedCall): PreparedCall {
  return { ...readCallFields(CALL_FIELDS, call, span), json: JSON.stringify(call) };
}

function callCategory(call: LlmCall): 'llm' | 'embedding' {
  return /embed/i.test(call.operation) ? 'embedding' : 'llm';
}

const CONTENT_KEY = /(^|\.)(messages?|prompt|completion|content|input\.value|output\.value|system_instructions|input_messages|output_messages)(\.|$)/;

/** With content storage off, message text attributes are dropped; counts and models stay. */
function withoutContent(attrs: Attributes): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) if (k.includes('token') || !CONTENT_KEY.test(k)) out[k] = v;
  return out;
}
