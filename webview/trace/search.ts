// Finding spans in a trace: by name, ids, service, model, attribute values and message text.
// Plain case-insensitive substring search; captured text is only compared, never rendered here.

import type { ChatMessage, MessagePart } from '../../src/core/model';
import type { SpanDto } from '../../src/protocol/api';

/** Long attribute values are searched up to this many characters each. */
const MAX_FIELD_CHARS = 100_000;

function pushText(out: string[], value: unknown, depth = 0): void {
  if (value === null || value === undefined || depth > 4) return;
  if (typeof value === 'string') out.push(value.length > MAX_FIELD_CHARS ? value.slice(0, MAX_FIELD_CHARS) : value);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) pushText(out, v, depth + 1);
  else if (typeof value === 'object') for (const v of Object.values(value as Record<string, unknown>)) pushText(out, v, depth + 1);
}

function partsText(out: string[], parts: readonly MessagePart[]): void {
  for (const p of parts) pushText(out, p);
}

/** Everything a search looks at for one span, lowercased once. */
export function searchableText(span: SpanDto): string {
  const out: string[] = [span.name, span.spanId, span.serviceName ?? '', span.statusMessage];
  for (const [k, v] of Object.entries(span.attributes ?? {})) {
    out.push(k);
    pushText(out, v);
  }
  for (const e of span.events ?? []) {
    out.push(e.name);
    pushText(out, e.attributes);
  }
  const llm = span.llm;
  if (llm) {
    out.push(llm.requestModel ?? '', llm.responseModel ?? '', llm.provider ?? '');
    partsText(out, llm.systemInstructions);
    const messages: ChatMessage[] = [...llm.inputMessages, ...llm.outputMessages];
    for (const m of messages) partsText(out, m.parts ?? []);
  }
  return out.join('\n').toLowerCase();
}

export class SpanIndex {
  private readonly texts = new Map<string, string>();

  constructor(private readonly spans: readonly SpanDto[]) {}

  /** Ids of the spans containing `query` (case-insensitive), in the given order. */
  find(query: string, order: readonly string[]): string[] {
    const needle = query.trim().toLowerCase();
    if (!needle) return [];
    if (this.texts.size === 0) for (const s of this.spans) this.texts.set(s.spanId, searchableText(s));
    return order.filter((id) => this.texts.get(id)?.includes(needle));
  }
}
