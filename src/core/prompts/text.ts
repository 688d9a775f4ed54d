// The text of a prompt as grouping sees it: the system instructions of a call (or the template an
// instrumentation names), a stable hash of it, and its tokens for aligning one text on another.

import type { LlmCall, MessagePart } from '../model';

/** The text parts of system instructions, joined as the model reads them. */
export function systemText(parts: readonly MessagePart[]): string {
  return parts
    .filter((p) => p.type === 'text' && typeof (p as { content?: unknown }).content === 'string')
    .map((p) => (p as { content: string }).content)
    .join('\n');
}

/** The system instructions, else the system/developer messages an instrumentation left in the input. */
export function callSystemText(call: Pick<LlmCall, 'systemInstructions' | 'inputMessages'>): string {
  const own = systemText(call.systemInstructions);
  if (own !== '') return own;
  return call.inputMessages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => systemText(m.parts)).join('\n');
}

/** Words, runs of white space, and single other characters: a one-word edit is one token. */
export function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+|\s+|[^\p{L}\p{N}_\s]/gu) ?? [];
}
