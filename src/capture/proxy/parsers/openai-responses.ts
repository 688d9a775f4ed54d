// OpenAI Responses API (POST …/responses). The request's `input` is a string or a list of items
// (messages, function calls and their outputs, reasoning); `instructions` are the system
// instructions. A stream is typed events ending with response.completed / .incomplete / .failed,
// which carry the whole response; when the stream stops before that, the output is rebuilt from
// the item and delta events that did arrive.

import type { ChatMessage, MessagePart } from '../../../core/model';
import { toMessage, toPart } from '../../../core/conventions/parts';
import { parseArgs } from '../../../core/conventions/values';
import type { SseEvent } from '../sse';
import { DeltaTemplates } from './fast-delta';
import { arr, errorFromBody, isRecord, MalformedEvents, eventObject, modelStreamRequest, obj, str, tokens, type Obj } from './common';
import { emptyResponse, type ApiParser, type ParsedRequest, type ParsedResponse, type TokenUsage } from './types';

const NOT_PARAMS = new Set(['model', 'input', 'instructions', 'tools', 'stream', 'stream_options', 'conversation', 'previous_response_id', 'metadata', 'user', 'prompt', 'include']);

function usage(u: unknown): TokenUsage {
  const x = obj(u);
  return {
    inputTokens: tokens(x.input_tokens),
    outputTokens: tokens(x.output_tokens),
    cachedInputTokens: tokens(obj(x.input_tokens_details).cached_tokens),
    cacheWriteTokens: null,
    reasoningTokens: tokens(obj(x.output_tokens_details).reasoning_tokens),
  };
}

/** One input item → a message. Items without a role (calls, call outputs) get the role of who produced them. */
function itemToMessage(item: unknown): ChatMessage | null {
  if (typeof item === 'string') return { role: 'user', parts: [{ type: 'text', content: item }] };
  const it = obj(item);
  const type = str(it.type);
  if (type === 'function_call' || type === 'custom_tool_call') return { role: 'assistant', parts: [toPart(it)] };
  if (type === 'function_call_output' || type === 'custom_tool_call_output') return { role: 'tool', parts: [toPart({ ...it, type: 'function_call_output' })] };
  if (type === 'reasoning') return { role: 'assistant', parts: [toPart(it)] };
  if (type === 'item_reference') return { role: 'user', parts: [{ type: 'item_reference', id: str(it.id) }] };
  return toMessage(it);
}

function parseRequest(body: unknown): ParsedRequest {
  const b = obj(body);
  const out = modelStreamRequest(b, NOT_PARAMS);
  if (typeof b.instructions === 'string' && b.instructions !== '') out.systemInstructions = [{ type: 'text', content: b.instructions }];
  if (typeof b.input === 'string') out.inputMessages = [{ role: 'user', parts: [{ type: 'text', content: b.input }] }];
  else out.inputMessages = arr(b.input).map(itemToMessage).filter((m): m is ChatMessage => m !== null);
  out.toolDefinitions = arr(b.tools);
  const conv = b.conversation;
  out.conversationId = typeof conv === 'string' ? conv : str(obj(conv).id);
  return out;
}

/** The output items of a response as one assistant message. */
function outputMessage(output: unknown[]): ChatMessage | null {
  const parts: MessagePart[] = [];
  for (const o of output) {
    const item = obj(o);
    if (item.type === 'message') {
      for (const c of arr(item.content)) parts.push(toPart(c));
    } else {
      parts.push(toPart(item));
    }
  }
  return parts.length > 0 ? { role: 'assistant', parts } : null;
}

function finishReason(resp: Obj, output: unknown[]): string | null {
  const status = str(resp.status);
  if (status === 'incomplete') {
    const reason = str(obj(resp.incomplete_details).reason);
    return reason === 'max_output_tokens' ? 'length' : (reason ?? 'incomplete');
  }
  if (status === 'failed') return 'error';
  if (status === 'cancelled') return 'cancelled';
  if (status !== 'completed') return null;
  return output.some((o) => obj(o).type === 'function_call') ? 'tool_calls' : 'stop';
}

