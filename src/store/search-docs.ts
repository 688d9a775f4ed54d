// The full-text index holds one document per trace per write, not one per span: search finds
// traces, a trace's spans repeat each other (an agent resends the whole conversation to every
// call, the same system instructions every time), and each indexed row has a fixed cost. On
// agent traces this is ~60% less indexing work than a row per span. A query's words must then
// appear together in one trace (in one write of it), rather than in one span.

/** A span's search text, keyed by its trace. */
export interface SearchText {
  traceId: string;
  searchText: string;
}

/** Drops, in place, each line a span's text shares with an earlier span of the same trace. */
export function dropRepeatedLines(spans: SearchText[]): void {
  const seen = new Map<string, Set<string>>();
  for (const s of spans) {
    if (!s.searchText) continue;
    let lines = seen.get(s.traceId);
    if (!lines) seen.set(s.traceId, (lines = new Set()));
    const kept: string[] = [];
    for (const line of s.searchText.split('\n')) {
      if (line && !lines.has(line)) {
        lines.add(line);
        kept.push(line);
      }
    }
    s.searchText = kept.join('\n');
  }
}

/** The documents of one write: every stored span's text joined per trace. */
export class SearchDocs {
  private readonly texts = new Map<string, string[]>();

  add(traceId: string, text: string): void {
    if (!text) return;
    const list = this.texts.get(traceId);
    if (list) list.push(text);
    else this.texts.set(traceId, [text]);
  }

  *documents(): Generator<[traceId: string, text: string]> {
    for (const [traceId, list] of this.texts) yield [traceId, list.join('\n')];
  }
}
