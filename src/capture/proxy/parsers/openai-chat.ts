// OpenAI Chat Completions (POST …/chat/completions), and every OpenAI-compatible server that
// speaks it (Azure OpenAI, Groq, OpenRouter, Ollama, vLLM, LM Studio, DeepSeek, …).
// Streams are reassembled from `data:` chunks: text, refusals, reasoning_content (DeepSeek, vLLM,
// OpenRouter `reasoning`), tool calls from their index/id/name/argument fragments, finish reasons,
// and the usage chunk that stream_options.include_usage adds before `data: [DONE]`.

import type { ChatMessage, MessagePart } from '../../../core/model';
import { toMessages } from '../../../core/conventions/parts';
import { parseArgs } from '../../../core/conventions/values';
import type { SseEvent } from '../sse';
import { DeltaTemplates } from './fast-delta';
import { arr, errorFromBody, isRecord, MalformedEvents, eventObject, modelStreamRequest, obj, str, tokens, type Obj } from './common';
import { emptyResponse, type ApiParser, type ParsedRequest, type ParsedResponse, type TokenUsage } from './types';

const NOT_PARAMS = new Set(['model', 'messages', 'tools', 'functions', 'stream', 'stream_options', 'user', 'metadata', 'prediction', 'audio']);

export function chatUsage(u: unknown): TokenUsage {
  const usage = obj(u);
  const promptDetails = obj(usage.prompt_tokens_details);
  const completionDetails = obj(usage.completion_tokens_details);
  return {
    // OpenAI's prompt_tokens already include cached ones; completion_tokens include reasoning.
    inputTokens: tokens(usage.prompt_tokens),
    outputTokens: tokens(usage.completion_tokens),
    cachedInputTokens: tokens(promptDetails.cached_tokens) ?? tokens(usage.prompt_cache_hit_tokens),
    cacheWriteTokens: null,
    reasoningTokens: tokens(completionDetails.reasoning_tokens),
  };
}

function parseRequest(body: unknown): ParsedRequest {
  const b = obj(body);
  const out = modelStreamRequest(b, NOT_PARAMS);
  // System and developer messages are part of the chat history here, so (per the GenAI
  // conventions) they stay in the input messages rather than in system instructions.
  out.inputMessages = toMessages(arr(b.messages));
  out.toolDefinitions = [...arr(b.tools), ...arr(b.functions).map((f) => ({ type: 'function', function: f }))];
  return out;
}

function parseJson(body: unknown): ParsedResponse {
  const out = emptyResponse();
  const b = obj(body);
  out.error = errorFromBody(body);
  out.responseModel = str(b.model);
  out.responseId = str(b.id);
  out.usage = chatUsage(b.usage);
  for (const c of arr(b.choices)) {
    const choice = obj(c);
    const fr = str(choice.finish_reason);
    if (fr) out.finishReasons.push(fr);
    const message = obj(choice.message);
    const [msg] = toMessages([{ ...message, role: str(message.role) ?? 'assistant' }], 'assistant');
    if (!msg) continue;
    const reasoning = str(message.reasoning_content) ?? str(message.reasoning);
    if (reasoning) msg.parts.unshift({ type: 'reasoning', content: reasoning });
    if (fr) msg.finish_reason = fr;
    out.outputMessages.push(msg);
  }
  return out;
}

interface ToolCallAcc {
  id: string | null;
  name: string;
  args: string;
}

interface ChoiceAcc {
  role: string;
  content: string;
  refusal: string;
  reasoning: string;
  tools: Map<number, ToolCallAcc>;
  finish: string | null;
}

function newChoice(): ChoiceAcc {
  return { role: 'assistant', content: '', refusal: '', reasoning: '', tools: new Map(), finish: null };
}

/** A chunk that only adds text to one choice: its bytes can serve as a template (fast-delta.ts). */
function pureContentIndex(chunk: Obj): number | null {
  if (chunk.usage !== undefined && chunk.usage !== null) return null;
  const choices = arr(chunk.choices);
  if (choices.length !== 1) return null;
  const c = obj(choices[0]);
  if ((c.finish_reason ?? null) !== null || (c.logprobs ?? null) !== null || typeof c.index !== 'number') return null;
  const delta = obj(c.delta);
  const keys = Object.keys(delta);
  return keys.length === 1 && keys[0] === 'content' && typeof delta.content === 'string' ? c.index : null;
}

