// Turns the message shapes found inside telemetry into the canonical GenAI shape.
// One forgiving converter serves every convention because the shapes it meets are few and
// their part types do not collide: the canonical GenAI parts, OpenAI chat / Responses
// content, Anthropic content blocks and the Vercel AI SDK's language-model prompt.
// A part it does not know is kept as it came (a GenericPart), never dropped.

import type { ChatMessage, MessagePart } from '../model';
import { isRecord, parseArgs, parseJson, str } from './values';

const text = (content: string): MessagePart => ({ type: 'text', content });

/** `data:image/png;base64,AAAA` → blob; any other URL → uri. */
function fromUrl(url: string, modality: string, mimeType?: string | null): MessagePart {
  const m = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url);
  if (m) {
    const part: MessagePart = { type: 'blob', modality, content: m[3] ?? '' };
    const mt = m[1] ?? mimeType;
    if (mt) part.mime_type = mt;
    return part;
  }
  const part: MessagePart = { type: 'uri', modality, uri: url };
  if (mimeType) part.mime_type = mimeType;
  return part;
}

function modalityOf(mimeType: string | null): string {
  if (!mimeType) return 'file';
  const top = mimeType.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
}

/** Content of a tool result: plain text when it is only text blocks, else the value itself. */
function toolResultValue(v: unknown): unknown {
  if (Array.isArray(v) && v.length > 0 && v.every((b) => typeof b === 'string' || (isRecord(b) && b.type === 'text'))) {
    return v.map((b) => (typeof b === 'string' ? b : str((b as Record<string, unknown>).text) ?? '')).join('');
  }
  // Vercel AI SDK v5+: output is {type: 'text'|'json'|'error-text'|'error-json'|'content', value}.
  if (isRecord(v) && typeof v.type === 'string' && 'value' in v && Object.keys(v).length <= 2) return v.value;
  return v ?? null;
}

// Bedrock Converse content blocks, as Strands (and the Bedrock instrumentations) send them: one key
// per block naming its kind — `{text}`, `{toolUse: {toolUseId, name, input}}`, `{toolResult:
// {toolUseId, status, content: [{text} | {json}]}}`, `{reasoningContent: {reasoningText: {text}}}`,
// `{image: {format, source: {bytes}}}`, `{document: …}`, `{cachePoint: …}`.
const BLOCK_KEYS = new Set(['text', 'toolUse', 'toolResult', 'reasoningContent', 'image', 'document', 'video', 'json', 'cachePoint', 'guardContent']);

/** A Bedrock-style content block: an object with no `type` whose one key names its kind. */
export function isKeyedBlock(v: unknown): boolean {
  if (!isRecord(v) || 'type' in v) return false;
  const keys = Object.keys(v);
  return keys.length >= 1 && keys.length <= 2 && BLOCK_KEYS.has(keys[0]!);
}

function blockResultValue(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? null;
  const values = content.map((c) => (isRecord(c) ? (typeof c.text === 'string' ? c.text : 'json' in c ? c.json : c) : c));
  return values.every((v) => typeof v === 'string') ? values.join('') : values.length === 1 ? values[0] : values;
}

function keyedBlock(raw: Record<string, unknown>): MessagePart {
  if (typeof raw.text === 'string') return text(raw.text);
  if (isRecord(raw.toolUse)) {
    const t = raw.toolUse;
    return { type: 'tool_call', id: str(t.toolUseId), name: str(t.name) ?? '', arguments: parseArgs(t.input) };
  }
  if (isRecord(raw.toolResult)) {
    const t = raw.toolResult;
    const part: MessagePart = { type: 'tool_call_response', id: str(t.toolUseId), response: blockResultValue(t.content) };
    if (str(t.status) === 'error') (part as Record<string, unknown>).status = 'error';
    return part;
  }
  if (isRecord(raw.reasoningContent)) {
    const r = raw.reasoningContent;
    const t = isRecord(r.reasoningText) ? str(r.reasoningText.text) : null;
    return t === null ? { type: 'reasoning', ...r } as MessagePart : { type: 'reasoning', content: t };
  }
  if (isRecord(raw.image) || isRecord(raw.document) || isRecord(raw.video)) {
    const kind = raw.image ? 'image' : raw.video ? 'video' : 'file';
    const b = (raw.image ?? raw.document ?? raw.video) as Record<string, unknown>;
    const src = isRecord(b.source) ? b.source : {};
    const fmt = str(b.format);
    const mime = fmt ? `${kind === 'file' ? 'application' : kind}/${fmt}` : undefined;
    if (typeof src.bytes === 'string') return { type: 'blob', modality: kind, ...(mime ? { mime_type: mime } : {}), content: src.bytes };
    if (isRecord(src.s3Location) && typeof src.s3Location.uri === 'string') return { type: 'uri', modality: kind, uri: src.s3Location.uri };
    return { type: kind, ...b } as MessagePart;
  }
  if ('json' in raw) return text(JSON.stringify(raw.json));
  const [key] = Object.keys(raw);
  return { type: key!, value: (raw[key!] ?? null) as unknown } as MessagePart;
}

