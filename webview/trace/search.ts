// Finding spans in a trace, the part answered in the webview at once: names, ids, services and
// models from the outline. Text the outline does not carry (messages, attribute values, events)
// is searched by the host (`findText`), and its hits are merged in when they come back.
// Plain case-insensitive substring search; captured text is only compared, never rendered here.

import type { OutlineSpan } from './outline';

function outlineText(s: OutlineSpan): string {
  return [s.name, s.spanId, s.service ?? '', s.model ?? ''].join('\n').toLowerCase();
}

export class OutlineIndex {
  private texts: Map<string, string> | null = null;

  constructor(private readonly spans: () => readonly OutlineSpan[]) {}

  /** The outline changed: rebuild on the next search. */
  reset(): void {
    this.texts = null;
  }

  /** Ids of the spans whose outline fields contain `query`, in the given order. */
  find(query: string, order: readonly string[]): string[] {
    const needle = query.trim().toLowerCase();
    if (!needle) return [];
    if (!this.texts) {
      this.texts = new Map();
      for (const s of this.spans()) this.texts.set(s.spanId, outlineText(s));
    }
    const texts = this.texts;
    return order.filter((id) => texts.get(id)?.includes(needle));
  }
}