function parseEvents(events: SseEvent[]): ParsedResponse {
  const out = emptyResponse();
  const choices = new Map<number, ChoiceAcc>();
  const fast = new DeltaTemplates<number>([
    { marker: '"delta":{"content":"', kind: 'string', value: true },
    { marker: '"obfuscation":"', kind: 'string', optional: true },
  ]);
  let done = false;
  const malformed = new MalformedEvents();
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    if (ev.data === '[DONE]') {
      done = true;
      continue;
    }
    const text = fast.match(ev.data);
    if (text !== undefined) {
      let acc = choices.get(fast.meta);
      if (!acc) choices.set(fast.meta, (acc = newChoice()));
      if (text !== '') {
        acc.content += text;
        out.firstContentEnd ??= ev.end;
        out.lastContentEnd = ev.end;
      }
      continue;
    }
    const chunk = eventObject(ev.data);
    if (chunk === undefined) {
      malformed.note(i);
      continue;
    }
    if (chunk.error !== undefined) {
      out.error = errorFromBody(chunk);
      continue;
    }
    out.responseId ??= str(chunk.id);
    out.responseModel ??= str(chunk.model);
    if (isRecord(chunk.usage)) out.usage = chatUsage(chunk.usage);
    let content = false;
    for (const c of arr(chunk.choices)) {
      const choice = obj(c);
      const index = typeof choice.index === 'number' ? choice.index : 0;
      let acc = choices.get(index);
      if (!acc) choices.set(index, (acc = newChoice()));
      const delta = obj(choice.delta);
      if (typeof delta.role === 'string') acc.role = delta.role;
      if (typeof delta.content === 'string' && delta.content !== '') {
        acc.content += delta.content;
        content = true;
      }
      if (typeof delta.refusal === 'string' && delta.refusal !== '') {
        acc.refusal += delta.refusal;
        content = true;
      }
      const reasoning = str(delta.reasoning_content) ?? str(delta.reasoning);
      if (reasoning) {
        acc.reasoning += reasoning;
        content = true;
      }
      for (const t of arr(delta.tool_calls)) {
        const tc = obj(t);
        const ti = typeof tc.index === 'number' ? tc.index : acc.tools.size;
        let tacc = acc.tools.get(ti);
        if (!tacc) {
          tacc = { id: null, name: '', args: '' };
          acc.tools.set(ti, tacc);
        }
        tacc.id ??= str(tc.id);
        const fn = obj(tc.function);
        if (typeof fn.name === 'string') tacc.name += fn.name;
        if (typeof fn.arguments === 'string') tacc.args += fn.arguments;
        content = true;
      }
      const fr = str(choice.finish_reason);
      if (fr) acc.finish = fr;
    }
    if (content) {
      out.firstContentEnd ??= ev.end;
      out.lastContentEnd = ev.end;
    }
    const pure = pureContentIndex(chunk);
    if (pure !== null) fast.learn(ev.data, pure);
  }
  for (const [, acc] of [...choices.entries()].sort((a, b) => a[0] - b[0])) {
    const parts: MessagePart[] = [];
    if (acc.reasoning) parts.push({ type: 'reasoning', content: acc.reasoning });
    if (acc.content) parts.push({ type: 'text', content: acc.content });
    if (acc.refusal) parts.push({ type: 'refusal', content: acc.refusal });
    for (const [, t] of [...acc.tools.entries()].sort((a, b) => a[0] - b[0])) {
      parts.push({ type: 'tool_call', id: t.id, name: t.name, arguments: parseArgs(t.args) });
    }
    const msg: ChatMessage = { role: acc.role, parts };
    if (acc.finish) {
      msg.finish_reason = acc.finish;
      out.finishReasons.push(acc.finish);
    }
    out.outputMessages.push(msg);
  }
  malformed.reportTo(out.warnings);
  if (!done && !out.error) out.warnings.push('stream ended without data: [DONE]');
  return out;
}

export const openaiChatParser: ApiParser = {
  api: 'openai.chat_completions',
  operation: 'chat',
  parseRequest,
  parseJson,
  parseEvents,
};
