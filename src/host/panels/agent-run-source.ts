// The agent-run view's model, built in the host: it needs every span's attributes (agent and tool
// names) and the traces the spans link to (subagents exported as their own trace), and the
// webview holds only the light outline. The webview receives the small result when its tab shows.

import { buildAgentRun, type AgentRun, type AgentRunSpan } from '../../core/agent-run';
import { agentNameOf, toolNameOf } from '../../core/conventions/agent-spans';
import type { SpanDto, TraceDetail } from '../../protocol/api';

/** Linked traces read at most (a run fans out to a few subagents; more is not a run to read). */
const MAX_LINKED_TRACES = 8;
const TRACE_ID = /^[0-9a-f]{32}$/;

export function agentRunSpans(spans: readonly SpanDto[]): AgentRunSpan[] {
  return spans.map((s) => ({
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    name: s.name,
    category: s.category,
    startMs: s.startTime,
    endMs: s.endTime,
    status: s.status,
    model: s.llm ? (s.llm.responseModel ?? s.llm.requestModel) : null,
    inputTokens: s.llm?.inputTokens ?? null,
    outputTokens: s.llm?.outputTokens ?? null,
    costUsd: s.llm ? (s.llm.unbilled ? 0 : s.llm.costUsd) : null,
    agentName: s.category === 'agent' ? agentNameOf(s.name, s.attributes) : null,
    toolName: s.category === 'tool' ? toolNameOf(s.name, s.attributes) : null,
    links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
  }));
}

/** The run of a trace and the traces it links to; null when it has no agent spans. */
export async function loadAgentRun(traceId: string, getTrace: (id: string) => Promise<TraceDetail>): Promise<AgentRun | null> {
  const detail = await getTrace(traceId);
  const linked = new Set<string>();
  for (const s of detail.spans) for (const l of s.links ?? []) if (l.traceId !== traceId && TRACE_ID.test(l.traceId)) linked.add(l.traceId);
  const spans = [...detail.spans];
  for (const id of [...linked].slice(0, MAX_LINKED_TRACES)) {
    try {
      spans.push(...(await getTrace(id)).spans);
    } catch {
      // A linked trace not (yet) in the store: the run shows without it.
    }
  }
  return buildAgentRun(agentRunSpans(spans));
}
