// Logfire (Pydantic): LLM spans carry `logfire.msg` / `logfire.span_type` / `logfire.json_schema`
// and, besides the standard `gen_ai.*` scalars, the provider bodies as JSON: `request_data` (the
// OpenAI or Anthropic request) and `response_data` ({message, usage} for chat, {combined_chunk_content}
// for streams, {finish_reason, text, usage} for completions). Pydantic AI spans (instrumented through
// Logfire) put the conversation in an `events` JSON array of GenAI events with `event.name` inline,
// or in `pydantic_ai.all_messages`. Agent-run spans carry totals for many calls and are not a call.

import type { Attributes, ChatMessage, LlmCall } from '../model';
import { applyBodyUsage, readRequestBody, readResponseBody } from './bodies';
import { emptyCall } from './call';
import { genAiLooksLikeCall, readGenAiScalars } from './genai-base';
import { eventsToMessages, type MessageEvent } from './genai-deprecated';
import { toMessage, toMessages, toSystemParts, toToolDefinitions } from './parts';
import { inputStyleFor } from './usage-rules';
import { UNKNOWN, type ConventionReader, type Verdict } from './reader';
import { isAnthropicLike } from './usage';
import { isRecord, jsonArray, jsonObject, parseArgs, str } from './values';

function isLogfire(a: Attributes): boolean {
  return a['logfire.span_type'] !== undefined || a['logfire.msg'] !== undefined || a['logfire.msg_template'] !== undefined;
}

function isAgentRun(a: Attributes): boolean {
  return (
    a['agent_name'] !== undefined ||
    a['pydantic_ai.all_messages'] !== undefined ||
    a['all_messages_events'] !== undefined ||
    a['final_result'] !== undefined
  );
}

/** Logfire's Anthropic `response_data.message.tool_calls[].function.arguments` is `{"input": {...}}`. */
function unwrapAnthropicArgs(messages: ChatMessage[]): void {
  for (const m of messages) {
    for (const p of m.parts) {
      if (p.type !== 'tool_call') continue;
      const args = (p as { arguments: unknown }).arguments;
      if (isRecord(args) && Object.keys(args).length === 1 && 'input' in args) (p as { arguments: unknown }).arguments = parseArgs(args.input);
    }
  }
}

export const logfire: ConventionReader = {
  convention: 'logfire',

  classify(span): Verdict {
    const a = span.attributes;
    if (!isLogfire(a)) return UNKNOWN;
    if (isAgentRun(a)) return { kind: 'not-call', category: 'agent' };
    const req = jsonObject(a['request_data']);
    if (genAiLooksLikeCall(a) || (req !== null && typeof req.model === 'string')) {
      const op = str(a['gen_ai.operation.name']);
      return { kind: 'call', operation: op ?? 'chat' };
    }
    return UNKNOWN;
  },

  read(span): LlmCall {
    const a = span.attributes;
    const call = emptyCall('logfire');
    readGenAiScalars(call, a, inputStyleFor(span, 'includes'), span.scope.name);
    const req = jsonObject(a['request_data']);
    const res = jsonObject(a['response_data']);
    if (!call.provider && req && isAnthropicLike(null, str(req.model))) call.provider = 'anthropic';
    if (a['url'] === '/embeddings' || (req && 'input' in req && !('messages' in req) && /embed/i.test(str(req.model) ?? ''))) call.operation = 'embeddings';

    // Current GenAI attributes when Logfire sets them (newer releases); bodies fill the rest.
    if (a['gen_ai.input.messages'] !== undefined) call.inputMessages = toMessages(a['gen_ai.input.messages']);
    if (a['gen_ai.output.messages'] !== undefined) call.outputMessages = toMessages(a['gen_ai.output.messages'], 'assistant');
    if (a['gen_ai.system_instructions'] !== undefined) call.systemInstructions = toSystemParts(a['gen_ai.system_instructions']);
    if (a['gen_ai.tool.definitions'] !== undefined) call.toolDefinitions = toToolDefinitions(a['gen_ai.tool.definitions']);

    // Pydantic AI: `events` is a JSON array of GenAI events with their name inline.
    const events = jsonArray(a['events']);
    if (events && call.inputMessages.length === 0) {
      const evs: MessageEvent[] = events
        .filter(isRecord)
        .map((e, i) => ({ name: str(e['event.name']) ?? '', timeUs: i, body: e }))
        .filter((e) => e.name.startsWith('gen_ai.'));
      const { input, output } = eventsToMessages(evs);
      call.inputMessages = input;
      if (call.outputMessages.length === 0) call.outputMessages = output;
    }

    if (req) readRequestBody(call, req);
    // The provider's own usage object is the best witness (Anthropic cache figures live only there):
    // newer Logfire releases send it as `gen_ai.usage.raw`, older ones inside `response_data`.
    const rawUsage = jsonObject(a['gen_ai.usage.raw']);
    if (rawUsage) applyBodyUsage(call, rawUsage);
    if (res) {
      if (!rawUsage && isRecord(res.usage)) applyBodyUsage(call, res.usage);
      if (call.outputMessages.length === 0) {
        if (isRecord(res.message)) {
          const msg = toMessage({ ...res.message, role: str(res.message.role) ?? 'assistant' }, 'assistant');
          if (msg) {
            if (call.finishReasons.length === 1) msg.finish_reason = call.finishReasons[0]!;
            call.outputMessages = [msg];
          }
        } else if (typeof res.combined_chunk_content === 'string') {
          call.outputMessages = [{ role: 'assistant', parts: [{ type: 'text', content: res.combined_chunk_content }] }];
        } else if (typeof res.text === 'string') {
          const msg: ChatMessage = { role: 'assistant', parts: [{ type: 'text', content: res.text }] };
          const fr = str(res.finish_reason);
          if (fr) msg.finish_reason = fr;
          call.outputMessages = [msg];
        } else {
          readResponseBody(call, res);
        }
      }
    }
    if (call.provider === 'anthropic' || isAnthropicLike(call.provider, call.requestModel)) unwrapAnthropicArgs(call.outputMessages);
    if (call.finishReasons.length === 0) {
      call.finishReasons = call.outputMessages.map((m) => m.finish_reason).filter((f): f is string => typeof f === 'string');
    }
    return call;
  },
};
