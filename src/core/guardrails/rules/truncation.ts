// Truncation: the model stopped at its token limit, or answered nothing at all.

import type { GuardrailHit, GuardrailSubject } from '../types';
import { partText } from '../text';

const LENGTH_REASONS = new Set(['length', 'max_tokens', 'max_output_tokens', 'model_length', 'token_limit', 'max_tokens_exceeded']);

function isLength(reason: string | undefined): boolean {
  return reason !== undefined && LENGTH_REASONS.has(reason.toLowerCase());
}

function maxTokens(params: GuardrailSubject['params']): number | null {
  for (const k of ['max_tokens', 'max_output_tokens', 'max_completion_tokens', 'maxOutputTokens', 'num_predict']) {
    const v = params[k];
    if (typeof v === 'number' && v > 0) return v;
  }
  return null;
}

export function truncationRule(call: GuardrailSubject): GuardrailHit[] {
  const out: GuardrailHit[] = [];
  if (call.operation && /embed/.test(call.operation)) return out;
  const messages = call.outputMessages;
  const perMessage = messages.map((m) => m.finish_reason);
  const flagged = new Set<number>();
  perMessage.forEach((r, i) => {
    if (isLength(r)) flagged.add(i);
  });
  const callReason = call.finishReasons.find(isLength);
  if (callReason && flagged.size === 0) flagged.add(Math.max(0, messages.length - 1));
  const limit = maxTokens(call.params);
  const hitLimit = flagged.size === 0 && call.finishReasons.length === 0 && limit !== null && call.outputTokens != null && call.outputTokens >= limit;
  if (hitLimit) flagged.add(Math.max(0, messages.length - 1));
  for (const i of flagged) {
    const msg = messages[i];
    const reason = perMessage[i] ?? callReason;
    const lastPart = msg ? msg.parts.length - 1 : -1;
    const text = lastPart >= 0 ? partText(msg!.parts[lastPart]!) : null;
    const location = msg
      ? text !== null
        ? { side: 'output' as const, messageIndex: i, partIndex: lastPart, start: text.length, end: text.length }
        : { side: 'output' as const, messageIndex: i }
      : { side: 'output' as const };
    out.push({
      rule: 'truncation.length',
      category: 'truncation',
      severity: 'medium',
      location,
      explanation: hitLimit ? `The output used all ${limit} tokens allowed (max_tokens): it was probably cut off` : `The output was cut off at the token limit (finish reason "${reason}")`,
    });
  }
  // Empty: content was captured (there are input messages) and the call did not fail, yet there is
  // no text and no tool call in the output.
  if (!call.errorType && call.inputMessages.length > 0 && flagged.size === 0) {
    const hasContent = messages.some((m) => m.parts.some((p) => p.type === 'tool_call' || (partText(p) ?? '').trim() !== ''));
    // No output messages with output tokens counted means the output was not captured, not empty.
    const known = messages.length > 0 || call.outputTokens === 0 || (call.outputTokens == null && call.finishReasons.length > 0);
    if (!hasContent && known) {
      out.push({ rule: 'truncation.empty', category: 'truncation', severity: 'medium', location: { side: 'output' }, explanation: messages.length === 0 ? 'The model returned no output' : 'The model returned an empty output' });
    }
  }
  return out;
}
