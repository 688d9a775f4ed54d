// Building and combining LlmCall readings.

import type { AttrValue, Convention, LlmCall } from '../model';
import type { Usage } from './usage';
import { isRecord, strList, toAttrValue } from './values';

export function emptyCall(convention: Convention, operation = 'chat'): LlmCall {
  return {
    convention,
    operation,
    provider: null,
    requestModel: null,
    responseModel: null,
    responseId: null,
    params: {},
    inputTokens: null,
    outputTokens: null,
    cachedInputTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    ttftMs: null,
    finishReasons: [],
    systemInstructions: [],
    inputMessages: [],
    outputMessages: [],
    toolDefinitions: [],
    conversationId: null,
    promptName: null,
    promptVersion: null,
    errorType: null,
  };
}

export function applyUsage(call: LlmCall, u: Usage): void {
  call.inputTokens = u.inputTokens;
  call.outputTokens = u.outputTokens;
  call.cachedInputTokens = u.cachedInputTokens;
  call.cacheWriteTokens = u.cacheWriteTokens;
  call.reasoningTokens = u.reasoningTokens;
}

/**
 * Request parameters under one set of names whatever the source called them
 * (OpenAI body, GenAI `gen_ai.request.*`, Vercel `ai.settings.*`, OpenInference
 * invocation parameters): temperature, max_tokens, top_p, top_k, seed, stop_sequences,
 * frequency_penalty, presence_penalty, choice_count. Other keys are kept under their own name.
 */
const PARAM_ALIASES: Record<string, string> = {
  maxTokens: 'max_tokens',
  maxOutputTokens: 'max_tokens',
  max_output_tokens: 'max_tokens',
  max_completion_tokens: 'max_tokens',
  max_tokens_to_sample: 'max_tokens',
  maxCompletionTokens: 'max_tokens',
  topP: 'top_p',
  topK: 'top_k',
  stop: 'stop_sequences',
  stopSequences: 'stop_sequences',
  frequencyPenalty: 'frequency_penalty',
  presencePenalty: 'presence_penalty',
  n: 'choice_count',
  'choice.count': 'choice_count',
  candidateCount: 'choice_count',
};

/** Keys of request bodies that are content, not parameters: they are mapped elsewhere. */
const NOT_PARAMS = new Set(['model', 'messages', 'input', 'prompt', 'tools', 'functions', 'system', 'instructions', 'contents', 'systemInstruction']);

export function paramName(key: string): string {
  return PARAM_ALIASES[key] ?? key;
}

export function addParams(call: LlmCall, source: Record<string, unknown>, overwrite = false): void {
  for (const [key, value] of Object.entries(source)) {
    if (NOT_PARAMS.has(key) || value === undefined) continue;
    const name = paramName(key);
    const v: AttrValue | undefined = name === 'stop_sequences' ? strList(value) : toAttrValue(value);
    if (v === undefined || v === null) continue;
    if (name === 'stop_sequences' && Array.isArray(v) && v.length === 0) continue;
    if (!overwrite && name in call.params) continue;
    if (isRecord(v) && Object.keys(v).length === 0) continue;
    call.params[name] = v;
  }
}

/** How much a reading says: the dispatcher keeps the most complete one as the base. */
export function completeness(c: LlmCall): number {
  let s = 0;
  if (c.inputMessages.length > 0) s += 4;
  if (c.outputMessages.length > 0) s += 4;
  if (c.systemInstructions.length > 0) s += 1;
  if (c.toolDefinitions.length > 0) s += 1;
  if (c.requestModel) s += 1;
  if (c.responseModel) s += 1;
  if (c.responseId) s += 1;
  if (c.provider) s += 1;
  if (c.inputTokens !== null) s += 2;
  if (c.outputTokens !== null) s += 2;
  if (c.cachedInputTokens !== null) s += 1;
  if (c.cacheWriteTokens !== null) s += 1;
  if (c.reasoningTokens !== null) s += 1;
  if (c.finishReasons.length > 0) s += 1;
  if (c.ttftMs !== null) s += 1;
  if (c.conversationId) s += 1;
  if (c.promptName) s += 1;
  if (Object.keys(c.params).length > 0) s += 1;
  return s;
}

/**
 * Keeps `base` and fills what it lacks from `others`, best first. Token counts move as a group
 * when the base has none (their meanings depend on each other); otherwise a subset count is only
 * borrowed from a reading that agrees on the input total.
 */
export function fillGaps(base: LlmCall, others: LlmCall[]): LlmCall {
  const out: LlmCall = { ...base, params: { ...base.params } };
  for (const o of others) {
    if (out.inputTokens === null && out.outputTokens === null && (o.inputTokens !== null || o.outputTokens !== null)) {
      out.inputTokens = o.inputTokens;
      out.outputTokens = o.outputTokens;
      out.cachedInputTokens = o.cachedInputTokens;
      out.cacheWriteTokens = o.cacheWriteTokens;
      out.reasoningTokens = o.reasoningTokens;
    } else {
      const sameInput = o.inputTokens === null || o.inputTokens === out.inputTokens;
      const sameOutput = o.outputTokens === null || o.outputTokens === out.outputTokens;
      if (out.outputTokens === null && o.outputTokens !== null && sameInput) out.outputTokens = o.outputTokens;
      if (out.inputTokens === null && o.inputTokens !== null && sameOutput) out.inputTokens = o.inputTokens;
      if (sameInput && out.cachedInputTokens === null) out.cachedInputTokens = o.cachedInputTokens;
      if (sameInput && out.cacheWriteTokens === null) out.cacheWriteTokens = o.cacheWriteTokens;
      if (sameOutput && out.reasoningTokens === null) out.reasoningTokens = o.reasoningTokens;
    }
    out.provider ??= o.provider;
    out.requestModel ??= o.requestModel;
    out.responseModel ??= o.responseModel;
    out.responseId ??= o.responseId;
    out.ttftMs ??= o.ttftMs;
    out.conversationId ??= o.conversationId;
    out.promptName ??= o.promptName;
    out.promptVersion ??= o.promptVersion;
    out.errorType ??= o.errorType;
    if (out.operation === 'chat' && o.operation !== 'chat') out.operation = o.operation;
    if (out.finishReasons.length === 0) out.finishReasons = o.finishReasons;
    if (out.systemInstructions.length === 0) out.systemInstructions = o.systemInstructions;
    if (out.inputMessages.length === 0) out.inputMessages = o.inputMessages;
    if (out.outputMessages.length === 0) out.outputMessages = o.outputMessages;
    if (out.toolDefinitions.length === 0) out.toolDefinitions = o.toolDefinitions;
    for (const [k, v] of Object.entries(o.params)) if (!(k in out.params)) out.params[k] = v;
  }
  return out;
}