function fromResponse(resp: Obj, out: ParsedResponse): void {
  out.responseId = str(resp.id) ?? out.responseId;
  out.responseModel = str(resp.model) ?? out.responseModel;
  if (isRecord(resp.usage)) out.usage = usage(resp.usage);
  const output = arr(resp.output);
  const msg = outputMessage(output);
  const fr = finishReason(resp, output);
  if (fr) {
    out.finishReasons = [fr];
    if (msg) msg.finish_reason = fr;
  }
  out.outputMessages = msg ? [msg] : [];
  if (isRecord(resp.error)) out.error = { type: str(resp.error.code) ?? 'response_failed', message: str(resp.error.message) ?? 'response failed' };
}

function parseJson(body: unknown): ParsedResponse {
  const out = emptyResponse();
  out.error = errorFromBody(body);
  if (!out.error) fromResponse(obj(body), out);
  return out;
}

const CONTENT_DELTAS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
  'response.audio.transcript.delta',
]);

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'response.cancelled']);

function parseEvents(events: SseEvent[]): ParsedResponse {
  const out = emptyResponse();
  let terminal = false;
  const malformed = new MalformedEvents();
  // For rebuilding output when no terminal event came: items by output_index, text by item id.
  const items = new Map<number, Obj>();
  const texts = new Map<string, string>();
  const fast = new DeltaTemplates<string>(
    [
      { marker: '"delta":"', kind: 'string', value: true },
      { marker: '"sequence_number":', kind: 'number', optional: true },
      { marker: '"obfuscation":"', kind: 'string', optional: true },
    ],
    8,
  );
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    const text = fast.match(ev.data);
    if (text !== undefined) {
      if (text !== '') {
        out.firstContentEnd ??= ev.end;
        out.lastContentEnd = ev.end;
        texts.set(fast.meta, (texts.get(fast.meta) ?? '') + text);
      }
      continue;
    }
    const data = eventObject(ev.data);
    if (data === undefined) {
      malformed.note(i);
      continue;
    }
    const type = str(data.type) ?? ev.event ?? '';
    if (CONTENT_DELTAS.has(type) && typeof data.delta === 'string') {
      const id = str(data.item_id) ?? '';
      fast.learn(ev.data, id);
      if (data.delta !== '') {
        out.firstContentEnd ??= ev.end;
        out.lastContentEnd = ev.end;
        texts.set(id, (texts.get(id) ?? '') + data.delta);
      }
    }
    if (type === 'response.created' || type === 'response.in_progress') {
      const r = obj(data.response);
      out.responseId ??= str(r.id);
      out.responseModel ??= str(r.model);
    } else if (type === 'response.output_item.added' || type === 'response.output_item.done') {
      if (typeof data.output_index === 'number' && isRecord(data.item)) items.set(data.output_index, data.item);
    } else if (TERMINAL.has(type)) {
      terminal = true;
      fromResponse(obj(data.response), out);
    } else if (type === 'error') {
      out.error = { type: str(data.code) ?? 'error', message: str(data.message) ?? 'stream error' };
    }
  }
  if (!terminal && items.size > 0) {
    const rebuilt = [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, item]) => rebuildItem(item, texts));
    const msg = outputMessage(rebuilt);
    out.outputMessages = msg ? [msg] : [];
  }
  malformed.reportTo(out.warnings);
  if (!terminal && !out.error) out.warnings.push('stream ended without response.completed');
  return out;
}

/** An item as last seen, completed with the deltas that arrived for it. */
function rebuildItem(item: Obj, texts: Map<string, string>): Obj {
  const id = str(item.id) ?? '';
  const streamed = texts.get(id);
  if (streamed === undefined) return item;
  if (item.type === 'function_call') return item.arguments ? item : { ...item, arguments: parseArgs(streamed) };
  if (item.type === 'message' && arr(item.content).length === 0) return { ...item, content: [{ type: 'output_text', text: streamed }] };
  if (item.type === 'reasoning' && arr(item.summary).length === 0) return { ...item, summary: [{ type: 'summary_text', text: streamed }] };
  return item;
}

export const openaiResponsesParser: ApiParser = {
  api: 'openai.responses',
  operation: 'chat',
  parseRequest,
  parseJson,
  parseEvents,
};
