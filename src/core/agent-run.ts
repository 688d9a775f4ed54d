// An agent run as what it is: each agent's turns (one model call each) with the tool calls made
// between them, subagents under the tool call that started them, and per-agent totals of calls,
// tokens and cost. Built from light spans only (ids, parent, name, category, times, model, tokens,
// cost, agent name), so it works on the light span list the trace panel loads first. Spans of
// several traces may be given together: a span whose parent is missing but which links to a span
// that is present hangs under that span (a subagent exported as its own trace, linked back).
// Pure: no I/O. Orphans, cycles and deep trees are handled; nothing is dropped silently.

import type { SpanCategory } from './model';

export interface AgentRunSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  category: SpanCategory;
  startMs: number;
  endMs: number;
  status?: 'ok' | 'error' | 'unset';
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** The agent an agent span speaks for (gen_ai.agent.name and the frameworks' keys). */
  agentName: string | null;
  /** The tool a tool span runs, when known. */
  toolName?: string | null;
  /** Span links (followed across traces when their target is among the spans). */
  links?: ReadonlyArray<{ traceId: string; spanId: string }>;
}

export interface RunTotals {
  calls: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Calls whose cost is unknown (model not in the price table): the cost is a lower bound. */
  unpricedCalls: number;
}

export interface CallStep {
  span: AgentRunSpan;
}

export interface ToolStep {
  span: AgentRunSpan;
  name: string;
  /** Agents this tool call started (Copilot's runSubagent, an agent-as-tool). */
  subagents: AgentNode[];
}

export interface Turn {
  /** 1-based; turn 0 holds tool calls made before the agent's first model call. */
  index: number;
  call: CallStep | null;
  tools: ToolStep[];
}

export interface AgentNode {
  span: AgentRunSpan;
  name: string;
  turns: Turn[];
  /** Agents started directly by this one, not through a tool call. */
  subagents: AgentNode[];
  /** This agent's own calls and tools. */
  own: RunTotals;
  /** Its own and all its subagents'. */
  total: RunTotals;
  depth: number;
}

export interface AgentTotalsRow extends RunTotals {
  name: string;
  /** How many times the agent ran in these spans. */
  runs: number;
}

export interface AgentRun {
  /** Top-level agents, by start time. */
  agents: AgentNode[];
  /** One row per agent name, own figures summed over its runs; largest cost first. */
  byAgent: AgentTotalsRow[];
  /** Everything, counted once. */
  total: RunTotals;
}

const key = (traceId: string, spanId: string): string => `${traceId}/${spanId}`;
const isCall = (s: AgentRunSpan): boolean => s.category === 'llm' || s.category === 'embedding';

export function emptyTotals(): RunTotals {
  return { calls: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedCalls: 0 };
}

function addCall(t: RunTotals, s: AgentRunSpan): void {
  t.calls += 1;
  t.inputTokens += s.inputTokens ?? 0;
  t.outputTokens += s.outputTokens ?? 0;
  if (s.costUsd === null) t.unpricedCalls += 1;
  else t.costUsd += s.costUsd;
}

function addTotals(into: RunTotals, t: RunTotals): void {
  into.calls += t.calls;
  into.toolCalls += t.toolCalls;
  into.inputTokens += t.inputTokens;
  into.outputTokens += t.outputTokens;
  into.costUsd += t.costUsd;
  into.unpricedCalls += t.unpricedCalls;
}

/** Effective parent of every span: its parent when present, else a linked span that is present. */
function parentsOf(spans: readonly AgentRunSpan[], byKey: Map<string, AgentRunSpan>): Map<string, string | null> {
  const parent = new Map<string, string | null>();
  for (const s of spans) {
    const k = key(s.traceId, s.spanId);
    let p: string | null = null;
    if (s.parentSpanId && byKey.has(key(s.traceId, s.parentSpanId))) p = key(s.traceId, s.parentSpanId);
    else for (const l of s.links ?? []) if (byKey.has(key(l.traceId, l.spanId)) && key(l.traceId, l.spanId) !== k) { p = key(l.traceId, l.spanId); break; }
    parent.set(k, p);
  }
  // Break cycles: walk up from each span; a span met twice on one walk loses its parent link.
  for (const s of spans) {
    const seen = new Set<string>();
    let k: string | null = key(s.traceId, s.spanId);
    while (k !== null) {
      if (seen.has(k)) {
        parent.set(k, null);
        break;
      }
      seen.add(k);
      k = parent.get(k) ?? null;
    }
  }
  return parent;
}

