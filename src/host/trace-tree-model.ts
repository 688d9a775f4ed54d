// The Traces tree's shape and texts, computed from API DTOs: time groups, sessions, trace
// rows and the LLM/tool calls inside a trace. Pure (no vscode) so it is unit-tested exactly.

import type { SpanDto, TraceDetail, TraceListQuery, TraceSummary } from '../protocol/api';
import { escapeMarkdown, formatAgo, formatClock, formatCost, formatDuration, formatTokens, plural, truncate } from './format-model';

/** Guardrail hits are not in the API yet; the field is read where the collector adds it. */
export type TraceRow = TraceSummary & { guardrailHits?: number };

export type TimeBucket = 'last5m' | 'lastHour' | 'today' | 'yesterday' | 'older';

export const BUCKETS: readonly { bucket: TimeBucket; label: string; expanded: boolean }[] = [
  { bucket: 'last5m', label: 'Last 5 minutes', expanded: true },
  { bucket: 'lastHour', label: 'Last hour', expanded: true },
  { bucket: 'today', label: 'Today', expanded: true },
  { bucket: 'yesterday', label: 'Yesterday', expanded: false },
  { bucket: 'older', label: 'Older', expanded: false },
];

function startOfLocalDay(ms: number, daysBack = 0): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  if (daysBack) d.setDate(d.getDate() - daysBack); // via the calendar, so DST days are right
  return d.getTime();
}

export function timeBucket(startMs: number, nowMs: number): TimeBucket {
  const age = nowMs - startMs;
  if (age < 5 * 60_000) return 'last5m'; // includes clock skew into the future
  if (age < 60 * 60_000) return 'lastHour';
  if (startMs >= startOfLocalDay(nowMs)) return 'today';
  if (startMs >= startOfLocalDay(nowMs, 1)) return 'yesterday';
  return 'older';
}

export interface TraceNode {
  kind: 'trace';
  id: string;
  trace: TraceRow;
}

export interface SessionNode {
  kind: 'session';
  id: string;
  sessionId: string;
  bucket: TimeBucket;
  traces: TraceNode[];
}

export interface GroupNode {
  kind: 'group';
  id: string;
  bucket: TimeBucket;
  label: string;
  expanded: boolean;
  children: (SessionNode | TraceNode)[];
}

export function traceNodeId(traceId: string): string {
  return `trace:${traceId}`;
}

/**
 * Newest first; grouped by time, then by session where a trace has one. A session's traces stay
 * together under one node, placed where its newest trace would be.
 */
export function groupTraces(traces: readonly TraceRow[], nowMs: number): GroupNode[] {
  const sorted = [...traces].sort((a, b) => b.startTime - a.startTime || (a.traceId < b.traceId ? -1 : 1));
  const groups = new Map<TimeBucket, GroupNode>();
  const sessions = new Map<string, SessionNode>();
  for (const trace of sorted) {
    const bucket = timeBucket(trace.startTime, nowMs);
    let group = groups.get(bucket);
    if (!group) {
      const def = BUCKETS.find((b) => b.bucket === bucket)!;
      group = { kind: 'group', id: `group:${bucket}`, bucket, label: def.label, expanded: def.expanded, children: [] };
      groups.set(bucket, group);
    }
    const node: TraceNode = { kind: 'trace', id: traceNodeId(trace.traceId), trace };
    if (trace.sessionId) {
      const key = `${bucket}\u0000${trace.sessionId}`;
      let session = sessions.get(key);
      if (!session) {
        session = { kind: 'session', id: `session:${bucket}:${trace.sessionId}`, sessionId: trace.sessionId, bucket, traces: [] };
        sessions.set(key, session);
        group.children.push(session);
      }
      session.traces.push(node);
    } else {
      group.children.push(node);
    }
  }
  return BUCKETS.map((b) => groups.get(b.bucket)).filter((g): g is GroupNode => g !== undefined);
}

function groupTraceRows(group: GroupNode): TraceRow[] {
  return group.children.flatMap((c) => (c.kind === 'trace' ? [c.trace] : c.traces.map((t) => t.trace)));
}

export function groupDescription(group: GroupNode): string {
  const rows = groupTraceRows(group);
  const cost = rows.reduce((s, t) => s + (t.costUsd || 0), 0);
  return `${plural(rows.length, 'trace')}${cost > 0 ? ` · ${formatCost(cost)}` : ''}`;
}

export function sessionLabel(session: SessionNode): string {
  return `Session ${truncate(session.sessionId, 28)}`;
}

export function sessionDescription(session: SessionNode): string {
  const cost = session.traces.reduce((s, t) => s + (t.trace.costUsd || 0), 0);
  return `${plural(session.traces.length, 'trace')}${cost > 0 ? ` · ${formatCost(cost)}` : ''}`;
}

