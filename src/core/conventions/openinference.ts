// OpenInference (Arize Phoenix): `openinference.span.kind`, `llm.model_name`, `llm.provider` /
// `llm.system`, `llm.invocation_parameters` (JSON), `llm.input_messages.N.message.{role,content,
// name,tool_call_id,contents.M.message_content.*,tool_calls.M.tool_call.{id,function.name,
// function.arguments}}`, `llm.output_messages...`, `llm.token_count.*`, `llm.tools.N.tool.json_schema`,
// `input.value` / `output.value` with their mime types, `session.id`, `llm.prompt_template.*`.

import type { AttrValue, Attributes, ChatMessage, LlmCall, MessagePart, SpanCategory } from '../model';
import { addParams, applyUsage, emptyCall } from './call';
import { readRequestBody, readResponseBody } from './bodies';
import { contentToParts, toPart } from './parts';
import { UNKNOWN, type ConventionReader, type Verdict } from './reader';
import { normalizeUsage } from './usage';
import { inputStyleFor } from './usage-rules';
import { firstCount, firstStr, hasPrefix, indexedGroups, jsonObject, parseArgs, parseJson, str, withPrefix } from './values';

const KIND_CATEGORY: Record<string, SpanCategory> = {
  LLM: 'llm',
  EMBEDDING: 'embedding',
  TOOL: 'tool',
  AGENT: 'agent',
  RETRIEVER: 'retriever',
  RERANKER: 'retriever',
  CHAIN: 'chain',
  GUARDRAIL: 'other',
  EVALUATOR: 'other',
  PROMPT: 'chain',
};

function contentPart(c: Record<string, AttrValue>): MessagePart {
  const type = str(c['message_content.type']) ?? 'text';
  if (type === 'text') return { type: 'text', content: str(c['message_content.text']) ?? '' };
  if (type === 'image') {
    const url = str(c['message_content.image.image.url']);
    if (url !== null) return toPart({ type: 'image_url', image_url: { url } });
  }
  if (type === 'reasoning' || type === 'thinking') return { type: 'reasoning', content: str(c['message_content.text']) ?? '' };
  const generic: MessagePart = { type };
  for (const [k, v] of Object.entries(c)) if (k !== 'message_content.type') generic[k.replace(/^message_content\./, '')] = v;
  return generic;
}

function indexedMessages(attrs: Attributes, prefix: string, defaultRole: string): ChatMessage[] {
  return indexedGroups(attrs, prefix).map((g) => {
    const m = withPrefix(g, 'message.');
    const role = str(m.role) ?? defaultRole;
    const toolCallId = str(m.tool_call_id);
    let parts: MessagePart[];
    // A tool message's content is a tool's result, with or without the id it answers
    // (OpenInference's LangChain.js instrumentation sends none).
    if (role === 'tool' && m.content !== undefined && !hasPrefix(m, 'contents.')) {
      parts = [{ type: 'tool_call_response', id: toolCallId, response: m.content ?? null }];
    } else {
      const contents = indexedGroups(m, 'contents.');
      parts = contents.length > 0 ? contents.map(contentPart) : contentToParts(m.content);
    }
    for (const tc of indexedGroups(m, 'tool_calls.')) {
      parts.push({
        type: 'tool_call',
        id: str(tc['tool_call.id']),
        name: str(tc['tool_call.function.name']) ?? '',
        arguments: parseArgs(tc['tool_call.function.arguments']),
      });
    }
    if (m.function_call_name !== undefined) {
      parts.push({ type: 'tool_call', id: null, name: str(m.function_call_name) ?? '', arguments: parseArgs(m.function_call_arguments_json) });
    }
    const msg: ChatMessage = { role, parts };
    const name = str(m.name);
    if (name) msg.name = name;
    return msg;
  });
}

/** `input.value` / `output.value`: a JSON body when the mime type says so, else plain text. */
function valueOf(a: Attributes, key: 'input' | 'output'): { json: Record<string, unknown> | null; text: string | null } {
  const v = a[`${key}.value`];
  const mime = str(a[`${key}.mime_type`]);
  if (v === undefined || v === null) return { json: null, text: null };
  if (mime === 'application/json' || (mime === null && typeof v === 'string' && v.trimStart().startsWith('{'))) {
    const obj = jsonObject(v);
    if (obj) return { json: obj, text: null };
  }
  return { json: null, text: str(v) };
}

