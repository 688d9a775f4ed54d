// Agent, tool and workflow spans of the GenAI agent operations and of the frameworks people use,
// as data: each row is a pattern over a span's name, instrumentation scope and attributes, and
// what such a span is. A new framework is a new row. These spans are structure, not model calls:
// many repeat the usage of the calls beneath them (Copilot's and Strands' `invoke_agent` carry the
// run's totals), so counting them would double tokens and cost.

import type { Attributes, IngestSpan, SpanCategory } from '../model';

/** What a structural span is in an agent run. */
export type AgentRole = 'agent' | 'tool' | 'workflow' | 'loop';

const CATEGORY: Record<AgentRole, SpanCategory> = { agent: 'agent', tool: 'tool', workflow: 'chain', loop: 'chain' };

export interface AgentSpanRule {
  /** Who emits it (documentation, and the tests' index). */
  framework: string;
  name?: RegExp;
  scope?: RegExp;
  /** Attribute key → value pattern (`true`: the attribute is present with any value). */
  attrs?: Record<string, RegExp | true>;
  role: AgentRole;
}

export const AGENT_SPAN_RULES: readonly AgentSpanRule[] = [
  // OpenTelemetry GenAI agent operations (Copilot Chat, Strands, Google ADK, Mastra, Pydantic AI ≥ 1).
  { framework: 'GenAI', attrs: { 'gen_ai.operation.name': /^(invoke_agent|create_agent|plan)$/ }, role: 'agent' },
  { framework: 'GenAI', attrs: { 'gen_ai.operation.name': /^execute_tool$/ }, role: 'tool' },
  { framework: 'GenAI', attrs: { 'gen_ai.operation.name': /^(invoke_workflow|invoke_swarm|invoke_graph|invoke_node)$/ }, role: 'workflow' },
  // Strands: one span per turn of its event loop (telemetry/tracer.py start_event_loop_cycle_span).
  // Strands: one span per turn of its agent loop (Python telemetry/tracer.py
  // start_event_loop_cycle_span; TypeScript SDK telemetry/tracer.js startAgentLoopSpan).
  { framework: 'Strands', name: /^(execute_event_loop_cycle|execute_agent_loop_cycle|Cycle .+)$/, role: 'loop' },
  { framework: 'Strands', attrs: { 'event_loop.cycle_id': true }, role: 'loop' },
  { framework: 'Strands', attrs: { 'agent_loop.cycle_id': true }, role: 'loop' },
  { framework: 'Strands', name: /^Tool: /, scope: /^strands/, role: 'tool' },
  { framework: 'Strands', name: /^node /, attrs: { 'gen_ai.agent.node_type': true }, role: 'workflow' },
  // OpenAI Agents SDK as Logfire's instrument_openai_agents() names it (logfire/_internal/
  // integrations/openai_agents.py: span names are the templates `Agent run: {name!r}`, `Function: {name}`).
  { framework: 'OpenAI Agents SDK', name: /^Agent run: /, role: 'agent' },
  { framework: 'OpenAI Agents SDK', name: /^Agent workflow$/, role: 'workflow' },
  { framework: 'OpenAI Agents SDK', name: /^Function: /, role: 'tool' },
  { framework: 'OpenAI Agents SDK', name: /^Handoff: /, role: 'agent' },
  // Pydantic AI before the GenAI agent operations (spans named by its own words).
  { framework: 'Pydantic AI', name: /^(agent run|invoke_agent .*)$/, attrs: { agent_name: true }, role: 'agent' },
  { framework: 'Pydantic AI', name: /^running tools?$/, role: 'tool' },
  { framework: 'Pydantic AI', name: /^running output function$/, role: 'tool' },
  // LangSmith's OpenTelemetry export (LangChain / LangGraph).
  { framework: 'LangChain (LangSmith)', attrs: { 'langsmith.span.kind': /^(agent)$/i }, role: 'agent' },
  { framework: 'LangChain (LangSmith)', attrs: { 'langsmith.span.kind': /^(tool)$/i }, role: 'tool' },
  { framework: 'LangChain (LangSmith)', attrs: { 'langsmith.span.kind': /^(chain|prompt|parser)$/i }, role: 'workflow' },
  // LangGraph through OpenLLMetry names its graph and nodes; the kind says the rest (openllmetry.ts).
  { framework: 'LangGraph', name: /^LangGraph(\.workflow)?$/, role: 'workflow' },
  // CrewAI's own OpenTelemetry spans and OpenLLMetry's CrewAI instrumentation.
  { framework: 'CrewAI', name: /^crewai\.workflow$|^Crew Execution$|^Crew Created$/, role: 'workflow' },
  { framework: 'CrewAI', attrs: { 'crewai.agent.role': true }, role: 'agent' },
  { framework: 'CrewAI', name: /\.agent$/, attrs: { 'traceloop.entity.name': true }, role: 'agent' },
  { framework: 'CrewAI', name: /^(Task Execution|Tool Usage)$/, role: 'workflow' },
  // Google ADK (google/adk-python telemetry): the run, the agent, the tool; `call_llm` is the call.
  { framework: 'Google ADK', name: /^invocation$/, scope: /adk/, role: 'workflow' },
  { framework: 'Google ADK', name: /^agent_run( |$)/, role: 'agent' },
  { framework: 'Google ADK', attrs: { 'gcp.vertex.agent.tool_call_args': true }, role: 'tool' },
  // Mastra's OpenTelemetry exporter (observability/otel-exporter/src/gen-ai-semantics.ts:
  // `mastra.span.type`) and its older telemetry names.
  { framework: 'Mastra', attrs: { 'mastra.span.type': /^agent_run$/i }, role: 'agent' },
  { framework: 'Mastra', attrs: { 'mastra.span.type': /^(tool_call|mcp_tool_call)$/i }, role: 'tool' },
  { framework: 'Mastra', attrs: { 'mastra.span.type': /^(workflow_run|workflow_step|workflow_.*)$/i }, role: 'workflow' },
  { framework: 'Mastra', attrs: { 'mastra.span.type': /^(model_step|model_chunk|processor_run|generic)$/i }, role: 'loop' },
  { framework: 'Mastra', name: /^agent\.(generate|stream|.*)$/, scope: /mastra/i, role: 'agent' },
  { framework: 'Mastra', name: /^tool\./, scope: /mastra/i, role: 'tool' },
  { framework: 'Mastra', name: /^workflow\./, scope: /mastra/i, role: 'workflow' },
  // Vercel AI SDK tool execution (its model spans are read by vercel-ai.ts).
  { framework: 'Vercel AI SDK', attrs: { 'ai.operationId': /^ai\.toolCall$/ }, role: 'tool' },
  // Spans that only name an agent or a tool: the GenAI attributes alone.
  { framework: 'GenAI', attrs: { 'gen_ai.tool.name': true, 'gen_ai.tool.call.id': true }, role: 'tool' },
];