/** Builds the agent run of a set of spans, or null when none of them is an agent span. */
export function buildAgentRun(spans: readonly AgentRunSpan[]): AgentRun | null {
  const byKey = new Map<string, AgentRunSpan>();
  for (const s of spans) if (!byKey.has(key(s.traceId, s.spanId))) byKey.set(key(s.traceId, s.spanId), s);
  const unique = [...byKey.values()];
  if (!unique.some((s) => s.category === 'agent')) return null;
  const parent = parentsOf(unique, byKey);
  const children = new Map<string, AgentRunSpan[]>();
  for (const s of unique) {
    const p = parent.get(key(s.traceId, s.spanId));
    if (p == null) continue;
    const list = children.get(p);
    if (list) list.push(s);
    else children.set(p, [s]);
  }
  for (const list of children.values()) list.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);

  const nodes = new Map<string, AgentNode>();
  const buildAgent = (agentSpan: AgentRunSpan, depth: number): AgentNode => {
    const node: AgentNode = {
      span: agentSpan,
      name: agentSpan.agentName ?? agentSpan.name,
      turns: [],
      subagents: [],
      own: emptyTotals(),
      total: emptyTotals(),
      depth,
    };
    nodes.set(key(agentSpan.traceId, agentSpan.spanId), node);
    const calls: AgentRunSpan[] = [];
    const tools: ToolStep[] = [];
    // Walk the agent's own subtree; a nested agent ends the walk and becomes a subagent of the
    // nearest tool call above it, or of this agent when no tool call is in between.
    const stack: Array<{ s: AgentRunSpan; tool: ToolStep | null }> = (children.get(key(agentSpan.traceId, agentSpan.spanId)) ?? [])
      .map((s) => ({ s, tool: null }))
      .reverse();
    while (stack.length > 0) {
      const { s, tool } = stack.pop()!;
      if (s.category === 'agent') {
        const sub = buildAgent(s, depth + 1);
        if (tool) tool.subagents.push(sub);
        else node.subagents.push(sub);
        continue;
      }
      let here = tool;
      if (isCall(s)) calls.push(s);
      else if (s.category === 'tool' && tool === null) {
        here = { span: s, name: s.toolName ?? s.name, subagents: [] };
        tools.push(here);
      }
      const kids = children.get(key(s.traceId, s.spanId)) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ s: kids[i]!, tool: here });
    }
    calls.sort((a, b) => a.startMs - b.startMs);
    tools.sort((a, b) => a.span.startMs - b.span.startMs);
    const turns: Turn[] = calls.map((c, i) => ({ index: i + 1, call: { span: c }, tools: [] }));
    for (const t of tools) {
      // A tool call belongs to the turn whose model call started last before it.
      let at = -1;
      for (let i = 0; i < calls.length && calls[i]!.startMs <= t.span.startMs; i++) at = i;
      if (at === -1) {
        if (turns[0]?.index !== 0) turns.unshift({ index: 0, call: null, tools: [] });
        turns[0]!.tools.push(t);
      } else {
        turns[turns[0]?.index === 0 ? at + 1 : at]!.tools.push(t);
      }
    }
    node.turns = turns;
    for (const c of calls) addCall(node.own, c);
    node.own.toolCalls = tools.length;
    addTotals(node.total, node.own);
    for (const sub of [...node.subagents, ...tools.flatMap((t) => t.subagents)]) addTotals(node.total, sub.total);
    return node;
  };

  const topLevel: AgentNode[] = [];
  const agentSpans = unique.filter((s) => s.category === 'agent').sort((a, b) => a.startMs - b.startMs);
  for (const s of agentSpans) {
    if (nodes.has(key(s.traceId, s.spanId))) continue;
    // Only agents with no agent above them start a tree; the others are reached from it.
    let p = parent.get(key(s.traceId, s.spanId)) ?? null;
    let nested = false;
    while (p !== null) {
      if (byKey.get(p)?.category === 'agent') {
        nested = true;
        break;
      }
      p = parent.get(p) ?? null;
    }
    if (!nested) topLevel.push(buildAgent(s, 0));
  }

  const rows = new Map<string, AgentTotalsRow>();
  for (const node of nodes.values()) {
    let row = rows.get(node.name);
    if (!row) {
      row = { name: node.name, runs: 0, ...emptyTotals() };
      rows.set(node.name, row);
    }
    row.runs += 1;
    addTotals(row, node.own);
  }
  const total = emptyTotals();
  for (const a of topLevel) addTotals(total, a.total);
  const byAgent = [...rows.values()].sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls || a.name.localeCompare(b.name));
  return { agents: topLevel, byAgent, total };
}