export const openinference: ConventionReader = {
  convention: 'openinference',

  classify(span): Verdict {
    const a = span.attributes;
    const kind = str(a['openinference.span.kind'])?.toUpperCase() ?? null;
    if (kind === 'LLM') return { kind: 'call', operation: 'chat' };
    if (kind === 'EMBEDDING') return { kind: 'call', operation: 'embeddings' };
    if (kind !== null) return { kind: 'not-call', category: KIND_CATEGORY[kind] ?? 'other' };
    if (hasPrefix(a, 'llm.input_messages.') || hasPrefix(a, 'llm.output_messages.') || hasPrefix(a, 'llm.token_count.') || a['llm.model_name'] !== undefined) {
      return { kind: 'call', operation: 'chat' };
    }
    return UNKNOWN;
  },

  read(span): LlmCall {
    const a = span.attributes;
    const isEmbedding = str(a['openinference.span.kind'])?.toUpperCase() === 'EMBEDDING';
    const call = emptyCall('openinference', isEmbedding ? 'embeddings' : 'chat');
    call.provider = firstStr(a, 'llm.provider', 'llm.system');
    const invocation = jsonObject(a['llm.invocation_parameters']) ?? {};
    call.requestModel = firstStr(a, 'llm.request.model_name') ?? str(invocation.model) ?? firstStr(a, 'llm.model_name', 'embedding.model_name');
    call.responseModel = firstStr(a, 'llm.response.model_name', 'llm.model_name', 'embedding.model_name');
    addParams(call, invocation);

    applyUsage(
      call,
      normalizeUsage(
        {
          input: firstCount(a, 'llm.token_count.prompt'),
          output: firstCount(a, 'llm.token_count.completion'),
          cacheRead: firstCount(a, 'llm.token_count.prompt_details.cache_read'),
          cacheWrite: firstCount(a, 'llm.token_count.prompt_details.cache_write'),
          reasoning: firstCount(a, 'llm.token_count.completion_details.reasoning'),
          total: firstCount(a, 'llm.token_count.total'),
        },
        inputStyleFor(span, 'includes'),
        call.provider,
        call.responseModel,
      ),
    );

    call.inputMessages = indexedMessages(a, 'llm.input_messages.', 'user');
    call.outputMessages = indexedMessages(a, 'llm.output_messages.', 'assistant');
    const finish = firstStr(a, 'llm.finish_reason');
    if (finish) {
      call.finishReasons = [finish];
      if (call.outputMessages[0]) call.outputMessages[0].finish_reason ??= finish;
    }

    if (isEmbedding && call.inputMessages.length === 0) {
      const texts = indexedGroups(a, 'embedding.embeddings.').map((g) => str(g['embedding.text'])).filter((t): t is string => t !== null);
      if (texts.length > 0) call.inputMessages = [{ role: 'user', parts: texts.map((t) => ({ type: 'text', content: t })) }];
    }

    // Without indexed messages, fall back on the raw input/output values.
    const input = valueOf(a, 'input');
    const output = valueOf(a, 'output');
    if (input.json) readRequestBody(call, input.json);
    else if (call.inputMessages.length === 0 && input.text) call.inputMessages = [{ role: 'user', parts: [{ type: 'text', content: input.text }] }];
    if (output.json) readResponseBody(call, output.json);
    else if (call.outputMessages.length === 0 && output.text) call.outputMessages = [{ role: 'assistant', parts: [{ type: 'text', content: output.text }] }];

    call.toolDefinitions = indexedGroups(a, 'llm.tools.')
      .map((g) => g['tool.json_schema'])
      .filter((s) => s !== undefined)
      .map((s) => parseJson(s) ?? s);
    if (call.toolDefinitions.length === 0 && Array.isArray(invocation.tools)) call.toolDefinitions = invocation.tools;

    call.conversationId = firstStr(a, 'session.id');
    call.promptName = firstStr(a, 'llm.prompt_template.name', 'prompt.id');
    call.promptVersion = firstStr(a, 'llm.prompt_template.version');
    return call;
  },
};
