// A fake OpenAI API speaking the real wire formats: Chat Completions (JSON and SSE with
// `data: {...}` chunks, `data: [DONE]`, the stream_options.include_usage usage chunk, tool-call
// deltas split into index/id/name/argument fragments, refusals, cached and reasoning token
// details), the Responses API (JSON and typed SSE events), embeddings (float and base64), and
// error bodies {error:{message,type,param,code}} with the statuses the API uses.
//
// Ids and timestamps are fixed unless a script sets them, so two identical requests get
// byte-identical answers (a proxy's output can be compared with the direct one).

import {
  FakeServer,
  requestJson,
  sseData,
  sseEvent,
  tokenize,
  type FakeReply,
  type RecordedRequest,
  type StreamReply,
} from './fake-server';
import { checkChatCompletionsRequest, checkResponsesRequest } from './request-checks';

export interface OpenAiToolCallScript {
  id: string;
  name: string;
  /** The JSON arguments text; streamed in fragments of a few characters. */
  arguments: string;
}

export interface OpenAiUsageScript {
  prompt: number;
  completion: number;
  cached?: number;
  reasoning?: number;
}

export interface ChatScript {
  id?: string;
  model?: string;
  created?: number;
  content?: string | null;
  refusal?: string | null;
  toolCalls?: OpenAiToolCallScript[];
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  usage?: OpenAiUsageScript;
  systemFingerprint?: string;
}

export const OPENAI_DEFAULTS = {
  chatId: 'chatcmpl-Bx7fake0000000000000000001',
  responseId: 'resp_68fake00000000000000000000000001',
  created: 1763800000,
  fingerprint: 'fp_fake0001',
} as const;

function usageObject(u: OpenAiUsageScript) {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    prompt_tokens_details: { cached_tokens: u.cached ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function defaultFinish(s: ChatScript): string {
  return s.finishReason ?? (s.toolCalls?.length ? 'tool_calls' : 'stop');
}

export function chatCompletionBody(s: ChatScript, requestModel = 'gpt-4o-mini') {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: s.content === undefined ? (s.toolCalls?.length || s.refusal ? null : 'Hello from the fake.') : s.content,
    refusal: s.refusal ?? null,
    annotations: [],
  };
  if (s.toolCalls?.length) {
    message.tool_calls = s.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } }));
  }
  return {
    id: s.id ?? OPENAI_DEFAULTS.chatId,
    object: 'chat.completion',
    created: s.created ?? OPENAI_DEFAULTS.created,
    model: s.model ?? requestModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: defaultFinish(s) }],
    usage: usageObject(s.usage ?? { prompt: 12, completion: 5 }),
    service_tier: 'default',
    system_fingerprint: s.systemFingerprint ?? OPENAI_DEFAULTS.fingerprint,
  };
}

