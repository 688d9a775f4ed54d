// The Traces tree's shape and texts, computed from API DTOs: time groups, sessions, trace
// rows and the LLM/tool calls inside a trace. Pure (no vscode) so it is unit-tested exactly.

import { escapeMarkdown, formatAgo, formatClock, formatDuration, formatInteger, formatTokens, formatUsd, plural, truncate } from '../../core/format';
import type { AnnotationDto, AnnotationKind, TraceListQuery, TraceOutline, TraceSummary } from '../../protocol/api';
import { isLlmCall, spansOfOutline, type OutlineSpan } from '../../protocol/outline';

export type TraceRow = TraceSummary;

function guardrailHits(t: TraceRow): number {
  return t.annotationCounts?.guardrail ?? 0;
}

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
  /** The session's traces among those loaded; expanding reads all of them from the store. */
  traces: TraceNode[];
  /** The whole session as the store counts it (all its traces, wherever they fall in time). */
  total?: { traces: number; costUsd: number };
}

export interface GroupNode {
  kind: 'group';
  id: string;
  bucket: TimeBucket;
  label: string;
  expanded: boolean;
  children: (SessionNode | TraceNode)[];
  /** How many traces the store has in this bucket (under the filter); `exact` false: at least. */
  total?: { count: number; exact: boolean };
}

/**
 * Each bucket's time range [from, to) at `nowMs` (epoch ms; null: unbounded), as timeBucket
 * assigns traces to them, so the store can count each one.
 */
export function bucketRanges(nowMs: number): Record<TimeBucket, { from: number | null; to: number | null }> {
  const fiveMin = nowMs - 5 * 60_000;
  const hour = nowMs - 60 * 60_000;
  const today = Math.min(startOfLocalDay(nowMs), hour);
  const yesterday = Math.min(startOfLocalDay(nowMs, 1), today);
  return {
    last5m: { from: fiveMin, to: null },
    lastHour: { from: hour, to: fiveMin },
    today: { from: today, to: hour },
    yesterday: { from: yesterday, to: today },
    older: { from: null, to: yesterday },
  };
}

export function traceNodeId(traceId: string): string {
  return `trace:${traceId}`;
}

/**
 * Newest first; grouped by time, then by session where a trace has one. A session is one node,
 * placed where its newest trace would be, holding its traces from every time bucket.
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
      let session = sessions.get(trace.sessionId);
      if (!session) {
        session = { kind: 'session', id: `session:${trace.sessionId}`, sessionId: trace.sessionId, bucket, traces: [] };
        sessions.set(trace.sessionId, session);
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

/** The store's count when known (a session counts in the bucket of its newest trace); the loaded rows' otherwise. */
export function groupDescription(group: GroupNode): string {
  if (group.total) return `${formatInteger(group.total.count)}${group.total.exact ? '' : '+'} ${group.total.count === 1 && group.total.exact ? 'trace' : 'traces'}`;
  const rows = groupTraceRows(group);
  const cost = rows.reduce((s, t) => s + (t.costUsd || 0), 0);
  return `${plural(rows.length, 'trace')}${cost > 0 ? ` · ${formatUsd(cost)}` : ''}`;
}

export function sessionLabel(session: SessionNode): string {
  return `Session ${truncate(session.sessionId, 28)}`;
}

export function sessionDescription(session: SessionNode): string {
  const count = session.total?.traces ?? session.traces.length;
  const cost = session.total?.costUsd ?? session.traces.reduce((s, t) => s + (t.trace.costUsd || 0), 0);
  return `${plural(count, 'trace')}${cost > 0 ? ` · ${formatUsd(cost)}` : ''}`;
}

export function traceLabel(t: TraceRow): string {
  return t.rootName && t.rootName.trim() !== '' ? truncate(t.rootName, 80) : `Trace ${t.traceId.slice(0, 8)}`;
}

export function modelsText(models: readonly string[], max = 2): string {
  if (models.length <= max) return models.join(', ');
  return `${models.slice(0, max).join(', ')} +${models.length - max}`;
}

