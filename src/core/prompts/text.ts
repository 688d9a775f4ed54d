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

/**
 * A 53-bit string hash (cyrb53) as 14 hex digits: stable across processes and versions, with no
 * Node crypto (core is pure). Collisions among one prompt's few texts are out of reach in practice.
 */
export function textHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** Words, runs of white space, and single other characters: a one-word edit is one token. */
export function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+|\s+|[^\p{L}\p{N}_\s]/gu) ?? [];
}
