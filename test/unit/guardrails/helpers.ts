// Building calls and rule contexts for the guardrail tests.

import type { ChatMessage, MessagePart } from '../../../src/core/model';
import { collectTexts, loadGuardrailLibs, resolveGuardrailsConfig, type GuardrailsConfig, type GuardrailSubject } from '../../../src/core/guardrails';
import type { RuleContext } from '../../../src/core/guardrails/rules/context';

export interface CallParts {
  system?: string;
  user?: string | string[];
  tool?: unknown;
  output?: string;
  outputParts?: MessagePart[];
  extra?: Partial<GuardrailSubject>;
}

export function call(p: CallParts): GuardrailSubject {
  const input: ChatMessage[] = [];
  for (const u of typeof p.user === 'string' ? [p.user] : (p.user ?? [])) input.push({ role: 'user', parts: [{ type: 'text', content: u }] });
  if (p.tool !== undefined) {
    input.push({ role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'fetch', arguments: { url: 'https://example.org' } }] });
    input.push({ role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: p.tool }] });
  }
  const outputParts = p.outputParts ?? (p.output !== undefined ? [{ type: 'text', content: p.output }] : []);
  return {
    systemInstructions: p.system ? [{ type: 'text', content: p.system }] : [],
    inputMessages: input,
    outputMessages: outputParts.length > 0 ? [{ role: 'assistant', finish_reason: 'stop', parts: outputParts }] : [],
    finishReasons: ['stop'],
    params: {},
    toolDefinitions: [],
    ...p.extra,
  };
}

export async function ctx(config: GuardrailsConfig = {}): Promise<RuleContext> {
  return { libs: await loadGuardrailLibs(), config: resolveGuardrailsConfig(config) };
}

export const texts = collectTexts;

/** The text a hit covers. */
export function covered(subject: GuardrailSubject, h: { location: { side: string; messageIndex?: number; partIndex?: number; start?: number; end?: number } }): string {
  const t = collectTexts(subject).find((x) => x.side === h.location.side && x.messageIndex === h.location.messageIndex && x.partIndex === h.location.partIndex);
  return t ? t.text.slice(h.location.start, h.location.end) : '';
}
