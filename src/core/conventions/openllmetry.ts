// OpenLLMetry / Traceloop: indexed attributes `gen_ai.prompt.N.{role,content,tool_call_id,
// tool_calls.M.{id,name,arguments}}` and `gen_ai.completion.N.{role,content,finish_reason,
// tool_calls.M.*, function_call.*}`, `llm.request.type`, `llm.usage.total_tokens`,
// `llm.request.functions.N.{name,description,parameters}`, `gen_ai.usage.cache_*_input_tokens`,
// and the SDK's `traceloop.*` context (association properties, prompt registry, span kind).
// Newer OpenLLMetry releases emit current GenAI messages; this reader then contributes what only
// Traceloop says (session, prompt template) and the GenAI reader supplies the messages.

import type { AttrValue, Attributes, ChatMessage, LlmCall, MessagePart } from '../model';
import { emptyCall } from './call';
import { genAiLooksLikeCall, readGenAiScalars } from './genai-base';
import { contentToParts } from './parts';
import { inputStyleFor } from './usage-rules';
import { UNKNOWN, type ConventionReader, type Verdict } from './reader';
import { firstStr, hasPrefix, indexedGroups, parseArgs, parseJson, str, withPrefix } from './values';

const REQUEST_TYPE_TO_OPERATION: Record<string, string> = {
  chat: 'chat',
  completion: 'text_completion',
  embedding: 'embeddings',
  rerank: 'rerank',
};

const NON_CALL_KINDS: Record<string, 'chain' | 'agent' | 'tool'> = { workflow: 'chain', task: 'chain', agent: 'agent', tool: 'tool' };

function indexedToolCalls(group: Record<string, AttrValue>): MessagePart[] {
  const calls = indexedGroups(group, 'tool_calls.');
  const parts: MessagePart[] = calls.map((tc) => ({
    type: 'tool_call',
    id: str(tc.id),
    name: str(tc.name) ?? '',
    arguments: parseArgs(tc.arguments),
  }));
  // Legacy OpenAI function calling.
  if (group['function_call.name'] !== undefined) {
    parts.push({ type: 'tool_call', id: null, name: str(group['function_call.name']) ?? '', arguments: parseArgs(group['function_call.arguments']) });
  }
  return parts;
}

function indexedMessages(attrs: Attributes, prefix: string, defaultRole: string): ChatMessage[] {
  return indexedGroups(attrs, prefix).map((g) => {
    const role = str(g.role) ?? defaultRole;
    const toolCallId = str(g.tool_call_id);
    const parts: MessagePart[] =
      role === 'tool' && toolCallId !== null
        ? [{ type: 'tool_call_response', id: toolCallId, response: g.content ?? null }]
        : contentToParts(g.content);
    parts.push(...indexedToolCalls(g));
    const msg: ChatMessage = { role, parts };
    const fr = str(g.finish_reason);
    if (fr) msg.finish_reason = fr;
    return msg;
  });
}

function hasIndexed(a: Attributes): boolean {
  for (const k in a) if (/^gen_ai\.(prompt|completion)\.\d+\./.test(k)) return true;
  return false;
}

function hasTraceloopContext(a: Attributes): boolean {
  return hasPrefix(a, 'traceloop.association.properties.') || hasPrefix(a, 'traceloop.prompt.');
}

export const openllmetry: ConventionReader = {
  convention: 'openllmetry',

  classify(span): Verdict {
    const a = span.attributes;
    const kind = str(a['traceloop.span.kind']);
    if (kind !== null && kind in NON_CALL_KINDS) return { kind: 'not-call', category: NON_CALL_KINDS[kind]! };
    const reqType = str(a['llm.request.type']);
    if (hasIndexed(a) || reqType !== null || a['llm.usage.total_tokens'] !== undefined || hasPrefix(a, 'llm.request.functions.')) {
      return { kind: 'call', operation: (reqType && REQUEST_TYPE_TO_OPERATION[reqType]) ?? 'chat' };
    }
    if (hasTraceloopContext(a) && genAiLooksLikeCall(a)) return { kind: 'call', operation: 'chat' };
    return UNKNOWN;
  },

  read(span): LlmCall {
    const a = span.attributes;
    const reqType = str(a['llm.request.type']);
    const call = emptyCall('openllmetry', (reqType && REQUEST_TYPE_TO_OPERATION[reqType]) ?? 'chat');
    readGenAiScalars(call, a, inputStyleFor(span, 'includes'), span.scope.name);
    call.provider ??= firstStr(a, 'llm.vendor');

    // Older OpenLLMetry releases put these under llm.* rather than gen_ai.request.*.
    const legacy: Record<string, unknown> = {};
    if (a['llm.top_k'] !== undefined) legacy.top_k = a['llm.top_k'];
    if (a['llm.frequency_penalty'] !== undefined) legacy.frequency_penalty = a['llm.frequency_penalty'];
    if (a['llm.presence_penalty'] !== undefined) legacy.presence_penalty = a['llm.presence_penalty'];
    if (a['llm.chat.stop_sequences'] !== undefined) legacy.stop_sequences = a['llm.chat.stop_sequences'];
    for (const [k, v] of Object.entries(legacy)) {
      if (!(k in call.params) && v !== null && v !== undefined) call.params[k] = k === 'stop_sequences' && typeof v === 'string' ? (parseJson(v) as AttrValue) ?? v : v as AttrValue;
    }

    call.inputMessages = indexedMessages(a, 'gen_ai.prompt.', 'user');
    call.outputMessages = indexedMessages(a, 'gen_ai.completion.', 'assistant');
    if (call.finishReasons.length === 0) {
      call.finishReasons = call.outputMessages.map((m) => m.finish_reason).filter((f): f is string => typeof f === 'string');
    }

    call.toolDefinitions = indexedGroups(a, 'llm.request.functions.').map((f) => {
      const def: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(f)) def[k] = k === 'parameters' ? (parseJson(v) ?? v) : v;
      return def;
    });

    const assoc = withPrefix(a, 'traceloop.association.properties.');
    call.conversationId ??=
      str(assoc.session_id) ?? str(assoc.sessionId) ?? str(assoc.thread_id) ?? str(assoc.threadId) ?? str(assoc.conversation_id) ?? str(assoc.chat_id);
    call.promptName ??= firstStr(a, 'traceloop.prompt.key', 'traceloop.prompt.name', 'traceloop.prompt.template_name');
    call.promptVersion ??= firstStr(a, 'traceloop.prompt.version', 'traceloop.prompt.version_name');
    return call;
  },
};
