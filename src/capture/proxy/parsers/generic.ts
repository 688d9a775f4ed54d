// Any other path: passed through and recorded as a generic call, with whatever is cheaply and
// safely readable — model, id, usage in the common shapes (OpenAI, Anthropic-style, Ollama),
// legacy completions text, Ollama's native chat/generate — and an operation named from the path.

import type { ChatMessage } from '../../../core/model';
import { toMessages } from '../../../core/conventions/parts';
import type { SseEvent } from '../sse';
import { chatUsage } from './openai-chat';
import { arr, errorFromBody, isRecord, obj, requestParams, str, tokens, type Obj } from './common';
import { emptyRequest, emptyResponse, type ApiParser, type ParsedRequest, type ParsedResponse } from './types';

const KNOWN_OPERATIONS: Record<string, string> = {
  completions: 'text_completion',
  'api.generate': 'text_completion',
  'api.chat': 'chat',
  'api.embed': 'embeddings',
  'api.embeddings': 'embeddings',
};

function isIdLike(s: string): boolean {
  return s.length > 24 || (s.length >= 8 && /\d/.test(s));
}

/** A low-cardinality operation name from a path: version segments and id-like segments dropped. */
export function operationFromPath(path: string): string {
  const segments = path
    .split('?')[0]!
    .split('/')
    .filter((s) => s !== '' && !/^v\d+[a-z0-9]*$/i.test(s) && !isIdLike(s));
  const name = segments.slice(-2).join('.') || 'request';
  const last = segments.at(-1) ?? '';
  return KNOWN_OPERATIONS[name] ?? KNOWN_OPERATIONS[last] ?? name;
}

const NOT_PARAMS = new Set(['model', 'messages', 'prompt', 'input', 'tools', 'stream', 'stream_options', 'images', 'suffix', 'system', 'context']);

function parseRequest(body: unknown): ParsedRequest {
  const out = emptyRequest();
  if (!isRecord(body)) return out;
  out.requestModel = str(body.model);
  out.stream = body.stream === true;
  out.params = requestParams(body, NOT_PARAMS);
  if (isRecord(body.options)) Object.assign(out.params, requestParams(body.options, NOT_PARAMS));
  delete out.params.options;
  if (Array.isArray(body.messages)) out.inputMessages = toMessages(body.messages);
  else if (typeof body.prompt === 'string') out.inputMessages = [{ role: 'user', parts: [{ type: 'text', content: body.prompt }] }];
  if (typeof body.system === 'string') out.systemInstructions = [{ type: 'text', content: body.system }];
  out.toolDefinitions = arr(body.tools);
  return out;
}

function readUsage(b: Obj, out: ParsedResponse): void {
  if (isRecord(b.usage)) {
    const u = b.usage;
    if (u.prompt_tokens !== undefined || u.completion_tokens !== undefined) out.usage = chatUsage(u);
    else {
      out.usage.inputTokens = tokens(u.input_tokens);
      out.usage.outputTokens = tokens(u.output_tokens);
    }
  } else if (b.prompt_eval_count !== undefined || b.eval_count !== undefined) {
    out.usage.inputTokens = tokens(b.prompt_eval_count);
    out.usage.outputTokens = tokens(b.eval_count);
  }
}

function textOf(b: Obj): string | null {
  const choice = obj(arr(b.choices)[0]);
  return str(choice.text) ?? str(obj(b.message).content) ?? str(b.response);
}

function finishOf(b: Obj): string | null {
  return str(obj(arr(b.choices)[0]).finish_reason) ?? str(b.done_reason);
}

function parseJson(body: unknown): ParsedResponse {
  const out = emptyResponse();
  out.error = errorFromBody(body);
  if (!isRecord(body)) return out;
  out.responseModel = str(body.model);
  out.responseId = str(body.id);
  readUsage(body, out);
  const text = textOf(body);
  const fr = finishOf(body);
  if (fr) out.finishReasons = [fr];
  if (text !== null) {
    const msg: ChatMessage = { role: 'assistant', parts: [{ type: 'text', content: text }] };
    if (fr) msg.finish_reason = fr;
    out.outputMessages = [msg];
  }
  return out;
}

function parseEvents(events: SseEvent[]): ParsedResponse {
  const out = emptyResponse();
  let text = '';
  let fr: string | null = null;
  let unreadable = 0;
  for (const ev of events) {
    if (ev.data === '[DONE]') continue;
    let v: unknown;
    try {
      v = JSON.parse(ev.data);
    } catch {
      unreadable++;
      continue;
    }
    if (!isRecord(v)) continue;
    const err = errorFromBody(v);
    if (err) out.error = err;
    out.responseModel ??= str(v.model);
    out.responseId ??= str(v.id);
    readUsage(v, out);
    const piece = textOf(v);
    if (piece) {
      text += piece;
      out.firstContentEnd ??= ev.end;
      out.lastContentEnd = ev.end;
    }
    fr = finishOf(v) ?? fr;
  }
  if (text !== '' || fr) {
    const msg: ChatMessage = { role: 'assistant', parts: text ? [{ type: 'text', content: text }] : [] };
    if (fr) {
      msg.finish_reason = fr;
      out.finishReasons = [fr];
    }
    out.outputMessages = [msg];
  }
  // Events need not be JSON on an unknown API, so this is a note, not a parse failure.
  if (unreadable > 0 && unreadable === events.length) out.warnings.push('event stream data is not JSON; recorded as received');
  return out;
}

export function genericParser(path: string): ApiParser {
  return { api: 'generic', operation: operationFromPath(path), parseRequest, parseJson, parseEvents };
}
