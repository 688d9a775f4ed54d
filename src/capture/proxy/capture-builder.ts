// Turns what the proxy saw into the shapes the store keeps: an LlmCall (convention 'proxy') and
// a synthesized span whose attributes use the OpenTelemetry GenAI names (gen_ai.*), so any tool
// reading the store or an OTLP export sees standard names, plus spyglass.proxy.* for the route.

import { SpanKind, StatusCode, type Attributes, type AttrValue, type IngestSpan, type LlmCall } from '../../core/model';
import type { ProxyCapture } from '../sink';
import type { Outcome, ProxyFailure } from './exchange';
import type { ParsedRequest, ParsedResponse } from './parsers/types';
import type { TraceIds } from './trace-context';
import { displayBase, type Upstream } from './upstreams';

export interface ExchangeFacts {
  ids: TraceIds;
  upstream: Upstream;
  api: string;
  operation: string;
  method: string;
  /** The incoming path with credentials removed. */
  recordedPath: string;
  startUs: number;
  endUs: number;
  /** Time until the upstream's response headers, from the request's arrival. */
  headMs: number | null;
  ttftMs: number | null;
  tpotMs: number | null;
  httpStatus: number | null;
  outcome: Outcome;
  failure: ProxyFailure | null;
  request: ParsedRequest;
  response: ParsedResponse | null;
  upstreamRequestId: string | null;
  requestBytes: number;
  responseBytes: number;
  warnings: string[];
  /** The service the call belongs to: the joined trace's, `x-spyglass-service`, else the route's name. */
  service: string;
  /** Why the collector refused the call itself (the circuit breaker), or null. */
  refusedBecause?: string | null;
}

const PARAM_ATTRS: Record<string, string> = {
  temperature: 'gen_ai.request.temperature',
  max_tokens: 'gen_ai.request.max_tokens',
  top_p: 'gen_ai.request.top_p',
  top_k: 'gen_ai.request.top_k',
  seed: 'gen_ai.request.seed',
  stop_sequences: 'gen_ai.request.stop_sequences',
  frequency_penalty: 'gen_ai.request.frequency_penalty',
  presence_penalty: 'gen_ai.request.presence_penalty',
  choice_count: 'gen_ai.request.choice.count',
};

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

function errorType(f: ExchangeFacts): string | null {
  if (f.failure) return f.failure.type;
  if (f.response?.error) return f.response.error.type;
  if (f.httpStatus !== null && f.httpStatus >= 400) return String(f.httpStatus);
  return null;
}

export function buildCall(f: ExchangeFacts): LlmCall {
  const req = f.request;
  const res = f.response;
  const usage = res?.usage;
  return {
    convention: 'proxy',
    operation: f.operation,
    provider: f.upstream.provider,
    requestModel: req.requestModel,
    responseModel: res?.responseModel ?? null,
    responseId: res?.responseId ?? null,
    params: req.params,
    inputTokens: usage?.inputTokens ?? null,
    outputTokens: usage?.outputTokens ?? null,
    cachedInputTokens: usage?.cachedInputTokens ?? null,
    cacheWriteTokens: usage?.cacheWriteTokens ?? null,
    reasoningTokens: usage?.reasoningTokens ?? null,
    ttftMs: f.ttftMs === null ? null : round3(f.ttftMs),
    finishReasons: res?.finishReasons ?? [],
    systemInstructions: req.systemInstructions,
    inputMessages: req.inputMessages,
    outputMessages: res?.outputMessages ?? [],
    toolDefinitions: req.toolDefinitions,
    conversationId: req.conversationId,
    promptName: null,
    promptVersion: null,
    errorType: f.outcome === 'cancelled' ? null : errorType(f),
  };
}

function set(attrs: Attributes, key: string, v: AttrValue | undefined): void {
  if (v !== null && v !== undefined) attrs[key] = v;
}

