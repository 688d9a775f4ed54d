// A fake Anthropic Messages API speaking the real wire format: JSON messages and SSE streams
// with `event:` names (message_start, content_block_start, ping, content_block_delta with
// text_delta / input_json_delta / thinking_delta / signature_delta, content_block_stop,
// message_delta with stop_reason and cumulative usage, message_stop), mid-stream `error`
// events, cache_creation_input_tokens / cache_read_input_tokens, and error bodies
// {type:"error", error:{type, message}, request_id} with the statuses the API uses.

import { FakeServer, requestJson, sseEvent, tokenize, type FakeReply, type RecordedRequest } from './fake-server';
import { checkAnthropicRequest } from './request-checks';

export type AnthropicBlockScript =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicUsageScript {
  /** Uncached input tokens only, as Anthropic reports them. */
  input: number;
  output: number;
  cacheCreation?: number;
  cacheRead?: number;
}

export interface MessageScript {
  id?: string;
  model?: string;
  content?: AnthropicBlockScript[];
  stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';
  usage?: AnthropicUsageScript;
  /** Streams only: an `error` event after this many content deltas, then the stream ends. */
  errorAfterDeltas?: { after: number; type: string; message: string };
}

export const ANTHROPIC_DEFAULTS = { messageId: 'msg_01FakeFakeFakeFakeFake0001', requestId: 'req_011CFakeFake0001' } as const;

function blocks(s: MessageScript): AnthropicBlockScript[] {
  return s.content ?? [{ type: 'text', text: 'Hello from the fake.' }];
}

function stopReason(s: MessageScript): string {
  return s.stopReason ?? (blocks(s).some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
}

function usage(u: AnthropicUsageScript) {
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheCreation ?? 0,
    cache_read_input_tokens: u.cacheRead ?? 0,
    output_tokens: u.output,
    service_tier: 'standard',
  };
}

function fullBlock(b: AnthropicBlockScript) {
  if (b.type === 'thinking') return { type: 'thinking', thinking: b.thinking, signature: b.signature ?? 'EqQBCkYIBxgCKkBfakesignature' };
  return b;
}

export function messageBody(s: MessageScript, requestModel = 'claude-sonnet-4-6') {
  return {
    id: s.id ?? ANTHROPIC_DEFAULTS.messageId,
    type: 'message',
    role: 'assistant',
    model: s.model ?? requestModel,
    content: blocks(s).map(fullBlock),
    stop_reason: stopReason(s),
    stop_sequence: null,
    usage: usage(s.usage ?? { input: 14, output: 6 }),
  };
}