/** One content part in any known shape → canonical part. Strings are text. */
export function toPart(raw: unknown): MessagePart {
  if (typeof raw === 'string') return text(raw);
  if (!isRecord(raw)) return { type: 'unknown', value: raw ?? null };
  if (isKeyedBlock(raw)) return keyedBlock(raw);
  const type = typeof raw.type === 'string' ? raw.type : 'text';
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text': {
      const c = str(raw.content) ?? str(raw.text);
      // A text part without content is what instrumentations emit when content capture is off.
      return c === null ? { ...raw, type: 'text' } as MessagePart : text(c);
    }
    case 'reasoning':
    case 'thinking': {
      const c = str(raw.content) ?? str(raw.text) ?? str(raw.thinking) ?? reasoningSummary(raw.summary);
      return c === null ? { ...raw, type: 'reasoning' } as MessagePart : { type: 'reasoning', content: c };
    }
    // Some emitters (OTel's OpenAI Responses instrumentation) give the item id as `id` and the id
    // a tool result refers to as `call_id`: the latter is what pairs a call with its result.
    case 'tool_call':
      return { type: 'tool_call', id: str(raw.call_id) ?? str(raw.id), name: str(raw.name) ?? '', arguments: parseArgs(raw.arguments) };
    case 'tool_use': // Anthropic
    case 'server_tool_use':
      return { type: 'tool_call', id: str(raw.id), name: str(raw.name) ?? '', arguments: parseArgs(raw.input) };
    case 'toolUse': // Strands TypeScript SDK: its ToolUseBlock serialised with its type
      return { type: 'tool_call', id: str(raw.toolUseId), name: str(raw.name) ?? '', arguments: parseArgs(raw.input) };
    case 'toolResult':
      return { type: 'tool_call_response', id: str(raw.toolUseId), response: blockResultValue(raw.content) };
    case 'tool-call': // Vercel AI SDK (v5+ `input`, v4 `args`)
      return {
        type: 'tool_call',
        id: str(raw.toolCallId),
        name: str(raw.toolName) ?? '',
        arguments: parseArgs(raw.input !== undefined ? raw.input : raw.args),
      };
    case 'function_call': // OpenAI Responses API item
      return { type: 'tool_call', id: str(raw.call_id) ?? str(raw.id), name: str(raw.name) ?? '', arguments: parseArgs(raw.arguments) };
    case 'tool_call_response':
      return { type: 'tool_call_response', id: str(raw.call_id) ?? str(raw.id), response: raw.response !== undefined ? raw.response : (raw.result ?? null) };
    case 'tool_result': // Anthropic
      return { type: 'tool_call_response', id: str(raw.tool_use_id), response: toolResultValue(raw.content) };
    case 'tool-result': // Vercel AI SDK
      return {
        type: 'tool_call_response',
        id: str(raw.toolCallId),
        response: toolResultValue(raw.output !== undefined ? raw.output : raw.result),
      };
    case 'function_call_output': // OpenAI Responses API item
      return { type: 'tool_call_response', id: str(raw.call_id), response: raw.output ?? null };
    case 'blob':
    case 'uri':
    case 'file':
      if (type === 'file' && 'data' in raw && !('file_id' in raw)) return vercelFile(raw);
      if (type === 'file' && isRecord(raw.file)) return openaiFile(raw.file);
      return { ...raw, type } as MessagePart;
    case 'image_url': {
      const iu = raw.image_url;
      const url = isRecord(iu) ? str(iu.url) : str(iu);
      return url === null ? ({ ...raw } as MessagePart) : fromUrl(url, 'image');
    }
    case 'input_image': {
      const url = str(raw.image_url);
      if (url !== null) return fromUrl(url, 'image');
      if (str(raw.file_id) !== null) return { type: 'file', modality: 'image', file_id: str(raw.file_id)! };
      return { ...raw } as MessagePart;
    }
    case 'input_audio': {
      const a = isRecord(raw.input_audio) ? raw.input_audio : raw;
      const fmt = str(a.format);
      const part: MessagePart = { type: 'blob', modality: 'audio', content: str(a.data) ?? '' };
      if (fmt) part.mime_type = `audio/${fmt}`;
      return part;
    }
    case 'image':
      return image(raw);
    case 'document':
      return anthropicSource(raw, 'file');
    case 'refusal':
      return { type: 'refusal', content: str(raw.refusal) ?? str(raw.content) ?? '' };
    default:
      return { ...raw, type } as MessagePart;
  }
}