function spanAttributes(f: ExchangeFacts, call: LlmCall): Attributes {
  const a: Attributes = {};
  set(a, 'gen_ai.operation.name', call.operation);
  set(a, 'gen_ai.provider.name', call.provider);
  set(a, 'gen_ai.request.model', call.requestModel);
  for (const [name, value] of Object.entries(call.params)) {
    const key = PARAM_ATTRS[name];
    if (key) set(a, key, value);
  }
  set(a, 'gen_ai.response.model', call.responseModel);
  set(a, 'gen_ai.response.id', call.responseId);
  if (call.finishReasons.length > 0) a['gen_ai.response.finish_reasons'] = call.finishReasons;
  set(a, 'gen_ai.usage.input_tokens', call.inputTokens);
  set(a, 'gen_ai.usage.output_tokens', call.outputTokens);
  set(a, 'gen_ai.usage.cache_read.input_tokens', call.cachedInputTokens);
  set(a, 'gen_ai.usage.cache_creation.input_tokens', call.cacheWriteTokens);
  set(a, 'gen_ai.usage.reasoning.output_tokens', call.reasoningTokens);
  set(a, 'gen_ai.conversation.id', call.conversationId);
  if (f.ttftMs !== null) a['gen_ai.response.time_to_first_chunk'] = round3(f.ttftMs) / 1000;
  // Content, as the GenAI conventions record it when content capture is on (JSON strings).
  if (call.systemInstructions.length > 0) a['gen_ai.system_instructions'] = JSON.stringify(call.systemInstructions);
  if (call.inputMessages.length > 0) a['gen_ai.input.messages'] = JSON.stringify(call.inputMessages);
  if (call.outputMessages.length > 0) a['gen_ai.output.messages'] = JSON.stringify(call.outputMessages);
  if (call.toolDefinitions.length > 0) a['gen_ai.tool.definitions'] = JSON.stringify(call.toolDefinitions);
  set(a, 'error.type', call.errorType);
  set(a, 'server.address', f.upstream.base.hostname);
  a['server.port'] = Number(f.upstream.base.port) || (f.upstream.base.protocol === 'https:' ? 443 : 80);
  a['http.request.method'] = f.method;
  set(a, 'http.response.status_code', f.httpStatus);
  a['spyglass.proxy.upstream'] = f.upstream.name;
  a['spyglass.proxy.upstream_url'] = displayBase(f.upstream.base);
  a['spyglass.proxy.path'] = f.recordedPath;
  a['spyglass.proxy.api'] = f.api;
  a['spyglass.proxy.stream'] = f.request.stream;
  a['spyglass.proxy.outcome'] = f.outcome;
  if (f.headMs !== null) a['spyglass.proxy.response_headers_ms'] = round3(f.headMs);
  if (f.ttftMs !== null) a['spyglass.proxy.ttft_ms'] = round3(f.ttftMs);
  if (f.tpotMs !== null) a['spyglass.proxy.tpot_ms'] = round3(f.tpotMs);
  a['spyglass.proxy.request_bytes'] = f.requestBytes;
  if (f.refusedBecause) a['spyglass.proxy.refused'] = f.refusedBecause;
  a['spyglass.proxy.response_bytes'] = f.responseBytes;
  set(a, 'spyglass.proxy.upstream_request_id', f.upstreamRequestId);
  if (f.warnings.length > 0) a['spyglass.proxy.warnings'] = f.warnings;
  return a;
}

function statusMessage(f: ExchangeFacts): string {
  if (f.failure) return f.failure.message;
  if (f.response?.error) return f.response.error.message;
  if (f.httpStatus !== null && f.httpStatus >= 400) return `HTTP ${f.httpStatus}`;
  return 'error';
}

export function buildCapture(f: ExchangeFacts): ProxyCapture {
  const call = buildCall(f);
  // A provider error inside a 200 stream (an `error` event) makes the call an error too.
  const outcome: Outcome = f.outcome === 'ok' && call.errorType !== null ? 'error' : f.outcome;
  const spanName = call.requestModel ? `${call.operation} ${call.requestModel}` : call.operation;
  const span: IngestSpan = {
    traceId: f.ids.traceId,
    spanId: f.ids.spanId,
    parentSpanId: f.ids.parentSpanId,
    name: spanName,
    kind: SpanKind.CLIENT,
    startUs: f.startUs,
    endUs: Math.max(f.endUs, f.startUs),
    statusCode: outcome === 'error' ? StatusCode.ERROR : StatusCode.UNSET,
    statusMessage: outcome === 'error' ? statusMessage(f) : '',
    attributes: spanAttributes({ ...f, outcome }, call),
    events: [],
    links: [],
    resource: { 'service.name': f.service },
    scope: { name: 'spyglass.proxy' },
  };
  if (outcome === 'cancelled') {
    span.events.push({ timeUs: span.endUs, name: 'spyglass.proxy.cancelled', attributes: { reason: 'client disconnected before the response ended' } });
  }
  return {
    span,
    call,
    request: { method: f.method, path: f.recordedPath, headers: {}, body: '' },
    responseBody: '',
    httpStatus: f.httpStatus,
    outcome,
    warnings: f.warnings,
  };
}
