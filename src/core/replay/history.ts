// The conversation of a stored call, made fit to send again: every tool call has an id, every
// tool result names the call it answers (by id, and by the call's name for Gemini), and results
// that answer no call in the history are marked, so each wire format can keep its own rules
// (OpenAI: a tool message must answer an earlier tool_call id; Anthropic: a tool_result must
// follow its tool_use; Gemini: a functionResponse is tied to its call by name).

import type { ChatMessage, MessagePart } from '../model';
import { isRecord } from '../conventions/values';

export interface ToolCallTurn {
  type: 'tool_call';
  id: string;
  name: string;
  /** Arguments as an object (Anthropic, Gemini) … */
  args: Record<string, unknown>;
  /** … and as the JSON text OpenAI sends. */
  argsText: string;
}

export interface ToolResultTurn {
  type: 'tool_result';
  /** The id of the call it answers; null when no call in the history matches. */
  id: string | null;
  /** The answered call's function name (Gemini needs it). */
  name: string | null;
  response: unknown;
  /** The result as text (OpenAI tool content, Anthropic tool_result content). */
  text: string;
}

export type TurnPart = { type: 'text'; text: string } | { type: 'media'; mime: string | null; data: string | null; url: string | null } | ToolCallTurn | ToolResultTurn;

export interface Turn {
  /** system | developer | user | assistant | tool */
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  parts: TurnPart[];
}

export interface History {
  system: string;
  turns: Turn[];
  /** What could not be carried over (reasoning, unknown parts). */
  notes: string[];
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  // A result that is a list of text blocks (MCP, Anthropic) reads as its text.
  if (Array.isArray(v) && v.every((b) => isRecord(b) && typeof b.text === 'string')) return v.map((b) => (b as { text: string }).text).join('\n');
  return JSON.stringify(v);
}

function argsObject(v: unknown): { args: Record<string, unknown>; argsText: string } {
  if (typeof v === 'string') {
    try {
      const parsed: unknown = JSON.parse(v);
      if (isRecord(parsed)) return { args: parsed, argsText: v };
    } catch {
      // Not JSON: sent as one string argument below.
    }
    return v.trim() === '' ? { args: {}, argsText: '{}' } : { args: { input: v }, argsText: JSON.stringify({ input: v }) };
  }
  if (isRecord(v)) return { args: v, argsText: JSON.stringify(v) };
  if (v === null || v === undefined) return { args: {}, argsText: '{}' };
  return { args: { input: v }, argsText: JSON.stringify({ input: v }) };
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

function roleOf(role: string): Turn['role'] {
  const r = role.toLowerCase();
  if (ROLES.has(r)) return r as Turn['role'];
  if (r === 'model' || r === 'ai' || r === 'bot') return 'assistant';
  if (r === 'function' || r === 'ipython') return 'tool';
  return 'user';
}

function systemText(parts: MessagePart[]): string {
  return parts
    .map((p) => (p.type === 'text' && typeof (p as { content?: unknown }).content === 'string' ? (p as { content: string }).content : ''))
    .filter((t) => t !== '')
    .join('\n\n');
}

/** `idPrefix`: how synthesized ids look (`call_`, `toolu_`): each API checks the shape of its ids. */
export function buildHistory(systemInstructions: MessagePart[], messages: ChatMessage[], idPrefix = 'call_'): History {
  const notes: string[] = [];
  const turns: Turn[] = [];
  const calls: Array<{ id: string; name: string; answered: boolean }> = [];
  let synthesized = 0;
  const dropped = new Map<string, number>();
  const drop = (what: string) => dropped.set(what, (dropped.get(what) ?? 0) + 1);

  for (const m of messages) {
    const role = roleOf(m.role);
    const parts: TurnPart[] = [];
    for (const p of m.parts) {
      const x = p as unknown as Record<string, unknown>;
      if (p.type === 'text') {
        const text = typeof x.content === 'string' ? x.content : textOf(x.content);
        if (text !== '') parts.push({ type: 'text', text });
      } else if (p.type === 'tool_call') {
        const given = typeof x.id === 'string' && x.id !== '' ? x.id : null;
        const id = given ?? `${idPrefix}spyglass_${++synthesized}`;
        const name = typeof x.name === 'string' ? x.name : '';
        calls.push({ id, name, answered: false });
        parts.push({ type: 'tool_call', id, name, ...argsObject(x.arguments) });
      } else if (p.type === 'tool_call_response') {
        const given = typeof x.id === 'string' && x.id !== '' ? x.id : null;
        // By id; else (Gemini records the function's name where an id would be) by name; else the oldest unanswered call.
        const call = (given ? calls.find((c) => c.id === given) ?? calls.find((c) => !c.answered && c.name === given) : undefined)
          ?? (given ? undefined : calls.find((c) => !c.answered));
        if (call) call.answered = true;
        parts.push({ type: 'tool_result', id: call?.id ?? null, name: call?.name ?? given, response: x.response, text: textOf(x.response) });
      } else if (p.type === 'blob' || p.type === 'uri' || p.type === 'image' || p.type === 'file') {
        const mime = typeof x.mime_type === 'string' ? x.mime_type : null;
        if (p.type === 'blob' && typeof x.content === 'string') parts.push({ type: 'media', mime, data: x.content, url: null });
        else if (p.type === 'uri' && typeof x.uri === 'string') parts.push({ type: 'media', mime, data: null, url: x.uri });
        else drop(p.type);
      } else if (p.type === 'reasoning') {
        drop('reasoning');
      } else {
        drop(p.type);
      }
    }
    if (parts.length > 0) turns.push({ role, parts });
  }
  for (const [what, n] of dropped) {
    notes.push(what === 'reasoning'
      ? `${n} reasoning part(s) left out: providers do not accept a model's reasoning back without its signature`
      : `${n} "${what}" part(s) left out: no equivalent in the request format`);
  }
  return { system: systemText(systemInstructions), turns, notes };
}

/** Text parts of a turn joined; null when it has none. */
export function turnText(t: Turn): string | null {
  const texts = t.parts.filter((p): p is { type: 'text'; text: string } => p.type === 'text').map((p) => p.text);
  return texts.length > 0 ? texts.join('\n') : null;
}

/** A tool definition in any of the shapes instrumentations record it. */
export interface ToolSpec {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

export function toolSpecs(defs: unknown[], notes: string[]): ToolSpec[] {
  const out: ToolSpec[] = [];
  let skipped = 0;
  for (const d of defs) {
    if (!isRecord(d)) {
      skipped++;
      continue;
    }
    const f = isRecord(d.function) ? d.function : d;
    const name = typeof f.name === 'string' ? f.name : null;
    if (!name || (typeof d.type === 'string' && d.type !== 'function' && !isRecord(d.function) && !('input_schema' in d) && !('parameters' in d))) {
      skipped++;
      continue;
    }
    const schema = f.parameters ?? f.input_schema ?? f.inputSchema ?? f.parametersJsonSchema ?? f.parameters_json_schema;
    const spec: ToolSpec = { name, parameters: isRecord(schema) ? schema : { type: 'object', properties: {} } };
    if (typeof f.description === 'string') spec.description = f.description;
    out.push(spec);
  }
  if (skipped > 0) notes.push(`${skipped} tool definition(s) that are not functions (built-in tools) left out`);
  return out;
}