function reasoningSummary(v: unknown): string | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const texts = v.map((s) => (isRecord(s) ? str(s.text) : str(s))).filter((s): s is string => s !== null);
  return texts.length > 0 ? texts.join('\n') : null;
}

function vercelFile(raw: Record<string, unknown>): MessagePart {
  const mime = str(raw.mediaType) ?? str(raw.mimeType);
  const data = raw.data;
  if (typeof data === 'string') {
    if (/^(https?|data|gs|s3):/i.test(data)) return fromUrl(data, modalityOf(mime), mime);
    const part: MessagePart = { type: 'blob', modality: modalityOf(mime), content: data };
    if (mime) part.mime_type = mime;
    return part;
  }
  return { ...raw, type: 'file' } as MessagePart;
}

function openaiFile(f: Record<string, unknown>): MessagePart {
  const id = str(f.file_id);
  if (id !== null) return { type: 'file', file_id: id };
  const data = str(f.file_data);
  if (data !== null) return fromUrl(data.startsWith('data:') ? data : `data:application/octet-stream;base64,${data}`, 'file');
  return { type: 'file', ...f } as MessagePart;
}

function image(raw: Record<string, unknown>): MessagePart {
  if (isRecord(raw.source)) return anthropicSource(raw, 'image');
  // Vercel AI SDK v4: {type: 'image', image: base64 | URL, mimeType}
  const img = str(raw.image);
  const mime = str(raw.mimeType) ?? str(raw.mediaType);
  if (img !== null) {
    if (/^(https?|data):/i.test(img)) return fromUrl(img, 'image', mime);
    const part: MessagePart = { type: 'blob', modality: 'image', content: img };
    if (mime) part.mime_type = mime;
    return part;
  }
  return { ...raw, type: 'image' } as MessagePart;
}

function anthropicSource(raw: Record<string, unknown>, modality: string): MessagePart {
  const src = isRecord(raw.source) ? raw.source : null;
  if (!src) return { ...raw } as MessagePart;
  const mime = str(src.media_type);
  if (src.type === 'base64' && typeof src.data === 'string') {
    const part: MessagePart = { type: 'blob', modality, content: src.data };
    if (mime) part.mime_type = mime;
    return part;
  }
  if (src.type === 'url' && typeof src.url === 'string') return fromUrl(src.url, modality, mime);
  if (src.type === 'file' && typeof src.file_id === 'string') return { type: 'file', modality, file_id: src.file_id };
  if (src.type === 'text' && typeof src.data === 'string') return text(src.data);
  return { ...raw } as MessagePart;
}

/** Parts from a `content` value: a string, an array of parts, or a JSON string of an array of parts. */
export function contentToParts(content: unknown): MessagePart[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') {
    const asParts = partsInJsonString(content);
    return asParts ?? (content === '' ? [] : [text(content)]);
  }
  if (Array.isArray(content)) return content.map(toPart);
  if (isRecord(content)) return [toPart(content)];
  return [text(String(content))];
}

/**
 * Some instrumentations (OpenLLMetry for one) serialise a list of content parts into a JSON string.
 * Only an array whose every element is an object with a string `type` is read as parts, so a
 * message whose text merely looks like JSON stays text.
 */
function partsInJsonString(s: string): MessagePart[] | null {
  const t = s.trimStart();
  if (!t.startsWith('[')) return null;
  const parsed = parseJson(s);
  if (!Array.isArray(parsed) || parsed.length === 0) return null;
  if (!parsed.every((p) => (isRecord(p) && typeof p.type === 'string') || isKeyedBlock(p))) return null;
  return parsed.map(toPart);
}

