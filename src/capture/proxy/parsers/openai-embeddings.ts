// OpenAI embeddings (POST …/embeddings) and compatible servers. The inputs are recorded as a
// user message (token-id inputs as a note of their size); the vectors are not: they are large,
// unreadable, and kept in the recorded response body when it fits the cap.

import type { MessagePart } from '../../../core/model';
import type { SseEvent } from '../sse';
import { arr, errorFromBody, obj, requestParams, str, tokens } from './common';
import { emptyRequest, emptyResponse, type ApiParser, type ParsedRequest, type ParsedResponse } from './types';

const NOT_PARAMS = new Set(['model', 'input', 'user']);

function inputParts(input: unknown): MessagePart[] {
  if (typeof input === 'string') return [{ type: 'text', content: input }];
  const list = arr(input);
  if (list.length === 0) return [];
  if (list.every((x) => typeof x === 'string')) return list.map((x) => ({ type: 'text', content: x as string }));
  // Token ids (one list, or a list of lists): there is no text to show.
  const lists = Array.isArray(list[0]) ? list.length : 1;
  return [{ type: 'token_ids', inputs: lists }];
}

function parseRequest(body: unknown): ParsedRequest {
  const b = obj(body);
  const out = emptyRequest();
  out.requestModel = str(b.model);
  out.params = requestParams(b, NOT_PARAMS);
  const parts = inputParts(b.input);
  if (parts.length > 0) out.inputMessages = [{ role: 'user', parts }];
  return out;
}

function parseJson(body: unknown): ParsedResponse {
  const out = emptyResponse();
  const b = obj(body);
  out.error = errorFromBody(body);
  out.responseModel = str(b.model);
  const u = obj(b.usage);
  out.usage.inputTokens = tokens(u.prompt_tokens) ?? tokens(u.input_tokens);
  const data = arr(b.data);
  if (data.length > 0) {
    const first = obj(data[0]).embedding;
    const dims = Array.isArray(first) ? first.length : typeof first === 'string' ? Math.floor((first.length * 3) / 4 / 4) : null;
    out.outputMessages = [{ role: 'assistant', parts: [{ type: 'embeddings', count: data.length, dimensions: dims }] }];
  }
  return out;
}

function parseEvents(_events: SseEvent[]): ParsedResponse {
  const out = emptyResponse();
  out.warnings.push('embeddings answered with an event stream, which the API does not do');
  return out;
}

export const openaiEmbeddingsParser: ApiParser = {
  api: 'openai.embeddings',
  operation: 'embeddings',
  parseRequest,
  parseJson,
  parseEvents,
};