export function traceDescription(t: TraceRow): string {
  const parts = [formatClock(t.startTime, 's')];
  if (t.models.length > 0) parts.push(modelsText(t.models));
  parts.push(formatDuration(t.durationMs));
  if (t.costUsd > 0 || t.llmCallCount > 0) parts.push(formatUsd(t.costUsd, t.costEstimated));
  if (t.errorCount > 0) parts.push(plural(t.errorCount, 'error'));
  parts.push(...feedbackText(t.feedback?.up ?? 0, t.feedback?.down ?? 0));
  parts.push(...annotationSummary(t.annotationCounts));
  return parts.join(' · ');
}

export type TraceMarker = 'error' | 'thumbsdown' | 'guardrail' | 'thumbsup' | 'llm' | 'plain';

/** Which icon a trace row gets: errors first, then a thumbs down, guardrail hits, a thumbs up. */
export function traceMarker(t: TraceRow): TraceMarker {
  if (t.status === 'error' || t.errorCount > 0) return 'error';
  if ((t.feedback?.down ?? 0) > 0) return 'thumbsdown';
  if (guardrailHits(t) > 0) return 'guardrail';
  if ((t.feedback?.up ?? 0) > 0) return 'thumbsup';
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
    lines.push('', `Tokens: ${formatTokens(t.inputTokens)} in / ${formatTokens(t.outputTokens)} out · Cost: ${formatUsd(t.costUsd, t.costEstimated)}${t.costEstimated ? ' (estimated)' : ''}`);
  }
  if (t.models.length) lines.push('', `Models: ${t.models.map(e).join(', ')}`);
  const feedback = feedbackText(t.feedback?.up ?? 0, t.feedback?.down ?? 0);
  if (feedback.length > 0) lines.push('', `Feedback: ${feedback.join(', ')}`);
  const notes = annotationSummary(t.annotationCounts);
  if (notes.length > 0) lines.push('', `Annotations: ${notes.join(', ')}`);
  return lines.join('\n');
}

// ---- calls inside one trace (from its outline: no messages or attributes needed) ----

export const CALL_CATEGORIES: ReadonlySet<string> = new Set(['llm', 'embedding', 'tool', 'agent']);

/** One LLM, embedding, tool or agent span of a trace, as the tree shows it. */
export interface CallSpan extends OutlineSpan {
  /** The user's thumbs on this call, once read from its detail (the outline only counts feedback). */
  feedback?: 'up' | 'down' | null;
}

export interface CallNode {
  kind: 'call';
  id: string;
  traceId: string;
  span: CallSpan;
  /** Milliseconds from the trace's first span. */
  offsetMs: number;
  /** Spans directly under this one (spanForest); undefined: shown flat. */
  childCount?: number;
}

/**
 * A trace's spans as a tree, level by level: roots are spans without a parent in the trace
 * (orphans included), children in start order. Every span appears once; a parent chain that
 * loops is cut where it would repeat, so nothing is dropped or shown twice.
 */
export interface SpanForest {
  roots: CallNode[];
  children: Map<string, CallNode[]>;
}

export function spanForest(outline: TraceOutline): SpanForest {
  const traceId = outline.trace.traceId;
  const spans = spansOfOutline(outline).sort((a, b) => a.startTime - b.startTime || (a.spanId < b.spanId ? -1 : 1));
  const first = spans.reduce((m, s) => Math.min(m, s.startTime), Number.POSITIVE_INFINITY);
  const node = (span: OutlineSpan): CallNode => ({ kind: 'call', id: `span:${traceId}:${span.spanId}`, traceId, span, offsetMs: span.startTime - first, childCount: 0 });
  const nodes = new Map(spans.map((s) => [s.spanId, node(s)]));
  const roots: CallNode[] = [];
  const children = new Map<string, CallNode[]>();
  for (const s of spans) {
    const n = nodes.get(s.spanId)!;
    const parent = s.parentSpanId !== null && s.parentSpanId !== s.spanId ? nodes.get(s.parentSpanId) : undefined;
    if (!parent) {
      roots.push(n);
      continue;
    }
    let list = children.get(parent.span.spanId);
    if (!list) children.set(parent.span.spanId, (list = []));
    list.push(n);
  }
  // Spans not reached from a root hang in a parent cycle: the earliest of them becomes a root,
  // which cuts its cycle, until every span is reached once.
  const reached = new Set<string>();
  const walk = (from: CallNode) => {
    const stack = [from];
    while (stack.length) {
      const n = stack.pop()!;
      if (reached.has(n.span.spanId)) continue;
      reached.add(n.span.spanId);
      for (const c of children.get(n.span.spanId) ?? []) stack.push(c);
    }
  };
  for (const r of roots) walk(r);
  for (const s of spans) {
    if (reached.has(s.spanId)) continue;
    const n = nodes.get(s.spanId)!;
    const siblings = children.get(s.parentSpanId!);
    if (siblings) siblings.splice(siblings.indexOf(n), 1);
    roots.push(n);
    walk(n);
  }
  roots.sort((a, b) => a.span.startTime - b.span.startTime || (a.span.spanId < b.span.spanId ? -1 : 1));
  for (const [id, list] of children) nodes.get(id)!.childCount = list.length;
  return { roots, children };
}

