// What a trace list shows of a trace's conversation: the user's question and the final answer,
// as one short line each. Computed at write time from each LLM call (see store/aggregates.ts:
// the earliest call's question and the latest call's answer win for the trace).

import type { Attributes, ChatMessage, LlmCall, MessagePart } from './model';

/** Characters kept of a preview: a table cell or a tree description, never a whole message. */
export const PREVIEW_CHARS = 240;

/** A question and an answer: whole (a session's turns) or as previews (the trace list). */
export interface CallPreviews {
  input: string | null;
  output: string | null;
}

/**
 * The call's question is its newest user message (earlier ones are history resent with every
 * turn); its answer is the last output message with text, or else the tool calls it asked for.
 */
export function callTexts(call: Pick<LlmCall, 'inputMessages' | 'outputMessages'>): CallPreviews {
  return { input: lastText(call.inputMessages, (m) => m.role === 'user' || m.role === 'human'), output: outputText(call.outputMessages) };
}

/**
 * A span that is no call may still say what went in and came out: OpenInference's
 * `input.value`/`output.value` on chains and agents, Traceloop's entity values, the AI SDK's.
 */
export function spanTexts(attrs: Attributes): CallPreviews {
  return {
    input: firstString(attrs, ['input.value', 'traceloop.entity.input', 'ai.prompt']),
    output: firstString(attrs, ['output.value', 'traceloop.entity.output', 'ai.response.text']),
  };
}

export function callPreviews(call: Pick<LlmCall, 'inputMessages' | 'outputMessages'>): CallPreviews {
  return asPreviews(callTexts(call));
}

export function spanPreviews(attrs: Attributes): CallPreviews {
  return asPreviews(spanTexts(attrs));
}

function asPreviews(t: CallPreviews): CallPreviews {
  return { input: previewOf(t.input), output: previewOf(t.output) };
}

function firstString(attrs: Attributes, keys: string[]): string | null {
  for (const k of keys) {
    const v = attrs[k];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return null;
}

function lastText(messages: ChatMessage[], keep: (m: ChatMessage) => boolean): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (!keep(m)) continue;
    const text = partsText(m.parts).trim();
    if (text) return text;
  }
  return null;
}

function outputText(messages: ChatMessage[]): string | null {
  const text = lastText(messages, () => true);
  if (text) return text;
  const tools = messages.flatMap((m) => m.parts).filter((p): p is Extract<MessagePart, { type: 'tool_call' }> => p.type === 'tool_call');
  return tools.length ? `→ ${tools.map((t) => `${t.name}()`).join(', ')}` : null;
}

function partsText(parts: MessagePart[]): string {
  const out: string[] = [];
  for (const p of parts) if (p.type === 'text' && typeof p.content === 'string') out.push(p.content);
  return out.join(' ');
}

/** One line of at most PREVIEW_CHARS characters, whitespace collapsed; null when nothing is left. */
export function previewOf(text: string | null | undefined): string | null {
  if (!text) return null;
  const line = text.slice(0, PREVIEW_CHARS * 4).replace(/\s+/g, ' ').trim();
  if (!line) return null;
  if (line.length <= PREVIEW_CHARS) return line;
  // Never cut a surrogate pair in half.
  let end = PREVIEW_CHARS - 1;
  if (/[\uD800-\uDBFF]/.test(line[end - 1]!)) end -= 1;
  return `${line.slice(0, end)}…`;
}

/** Where a span names its user: `user.id` (current conventions), `enduser.id` (older ones), Langfuse's, the Vercel AI SDK's. */
export const USER_ID_ATTRIBUTES = ['user.id', 'enduser.id', 'langfuse.user.id', 'ai.telemetry.metadata.userId'];

/** The user the span was made for. */
export function userIdOf(attrs: Attributes): string | null {
  return firstString(attrs, USER_ID_ATTRIBUTES);
}
