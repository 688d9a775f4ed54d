// Anthropic Messages (POST …/v1/messages). Streams are reassembled from message_start,
// content_block_start/delta/stop (text, thinking, tool_use with input_json_delta fragments) and
// message_delta (stop_reason, cumulative usage). Anthropic's input_tokens exclude cache reads and
// writes; the canonical input count adds them back, so cached tokens are never billed twice.

import type { ChatMessage, MessagePart } from '../../../core/model';
import { toMessages, toPart, toSystemParts } from '../../../core/conventions/parts';
import { parseArgs } from '../../../core/conventions/values';
import type { SseEvent } from '../sse';
import { DeltaTemplates } from './fast-delta';
import { arr, errorFromBody, MalformedEvents, eventObject, modelStreamRequest, obj, str, sum, tokens, type Obj } from './common';
import { emptyResponse, type ApiParser, type ParsedRequest, type ParsedResponse, type TokenUsage } from './types';

const NOT_PARAMS = new Set(['model', 'messages', 'system', 'tools', 'stream', 'metadata', 'mcp_servers', 'container']);

interface RawUsage {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
}

/** Later usage objects override the fields they carry (message_delta usage is cumulative). */
function mergeUsage(into: RawUsage, u: unknown): void {
  const x = obj(u);
  into.input = tokens(x.input_tokens) ?? into.input;
  into.output = tokens(x.output_tokens) ?? into.output;
  into.cacheRead = tokens(x.cache_read_input_tokens) ?? into.cacheRead;
  into.cacheWrite = tokens(x.cache_creation_input_tokens) ?? into.cacheWrite;
}

function canonical(u: RawUsage): TokenUsage {
  return {
    inputTokens: u.input === null ? null : sum(u.input, u.cacheRead, u.cacheWrite),
    outputTokens: u.output,
    cachedInputTokens: u.cacheRead,
    cacheWriteTokens: u.cacheWrite,
    // Thinking tokens are billed as output and not reported apart.
    reasoningTokens: null,
  };
}

function parseRequest(body: unknown): ParsedRequest {
  const b = obj(body);
  const out = modelStreamRequest(b, NOT_PARAMS);
  out.systemInstructions = toSystemParts(b.system);
  out.inputMessages = toMessages(arr(b.messages));
  out.toolDefinitions = arr(b.tools);
  return out;
}

function finish(out: ParsedResponse, parts: MessagePart[], stopReason: string | null): void {
  const msg: ChatMessage = { role: 'assistant', parts };
  if (stopReason) {
    msg.finish_reason = stopReason;
    out.finishReasons = [stopReason];
  }
  if (parts.length > 0 || stopReason) out.outputMessages = [msg];
}

function parseJson(body: unknown): ParsedResponse {
  const out = emptyResponse();
  const b = obj(body);
  out.error = errorFromBody(body);
  if (out.error) return out;
  out.responseId = str(b.id);
  out.responseModel = str(b.model);
  const u: RawUsage = { input: null, output: null, cacheRead: null, cacheWrite: null };
  mergeUsage(u, b.usage);
  out.usage = canonical(u);
  finish(out, arr(b.content).map(toPart), str(b.stop_reason));
  return out;
}

interface BlockAcc {
  block: Obj;
  text: string;
  json: string;
}

function parseEvents(events: SseEvent[]): ParsedResponse {
  const out = emptyResponse();
  const u: RawUsage = { input: null, output: null, cacheRead: null, cacheWrite: null };
  const blocks = new Map<number, BlockAcc>();
  let stopReason: string | null = null;
  let stopped = false;
  const malformed = new MalformedEvents();
  // Pure deltas of one block: {"type":"content_block_delta","index":N,"delta":{"type":"…","text|thinking|partial_json":"…"}}.
  const fast = [
    new DeltaTemplates<{ index: number; json: boolean }>([{ marker: '"text":"', kind: 'string', value: true }]),
    new DeltaTemplates<{ index: number; json: boolean }>([{ marker: '"thinking":"', kind: 'string', value: true }]),
    new DeltaTemplates<{ index: number; json: boolean }>([{ marker: '"partial_json":"', kind: 'string', value: true }]),
  ];
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    if (ev.event === 'content_block_delta') {
      let k = 0;
      let text: string | undefined;
      for (; k < fast.length && text === undefined; k++) text = fast[k]!.match(ev.data);
      if (text !== undefined) {
        const meta = fast[k - 1]!.meta;
        const acc = blocks.get(meta.index);
        if (text !== '') {
          out.firstContentEnd ??= ev.end;
          out.lastContentEnd = ev.end;
          if (acc && meta.json) acc.json += text;
          else if (acc) acc.text += text;
        }
        continue;
      }
    }
    const data = eventObject(ev.data);
    if (data === undefined) {
      malformed.note(i);
      continue;
    }
    const type = str(data.type) ?? ev.event;
    switch (type) {
      case 'message_start': {
        const m = obj(data.message);
        out.responseId = str(m.id);
        out.responseModel = str(m.model);
        mergeUsage(u, m.usage);
        break;
      }
      case 'content_block_start': {
        const index = typeof data.index === 'number' ? data.index : blocks.size;
        blocks.set(index, { block: obj(data.content_block), text: '', json: '' });
        break;
      }
      case 'content_block_delta': {
        const acc = blocks.get(typeof data.index === 'number' ? data.index : -1);
        const d = obj(data.delta);
        let piece: string | null = null;
        if (d.type === 'text_delta') piece = str(d.text);
        else if (d.type === 'thinking_delta') piece = str(d.thinking);
        else if (d.type === 'input_json_delta') piece = str(d.partial_json);
        if (piece === null) break;
        if (typeof data.index === 'number' && Object.keys(data).length === 3 && Object.keys(d).length === 2) {
          const which = d.type === 'text_delta' ? 0 : d.type === 'thinking_delta' ? 1 : 2;
          fast[which]!.learn(ev.data, { index: data.index, json: which === 2 });
        }
        if (piece === '') break;
        out.firstContentEnd ??= ev.end;
        out.lastContentEnd = ev.end;
        if (!acc) break;
        if (d.type === 'input_json_delta') acc.json += piece;
        else acc.text += piece;
        break;
      }
      case 'message_delta': {
        stopReason = str(obj(data.delta).stop_reason) ?? stopReason;
        mergeUsage(u, data.usage);
        break;
      }
      case 'message_stop':
        stopped = true;
        break;
      case 'error':
        out.error = errorFromBody(data) ?? { type: 'error', message: 'stream error' };
        break;
      default:
        break;
    }
  }
  out.usage = canonical(u);
  const parts: MessagePart[] = [];
  for (const [, acc] of [...blocks.entries()].sort((a, b) => a[0] - b[0])) {
    const b = acc.block;
    if (b.type === 'text') parts.push({ type: 'text', content: acc.text });
    else if (b.type === 'thinking') parts.push({ type: 'reasoning', content: acc.text });
    else if (b.type === 'tool_use' || b.type === 'server_tool_use') {
      const input = acc.json === '' ? (b.input ?? {}) : parseArgs(acc.json);
      parts.push({ type: 'tool_call', id: str(b.id), name: str(b.name) ?? '', arguments: input });
    } else parts.push(toPart(b));
  }
  finish(out, parts, stopReason);
  malformed.reportTo(out.warnings);
  if (!stopped && !out.error) out.warnings.push('stream ended without message_stop');
  return out;
}

export const anthropicMessagesParser: ApiParser = {
  api: 'anthropic.messages',
  operation: 'chat',
  parseRequest,
  parseJson,
  parseEvents,
};
