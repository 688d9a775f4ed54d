// What the writer needs to understand a span: injected so the store depends on the
// conventions and pricing only through these three functions (and tests can swap them).

import type { IngestLogRecord, IngestSpan, LlmCall, SpanCategory } from '../core/model';

export interface Analyzer {
  /**
   * The span's category (from the span alone) and its reading as an LLM call, or null.
   * `logs` are the log records tied to this span.
   */
  analyze(span: IngestSpan, logs: IngestLogRecord[]): { category: SpanCategory; call: LlmCall | null };
  /** Prices a call made at `startUs` (prices change over time); may return the call with estimated tokens. */
  price(call: LlmCall, startUs: number): { costUsd: number | null; costEstimated: boolean; call?: LlmCall };
  /** Text indexed for full-text search (span name, messages). */
  searchText(span: IngestSpan, call: LlmCall | null): string;
}
