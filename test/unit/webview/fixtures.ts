// Trace fixtures in the API's shape (src/protocol/api.ts), hostile where captured text goes.

import type { LlmCallDto, SpanDto, StatsDto, StatsSeriesDto, TraceDetail, TraceOutline, TraceSummary } from '../../../src/protocol/api';
import type { DashboardState } from '../../../src/protocol/webview';

export const HOSTILE = '</script><img src=x onerror=alert(1)><b onmouseover="alert(2)">bold</b>';
export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const T0 = 1_763_800_000_000;

export function llmCall(overrides: Partial<LlmCallDto> = {}): LlmCallDto {
  return {
    convention: 'genai',
    operation: 'chat',
    provider: 'openai',
    requestModel: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini-2024-07-18',
    responseId: 'chatcmpl-1',
    params: { temperature: 0.2, max_tokens: 512 },
    inputTokens: 1234,
    outputTokens: 56,
    cachedInputTokens: 1000,
    cacheWriteTokens: null,
    reasoningTokens: 12,
    costUsd: 0.000_321,
    costEstimated: true,
    ttftMs: 312.5,
    finishReasons: ['tool_calls'],
    systemInstructions: [{ type: 'text', content: `You are a weather bot. ${HOSTILE}` }],
    inputMessages: [
      { role: 'user', parts: [{ type: 'text', content: `What is the weather in Paris? ${HOSTILE}` }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: { temp: 21, note: HOSTILE } }] },
    ],
    outputMessages: [
      {
        role: 'assistant',
        finish_reason: 'stop',
        parts: [
          { type: 'reasoning', content: `Thinking about Paris ${HOSTILE}` },
          { type: 'text', content: `It is 21°C in Paris. ${HOSTILE}` },
        ],
      },
    ],
    toolDefinitions: [{ name: 'get_weather', parameters: { type: 'object' } }],
    conversationId: null,
    promptName: null,
    promptVersion: null,
    errorType: null,
    revision: 0,
    ...overrides,
  };
}

export function spanDto(spanId: string, parentSpanId: string | null, startOffset: number, endOffset: number, overrides: Partial<SpanDto> = {}): SpanDto {
  return {
    traceId: TRACE_ID,
    spanId,
    parentSpanId,
    name: spanId,
    kind: 1,
    category: 'other',
    startTime: T0 + startOffset,
    endTime: T0 + endOffset,
    durationMs: endOffset - startOffset,
    status: 'unset',
    statusMessage: '',
    serviceName: 'weather-app',
    scopeName: null,
    attributes: {},
    resource: { 'service.name': 'weather-app' },
    events: [],
    links: [],
    llm: null,
    annotations: [],
    guardrails: [],
    ...overrides,
  };
}

export function summary(spans: SpanDto[], overrides: Partial<TraceSummary> = {}): TraceSummary {
  const start = Math.min(...spans.map((s) => s.startTime));
  const end = Math.max(...spans.map((s) => s.endTime));
  return {
    traceId: TRACE_ID,
    startTime: start,
    durationMs: end - start,
    spanCount: spans.length,
    llmCallCount: spans.filter((s) => s.llm).length,
    errorCount: spans.filter((s) => s.status === 'error').length,
    costUsd: 0.000_321,
    costEstimated: true,
    inputTokens: 1234,
    outputTokens: 56,
    status: spans.some((s) => s.status === 'error') ? 'error' : 'ok',
    rootName: spans[0]?.name ?? null,
    serviceName: 'weather-app',
    models: ['gpt-4o-mini'],
    sessionId: null,
    annotationCounts: {},
    feedback: { up: 0, down: 0 },
    ...overrides,
  };
}

/** An agent run: root, LLM call, a failing tool call, and an orphan whose parent never arrived. */
export function hostileTrace(): TraceDetail {
  const spans = [
    spanDto('aaaaaaaaaaaaaaa1', null, 0, 1000, { name: `agent run ${HOSTILE}`, category: 'agent' }),
    spanDto('aaaaaaaaaaaaaaa2', 'aaaaaaaaaaaaaaa1', 10, 600, {
      name: 'chat gpt-4o-mini',
      category: 'llm',
      kind: 3,
      llm: llmCall(),
      attributes: { 'gen_ai.request.model': 'gpt-4o-mini', [`evil.${HOSTILE}`]: HOSTILE, 'code.filepath': 'src/agent.ts', 'code.lineno': 42 },
    }),
    spanDto('aaaaaaaaaaaaaaa3', 'aaaaaaaaaaaaaaa1', 610, 900, {
      name: 'execute_tool get_weather',
      category: 'tool',
      status: 'error',
      statusMessage: `upstream failed ${HOSTILE}`,
      events: [
        {
          timeUs: (T0 + 650) * 1000,
          name: 'exception',
          attributes: { 'exception.type': 'TimeoutError', 'exception.message': HOSTILE, 'exception.stacktrace': `at fetch ${HOSTILE}` },
        },
      ],
    }),
    spanDto('aaaaaaaaaaaaaaa4', 'ffffffffffffffff', 950, 990, { name: 'late orphan' }),
  ];
  return { trace: summary(spans), spans, annotations: [] };
}