export function callNodes(outline: TraceOutline): CallNode[] {
  const traceId = outline.trace.traceId;
  const spans = spansOfOutline(outline);
  const first = spans.reduce((m, s) => Math.min(m, s.startTime), Number.POSITIVE_INFINITY);
  return spans
    .filter((s) => CALL_CATEGORIES.has(s.category) || isLlmCall(s))
    .sort((a, b) => a.startTime - b.startTime || (a.spanId < b.spanId ? -1 : 1))
    .map((span): CallNode => ({ kind: 'call', id: `span:${traceId}:${span.spanId}`, traceId, span, offsetMs: span.startTime - first }));
}

/** The user's thumbs on a call, from its annotations (the newest of their own wins). */
export function userFeedback(annotations: readonly AnnotationDto[]): 'up' | 'down' | null {
  const own = annotations.filter((a) => a.kind === 'feedback' && a.source === 'user' && (a.label === 'up' || a.label === 'down'));
  return (own.at(-1)?.label as 'up' | 'down' | undefined) ?? null;
}

export function callLabel(span: CallSpan): string {
  return truncate(span.name || (span.model ? `${span.category} ${span.model}` : span.category), 80);
}


/** Annotation counts as words, e.g. "2 evaluations · 1 guardrail hit" (feedback is told apart). */
export function annotationSummary(counts: Partial<Record<AnnotationKind, number>> | null | undefined): string[] {
  const out: string[] = [];
  const n = (k: string) => counts?.[k] ?? 0;
  if (n('guardrail') > 0) out.push(plural(n('guardrail'), 'guardrail hit'));
  if (n('evaluation') > 0) out.push(plural(n('evaluation'), 'evaluation'));
  if (n('note') > 0) out.push(plural(n('note'), 'note'));
  return out;
}

function feedbackText(up: number, down: number): string[] {
  const out: string[] = [];
  if (up > 0) out.push(`${formatInteger(up)} thumbs up`);
  if (down > 0) out.push(`${formatInteger(down)} thumbs down`);
  return out;
}

export function callDescription(node: CallNode): string {
  const { span } = node;
  const parts: string[] = [];
  if (span.feedback) parts.push(`thumbs ${span.feedback}`);
  else if ((span.annotationCounts?.feedback ?? 0) > 0) parts.push(plural(span.annotationCounts?.feedback ?? 0, 'feedback', 'feedback'));
  if (span.model && !span.name.includes(span.model)) parts.push(span.model);
  if (isLlmCall(span)) {
    if (span.inputTokens !== null || span.outputTokens !== null) parts.push(`${formatTokens(span.inputTokens)}→${formatTokens(span.outputTokens)} tok`);
    if (span.costUsd !== null) parts.push(formatUsd(span.costUsd, span.costEstimated));
  }
  parts.push(formatDuration(span.durationMs));
  parts.push(`+${formatDuration(node.offsetMs)}`);
  parts.push(...annotationSummary(span.annotationCounts));
  if (span.status === 'error') parts.push('error');
  return parts.join(' · ');
}

export type CallIcon = 'error' | 'thumbsdown' | 'thumbsup' | 'sparkle' | 'symbol-array' | 'tools' | 'hubot' | 'circle-outline';

