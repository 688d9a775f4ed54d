// Plain text out of canonical messages: for full-text search indexing and for grouping prompts.

import type { ChatMessage, LlmCall, MessagePart } from '../model';

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** The searchable text of one part: what was said, tool names and their arguments/results. Binary content is skipped. */
export function partText(p: MessagePart): string {
  const part = p as Record<string, unknown>;
  switch (p.type) {
    case 'text':
    case 'reasoning':
    case 'refusal':
      return typeof part.content === 'string' ? part.content : '';
    case 'tool_call': {
      const args = valueText(part.arguments);
      return args ? `${valueText(part.name)} ${args}` : valueText(part.name);
    }
    case 'tool_call_response':
      return valueText(part.response);
    case 'uri':
      return valueText(part.uri);
    case 'blob':
    case 'file':
      return '';
    default:
      return typeof part.content === 'string' ? part.content : typeof part.text === 'string' ? part.text : '';
  }
}

export function partsToText(parts: MessagePart[]): string {
  return parts.map(partText).filter((t) => t !== '').join('\n');
}

/** All text of a conversation, one part per line, in order. */
export function messagesToText(messages: ChatMessage[]): string {
  return messages.map((m) => partsToText(m.parts)).filter((t) => t !== '').join('\n');
}

/** Everything searchable in a call: system instructions, input and output messages. */
export function callToText(call: Pick<LlmCall, 'systemInstructions' | 'inputMessages' | 'outputMessages'>): string {
  return [partsToText(call.systemInstructions), messagesToText(call.inputMessages), messagesToText(call.outputMessages)]
    .filter((t) => t !== '')
    .join('\n');
}

/**
 * The system prompt of a call, wherever the convention put it: separate system instructions, or
 * system/developer messages at the head of the input (OpenAI-style chats keep them there).
 */
export function systemText(call: Pick<LlmCall, 'systemInstructions' | 'inputMessages'>): string {
  if (call.systemInstructions.length > 0) return partsToText(call.systemInstructions);
  const head: ChatMessage[] = [];
  for (const m of call.inputMessages) {
    if (m.role !== 'system' && m.role !== 'developer') break;
    head.push(m);
  }
  return messagesToText(head);
}
