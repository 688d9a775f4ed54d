// The panel's spans as the collector's columnar outline gives them: one light object per span
// (what the waterfall draws, no messages or attributes), replaced whole or patched by span id.
// Times are kept absolute, because a patch counts its offsets from its own trace start (an
// earlier span arriving late moves the start).

import type { SpanLike } from '../../src/core/span-tree';
import type { AnnotationKind, TraceOutline, TraceSummary } from '../../src/protocol/api';

export type SpanStatus = 'unset' | 'ok' | 'error';

export interface OutlineSpan extends SpanLike {
  name: string;
  category: string;
  durationMs: number;
  status: SpanStatus;
  service: string | null;
  /** Set for LLM calls only. */
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  costEstimated: boolean;
  annotationCounts: Partial<Record<AnnotationKind, number>> | null;
}

const STATUS: readonly SpanStatus[] = ['unset', 'ok', 'error'];

/** The spans one outline message carries, with absolute times. */
export function spansOfOutline(o: TraceOutline): OutlineSpan[] {
  const t0 = o.trace.startTime;
  const str = (i: number) => (i >= 0 && i < o.strings.length ? o.strings[i] : null);
  const out: OutlineSpan[] = new Array(o.spanId.length);
  for (let i = 0; i < o.spanId.length; i++) {
    const start = t0 + (o.start[i] ?? 0);
    const durationMs = Math.max(0, o.durationMs[i] ?? 0);
    out[i] = {
      spanId: o.spanId[i],
      parentSpanId: o.parentSpanId[i] ?? null,
      startTime: start,
      endTime: start + durationMs,
      name: str(o.name[i]) ?? '',
      category: str(o.category[i]) ?? 'other',
      durationMs,
      status: STATUS[o.status[i]] ?? 'unset',
      service: str(o.service[i]),
      model: str(o.model[i]),
      inputTokens: o.inputTokens[i] ?? null,
      outputTokens: o.outputTokens[i] ?? null,
      costUsd: o.costUsd[i] ?? null,
      costEstimated: o.costEstimated[i] ?? false,
      annotationCounts: o.annotationCounts[i] ?? null,
    };
  }
  return out;
}

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
