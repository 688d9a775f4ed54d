// The text of each part of a call, as the guardrails (and whatever shows their hits) index it:
// one function, so a hit's UTF-16 range means the same thing everywhere.

import type { ChatMessage, MessagePart } from '../model';
import type { CallLocation, CallText, GuardrailSubject, TextOrigin } from './types';

/**
 * The text a part is checked as: `content` of text-like parts; a tool call's arguments and a tool
 * result's response as they came when a string, else as `JSON.stringify` of the value. Blobs,
 * URIs and files have none (null).
 */
export function partText(part: MessagePart): string | null {
  switch (part.type) {
    case 'blob':
    case 'uri':
    case 'file':
      return null;
    case 'tool_call':
      return valueText((part as { arguments?: unknown }).arguments);
    case 'tool_call_response':
      return valueText((part as { response?: unknown }).response);
    default: {
      const p = part as { content?: unknown; text?: unknown };
      if (typeof p.content === 'string') return p.content;
      if (typeof p.text === 'string') return p.text;
      return null;
    }
  }
}

function valueText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return null;
  }
}

const SYSTEM_ROLES = new Set(['system', 'developer']);
/** Roles and part types that carry text from outside the conversation: tool results and retrieved documents. */
const TOOL_ROLES = new Set(['tool', 'function', 'ipython', 'tool_result', 'document', 'documents', 'context', 'retrieval', 'retriever', 'search']);
const DOCUMENT_PARTS = new Set(['tool_call_response', 'document', 'search_result', 'tool_result', 'web_search_result']);

function inputOrigin(msg: ChatMessage, part: MessagePart): TextOrigin {
  if (DOCUMENT_PARTS.has(part.type)) return 'tool';
  if (SYSTEM_ROLES.has(msg.role)) return 'system';
  if (TOOL_ROLES.has(msg.role)) return 'tool';
  if (msg.role === 'assistant' || msg.role === 'model') return 'history';
  if (part.type === 'reasoning') return 'history';
  return 'user';
}

function outputOrigin(part: MessagePart): TextOrigin {
  if (part.type === 'tool_call') return 'tool_call';
  if (part.type === 'reasoning') return 'reasoning';
  if (part.type === 'refusal') return 'refusal';
  return 'assistant';
}

/** Every text of a call with where it is and who wrote it; empty texts are left out. */
export function collectTexts(call: GuardrailSubject): CallText[] {
  const out: CallText[] = [];
  call.systemInstructions.forEach((part, partIndex) => {
    const text = partText(part);
    if (text) out.push({ side: 'system', messageIndex: undefined, partIndex, origin: 'system', text });
  });
  call.inputMessages.forEach((msg, messageIndex) => {
    msg.parts.forEach((part, partIndex) => {
      const text = partText(part);
      if (text) out.push({ side: 'input', messageIndex, partIndex, origin: inputOrigin(msg, part), text });
    });
  });
  call.outputMessages.forEach((msg, messageIndex) => {
    msg.parts.forEach((part, partIndex) => {
      const text = partText(part);
      if (text) out.push({ side: 'output', messageIndex, partIndex, origin: outputOrigin(part), text });
    });
  });
  return out;
}

/** The location of a range inside one collected text. */
export function locate(t: CallText, start?: number, end?: number): CallLocation {
  const loc: CallLocation = { side: t.side, partIndex: t.partIndex };
  if (t.messageIndex !== undefined) loc.messageIndex = t.messageIndex;
  if (start !== undefined) loc.start = start;
  if (end !== undefined) loc.end = end;
  return loc;
}
