// A tool span's call as a reader wants it: which tool, the arguments it was given and the result
// it returned, from whichever convention the instrumentation follows. Each convention names them
// differently (and some send them as events, not attributes); the first that has a value wins,
// and a value that is JSON text is parsed so it can be shown as JSON.

import type { Attributes, AttrValue } from './model';

export interface ToolValue {
  /** Where it came from: an attribute name, or `event <name>.<attribute>`. */
  source: string;
  /** Parsed JSON when the text was JSON, else the value as captured. */
  value: unknown;
  /** The value was JSON (an object or an array), so it reads best as a JSON tree. */
  json: boolean;
}

export interface ToolIo {
  name: string | null;
  callId: string | null;
  arguments: ToolValue | null;
  result: ToolValue | null;
}

interface EventLike {
  name: string;
  attributes?: Attributes;
}

/** Attribute names per part, most specific first. */
const NAMES = ['gen_ai.tool.name', 'tool.name', 'ai.toolCall.name', 'tool_call.function.name', 'traceloop.entity.name', 'gcp.vertex.agent.tool_name'];
const CALL_IDS = ['gen_ai.tool.call.id', 'ai.toolCall.id', 'tool_call.id', 'gcp.vertex.agent.tool_call_id'];
const ARGUMENTS = [
  'gen_ai.tool.call.arguments', // OpenTelemetry GenAI
  'ai.toolCall.args', // Vercel AI SDK (v3-v5)
  'ai.toolCall.input', // Vercel AI SDK (later)
  'tool_call.function.arguments', // OpenInference, on a tool span
  'tool_arguments', // Pydantic AI / Logfire
  'gcp.vertex.agent.tool_call_args', // Google ADK
  'traceloop.entity.input', // OpenLLMetry / Traceloop
  'input.value', // OpenInference (and LangChain through it)
  'mastra.tool.input',
];
const RESULTS = [
  'gen_ai.tool.call.result',
  'ai.toolCall.result',
  'ai.toolCall.output',
  'tool_response', // Pydantic AI / Logfire
  'gcp.vertex.agent.tool_response',
  'traceloop.entity.output',
  'output.value',
  'mastra.tool.output',
];
/** Attributes other spans use too (a chain's, an LLM call's): only read as a tool's on a tool span. */
const GENERIC = new Set(['input.value', 'output.value', 'traceloop.entity.input', 'traceloop.entity.output']);
/** Any other convention: an attribute whose last word says what it is. */
const OTHER_ARGUMENTS = /(^|[._])(input|inputs|arguments|args|tool_input|tool_args)$/i;
const OTHER_RESULTS = /(^|[._])(output|outputs|result|tool_output|tool_result)$/i;
/** Neither the call's own input nor its output (schemas, sizes, mime types). */
const NOT_A_VALUE = /(mime_type|schema|parameters|_tokens|\.count|size)$/i;

/** Parses JSON text to a value when it is an object or an array; anything else stays as it is. */
export function readJsonish(value: unknown): { value: unknown; json: boolean } {
  if (typeof value === 'string') {
    const t = value.trim();
    if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
      try {
        return { value: JSON.parse(t) as unknown, json: true };
      } catch {
        return { value, json: false };
      }
    }
    return { value, json: false };
  }
  return { value, json: typeof value === 'object' && value !== null };
}

function present(v: AttrValue | undefined): v is AttrValue {
  return v !== undefined && v !== null && v !== '';
}

function first(a: Attributes, keys: readonly string[]): ToolValue | null {
  for (const k of keys) {
    const v = a[k];
    if (present(v)) return { source: k, ...readJsonish(v) };
  }
  return null;
}

function text(a: Attributes, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = a[k];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return null;
}

function byPattern(a: Attributes, pattern: RegExp, taken: ReadonlySet<string>): ToolValue | null {
  const keys = Object.keys(a).filter((k) => pattern.test(k) && !NOT_A_VALUE.test(k) && !taken.has(k) && present(a[k])).sort();
  return keys.length > 0 ? { source: keys[0]!, ...readJsonish(a[keys[0]!]) } : null;
}

/**
 * Strands and the deprecated GenAI events: the arguments as a `gen_ai.tool.message` event's
 * `content`, the result as a `gen_ai.choice` event's `message`.
 */
function fromEvents(events: readonly EventLike[]): { args: ToolValue | null; result: ToolValue | null } {
  let args: ToolValue | null = null;
  let result: ToolValue | null = null;
  for (const ev of events) {
    const a = ev.attributes ?? {};
    if (!args && ev.name === 'gen_ai.tool.message' && present(a.content)) args = { source: `event ${ev.name}.content`, ...readJsonish(a.content) };
    if (!result && ev.name === 'gen_ai.choice' && present(a.message)) result = { source: `event ${ev.name}.message`, ...readJsonish(a.message) };
  }
  return { args, result };
}

/**
 * The tool call a span carries, or null when it carries neither arguments nor a result. `isTool`
 * (the span's category says tool) lets the loose, name-based matches in; without it only the
 * conventions' own tool attributes count, so an LLM call's `input.value` is not taken for one.
 */
export function toolIo(attributes: Attributes, events: readonly EventLike[] = [], isTool = true): ToolIo | null {
  const a = attributes ?? {};
  const toolOnly = (keys: readonly string[]) => keys.filter((k) => isTool || !GENERIC.has(k));
  let args = first(a, toolOnly(ARGUMENTS));
  let result = first(a, toolOnly(RESULTS));
  if (isTool && (!args || !result)) {
    const ev = fromEvents(events);
    args ??= ev.args;
    result ??= ev.result;
    const taken = new Set([args?.source, result?.source].filter((s): s is string => !!s));
    args ??= byPattern(a, OTHER_ARGUMENTS, taken);
    if (args) taken.add(args.source);
    result ??= byPattern(a, OTHER_RESULTS, taken);
  }
  if (!args && !result) return null;
  return { name: text(a, NAMES), callId: text(a, CALL_IDS), arguments: args, result };
}
