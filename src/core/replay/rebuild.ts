// A stored LLM call → the provider request that would produce it again: the exact bytes for a
// proxied call, else rebuilt in the provider's wire format from the canonical call (messages,
// system instructions, tools, tool calls and results, parameters, response format, model).

import type { AttrValue, ChatMessage, MessagePart } from '../model';
import { buildAnthropicMessages } from './build-anthropic';
import { buildGeminiContent } from './build-gemini';
import { buildChatCompletions, buildResponses } from './build-openai';
import { buildHistory, toolSpecs } from './history';
import { readParams } from './params';
import { chooseWireApi, wireApiOfPath, wirePath, type CallIdentity, type WireApi } from './wire-api';

/** What a rebuild reads of a stored call (an LlmCall, or the API's LlmCallDto). */
export interface ReplayableCall extends CallIdentity {
  params: Record<string, AttrValue>;
  systemInstructions: MessagePart[];
  inputMessages: ChatMessage[];
  toolDefinitions: unknown[];
}

/** A provider request, ready to send through a proxy route. */
export interface WireRequest {
  api: WireApi | null;
  provider: string | null;
  /** The proxy route (upstream name) it goes to; null when none is known. */
  upstream: string | null;
  method: string;
  /** Below the upstream's base URL, query included (`/v1/chat/completions`). */
  path: string;
  /** The body as text: the bytes sent for an exact request, pretty JSON for a rebuilt one. */
  body: string;
  /** Request headers to send again (never credentials): `anthropic-version`, `openai-beta`, … */
  headers: Record<string, string>;
  /** True: the request as the app sent it. False: rebuilt from what was captured. */
  exact: boolean;
  /** What a rebuild guessed or left out, in words. */
  notes: string[];
}

export class NotReplayable extends Error {}

const CONVERSATIONAL = new Set(['chat', 'text_completion', 'generate_content', 'responses', 'response', 'invoke_agent', 'completion', 'messages', '']);

export function rebuildRequest(call: ReplayableCall): WireRequest {
  const op = call.operation.toLowerCase();
  if (!CONVERSATIONAL.has(op)) throw new NotReplayable(`a "${call.operation}" call has no conversation to send again`);
  if (call.inputMessages.length === 0 && call.systemInstructions.length === 0) {
    throw new NotReplayable('no input messages were captured for this call (turn on content capture in the instrumentation, e.g. OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true)');
  }
  const choice = chooseWireApi(call);
  const model = call.requestModel ?? call.responseModel;
  if (!model) throw new NotReplayable('the call names no model');
  const notes: string[] = choice.guessed ? [choice.guessed] : [];
  const history = buildHistory(call.systemInstructions, call.inputMessages, choice.api === 'anthropic.messages' ? 'toolu_' : 'call_');
  notes.push(...history.notes);
  const tools = toolSpecs(call.toolDefinitions, notes);
  const params = readParams(call.params);
  let body: Record<string, unknown>;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  switch (choice.api) {
    case 'openai.chat_completions':
      body = buildChatCompletions(model, history, tools, params, notes);
      break;
    case 'openai.responses':
      body = buildResponses(model, history, tools, params, notes);
      break;
    case 'anthropic.messages':
      body = buildAnthropicMessages(model, history, tools, params, notes);
      headers['anthropic-version'] = '2023-06-01';
      break;
    case 'gemini.generate_content':
      body = buildGeminiContent(history, tools, params, notes);
      break;
  }
  return {
    api: choice.api,
    provider: call.provider,
    upstream: choice.upstream,
    method: 'POST',
    path: wirePath(choice.api, model, true),
    body: `${JSON.stringify(body, null, 2)}\n`,
    headers,
    exact: false,
    notes,
  };
}

/** The request as a proxied call recorded it. `recordedPath` is `/proxy/<route>/…`. */
export function exactRequest(provider: string | null, method: string, recordedPath: string, headers: Record<string, string>, body: string, credentialMarker: string): WireRequest {
  const m = /^\/proxy\/([^/?]+)(.*)$/.exec(recordedPath);
  const upstream = m ? m[1]! : null;
  const path = m ? (m[2] === '' ? '/' : m[2]!) : recordedPath;
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== credentialMarker && !DROPPED_HEADERS.has(k)) kept[k] = v;
  return { api: wireApiOfPath(method, path), provider, upstream, method, path, body, headers: kept, exact: true, notes: [] };
}

/**
 * Headers a replay sets itself: framing, the caller's trace, encodings the replay reads back,
 * and SDK retry bookkeeping that describes the original attempt, not this one.
 */
const DROPPED_HEADERS = new Set(['host', 'content-length', 'traceparent', 'tracestate', 'baggage', 'accept-encoding', 'x-stainless-retry-count', 'x-stainless-timeout', 'cookie', 'origin', 'referer']);

/** Which credential headers the original request carried (names only: values are never stored). */
export function credentialHeaderNames(headers: Record<string, string>, credentialMarker: string): string[] {
  return Object.entries(headers).filter(([, v]) => v === credentialMarker).map(([k]) => k);
}

/** The model a request asks for: in the body, or in a Gemini path. */
export function modelOf(req: Pick<WireRequest, 'path' | 'body'>): string | null {
  const g = /\/models\/([^/:?]+):/.exec(req.path);
  if (g) return decodeURIComponent(g[1]!);
  try {
    const b: unknown = JSON.parse(req.body);
    return typeof b === 'object' && b !== null && typeof (b as { model?: unknown }).model === 'string' ? (b as { model: string }).model : null;
  } catch {
    return null;
  }
}

/** The same request asking for another model. A body that is not JSON cannot be changed: throws. */
export function withModel<T extends Pick<WireRequest, 'path' | 'body'>>(req: T, model: string): T {
  if (/\/models\/[^/:?]+:/.test(req.path)) return { ...req, path: req.path.replace(/\/models\/[^/:?]+:/, `/models/${encodeURIComponent(model)}:`) };
  let b: unknown;
  try {
    b = JSON.parse(req.body);
  } catch {
    throw new NotReplayable('the request body is not JSON, so its model cannot be changed');
  }
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new NotReplayable('the request body is not a JSON object, so its model cannot be changed');
  return { ...req, body: JSON.stringify({ ...(b as Record<string, unknown>), model }) };
}