/** A wide trace of `n` spans: a root with steps of ten children each. */
export function bigTrace(n: number): TraceDetail {
  const spans: SpanDto[] = [spanDto('r000000000000000', null, 0, n * 10, { name: 'root' })];
  let step = '';
  for (let i = 1; i < n; i++) {
    const id = i.toString(16).padStart(16, '0');
    if (i % 10 === 1) {
      step = id;
      spans.push(spanDto(id, 'r000000000000000', i * 10, i * 10 + 95, { name: `step ${i}`, category: 'chain' }));
    } else spans.push(spanDto(id, step, i * 10, i * 10 + 8, { name: `call ${i}`, category: 'tool' }));
  }
  return { trace: summary(spans), spans, annotations: [] };
}

/**
 * The outline the collector would answer for these spans (GET /api/traces/{id}/outline), built
 * the way the contract describes it: columns, strings once, offsets from the trace start.
 */
export function outlineOf(detail: TraceDetail, opts: { revision?: number; partial?: boolean; spans?: SpanDto[] } = {}): TraceOutline {
  const spans = [...(opts.spans ?? detail.spans)].sort((a, b) => a.startTime - b.startTime);
  const strings: string[] = [];
  const seen = new Map<string, number>();
  const ref = (s: string | null) => {
    if (s === null) return -1;
    let i = seen.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      seen.set(s, i);
    }
    return i;
  };
  const counts = (s: SpanDto) => {
    if (s.annotations.length === 0) return null;
    const c: Record<string, number> = {};
    for (const a of s.annotations) c[a.kind] = (c[a.kind] ?? 0) + 1;
    return c;
  };
  return {
    trace: detail.trace,
    revision: opts.revision ?? 1,
    partial: opts.partial ?? false,
    strings,
    spanId: spans.map((s) => s.spanId),
    parentSpanId: spans.map((s) => s.parentSpanId),
    name: spans.map((s) => ref(s.name)),
    category: spans.map((s) => ref(s.category)),
    start: spans.map((s) => s.startTime - detail.trace.startTime),
    durationMs: spans.map((s) => s.durationMs),
    status: spans.map((s) => (s.status === 'error' ? 2 : s.status === 'ok' ? 1 : 0)),
    service: spans.map((s) => ref(s.serviceName)),
    model: spans.map((s) => ref(s.llm ? s.llm.responseModel ?? s.llm.requestModel : null)),
    inputTokens: spans.map((s) => s.llm?.inputTokens ?? null),
    outputTokens: spans.map((s) => s.llm?.outputTokens ?? null),
    costUsd: spans.map((s) => s.llm?.costUsd ?? null),
    costEstimated: spans.map((s) => s.llm?.costEstimated ?? false),
    annotationCounts: spans.map(counts),
  };
}

export function statsDto(overrides: Partial<StatsDto> = {}): StatsDto {
  return {
    from: T0 - 3_600_000,
    to: T0,
    calls: 420,
    errors: 7,
    costUsd: 3.2109,
    inputTokens: 1_250_000,
    outputTokens: 98_000,
    cachedInputTokens: 400_000,
    reasoningTokens: 12_000,
    latencyMs: { p50: 820, p95: 2900, p99: 6100 },
    ttftMs: { p50: 310, p95: 900, p99: 1500 },
    byModel: [
      { model: 'gpt-4o-mini', provider: 'openai', calls: 300, errors: 2, costUsd: 0.61, inputTokens: 900_000, outputTokens: 60_000, latencyMs: { p50: 640, p95: 2100, p99: 3900 } },
      { model: 'claude-sonnet-4-5', provider: 'anthropic', calls: 100, errors: 5, costUsd: 2.4, inputTokens: 300_000, outputTokens: 35_000, latencyMs: { p50: 1500, p95: 4200, p99: 6100 } },
      { model: `evil ${HOSTILE}`, provider: null, calls: 20, errors: 0, costUsd: 0.2009, inputTokens: 50_000, outputTokens: 3_000, latencyMs: { p50: null, p95: null, p99: null } },
    ],
    ...overrides,
  };
}

export function seriesDto(from = T0 - 3_600_000, to = T0, bucketMs = 300_000): StatsSeriesDto {
  const points: StatsSeriesDto['points'] = [];
  for (let k = 0; k < 12; k++) {
    points.push({ bucketStart: from + k * bucketMs, model: 'gpt-4o-mini', calls: 25, errors: 0, costUsd: 0.05 + k * 0.001, inputTokens: 75_000, outputTokens: 5_000 });
    if (k % 3 === 0) points.push({ bucketStart: from + k * bucketMs, model: 'claude-sonnet-4-5', calls: 25, errors: 1, costUsd: 0.6, inputTokens: 75_000, outputTokens: 8_000 });
  }
  return { from, to, bucketMs, points };
}

export function dashboardState(overrides: Partial<DashboardState> = {}): DashboardState {
  const spans = hostileTrace().spans;
  return {
    range: '1h',
    from: T0 - 3_600_000,
    to: T0,
    bucketMs: 300_000,
    status: 'ready',
    stats: statsDto(),
    series: seriesDto(),
    seriesSource: 'api',
    topTraces: [summary(spans, { costUsd: 0.42, rootName: `agent run ${HOSTILE}` })],
    error: null,
    loadedAt: T0,
    ...overrides,
  };
}
