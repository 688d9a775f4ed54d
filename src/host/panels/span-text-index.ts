// Find-in-trace over what the panel no longer holds: message text, attribute values, events.
// The webview matches names from the outline at once; this index answers the rest. It is built
// on the first search from the whole trace, kept while searches continue, refreshed span by span
// as the trace changes, and dropped after a quiet while (memory counts as much as speed).

import type { ChatMessage, MessagePart } from '../../core/model';
import type { SpanDto, TraceDetail } from '../../protocol/api';

/** Long values are searched up to this many characters each. */
const MAX_FIELD_CHARS = 100_000;
/** Beyond this many changed spans, one whole-trace fetch is cheaper than span by span. */
const MAX_SPAN_REFRESH = 200;

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
  for (const a of span.annotations ?? []) pushText(out, [a.name, a.label, a.explanation]);
  const llm = span.llm;
  if (llm) {
    out.push(llm.requestModel ?? '', llm.responseModel ?? '', llm.provider ?? '');
    partsText(out, llm.systemInstructions);
    const messages: ChatMessage[] = [...llm.inputMessages, ...llm.outputMessages];
    for (const m of messages) partsText(out, m.parts ?? []);
  }
  return out.join('\n').toLowerCase();
}

export interface SpanTextSource {
  wholeTrace(): Promise<TraceDetail>;
  span(spanId: string): Promise<SpanDto>;
}

export class SpanTextIndex {
  private texts: Map<string, string> | null = null;
  private building: Promise<Map<string, string>> | null = null;
  private readonly stale = new Set<string>();
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly source: SpanTextSource,
    private readonly idleMs = 120_000,
  ) {}

  get isBuilt(): boolean {
    return this.texts !== null;
  }

  /** These spans were stored or changed: their text is read again before the next search. */
  invalidate(spanIds: Iterable<string>): void {
    if (!this.texts && !this.building) return;
    for (const id of spanIds) this.stale.add(id);
  }

  /** Ids of spans whose text contains `query` (case-insensitive), in no particular order. */
  async find(query: string): Promise<string[]> {
    const needle = query.trim().toLowerCase();
    if (!needle) return [];
    this.touch();
    const texts = await this.current();
    const out: string[] = [];
    for (const [id, text] of texts) if (text.includes(needle)) out.push(id);
    return out;
  }

  private async current(): Promise<Map<string, string>> {
    if (this.texts && this.stale.size > MAX_SPAN_REFRESH) this.texts = null;
    if (!this.texts) {
      this.building ??= this.source.wholeTrace().then((detail) => {
        const texts = new Map<string, string>();
        for (const s of detail.spans) texts.set(s.spanId, searchableText(s));
        return texts;
      });
      try {
        this.texts = await this.building;
      } finally {
        this.building = null;
      }
      this.stale.clear();
    }
    const texts = this.texts;
    if (this.stale.size > 0) {
      const ids = [...this.stale];
      this.stale.clear();
      const spans = await Promise.all(ids.map((id) => this.source.span(id).catch(() => null)));
      for (const s of spans) if (s) texts.set(s.spanId, searchableText(s));
    }
    return texts;
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.drop(), this.idleMs);
    this.idleTimer.unref?.();
  }

  /** Frees the text; the next search builds it again. */
  drop(): void {
    this.texts = null;
    this.stale.clear();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
