// The panel's spans as the collector's columnar outline gives them: one light object per span
// (what the waterfall draws, no messages or attributes), replaced whole or patched by span id.

import type { TraceOutline, TraceSummary } from '../../src/protocol/api';
import { spansOfOutline, type OutlineSpan } from '../../src/protocol/outline';

export type { OutlineSpan } from '../../src/protocol/outline';

/** Every span of the open trace, by id, in the order they first arrived. */
export class OutlineStore {
  private readonly byId = new Map<string, OutlineSpan>();
  private list: OutlineSpan[] | null = [];
  trace: TraceSummary | null = null;
  revision = -1;

  get size(): number {
    return this.byId.size;
  }

  get(spanId: string): OutlineSpan | undefined {
    return this.byId.get(spanId);
  }

  spans(): readonly OutlineSpan[] {
    this.list ??= [...this.byId.values()];
    return this.list;
  }

  clear(): void {
    this.byId.clear();
    this.list = [];
    this.trace = null;
    this.revision = -1;
  }

  /** Applies a whole outline or a patch; returns the ids it brought (new or changed). */
  apply(o: TraceOutline): string[] {
    if (!o.partial) this.byId.clear();
    const spans = spansOfOutline(o);
    for (const s of spans) this.byId.set(s.spanId, s);
    // A whole outline without repeated ids is its own list; anything else is read back from the map.
    this.list = !o.partial && this.byId.size === spans.length ? spans : null;
    this.trace = o.trace;
    this.revision = o.revision;
    return spans.map((s) => s.spanId);
  }
}
