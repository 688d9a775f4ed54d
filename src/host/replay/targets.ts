// What a command was invoked on: a trace or an LLM call, from a tree node, the trace panel
// ({traceId, spanId}), or plain ids (other extensions, the trace explorer's "Compare").

import type { TracesTreeNode } from '../tree/traces-tree';

export type Target = { kind: 'call'; traceId: string; spanId: string } | { kind: 'trace'; traceId: string };

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

export function targetOf(arg: unknown, spanArg?: unknown): Target | null {
  if (typeof arg === 'string' && TRACE_ID.test(arg)) {
    return typeof spanArg === 'string' && SPAN_ID.test(spanArg) ? { kind: 'call', traceId: arg, spanId: spanArg } : { kind: 'trace', traceId: arg };
  }
  if (typeof arg !== 'object' || arg === null) return null;
  const node = arg as Partial<TracesTreeNode> & { traceId?: unknown; spanId?: unknown };
  if (node.kind === 'trace') return { kind: 'trace', traceId: (node as Extract<TracesTreeNode, { kind: 'trace' }>).trace.traceId };
  if (node.kind === 'call') {
    const c = node as Extract<TracesTreeNode, { kind: 'call' }>;
    return { kind: 'call', traceId: c.traceId, spanId: c.span.spanId };
  }
  if (typeof node.traceId === 'string' && TRACE_ID.test(node.traceId)) {
    return typeof node.spanId === 'string' && SPAN_ID.test(node.spanId) ? { kind: 'call', traceId: node.traceId, spanId: node.spanId } : { kind: 'trace', traceId: node.traceId };
  }
  return null;
}

export function sameTarget(a: Target, b: Target): boolean {
  return a.kind === b.kind && a.traceId === b.traceId && (a.kind === 'trace' || a.spanId === (b as { spanId: string }).spanId);
}