/** The SSE frames of a streamed chat completion, one chunk per frame, ending with [DONE]. */
export function chatCompletionFrames(s: ChatScript, opts: { requestModel?: string; includeUsage?: boolean } = {}): string[] {
  const base = {
    id: s.id ?? OPENAI_DEFAULTS.chatId,
    object: 'chat.completion.chunk',
    created: s.created ?? OPENAI_DEFAULTS.created,
    model: s.model ?? opts.requestModel ?? 'gpt-4o-mini',
    service_tier: 'default',
    system_fingerprint: s.systemFingerprint ?? OPENAI_DEFAULTS.fingerprint,
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => {
    const c: Record<string, unknown> = { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    // With include_usage every chunk carries "usage": null until the final usage chunk.
    if (opts.includeUsage) c.usage = null;
    return sseData(c);
  };
  const frames: string[] = [];
  const content = s.content === undefined ? (s.toolCalls?.length || s.refusal ? null : 'Hello from the fake.') : s.content;
  frames.push(chunk({ role: 'assistant', content: s.refusal ? null : '', refusal: null }));
  if (s.refusal) for (const piece of tokenize(s.refusal)) frames.push(chunk({ refusal: piece }));
  if (content) for (const piece of tokenize(content)) frames.push(chunk({ content: piece }));
  s.toolCalls?.forEach((t, index) => {
    frames.push(chunk({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] }));
    for (let i = 0; i < t.arguments.length; i += 7) {
      frames.push(chunk({ tool_calls: [{ index, function: { arguments: t.arguments.slice(i, i + 7) } }] }));
    }
  });
  frames.push(chunk({}, defaultFinish(s)));
  if (opts.includeUsage) {
    frames.push(sseData({ ...base, choices: [], usage: usageObject(s.usage ?? { prompt: 12, completion: 5 }) }));
  }
  frames.push('data: [DONE]\n\n');
  return frames;
}

// ---- Responses API ----

export interface ResponsesScript {
  id?: string;
  model?: string;
  createdAt?: number;
  text?: string;
  reasoningSummary?: string;
  functionCalls?: OpenAiToolCallScript[];
  usage?: OpenAiUsageScript;
  status?: 'completed' | 'incomplete';
}

function responsesUsage(u: OpenAiUsageScript) {
  return {
    input_tokens: u.prompt,
    input_tokens_details: { cached_tokens: u.cached ?? 0 },
    output_tokens: u.completion,
    output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
    total_tokens: u.prompt + u.completion,
  };
}

function responsesOutput(s: ResponsesScript) {
  const out: Record<string, unknown>[] = [];
  if (s.reasoningSummary !== undefined) {
    out.push({ id: 'rs_fake0001', type: 'reasoning', summary: [{ type: 'summary_text', text: s.reasoningSummary }] });
  }
  const text = s.text ?? (s.functionCalls?.length ? undefined : 'Hello from the fake.');
  if (text !== undefined) {
    out.push({
      id: 'msg_fake0001',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
    });
  }
  s.functionCalls?.forEach((f, i) => {
    out.push({ id: `fc_fake000${i + 1}`, type: 'function_call', status: 'completed', arguments: f.arguments, call_id: f.id, name: f.name });
  });
  return out;
}

export function responsesBody(s: ResponsesScript, request: Record<string, unknown> = {}, status: 'in_progress' | 'completed' | 'incomplete' = s.status ?? 'completed') {
  const done = status !== 'in_progress';
  return {
    id: s.id ?? OPENAI_DEFAULTS.responseId,
    object: 'response',
    created_at: s.createdAt ?? OPENAI_DEFAULTS.created,
    status,
    background: false,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: (request.instructions as string | undefined) ?? null,
    max_output_tokens: (request.max_output_tokens as number | undefined) ?? null,
    model: s.model ?? (request.model as string | undefined) ?? 'gpt-4.1-mini',
    output: done ? responsesOutput(s) : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: (request.temperature as number | undefined) ?? 1.0,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: (request.tools as unknown[] | undefined) ?? [],
    top_p: 1.0,
    truncation: 'disabled',
    usage: done ? responsesUsage(s.usage ?? { prompt: 20, completion: 6 }) : null,
    user: null,
    metadata: {},
  };
}

/** The typed SSE events of a streamed Responses API call (no [DONE]: response.completed ends it). */
export function responsesFrames(s: ResponsesScript, request: Record<string, unknown> = {}): string[] {
  let seq = 0;
  const frames: string[] = [];
  const ev = (type: string, body: Record<string, unknown>) => frames.push(sseEvent(type, { type, sequence_number: seq++, ...body }));
  ev('response.created', { response: responsesBody(s, request, 'in_progress') });
  ev('response.in_progress', { response: responsesBody(s, request, 'in_progress') });
  const output = responsesOutput(s);
  output.forEach((item, outputIndex) => {
    if (item.type === 'reasoning') {
      ev('response.output_item.added', { output_index: outputIndex, item: { ...item, summary: [] } });
      const text = (item.summary as Array<{ text: string }>)[0]!.text;
      ev('response.reasoning_summary_part.added', { item_id: item.id, output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } });
      for (const piece of tokenize(text)) {
        ev('response.reasoning_summary_text.delta', { item_id: item.id, output_index: outputIndex, summary_index: 0, delta: piece });
      }
      ev('response.reasoning_summary_text.done', { item_id: item.id, output_index: outputIndex, summary_index: 0, text });
      ev('response.reasoning_summary_part.done', { item_id: item.id, output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text } });
      ev('response.output_item.done', { output_index: outputIndex, item });
    } else if (item.type === 'message') {
      const text = (item.content as Array<{ text: string }>)[0]!.text;
      ev('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } });
      const emptyPart = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      ev('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: 0, part: emptyPart });
      for (const piece of tokenize(text)) {
        ev('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta: piece, logprobs: [] });
      }
      ev('response.output_text.done', { item_id: item.id, output_index: outputIndex, content_index: 0, text, logprobs: [] });
      ev('response.content_part.done', { item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...emptyPart, text } });
      ev('response.output_item.done', { output_index: outputIndex, item });
    } else {
      const args = item.arguments as string;
      ev('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } });
      for (let i = 0; i < args.length; i += 7) {
        ev('response.function_call_arguments.delta', { item_id: item.id, output_index: outputIndex, delta: args.slice(i, i + 7) });
      }
      ev('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, arguments: args });
      ev('response.output_item.done', { output_index: outputIndex, item });
    }
  });
  const final = responsesBody(s, request);
  ev(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final });
  return frames;
}

// ---- embeddings ----

/** A deterministic small vector per input, so answers are reproducible. */
export function fakeVector(text: string, dims = 8): number[] {
  const v: number[] = [];
  for (let i = 0; i < dims; i++) v.push(Math.fround(((text.length * 31 + i * 17) % 97) / 97 - 0.5));
  return v;
}

export function embeddingsBody(request: Record<string, unknown>) {
  const input = request.input;
  const inputs: string[] = Array.isArray(input) ? input.map(String) : [String(input)];
  const base64 = request.encoding_format === 'base64';
  const tokens = inputs.reduce((n, s) => n + Math.max(1, Math.ceil(s.length / 4)), 0);
  return {
    object: 'list',
    data: inputs.map((text, index) => {
      const vec = fakeVector(text);
      return {
        object: 'embedding',
        index,
        embedding: base64 ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec,
      };
    }),
    model: (request.model as string | undefined) ?? 'text-embedding-3-small',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

// ---- errors ----

const OPENAI_ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
  500: { type: 'server_error', code: null },
  503: { type: 'server_error', code: null },
};

export function openaiError(status: number, message: string, opts: { type?: string; code?: string | null; param?: string | null } = {}): FakeReply {
  const known = OPENAI_ERROR_TYPES[status] ?? { type: 'server_error', code: null };
  return {
    type: 'json',
    status,
    headers: { 'x-request-id': 'req_fakeerror0001' },
    body: { error: { message, type: opts.type ?? known.type, param: opts.param ?? null, code: opts.code === undefined ? known.code : opts.code } },
  };
}

// ---- the default router ----

export interface OpenAiFakeOptions {
  chat?: ChatScript;
  responses?: ResponsesScript;
  /** Pacing for streamed replies. */
  firstDelayMs?: number;
  delayMs?: number;
  /** Refuse requests the real API refuses (request-checks.ts), with its 400. */
  strict?: boolean;
}

const JSON_HEADERS = { 'x-request-id': 'req_fake0001', 'openai-processing-ms': '42', 'openai-version': '2020-10-01' };

export function chatReply(s: ChatScript, request: Record<string, unknown>, pacing: { firstDelayMs?: number; delayMs?: number } = {}): FakeReply {
  const model = (request.model as string | undefined) ?? 'gpt-4o-mini';
  if (request.stream === true) {
    const streamOptions = request.stream_options as { include_usage?: boolean } | undefined;
    const reply: StreamReply = {
      type: 'stream',
      headers: JSON_HEADERS,
      frames: chatCompletionFrames(s, { requestModel: model, includeUsage: streamOptions?.include_usage === true }),
      ...pacing,
    };
    return reply;
  }
  return { type: 'json', headers: JSON_HEADERS, body: chatCompletionBody(s, model) };
}

export function responsesReply(s: ResponsesScript, request: Record<string, unknown>, pacing: { firstDelayMs?: number; delayMs?: number } = {}): FakeReply {
  if (request.stream === true) return { type: 'stream', headers: JSON_HEADERS, frames: responsesFrames(s, request), ...pacing };
  return { type: 'json', headers: JSON_HEADERS, body: responsesBody(s, request) };
}

export function openaiHandler(opts: OpenAiFakeOptions = {}) {
  return (req: RecordedRequest): FakeReply => {
    if (req.method !== 'POST') {
      if (req.method === 'GET' && req.path.endsWith('/models')) {
        return { type: 'json', headers: JSON_HEADERS, body: { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: OPENAI_DEFAULTS.created, owned_by: 'system' }] } };
      }
      return openaiError(404, `Invalid URL (${req.method} ${req.path})`, { code: null });
    }
    let body: Record<string, unknown>;
    try {
      body = requestJson(req);
    } catch {
      return openaiError(400, 'We could not parse the JSON body of your request.', { code: null });
    }
    const pacing = { firstDelayMs: opts.firstDelayMs, delayMs: opts.delayMs };
    if (opts.strict) {
      const problem = req.path.endsWith('/chat/completions') ? checkChatCompletionsRequest(body) : req.path.endsWith('/responses') ? checkResponsesRequest(body) : null;
      if (problem) return openaiError(400, problem, { code: 'invalid_request_error' });
    }
    if (req.path.endsWith('/chat/completions')) return chatReply(opts.chat ?? {}, body, pacing);
    if (req.path.endsWith('/responses')) return responsesReply(opts.responses ?? {}, body, pacing);
    if (req.path.endsWith('/embeddings')) return { type: 'json', headers: JSON_HEADERS, body: embeddingsBody(body) };
    return openaiError(404, `Invalid URL (${req.method} ${req.path})`, { code: null });
  };
}

/** A fake OpenAI on 127.0.0.1: point a client's baseURL at `${fake.url}/v1`. */
export function startFakeOpenAI(opts: OpenAiFakeOptions = {}): Promise<FakeServer> {
  return new FakeServer(openaiHandler(opts)).listen();
}