/** OpenAI-style `tool_calls` entries ({id, function: {name, arguments}}) → tool_call parts. */
export function toolCallsToParts(toolCalls: unknown): MessagePart[] {
  const parsed = Array.isArray(toolCalls) ? toolCalls : parseJson(toolCalls);
  const list = Array.isArray(parsed) ? parsed : [];
  const out: MessagePart[] = [];
  for (const tc of list) {
    if (!isRecord(tc)) continue;
    const fn = isRecord(tc.function) ? tc.function : tc;
    out.push({
      type: 'tool_call',
      id: str(tc.id) ?? str(tc.toolCallId) ?? null,
      name: str(fn.name) ?? str(tc.toolName) ?? '',
      arguments: parseArgs(fn.arguments !== undefined ? fn.arguments : (tc.input !== undefined ? tc.input : tc.args)),
    });
  }
  return out;
}

/**
 * One message in any known shape → canonical message. Handles canonical `{role, parts}`,
 * OpenAI chat (`content` + `tool_calls` / `function_call`, tool results with `tool_call_id`),
 * Anthropic (`content` blocks) and Vercel (`content` with hyphenated part types).
 */
export function toMessage(raw: unknown, defaultRole = 'user'): ChatMessage | null {
  if (typeof raw === 'string') return { role: defaultRole, parts: [text(raw)] };
  if (!isRecord(raw)) return null;
  const role = str(raw.role) ?? defaultRole;
  let parts: MessagePart[];
  if (Array.isArray(raw.parts)) {
    parts = raw.parts.map(toPart);
  } else {
    const toolCallId = str(raw.tool_call_id) ?? (role === 'tool' ? str(raw.id) : null);
    const blocks = typeof raw.content === 'string' ? partsInJsonString(raw.content) : null;
    if (blocks) {
      // Content blocks serialised into a string (Strands' message events): read as blocks.
      parts = blocks;
    } else if (role === 'tool' && toolCallId !== null && !Array.isArray(raw.content)) {
      // OpenAI tool result: the content is the tool's response, not text said by anyone.
      parts = [{ type: 'tool_call_response', id: toolCallId, response: raw.content ?? null }];
    } else {
      parts = contentToParts(raw.content);
    }
    if (typeof raw.refusal === 'string' && raw.refusal !== '') parts.push({ type: 'refusal', content: raw.refusal });
    parts.push(...toolCallsToParts(raw.tool_calls));
    if (isRecord(raw.function_call)) {
      parts.push({
        type: 'tool_call',
        id: null,
        name: str(raw.function_call.name) ?? '',
        arguments: parseArgs(raw.function_call.arguments),
      });
    }
  }
  const msg: ChatMessage = { role, parts };
  const name = str(raw.name);
  if (name) msg.name = name;
  const fr = str(raw.finish_reason);
  if (fr) msg.finish_reason = fr;
  return msg;
}

export function toMessages(raw: unknown, defaultRole = 'user'): ChatMessage[] {
  const list = Array.isArray(raw) ? raw : (() => {
    const p = parseJson(raw);
    return Array.isArray(p) ? p : p === undefined || p === null ? [] : [p];
  })();
  return list.map((m) => toMessage(m, defaultRole)).filter((m): m is ChatMessage => m !== null);
}

/** System instructions: canonical parts, a JSON string of them, or plain text. */
export function toSystemParts(raw: unknown): MessagePart[] {
  if (raw === null || raw === undefined) return [];
  if (typeof raw === 'string') {
    const parsed = parseJson(raw);
    if (Array.isArray(parsed)) return parsed.map(toPart);
    if (isRecord(parsed) && Array.isArray(parsed.parts)) return parsed.parts.map(toPart);
    return raw === '' ? [] : [text(raw)];
  }
  if (Array.isArray(raw)) return raw.map(toPart);
  if (isRecord(raw)) return Array.isArray(raw.parts) ? raw.parts.map(toPart) : [toPart(raw)];
  return [];
}

/** Tool definitions: arrays of objects, arrays of JSON strings, or a JSON string of an array. */
export function toToolDefinitions(raw: unknown): unknown[] {
  const list = Array.isArray(raw) ? raw : (parseJson(raw) as unknown);
  if (!Array.isArray(list)) return [];
  return list.map((t) => {
    const parsed = parseJson(t);
    return parsed === undefined ? t : parsed;
  });
}
