// Provider request and response bodies (as JSON) → call fields. Several conventions carry whole
// bodies instead of messages: Logfire's `request_data` / `response_data`, OpenInference's
// `input.value` / `output.value` with a JSON mime type. Recognised: OpenAI Chat Completions,
// Completions, Embeddings and Responses; Anthropic Messages; Gemini generateContent.

import type { ChatMessage, LlmCall } from '../model';
import { addParams } from './call';
import { contentToParts, toMessage, toMessages, toPart, toSystemParts, toToolDefinitions } from './parts';
import { normalizeUsage, type RawUsage } from './usage';
import { count, isRecord, str } from './values';

type Body = Record<string, unknown>;

export function readRequestBody(call: LlmCall, body: Body): void {
  call.requestModel ??= str(body.model);
  const { generationConfig, config, ...rest } = body;
  addParams(call, rest);
  // Gemini nests its sampling parameters (REST: generationConfig; google-genai: config).
  if (isRecord(generationConfig)) addParams(call, generationConfig);
  if (isRecord(config)) {
    const { system_instruction: _si, tools, http_options: _h, ...sampling } = config;
    addParams(call, sampling);
    if (call.toolDefinitions.length === 0 && Array.isArray(tools)) call.toolDefinitions = toToolDefinitions(tools);
  }
  if (call.toolDefinitions.length === 0 && Array.isArray(body.tools)) call.toolDefinitions = toToolDefinitions(body.tools);
  if (call.toolDefinitions.length === 0 && Array.isArray(body.functions)) call.toolDefinitions = toToolDefinitions(body.functions);

  if (call.inputMessages.length === 0) {
    if (Array.isArray(body.messages)) {
      call.inputMessages = toMessages(body.messages);
    } else if (body.input !== undefined && body.input !== null) {
      call.inputMessages = responsesInput(body.input);
    } else if (body.prompt !== undefined && body.prompt !== null) {
      const prompts = Array.isArray(body.prompt) ? body.prompt : [body.prompt];
      call.inputMessages = prompts.filter((p): p is string => typeof p === 'string').map((p) => ({ role: 'user', parts: [{ type: 'text', content: p }] }));
    } else if (Array.isArray(body.contents)) {
      call.inputMessages = body.contents.map((c) => geminiContent(c, 'user')).filter((m): m is ChatMessage => m !== null);
    }
  }
  if (call.systemInstructions.length === 0) {
    if (body.system !== undefined) call.systemInstructions = toSystemParts(body.system);
    else if (typeof body.instructions === 'string') call.systemInstructions = toSystemParts(body.instructions);
    else if (isRecord(body.systemInstruction)) call.systemInstructions = (geminiContent(body.systemInstruction, 'system')?.parts ?? []);
    // google-genai's request model (Google ADK): {config: {system_instruction}}.
    else if (isRecord(body.config) && body.config.system_instruction !== undefined) {
      const si = body.config.system_instruction;
      call.systemInstructions = isRecord(si) ? (geminiContent(si, 'system')?.parts ?? []) : toSystemParts(si);
    }
  }
}

/** Responses API `input`: a string, or items (messages, function calls, function call outputs). */
function responsesInput(input: unknown): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', parts: [{ type: 'text', content: input }] }];
  if (!Array.isArray(input)) return [];
  // Embeddings input: a list of strings, one text part each.
  if (input.every((x) => typeof x === 'string')) {
    return [{ role: 'user', parts: input.map((t) => ({ type: 'text', content: t as string })) }];
  }
  const out: ChatMessage[] = [];
  for (const item of input) {
    if (!isRecord(item)) continue;
    const type = str(item.type);
    if (type === 'function_call') out.push({ role: 'assistant', parts: [toPart(item)] });
    else if (type === 'function_call_output') out.push({ role: 'tool', parts: [toPart(item)] });
    else if (type === 'reasoning') out.push({ role: 'assistant', parts: [toPart(item)] });
    else {
      const m = toMessage(item);
      if (m) out.push(m);
    }
  }
  return out;
}

/** A Gemini content: REST camelCase, or google-genai's Python models dumped in snake_case (ADK). */
export function geminiContent(c: unknown, defaultRole: string): ChatMessage | null {
  if (!isRecord(c) || !Array.isArray(c.parts)) return null;
  const role = str(c.role) === 'model' ? 'assistant' : (str(c.role) ?? defaultRole);
  const parts = c.parts.map((p) => {
    if (!isRecord(p)) return toPart(p);
    const field = (camel: string, snake: string): Record<string, unknown> | null => (isRecord(p[camel]) ? p[camel] : isRecord(p[snake]) ? p[snake] : null);
    if (typeof p.text === 'string') return p.thought === true ? { type: 'reasoning', content: p.text } : { type: 'text', content: p.text };
    const fc = field('functionCall', 'function_call');
    if (fc) return { type: 'tool_call', id: str(fc.id), name: str(fc.name) ?? '', arguments: fc.args ?? null };
    const fr = field('functionResponse', 'function_response');
    if (fr) return { type: 'tool_call_response', id: str(fr.id), response: fr.response ?? null };
    const inline = field('inlineData', 'inline_data');
    if (inline) {
      const mime = str(inline.mimeType) ?? str(inline.mime_type);
      return { type: 'blob', modality: mime?.split('/')[0] ?? 'file', ...(mime ? { mime_type: mime } : {}), content: str(inline.data) ?? '' };
    }
    const file = field('fileData', 'file_data');
    if (file) return { type: 'uri', modality: 'file', uri: str(file.fileUri) ?? str(file.file_uri) ?? '' };
    return { type: 'unknown', ...p };
  });
  return { role, parts };
}

