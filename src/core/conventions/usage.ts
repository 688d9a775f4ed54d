// Token usage, made to mean one thing whatever convention reported it.
//
// In an LlmCall:
//   inputTokens  = every input token, cached reads and cache writes included;
//   outputTokens = every output token, reasoning tokens included;
//   cachedInputTokens, cacheWriteTokens are subsets of inputTokens;
//   reasoningTokens is a subset of outputTokens.
// Pricing relies on this: it bills (input - cached - cacheWrite) at the input rate and the two
// subsets at theirs, so a cached token is never counted twice.
//
// Providers disagree. OpenAI's prompt_tokens already includes cached tokens; Anthropic's
// input_tokens excludes both cache reads and cache writes. The GenAI spec says
// gen_ai.usage.input_tokens SHOULD include them whatever the provider, and most instrumentations
// now do; those that copy Anthropic's raw figure are listed in usage-rules.ts, read from their
// source. Gemini's candidates count excludes thinking tokens.

export interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
}

export interface RawUsage {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  reasoning: number | null;
  /** A reported total, used only to tell which way the input figure was counted. */
  total?: number | null;
}

/**
 * How the reported input figure treats cache tokens:
 * - 'includes': it is the total (OpenAI, GenAI spec, OpenInference, Vercel AI SDK v6);
 * - 'excludes': it is Anthropic's raw input_tokens, so cache reads and writes are added;
 * - 'auto': 'excludes' for Anthropic models (any provider hosting Claude), else 'includes'; only
 *   for sources known to pass provider figures through (the Vercel AI SDK before v6).
 * Whatever the style, an input figure smaller than its own cache subsets cannot include them,
 * and is corrected.
 */
export type InputStyle = 'includes' | 'excludes' | 'auto';

const EMPTY: Usage = { inputTokens: null, outputTokens: null, cachedInputTokens: null, cacheWriteTokens: null, reasoningTokens: null };

export function isAnthropicLike(provider: string | null, model: string | null): boolean {
  if (provider && /anthropic|claude/i.test(provider)) return true;
  return model !== null && /(^|[./:])claude/i.test(model);
}

function isGeminiLike(provider: string | null, model: string | null): boolean {
  if (provider && /gemini|vertex|google|gcp/i.test(provider)) return true;
  return model !== null && /(^|[./:])gemini/i.test(model);
}

export function normalizeUsage(raw: RawUsage, style: InputStyle, provider: string | null, model: string | null): Usage {
  if (raw.input === null && raw.output === null && raw.cacheRead === null && raw.cacheWrite === null && raw.reasoning === null) {
    return { ...EMPTY };
  }
  const cacheRead = raw.cacheRead;
  const cacheWrite = raw.cacheWrite;
  const cacheSum = (cacheRead ?? 0) + (cacheWrite ?? 0);
  let input = raw.input;
  if (input !== null && cacheSum > 0) {
    const excludes =
      style === 'excludes' ||
      (style === 'auto' && isAnthropicLike(provider, model)) ||
      input < cacheSum ||
      (raw.total != null && raw.output !== null && raw.total === input + raw.output + cacheSum);
    if (excludes) input += cacheSum;
  }
  let output = raw.output;
  const reasoning = raw.reasoning;
  if (output !== null && reasoning !== null && reasoning > 0) {
    const excludesReasoning =
      output < reasoning ||
      (isGeminiLike(provider, model) && raw.total != null && input !== null && raw.total === input + output + reasoning);
    if (excludesReasoning) output += reasoning;
  }
  return {
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: reasoning,
  };
}