export function traceLabel(t: TraceRow): string {
  return t.rootName && t.rootName.trim() !== '' ? truncate(t.rootName, 80) : `Trace ${t.traceId.slice(0, 8)}`;
}

export function modelsText(models: readonly string[], max = 2): string {
  if (models.length <= max) return models.join(', ');
  return `${models.slice(0, max).join(', ')} +${models.length - max}`;
}

export function traceDescription(t: TraceRow): string {
  const parts = [formatClock(t.startTime)];
  if (t.models.length > 0) parts.push(modelsText(t.models));
  parts.push(formatDuration(t.durationMs));
  if (t.costUsd > 0 || t.llmCallCount > 0) parts.push(formatCost(t.costUsd, t.costEstimated));
  if (t.errorCount > 0) parts.push(plural(t.errorCount, 'error'));
  if ((t.guardrailHits ?? 0) > 0) parts.push(plural(t.guardrailHits ?? 0, 'guardrail hit'));
  return parts.join(' · ');
}

export type TraceMarker = 'error' | 'guardrail' | 'llm' | 'plain';

/** Which icon a trace row gets: errors first, then guardrail hits. */
export function traceMarker(t: TraceRow): TraceMarker {
  if (t.status === 'error' || t.errorCount > 0) return 'error';
  if ((t.guardrailHits ?? 0) > 0) return 'guardrail';
  return t.llmCallCount > 0 ? 'llm' : 'plain';
}

export function traceTooltip(t: TraceRow): string {
  const e = escapeMarkdown;
  const lines = [`**${e(traceLabel(t))}**`, '', `Trace \`${t.traceId}\``];
  const who: string[] = [];
  if (t.serviceName) who.push(`Service: ${e(t.serviceName)}`);
  if (t.sessionId) who.push(`Session: ${e(t.sessionId)}`);
  if (who.length) lines.push('', who.join(' · '));
  lines.push('', `Started ${new Date(t.startTime).toLocaleString()} · ${formatDuration(t.durationMs)}`);
  lines.push('', `${plural(t.spanCount, 'span')} · ${plural(t.llmCallCount, 'LLM call')}${t.errorCount ? ` · ${plural(t.errorCount, 'error')}` : ''}`);
  if (t.llmCallCount > 0) {
    lines.push('', `Tokens: ${formatTokens(t.inputTokens)} in / ${formatTokens(t.outputTokens)} out · Cost: ${formatCost(t.costUsd, t.costEstimated)}${t.costEstimated ? ' (estimated)' : ''}`);
  }
  if (t.models.length) lines.push('', `Models: ${t.models.map(e).join(', ')}`);
  if ((t.guardrailHits ?? 0) > 0) lines.push('', `Guardrail hits: ${t.guardrailHits}`);
  return lines.join('\n');
}

// ---- calls inside one trace ----

export const CALL_CATEGORIES: ReadonlySet<SpanDto['category']> = new Set(['llm', 'embedding', 'tool', 'agent']);

export interface CallNode {
  kind: 'call';
  id: string;
  traceId: string;
  span: SpanDto;
  /** Milliseconds from the trace's first span. */
  offsetMs: number;
}

export function callNodes(detail: TraceDetail): CallNode[] {
  const t0 = detail.spans.reduce((m, s) => Math.min(m, s.startTime), Number.POSITIVE_INFINITY);
  return detail.spans
    .filter((s) => CALL_CATEGORIES.has(s.category) || s.llm !== null)
    .sort((a, b) => a.startTime - b.startTime || (a.spanId < b.spanId ? -1 : 1))
    .map((span) => ({ kind: 'call', id: `span:${span.traceId}:${span.spanId}`, traceId: span.traceId, span, offsetMs: span.startTime - t0 }));
}