export function callIcon(span: CallSpan): CallIcon {
  if (span.status === 'error') return 'error';
  if (span.feedback === 'down') return 'thumbsdown';
  if (span.feedback === 'up') return 'thumbsup';
  if (span.category === 'embedding') return 'symbol-array';
  if (isLlmCall(span)) return 'sparkle';
  if (span.category === 'tool') return 'tools';
  if (span.category === 'agent') return 'hubot';
  return 'circle-outline';
}

export function callTooltip(span: CallSpan): string {
  const e = escapeMarkdown;
  const lines = [`**${e(callLabel(span))}**`, '', `Span \`${span.spanId}\` · ${e(span.category)} · ${formatDuration(span.durationMs)}`];
  if (isLlmCall(span)) {
    if (span.model) lines.push('', `Model: ${e(span.model)}`);
    lines.push('', `Tokens: ${formatTokens(span.inputTokens)} in / ${formatTokens(span.outputTokens)} out`);
    lines.push('', `Cost: ${formatUsd(span.costUsd, span.costEstimated)}${span.costEstimated ? ' (estimated)' : ''}`);
  }
  if (span.feedback) lines.push('', `Your feedback: thumbs ${span.feedback}`);
  const notes = annotationSummary(span.annotationCounts);
  if (notes.length > 0) lines.push('', notes.join(' · '));
  if (span.status === 'error') lines.push('', 'Ended with an error');
  return lines.join('\n');
}

// ---- filter ----

export interface TraceFilter {
  text?: string;
  model?: string;
  service?: string;
  errorsOnly?: boolean;
  /** Traces someone rated thumbs up (or down), on the trace or any of its calls. */
  feedback?: 'up' | 'down';
}

export function isFilterActive(f: TraceFilter): boolean {
  return Boolean(f.text || f.model || f.service || f.errorsOnly || f.feedback);
}

export function filterToQuery(f: TraceFilter, limit: number): TraceListQuery {
  const q: TraceListQuery = { limit };
  if (f.text) q.text = f.text;
  if (f.model) q.model = f.model;
  if (f.service) q.service = f.service;
  if (f.errorsOnly) q.status = 'error';
  if (f.feedback) q.feedback = f.feedback;
  return q;
}

export function filterSummary(f: TraceFilter): string {
  const parts: string[] = [];
  if (f.text) parts.push(`"${truncate(f.text, 30)}"`);
  if (f.model) parts.push(`model ${f.model}`);
  if (f.service) parts.push(`service ${f.service}`);
  if (f.errorsOnly) parts.push('errors only');
  if (f.feedback) parts.push(`thumbs ${f.feedback}`);
  return parts.join(' · ');
}

// ---- quick pick of recent traces ----

const MARKER_CODICON: Record<TraceMarker, string> = {
  error: '$(error) ',
  thumbsdown: '$(thumbsdown) ',
  guardrail: '$(shield) ',
  thumbsup: '$(thumbsup) ',
  llm: '',
  plain: '',
};

export interface TracePickItem {
  label: string;
  description: string;
  detail: string;
  traceId: string;
}

export function tracePickItems(traces: readonly TraceRow[], nowMs: number): TracePickItem[] {
  return traces.map((t) => ({
    label: `${MARKER_CODICON[traceMarker(t)]}${traceLabel(t)}`,
    description: [modelsText(t.models), formatDuration(t.durationMs), formatUsd(t.costUsd, t.costEstimated)].filter(Boolean).join(' · '),
    detail: `${formatAgo(t.startTime, nowMs)} · ${t.serviceName ?? 'unknown service'} · ${t.traceId}`,
    traceId: t.traceId,
  }));
}

/** Parent-before-children key of a tree's shape: when it changes, the whole tree reloads. */
export function structureKey(groups: readonly GroupNode[]): string {
  return groups
    .map((g) => `${g.id}${g.total ? `#${g.total.count}` : ''}[${g.children.map((c) => (c.kind === 'trace' ? c.id : `${c.id}(${c.traces.map((t) => t.id).join(',')})`)).join(',')}]`)
    .join('|');
}
