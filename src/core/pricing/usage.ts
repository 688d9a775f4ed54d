// A call's token counts in the form pricing needs: the canonical partitions made consistent.

import type { LlmCall } from '../model';

/**
 * Token counts of one call, as the provider bills them. `input` includes `cacheRead` and
 * `cacheWrite`; `output` includes `reasoning` (the canonical semantics of src/core/model.ts).
 */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

function count(value: number | null): number {
  return value !== null && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The usage of a call whose input and output token counts are known, or null.
 *
 * Partitions larger than their total can only mean the source reported the total without them
 * (Anthropic's raw `input_tokens` excludes cache reads and writes; Gemini's `candidatesTokenCount`
 * excludes thoughts). Normalization should have fixed that already; if not, the parts are added
 * to the total here, which bills what the provider billed instead of failing the call.
 */
export function usageOf(call: LlmCall): TokenUsage | null {
  if (call.inputTokens === null || call.outputTokens === null) return null;
  const cacheRead = count(call.cachedInputTokens);
  const cacheWrite = count(call.cacheWriteTokens);
  const reasoning = count(call.reasoningTokens);
  let input = count(call.inputTokens);
  let output = count(call.outputTokens);
  if (cacheRead + cacheWrite > input) input += cacheRead + cacheWrite;
  if (reasoning > output) output += reasoning;
  return { input, output, cacheRead, cacheWrite, reasoning };
}