/** SSE frames for a streamed message, one event per frame. */
export function messageFrames(s: MessageScript, requestModel = 'claude-sonnet-4-6'): string[] {
  const u = s.usage ?? { input: 14, output: 6 };
  const frames: string[] = [];
  frames.push(
    sseEvent('message_start', {
      type: 'message_start',
      message: {
        id: s.id ?? ANTHROPIC_DEFAULTS.messageId,
        type: 'message',
        role: 'assistant',
        model: s.model ?? requestModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage({ ...u, output: 1 }) },
      },
    }),
  );
  let deltas = 0;
  const err = s.errorAfterDeltas;
  const delta = (index: number, d: Record<string, unknown>): boolean => {
    frames.push(sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: d }));
    deltas++;
    if (err && deltas === err.after) {
      frames.push(sseEvent('error', { type: 'error', error: { type: err.type, message: err.message } }));
      return false;
    }
    return true;
  };
  let first = true;
  const list = blocks(s);
  for (let index = 0; index < list.length; index++) {
    const b = list[index]!;
    if (b.type === 'text') {
      frames.push(sseEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      if (first) frames.push(sseEvent('ping', { type: 'ping' }));
      for (const piece of tokenize(b.text)) if (!delta(index, { type: 'text_delta', text: piece })) return frames;
    } else if (b.type === 'thinking') {
      frames.push(sseEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      if (first) frames.push(sseEvent('ping', { type: 'ping' }));
      for (const piece of tokenize(b.thinking)) if (!delta(index, { type: 'thinking_delta', thinking: piece })) return frames;
      if (!delta(index, { type: 'signature_delta', signature: b.signature ?? 'EqQBCkYIBxgCKkBfakesignature' })) return frames;
    } else {
      frames.push(sseEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } }));
      if (first) frames.push(sseEvent('ping', { type: 'ping' }));
      const json = JSON.stringify(b.input);
      if (!delta(index, { type: 'input_json_delta', partial_json: '' })) return frames;
      for (let i = 0; i < json.length; i += 6) if (!delta(index, { type: 'input_json_delta', partial_json: json.slice(i, i + 6) })) return frames;
    }
    first = false;
    frames.push(sseEvent('content_block_stop', { type: 'content_block_stop', index }));
  }
  frames.push(
    sseEvent('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason(s), stop_sequence: null },
      // message_delta usage is cumulative; the API repeats the input-side counts here.
      usage: {
        input_tokens: u.input,
        cache_creation_input_tokens: u.cacheCreation ?? 0,
        cache_read_input_tokens: u.cacheRead ?? 0,
        output_tokens: u.output,
      },
    }),
  );
  frames.push(sseEvent('message_stop', { type: 'message_stop' }));
  return frames;
}

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function anthropicError(status: number, message: string, type?: string): FakeReply {
  return {
    type: 'json',
    status,
    headers: { 'request-id': ANTHROPIC_DEFAULTS.requestId },
    body: { type: 'error', error: { type: type ?? ANTHROPIC_ERROR_TYPES[status] ?? 'api_error', message }, request_id: ANTHROPIC_DEFAULTS.requestId },
  };
}

export interface AnthropicFakeOptions {
  message?: MessageScript;
  firstDelayMs?: number;
  delayMs?: number;
  /** Refuse requests the real API refuses (request-checks.ts), with its 400. */
  strict?: boolean;
}

const HEADERS = { 'request-id': ANTHROPIC_DEFAULTS.requestId, 'anthropic-organization-id': '00000000-fake-0000-0000-000000000000' };

export function messageReply(s: MessageScript, request: Record<string, unknown>, pacing: { firstDelayMs?: number; delayMs?: number } = {}): FakeReply {
  const model = (request.model as string | undefined) ?? 'claude-sonnet-4-6';
  if (request.stream === true) return { type: 'stream', headers: HEADERS, frames: messageFrames(s, model), ...pacing };
  return { type: 'json', headers: HEADERS, body: messageBody(s, model) };
}

export function anthropicHandler(opts: AnthropicFakeOptions = {}) {
  return (req: RecordedRequest): FakeReply => {
    if (req.method !== 'POST') return anthropicError(404, `Not found: ${req.method} ${req.path}`);
    let body: Record<string, unknown>;
    try {
      body = requestJson(req);
    } catch {
      return anthropicError(400, 'There was an issue with the formatting of your request body.');
    }
    if (req.path === '/v1/messages/count_tokens') {
      return { type: 'json', headers: HEADERS, body: { input_tokens: JSON.stringify(body.messages ?? []).length >> 2 } };
    }
    if (req.path === '/v1/messages' && opts.strict) {
      const problem = checkAnthropicRequest(body, req.headers);
      if (problem) return anthropicError(400, problem);
    }
    if (req.path === '/v1/messages') return messageReply(opts.message ?? {}, body, { firstDelayMs: opts.firstDelayMs, delayMs: opts.delayMs });
    return anthropicError(404, `Not found: ${req.method} ${req.path}`);
  };
}

/** A fake Anthropic API on 127.0.0.1: point the SDK's baseURL at `fake.url` (it adds /v1). */
export function startFakeAnthropic(opts: AnthropicFakeOptions = {}): Promise<FakeServer> {
  return new FakeServer(anthropicHandler(opts)).listen();
}