/** Attribute namespaces and names the rules look at: the normalizer's cheap gate lets these spans in. */
export const AGENT_MARK_PREFIXES = ['event_loop.', 'agent_loop.', 'langsmith.', 'crewai.', 'gcp.vertex.agent.', 'mastra.', 'agent_name'];
const NAME_GATE = /^(execute_event_loop_cycle|execute_agent_loop_cycle|Cycle |Agent run: |Agent workflow$|Function: |Handoff: |agent run$|running tool|running output function$|LangGraph|crewai\.|Crew |Task Execution$|Tool Usage$|invocation$|agent_run|agent\.|tool\.|workflow\.|Tool: )/;

/** True when a span's name alone may match a rule (the gate for spans with no GenAI attributes). */
export function nameMayBeAgentSpan(name: string): boolean {
  return NAME_GATE.test(name);
}

interface CompiledRule {
  rule: AgentSpanRule;
  attrs: Array<[string, RegExp | true]>;
}

// Attribute conditions first, then scope, then the name. Rules are indexed by their first
// attribute, so a span costs one lookup per distinct first key (about a dozen) instead of a pass
// over every rule; name-only rules are tried only when the name passes NAME_GATE.
const COMPILED: readonly CompiledRule[] = AGENT_SPAN_RULES.map((rule) => ({ rule, attrs: Object.entries(rule.attrs ?? {}) }));
const BY_FIRST_KEY = new Map<string, number[]>();
const NAME_ONLY: number[] = [];
COMPILED.forEach((c, i) => {
  if (c.attrs.length === 0) {
    NAME_ONLY.push(i);
    return;
  }
  const key = c.attrs[0]![0];
  const list = BY_FIRST_KEY.get(key);
  if (list) list.push(i);
  else BY_FIRST_KEY.set(key, [i]);
});

function matches(c: CompiledRule, span: IngestSpan): boolean {
  for (const [key, want] of c.attrs) {
    const v = span.attributes[key];
    if (v === undefined || v === null) return false;
    if (want !== true && !(typeof v === 'string' && want.test(v))) return false;
  }
  if (c.rule.scope && !c.rule.scope.test(span.scope.name)) return false;
  return !c.rule.name || c.rule.name.test(span.name);
}

/** The first rule (in table order) a span matches, or null. */
export function agentSpanRule(span: IngestSpan): AgentSpanRule | null {
  let best = Number.POSITIVE_INFINITY;
  for (const [key, indexes] of BY_FIRST_KEY) {
    if (span.attributes[key] === undefined) continue;
    for (const i of indexes) {
      if (i >= best) break;
      if (matches(COMPILED[i]!, span)) {
        best = i;
        break;
      }
    }
  }
  if (NAME_GATE.test(span.name)) {
    for (const i of NAME_ONLY) {
      if (i >= best) break;
      if (matches(COMPILED[i]!, span)) {
        best = i;
        break;
      }
    }
  }
  return best === Number.POSITIVE_INFINITY ? null : COMPILED[best]!.rule;
}

export function agentRoleCategory(role: AgentRole): SpanCategory {
  return CATEGORY[role];
}

const NAME_PREFIXES = /^(?:invoke_agent|create_agent|Agent run:|agent_run|Agent)\s+\[?['"]?([^'"\]]+)['"]?\]?$/;

/**
 * The span's name as a person reads it. Logfire names spans by their message template
 * (`Agent run: {name!r}`) and puts the formatted message in `logfire.msg`.
 */
function displayName(name: string, a: Attributes): string {
  const msg = a['logfire.msg'];
  return name.includes('{') && typeof msg === 'string' && msg !== '' ? msg : name;
}

/** The agent a span speaks for: `gen_ai.agent.name` and the frameworks' own keys, else its name. */
export function agentNameOf(name: string, a: Attributes): string | null {
  for (const k of ['gen_ai.agent.name', 'agent_name', 'agent.name', 'crewai.agent.role', 'mastra.agent.name', 'gen_ai.agent.id']) {
    const v = a[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  const m = NAME_PREFIXES.exec(displayName(name, a));
  return m ? m[1]!.trim() : null;
}

/** The tool a span runs: `gen_ai.tool.name`, the frameworks' keys, else its name's tail. */
export function toolNameOf(name: string, a: Attributes): string | null {
  for (const k of ['gen_ai.tool.name', 'tool.name', 'ai.toolCall.name', 'tool_name']) {
    const v = a[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  const m = /^(?:execute_tool|Function:|Tool:|running tool:?)\s+(.+)$/.exec(displayName(name, a));
  return m ? m[1]!.trim() : null;
}
