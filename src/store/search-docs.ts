// The full-text index holds one document per trace per write, not one per span: search finds
// traces, a trace's spans repeat each other (an agent resends the whole conversation to every
// call, the same system instructions every time), and each indexed row has a fixed cost. On
// agent traces this is ~60% less indexing work than a row per span. A query's words must then
// appear together in one trace (in one write of it), rather than in one span. A document's
// rowid is the id of one of its trace's spans, so search results join spans by primary key.

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

export interface SearchDoc {
  traceId: string;
  /** The span row the document is stored under: the first of the write's spans of the trace with text. */
  row: number;
  text: string;
}

/** The documents of one write: every newly stored span's text joined per trace. */
export class SearchDocs {
  private readonly docs = new Map<string, { row: number; texts: string[] }>();

  add(traceId: string, row: number, text: string): void {
    if (!text) return;
    const doc = this.docs.get(traceId);
    if (doc) doc.texts.push(text);
    else this.docs.set(traceId, { row, texts: [text] });
  }

  *documents(): Generator<SearchDoc> {
    for (const [traceId, d] of this.docs) yield { traceId, row: d.row, text: d.texts.join('\n') };
  }
}