/** Usage object of any known provider → raw usage with the provider's own input semantics. */
export function usageFromBody(u: unknown): { raw: RawUsage; anthropic: boolean } | null {
  if (!isRecord(u)) return null;
  if ('prompt_tokens' in u || 'completion_tokens' in u) {
    const pd = isRecord(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
    const cd = isRecord(u.completion_tokens_details) ? u.completion_tokens_details : {};
    return {
      raw: { input: count(u.prompt_tokens), output: count(u.completion_tokens), cacheRead: count(pd.cached_tokens), cacheWrite: null, reasoning: count(cd.reasoning_tokens), total: count(u.total_tokens) },
      anthropic: false,
    };
  }
  if ('cache_read_input_tokens' in u || 'cache_creation_input_tokens' in u) {
    return {
      raw: { input: count(u.input_tokens), output: count(u.output_tokens), cacheRead: count(u.cache_read_input_tokens), cacheWrite: count(u.cache_creation_input_tokens), reasoning: null },
      anthropic: true,
    };
  }
  if ('input_tokens' in u || 'output_tokens' in u) {
    // OpenAI Responses API (or Anthropic without cache fields: then nothing to add either way).
    const id = isRecord(u.input_tokens_details) ? u.input_tokens_details : {};
    const od = isRecord(u.output_tokens_details) ? u.output_tokens_details : {};
    return {
      raw: { input: count(u.input_tokens), output: count(u.output_tokens), cacheRead: count(id.cached_tokens), cacheWrite: null, reasoning: count(od.reasoning_tokens), total: count(u.total_tokens) },
      anthropic: false,
    };
  }
  if ('promptTokenCount' in u || 'candidatesTokenCount' in u) {
    const input = count(u.promptTokenCount);
    const thoughts = count(u.thoughtsTokenCount);
    const cand = count(u.candidatesTokenCount);
    return {
      raw: { input, output: cand === null ? null : cand + (thoughts ?? 0), cacheRead: count(u.cachedContentTokenCount), cacheWrite: null, reasoning: thoughts },
      anthropic: false,
    };
  }
  return null;
}

export function applyBodyUsage(call: LlmCall, u: unknown): boolean {
  const found = usageFromBody(u);
  if (!found) return false;
  const n = normalizeUsage(found.raw, found.anthropic ? 'excludes' : 'includes', call.provider, call.responseModel ?? call.requestModel);
  call.inputTokens = n.inputTokens;
  call.outputTokens = n.outputTokens;
  call.cachedInputTokens = n.cachedInputTokens;
  call.cacheWriteTokens = n.cacheWriteTokens;
  call.reasoningTokens = n.reasoningTokens;
  return true;
}

/** A provider response body (non-streamed, or reassembled) → outputs, ids, usage. */
export function readResponseBody(call: LlmCall, body: Body): void {
  call.responseModel ??= str(body.model) ?? str(body.modelVersion);
  call.responseId ??= str(body.id) ?? str(body.responseId);
  if (call.inputTokens === null && call.outputTokens === null) applyBodyUsage(call, body.usage ?? body.usageMetadata);
  if (call.outputMessages.length > 0) return;

  if (Array.isArray(body.choices)) {
    for (const c of body.choices) {
      if (!isRecord(c)) continue;
      const fr = str(c.finish_reason);
      let msg: ChatMessage | null = null;
      if (isRecord(c.message)) msg = toMessage({ ...c.message, role: str(c.message.role) ?? 'assistant' }, 'assistant');
      else if (typeof c.text === 'string') msg = { role: 'assistant', parts: [{ type: 'text', content: c.text }] };
      if (!msg) continue;
      if (fr) msg.finish_reason = fr;
      call.outputMessages.push(msg);
    }
  } else if (body.type === 'message' && Array.isArray(body.content)) {
    // Anthropic Messages
    const msg: ChatMessage = { role: str(body.role) ?? 'assistant', parts: contentToParts(body.content) };
    const fr = str(body.stop_reason);
    if (fr) msg.finish_reason = fr;
    call.outputMessages.push(msg);
  } else if (Array.isArray(body.output)) {
    // OpenAI Responses: every output item belongs to one assistant turn.
    const parts = [];
    for (const item of body.output) {
      if (!isRecord(item)) continue;
      if (item.type === 'message' && Array.isArray(item.content)) parts.push(...item.content.map(toPart));
      else parts.push(toPart(item));
    }
    const msg: ChatMessage = { role: 'assistant', parts };
    const status = str(body.status);
    if (status) msg.finish_reason = status === 'completed' ? 'stop' : status === 'incomplete' ? 'length' : status;
    call.outputMessages.push(msg);
  } else if (Array.isArray(body.candidates)) {
    for (const c of body.candidates) {
      if (!isRecord(c)) continue;
      const msg = geminiContent(c.content, 'assistant');
      if (!msg) continue;
      const fr = str(c.finishReason);
      if (fr) msg.finish_reason = fr.toLowerCase();
      call.outputMessages.push(msg);
    }
  }
  if (call.finishReasons.length === 0) {
    call.finishReasons = call.outputMessages.map((m) => m.finish_reason).filter((f): f is string => typeof f === 'string');
  }
}