function stringAttr(span: SpanDto, key: string): string | null {
  const v = span.attributes[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

export function callLabel(span: SpanDto): string {
  if (span.llm) {
    const model = span.llm.responseModel ?? span.llm.requestModel;
    return truncate(model ? `${span.llm.operation} ${model}` : span.name, 80);
  }
  if (span.category === 'tool') {
    const tool = stringAttr(span, 'gen_ai.tool.name') ?? stringAttr(span, 'tool.name');
    return truncate(tool ? `tool ${tool}` : span.name, 80);
  }
  if (span.category === 'agent') {
    const agent = stringAttr(span, 'gen_ai.agent.name');
    return truncate(agent ? `agent ${agent}` : span.name, 80);
  }
  return truncate(span.name, 80);
}

export function callDescription(node: CallNode): string {
  const { span } = node;
  const parts: string[] = [];
  const llm = span.llm;
  if (llm) {
    if (llm.inputTokens !== null || llm.outputTokens !== null) parts.push(`${formatTokens(llm.inputTokens)}→${formatTokens(llm.outputTokens)} tok`);
    if (llm.costUsd !== null) parts.push(formatCost(llm.costUsd, llm.costEstimated));
    if (llm.ttftMs !== null) parts.push(`ttft ${formatDuration(llm.ttftMs)}`);
  }
  parts.push(formatDuration(span.durationMs));
  parts.push(`+${formatDuration(node.offsetMs)}`);
  if (span.status === 'error') parts.push('error');
  return parts.join(' · ');
}

export type CallIcon = 'error' | 'sparkle' | 'symbol-array' | 'tools' | 'hubot' | 'circle-outline';

export function callIcon(span: SpanDto): CallIcon {
  if (span.status === 'error') return 'error';
  if (span.category === 'embedding') return 'symbol-array';
  if (span.llm || span.category === 'llm') return 'sparkle';
  if (span.category === 'tool') return 'tools';
  if (span.category === 'agent') return 'hubot';
  return 'circle-outline';
}

export function callTooltip(span: SpanDto): string {
  const e = escapeMarkdown;
  const lines = [`**${e(callLabel(span))}**`, '', `Span \`${span.spanId}\` · ${e(span.category)} · ${formatDuration(span.durationMs)}`];
  const llm = span.llm;
  if (llm) {
    if (llm.provider) lines.push('', `Provider: ${e(llm.provider)}`);
    if (llm.requestModel || llm.responseModel) lines.push('', `Model: ${e(llm.requestModel ?? '–')} → ${e(llm.responseModel ?? '–')}`);
    const tok = [`${formatTokens(llm.inputTokens)} in`, `${formatTokens(llm.outputTokens)} out`];
    if (llm.cachedInputTokens) tok.push(`${formatTokens(llm.cachedInputTokens)} cached`);
    if (llm.reasoningTokens) tok.push(`${formatTokens(llm.reasoningTokens)} reasoning`);
    lines.push('', `Tokens: ${tok.join(' / ')}`);
    lines.push('', `Cost: ${formatCost(llm.costUsd, llm.costEstimated)}${llm.costEstimated ? ' (estimated)' : ''}${llm.ttftMs !== null ? ` · Time to first token: ${formatDuration(llm.ttftMs)}` : ''}`);
    if (llm.finishReasons.length) lines.push('', `Finish: ${llm.finishReasons.map(e).join(', ')}`);
  }
  if (span.status === 'error') lines.push('', `Error: ${e(truncate(span.statusMessage || llm?.errorType || 'error', 300))}`);
  return lines.join('\n');
}

// ---- filter ----

export interface TraceFilter {
  text?: string;
  model?: string;
  service?: string;
  errorsOnly?: boolean;
}

export function isFilterActive(f: TraceFilter): boolean {
  return Boolean(f.text || f.model || f.service || f.errorsOnly);
}

export function filterToQuery(f: TraceFilter, limit: number): TraceListQuery {
  const q: TraceListQuery = { limit };
  if (f.text) q.text = f.text;
  if (f.model) q.model = f.model;
  if (f.service) q.service = f.service;
  if (f.errorsOnly) q.status = 'error';
  return q;
}

export function filterSummary(f: TraceFilter): string {
  const parts: string[] = [];
  if (f.text) parts.push(`"${truncate(f.text, 30)}"`);
  if (f.model) parts.push(`model ${f.model}`);
  if (f.service) parts.push(`service ${f.service}`);
  if (f.errorsOnly) parts.push('errors only');
  return parts.join(' · ');
}

// ---- quick pick of recent traces ----

export interface TracePickItem {
  label: string;
  description: string;
  detail: string;
  traceId: string;
}

export function tracePickItems(traces: readonly TraceRow[], nowMs: number): TracePickItem[] {
  return traces.map((t) => ({
    label: `${traceMarker(t) === 'error' ? '$(error) ' : ''}${traceLabel(t)}`,
    description: [modelsText(t.models), formatDuration(t.durationMs), formatCost(t.costUsd, t.costEstimated)].filter(Boolean).join(' · '),
    detail: `${formatAgo(t.startTime, nowMs)} · ${t.serviceName ?? 'unknown service'} · ${t.traceId}`,
    traceId: t.traceId,
  }));
}

/** Parent-before-children key of a tree's shape: when it changes, the whole tree reloads. */
export function structureKey(groups: readonly GroupNode[]): string {
  return groups
    .map((g) => `${g.id}[${g.children.map((c) => (c.kind === 'trace' ? c.id : `${c.id}(${c.traces.map((t) => t.id).join(',')})`)).join(',')}]`)
    .join('|');
}
