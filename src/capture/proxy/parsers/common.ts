// Small readers shared by the provider parsers.

import type { AttrValue } from '../../../core/model';
import { paramName } from '../../../core/conventions/call';
import { isRecord, str, strList, toAttrValue } from '../../../core/conventions/values';
import { emptyRequest, type ParsedRequest, type ReportedError } from './types';

export { isRecord, str };

export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj {
  return isRecord(v) ? v : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A token count: a non-negative integer, else null. */
export function tokens(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}

export function sum(...xs: Array<number | null>): number | null {
  let s: number | null = null;
  for (const x of xs) if (x !== null) s = (s ?? 0) + x;
  return s;
}

/**
 * Request parameters under the canonical names the rest of Spyglass uses (temperature,
 * max_tokens, top_p, stop_sequences, choice_count, …); other scalar settings keep their own name.
 */
export function requestParams(body: Obj, skip: ReadonlySet<string>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [key, value] of Object.entries(body)) {
    if (skip.has(key) || value === undefined || value === null) continue;
    const name = paramName(key);
    const v = name === 'stop_sequences' ? strList(value) : toAttrValue(value);
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isRecord(v) && Object.keys(v).length === 0) continue;
    out[name] = v;
  }
  return out;
}

/** A request whose body names its model and asks for a stream with `stream: true` (OpenAI, Anthropic). */
export function modelStreamRequest(b: Obj, notParams: ReadonlySet<string>): ParsedRequest {
  const out = emptyRequest();
  out.requestModel = str(b.model);
  out.stream = b.stream === true;
  out.params = requestParams(b, notParams);
  return out;
}

/**
 * The error in a provider's error body: OpenAI {error:{message,type,code}}, Anthropic
 * {type:'error', error:{type,message}}, Gemini {error:{code,message,status}}, or a bare
 * {error:'text'} / {message} as OpenAI-compatible servers write them.
 */
export function errorFromBody(body: unknown): ReportedError | null {
  if (Array.isArray(body)) return body.length > 0 ? errorFromBody(body[0]) : null;
  if (!isRecord(body)) return null;
  const e = body.error;
  if (isRecord(e)) {
    const type = str(e.type) ?? str(e.status) ?? str(e.code) ?? 'error';
    return { type, message: str(e.message) ?? JSON.stringify(e) };
  }
  if (typeof e === 'string') return { type: 'error', message: e };
  return null;
}

export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Warnings are summaries, never a copy of captured text (which may be huge or sensitive). */
function malformedEventWarning(count: number, firstIndex: number): string {
  return `malformed SSE: ${count} event(s) with unparseable JSON data (first at event #${firstIndex})`;
}

/** An SSE event's data as a JSON object; undefined when it is not JSON or not an object. */
export function eventObject(data: string): Obj | undefined {
  try {
    const v: unknown = JSON.parse(data);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Tallies the events of one stream that could not be read, for a single summary warning. */
export class MalformedEvents {
  private count = 0;
  private first = -1;

  note(index: number): void {
    this.count++;
    if (this.first < 0) this.first = index;
  }

  reportTo(warnings: string[]): void {
    if (this.count > 0) warnings.push(malformedEventWarning(this.count, this.first));
  }
}
