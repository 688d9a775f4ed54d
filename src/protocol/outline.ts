// A TraceOutline's columns read back into one light object per span, with absolute times (a
// patch counts its offsets from its own trace start, which an earlier span arriving late
// moves). Shared by the trace panel's waterfall and the Traces tree's calls.

import type { AnnotationKind, TraceOutline } from './api';

export type OutlineStatus = 'unset' | 'ok' | 'error';

export interface OutlineSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  category: string;
  /** Epoch ms. */
  startTime: number;
  endTime: number;
  durationMs: number;
  status: OutlineStatus;
  service: string | null;
  /** Set for LLM calls only. */
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  costEstimated: boolean;
  annotationCounts: Partial<Record<AnnotationKind, number>> | null;
}

const STATUS: readonly OutlineStatus[] = ['unset', 'ok', 'error'];

/** The spans one outline (whole or patch) carries, in its order. */
export function spansOfOutline(o: TraceOutline): OutlineSpan[] {
  const t0 = o.trace.startTime;
  const str = (i: number) => (i >= 0 && i < o.strings.length ? o.strings[i]! : null);
  const out: OutlineSpan[] = new Array(o.spanId.length);
  for (let i = 0; i < o.spanId.length; i++) {
    const start = t0 + (o.start[i] ?? 0);
    const durationMs = Math.max(0, o.durationMs[i] ?? 0);
    out[i] = {
      spanId: o.spanId[i]!,
      parentSpanId: o.parentSpanId[i] ?? null,
      startTime: start,
      endTime: start + durationMs,
      name: str(o.name[i]!) ?? '',
      category: str(o.category[i]!) ?? 'other',
      durationMs,
      status: STATUS[o.status[i]!] ?? 'unset',
      service: str(o.service[i]!),
      model: str(o.model[i]!),
      inputTokens: o.inputTokens[i] ?? null,
      outputTokens: o.outputTokens[i] ?? null,
      costUsd: o.costUsd[i] ?? null,
      costEstimated: o.costEstimated[i] ?? false,
      annotationCounts: o.annotationCounts[i] ?? null,
    };
  }
  return out;
}

/** An LLM call: it has a model, or its category says so when the model is unknown. */
export function isLlmCall(s: Pick<OutlineSpan, 'model' | 'category'>): boolean {
  return s.model !== null || s.category === 'llm';
}
