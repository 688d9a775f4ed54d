// A fake Gemini API (generativelanguage.googleapis.com) speaking the real wire format:
// POST /v1beta/models/{model}:generateContent (one JSON document) and
// :streamGenerateContent?alt=sse (`data: {...}` events separated by \r\n\r\n, as Google sends
// them; without alt=sse a streamed JSON array), with usageMetadata (promptTokenCount,
// candidatesTokenCount, cachedContentTokenCount, thoughtsTokenCount; cumulative on every chunk),
// thought parts, functionCall parts, promptFeedback.blockReason, and error bodies
// {error:{code, message, status}}.

import { FakeServer, requestJson, tokenize, type FakeReply, type RecordedRequest } from './fake-server';
import { checkGeminiRequest } from './request-checks';

export type GeminiPartScript =
  | { text: string; thought?: boolean }
  | { functionCall: { name: string; args: Record<string, unknown> } };

export interface GeminiUsageScript {
  /** Includes cached tokens, as Gemini reports them. */
  prompt: number;
  /** Visible output only; thoughts are counted apart. */
  candidates: number;
  cached?: number;
  thoughts?: number;
}

export interface GeminiScript {
  parts?: GeminiPartScript[];
  finishReason?: 'STOP' | 'MAX_TOKENS' | 'SAFETY' | 'RECITATION' | 'OTHER';
  usage?: GeminiUsageScript;
  modelVersion?: string;
  responseId?: string;
  blockReason?: 'SAFETY' | 'OTHER' | 'BLOCKLIST' | 'PROHIBITED_CONTENT';
}

export const GEMINI_DEFAULTS = { responseId: 'FakeRespId0000000001' } as const;

function usageMetadata(u: GeminiUsageScript, candidates = u.candidates) {
  const m: Record<string, unknown> = {
    promptTokenCount: u.prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: u.prompt + candidates + (u.thoughts ?? 0),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.prompt }],
  };
  if (u.cached) {
    m.cachedContentTokenCount = u.cached;
    m.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: u.cached }];
  }
  if (u.thoughts) m.thoughtsTokenCount = u.thoughts;
  return m;
}

function parts(s: GeminiScript): GeminiPartScript[] {
  return s.parts ?? [{ text: 'Hello from the fake.' }];
}

export function geminiBody(s: GeminiScript, model: string) {
  const u = s.usage ?? { prompt: 9, candidates: 5 };
  if (s.blockReason) {
    return { promptFeedback: { blockReason: s.blockReason }, usageMetadata: usageMetadata(u, 0), modelVersion: s.modelVersion ?? model, responseId: s.responseId ?? GEMINI_DEFAULTS.responseId };
  }
  return {
    candidates: [{ content: { parts: parts(s), role: 'model' }, finishReason: s.finishReason ?? 'STOP', index: 0 }],
    usageMetadata: usageMetadata(u),
    modelVersion: s.modelVersion ?? model,
    responseId: s.responseId ?? GEMINI_DEFAULTS.responseId,
  };
}

/** The chunks of a streamed answer: each a whole GenerateContentResponse with cumulative usage. */
export function geminiChunks(s: GeminiScript, model: string): unknown[] {
  if (s.blockReason) return [geminiBody(s, model)];
  const u = s.usage ?? { prompt: 9, candidates: 5 };
  const pieces: GeminiPartScript[] = [];
  for (const p of parts(s)) {
    if ('text' in p) {
      // Gemini streams a few words per chunk.
      const words = tokenize(p.text);
      for (let i = 0; i < words.length; i += 2) pieces.push({ ...p, text: words.slice(i, i + 2).join('') });
    } else pieces.push(p);
  }
  return pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    const candidate: Record<string, unknown> = { content: { parts: [piece], role: 'model' }, index: 0 };
    if (last) candidate.finishReason = s.finishReason ?? 'STOP';
    return {
      candidates: [candidate],
      usageMetadata: usageMetadata(u, last ? u.candidates : Math.min(u.candidates, i + 1)),
      modelVersion: s.modelVersion ?? model,
      responseId: s.responseId ?? GEMINI_DEFAULTS.responseId,
    };
  });
}

export function geminiSseFrames(s: GeminiScript, model: string): string[] {
  return geminiChunks(s, model).map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`);
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export function geminiError(code: number, message: string): FakeReply {
  return {
    type: 'json',
    status: code,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: { error: { code, message, status: STATUS_NAMES[code] ?? 'UNKNOWN' } },
  };
}

export interface GeminiFakeOptions {
  script?: GeminiScript;
  firstDelayMs?: number;
  delayMs?: number;
  /** Refuse requests the real API refuses (request-checks.ts), with its 400. */
  strict?: boolean;
}

const PATH = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

export function geminiHandler(opts: GeminiFakeOptions = {}) {
  return (req: RecordedRequest): FakeReply => {
    const m = PATH.exec(req.path);
    if (req.method !== 'POST' || !m) return geminiError(404, `Method not found: ${req.method} ${req.path}`);
    const hasKey = req.query.get('key') || req.headers['x-goog-api-key'];
    if (!hasKey) return geminiError(403, 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.');
    let body: Record<string, unknown>;
    try {
      body = requestJson(req);
    } catch {
      return geminiError(400, 'Invalid JSON payload received.');
    }
    if (opts.strict) {
      const problem = checkGeminiRequest(body);
      if (problem) return geminiError(400, problem);
    }
    const model = m[2]!;
    const s = opts.script ?? {};
    const headers = { 'content-type': 'application/json; charset=UTF-8', 'server-timing': 'gfet4t7; dur=123' };
    if (m[3] === 'generateContent') return { type: 'json', headers, body: geminiBody(s, model) };
    const pacing = { firstDelayMs: opts.firstDelayMs, delayMs: opts.delayMs };
    if (req.query.get('alt') === 'sse') {
      return { type: 'stream', headers: { 'content-type': 'text/event-stream', 'server-timing': 'gfet4t7; dur=123' }, frames: geminiSseFrames(s, model), ...pacing };
    }
    const chunks = geminiChunks(s, model).map((c) => JSON.stringify(c));
    const frames = chunks.map((c, i) => (i === 0 ? `[${c}` : `,\r\n${c}`));
    frames.push(']');
    return { type: 'stream', headers, frames, ...pacing };
  };
}

/** A fake Gemini API on 127.0.0.1: requests go to `${fake.url}/v1beta/models/<model>:generateContent`. */
export function startFakeGemini(opts: GeminiFakeOptions = {}): Promise<FakeServer> {
  return new FakeServer(geminiHandler(opts)).listen();
}
