// Gemini generateContent / streamGenerateContent (…/models/{model}:method). A stream is a
// sequence of whole GenerateContentResponse chunks (SSE with ?alt=sse, else one JSON array);
// parts are concatenated per candidate and usageMetadata is cumulative, so the last one counts.
// promptTokenCount includes cached tokens; candidatesTokenCount excludes thoughts, which the
// canonical output count adds back.

import type { ChatMessage, MessagePart } from '../../../core/model';
import type { SseEvent } from '../sse';
import { arr, errorFromBody, isRecord, MalformedEvents, obj, requestParams, str, sum, tokens, type Obj } from './common';
import { emptyRequest, emptyResponse, type ApiParser, type ParsedRequest, type ParsedResponse, type TokenUsage } from './types';

const MODEL_IN_PATH = /\/models\/([^/:]+):(\w+)/;

function modality(mime: string | null): string {
  const top = mime?.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
}

export function geminiPart(p: unknown): MessagePart {
  const x = obj(p);
  if (typeof x.text === 'string') return x.thought === true ? { type: 'reasoning', content: x.text } : { type: 'text', content: x.text };
  if (isRecord(x.functionCall)) {
    return { type: 'tool_call', id: str(x.functionCall.id), name: str(x.functionCall.name) ?? '', arguments: x.functionCall.args ?? {} };
  }
  if (isRecord(x.functionResponse)) {
    // Gemini ties a response to its call by name (ids are optional).
    const fr = x.functionResponse;
    return { type: 'tool_call_response', id: str(fr.id) ?? str(fr.name), response: fr.response ?? null };
  }
  if (isRecord(x.inlineData)) {
    const mime = str(x.inlineData.mimeType);
    const part: MessagePart = { type: 'blob', modality: modality(mime), content: str(x.inlineData.data) ?? '' };
    if (mime) part.mime_type = mime;
    return part;
  }
  if (isRecord(x.fileData)) {
    const mime = str(x.fileData.mimeType);
    const part: MessagePart = { type: 'uri', modality: modality(mime), uri: str(x.fileData.fileUri) ?? '' };
    if (mime) part.mime_type = mime;
    return part;
  }
  if (isRecord(x.executableCode)) return { type: 'executable_code', ...x.executableCode };
  if (isRecord(x.codeExecutionResult)) return { type: 'code_execution_result', ...x.codeExecutionResult };
  return { type: 'unknown', value: x as never };
}

function role(r: unknown): string {
  const s = str(r);
  return s === 'model' ? 'assistant' : (s ?? 'user');
}

function parseRequest(body: unknown, path: string): ParsedRequest {
  const b = obj(body);
  const out = emptyRequest();
  const m = MODEL_IN_PATH.exec(path);
  out.requestModel = m ? decodeURIComponent(m[1]!) : str(b.model);
  out.stream = m?.[2] === 'streamGenerateContent';
  out.params = requestParams(obj(b.generationConfig), new Set(['responseSchema', 'responseJsonSchema', 'speechConfig']));
  const si = obj(b.systemInstruction ?? b.system_instruction);
  out.systemInstructions = arr(si.parts).map(geminiPart);
  out.inputMessages = arr(b.contents).map((c) => {
    const content = obj(c);
    const parts = arr(content.parts).map(geminiPart);
    // A turn of function responses is the tools speaking, whatever role the app gave it.
    const r = parts.length > 0 && parts.every((p) => p.type === 'tool_call_response') ? 'tool' : role(content.role);
    return { role: r, parts };
  });
  for (const t of arr(b.tools)) {
    const tool = obj(t);
    const decls = arr(tool.functionDeclarations ?? tool.function_declarations);
    if (decls.length > 0) for (const d of decls) out.toolDefinitions.push({ type: 'function', ...obj(d) });
    else out.toolDefinitions.push(tool);
  }
  const cached = str(b.cachedContent);
  if (cached) out.params.cached_content = cached;
  return out;
}

function usage(u: unknown): TokenUsage {
  const x = obj(u);
  const thoughts = tokens(x.thoughtsTokenCount);
  return {
    inputTokens: sum(tokens(x.promptTokenCount), tokens(x.toolUsePromptTokenCount)),
    outputTokens: sum(tokens(x.candidatesTokenCount), thoughts),
    cachedInputTokens: tokens(x.cachedContentTokenCount),
    cacheWriteTokens: null,
    reasoningTokens: thoughts,
  };
}

interface CandidateAcc {
  parts: MessagePart[];
  finish: string | null;
}

class Accumulator {
  readonly out = emptyResponse();
  private readonly candidates = new Map<number, CandidateAcc>();
  private blockReason: string | null = null;

  /** Returns true when the chunk carried content (for time to first token). */
  add(chunk: Obj): boolean {
    const err = errorFromBody(chunk);
    if (err) {
      this.out.error = err;
      return false;
    }
    this.out.responseId ??= str(chunk.responseId);
    const mv = str(chunk.modelVersion);
    if (mv) this.out.responseModel = mv.replace(/^models\//, '');
    if (isRecord(chunk.usageMetadata)) this.out.usage = usage(chunk.usageMetadata);
    const block = str(obj(chunk.promptFeedback).blockReason);
    if (block) this.blockReason = block;
    let content = false;
    for (const c of arr(chunk.candidates)) {
      const cand = obj(c);
      const index = typeof cand.index === 'number' ? cand.index : 0;
      let acc = this.candidates.get(index);
      if (!acc) {
        acc = { parts: [], finish: null };
        this.candidates.set(index, acc);
      }
      for (const p of arr(obj(cand.content).parts)) {
        const part = geminiPart(p);
        const last = acc.parts.at(-1);
        if ((part.type === 'text' || part.type === 'reasoning') && last?.type === part.type) {
          (last as { content: string }).content += (part as { content: string }).content;
        } else acc.parts.push(part);
        content = true;
      }
      const fr = str(cand.finishReason);
      if (fr) acc.finish = fr;
    }
    return content;
  }

  result(): ParsedResponse {
    const out = this.out;
    for (const [, acc] of [...this.candidates.entries()].sort((a, b) => a[0] - b[0])) {
      const msg: ChatMessage = { role: 'assistant', parts: acc.parts };
      if (acc.finish) {
        msg.finish_reason = acc.finish;
        out.finishReasons.push(acc.finish);
      }
      out.outputMessages.push(msg);
    }
    if (this.blockReason && out.finishReasons.length === 0) out.finishReasons.push(this.blockReason);
    if (this.blockReason) out.warnings.push(`prompt blocked by Gemini: ${this.blockReason}`);
    return out;
  }
}

function parseJson(body: unknown): ParsedResponse {
  const acc = new Accumulator();
  // streamGenerateContent without alt=sse answers with a JSON array of chunks.
  for (const chunk of Array.isArray(body) ? body : [body]) acc.add(obj(chunk));
  return acc.result();
}

function parseEvents(events: SseEvent[]): ParsedResponse {
  const acc = new Accumulator();
  const malformed = new MalformedEvents();
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    let chunk: unknown;
    try {
      chunk = JSON.parse(ev.data);
    } catch {
      malformed.note(i);
      continue;
    }
    if (acc.add(obj(chunk))) {
      acc.out.firstContentEnd ??= ev.end;
      acc.out.lastContentEnd = ev.end;
    }
  }
  const out = acc.result();
  malformed.reportTo(out.warnings);
  return out;
}

export const geminiParser: ApiParser = {
  api: 'gemini.generate_content',
  operation: 'generate_content',
  parseRequest,
  parseJson,
  parseEvents,
};
