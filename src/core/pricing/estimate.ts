// Token estimates for calls that report no usage (some instrumentations, failed or cancelled
// calls, providers that omit usage when streaming), so they can still be priced.

import type { ChatMessage, LlmCall } from '../model';
import { countTextTokens, encodingNameForModel, estimateOutputTokens, estimateTokens } from '../tokens';

export interface EstimatedCall {
  /** A copy of the call with missing token counts filled in (the call itself when none was missing). */
  call: LlmCall;
  /** True when a count in `call` was filled in by us rather than reported. */
  tokensEstimated: boolean;
}

const EMBEDDING_OPERATION = /embed/i;

function hasContent(messages: readonly ChatMessage[]): boolean {
  return messages.some((m) => (m.parts ?? []).length > 0);
}

function promptMessages(call: LlmCall): ChatMessage[] {
  const hasSystemMessage = call.inputMessages.some((m) => m.role === 'system' || m.role === 'developer');
  if (call.systemInstructions.length === 0 || hasSystemMessage) return call.inputMessages;
  return [{ role: 'system', parts: call.systemInstructions }, ...call.inputMessages];
}

/** Estimated prompt tokens: messages with chat framing, system instructions, tool definitions. */
export function estimatePromptTokens(call: LlmCall): number {
  const model = call.responseModel ?? call.requestModel;
  if (EMBEDDING_OPERATION.test(call.operation)) return estimateOutputTokens(call.inputMessages, model);
  let total = estimateTokens(promptMessages(call), model);
  if (call.toolDefinitions.length > 0) total += countTextTokens(JSON.stringify(call.toolDefinitions), model);
  return total;
}

/** Estimated completion tokens: the output messages' content (reasoning and tool calls included). */
export function estimateCompletionTokens(call: LlmCall): number {
  return estimateOutputTokens(call.outputMessages, call.responseModel ?? call.requestModel);
}

/**
 * Fills a call's missing `inputTokens` / `outputTokens` from its messages, counted with
 * js-tiktoken (see src/core/tokens.ts), and says whether it did.
 *
 * A missing side with no content to count becomes 0 (still an estimate, except the output of an
 * embeddings call, which is 0 by definition). When neither side is reported and there is nothing
 * to count, the call is returned unchanged: it cannot be priced.
 */
export function withEstimatedTokens(call: LlmCall): EstimatedCall {
  const needInput = call.inputTokens === null;
  const needOutput = call.outputTokens === null;
  if (!needInput && !needOutput) return { call, tokensEstimated: false };
  const inputKnowable = !needInput || hasContent(call.inputMessages) || call.systemInstructions.length > 0;
  const outputKnowable = !needOutput || hasContent(call.outputMessages);
  if (!inputKnowable && !outputKnowable) return { call, tokensEstimated: false };

  let estimated = false;
  let inputTokens = call.inputTokens;
  let outputTokens = call.outputTokens;
  if (needInput) {
    inputTokens = estimatePromptTokens(call);
    estimated = true;
  }
  if (needOutput) {
    outputTokens = estimateCompletionTokens(call);
    if (outputTokens > 0 || !EMBEDDING_OPERATION.test(call.operation)) estimated = true;
  }
  return { call: { ...call, inputTokens, outputTokens }, tokensEstimated: estimated };
}
