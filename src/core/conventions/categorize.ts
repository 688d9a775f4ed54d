// What kind of work a span is, for tree icons and filters. Conventions that know decide first
// (through their classify); plain OpenTelemetry spans fall back on their standard attributes.

import type { Attributes, IngestSpan, SpanCategory } from '../model';
import { SpanKind } from '../model';
import { isEmbeddingOperation } from './genai-base';
import type { Verdict } from './reader';

export function categoryFromVerdict(v: Verdict): SpanCategory | null {
  if (v.kind === 'call') return isEmbeddingOperation(v.operation) ? 'embedding' : 'llm';
  if (v.kind === 'not-call') return v.category;
  return null;
}

function has(a: Attributes, ...keys: string[]): boolean {
  return keys.some((k) => a[k] !== undefined);
}

/** Category of a span no LLM convention claims. */
export function fallbackCategory(span: IngestSpan): SpanCategory {
  const a = span.attributes;
  if (has(a, 'gen_ai.tool.name', 'gen_ai.tool.call.id', 'tool.name')) return 'tool';
  if (has(a, 'gen_ai.agent.name', 'gen_ai.agent.id', 'agent.name')) return 'agent';
  if (has(a, 'http.request.method', 'http.method', 'http.route', 'url.full', 'http.url', 'http.target')) return 'http';
  if (has(a, 'db.vector.query.top_k', 'retrieval.documents.0.document.content')) return 'retriever';
  if (span.kind === SpanKind.CLIENT && has(a, 'server.address', 'net.peer.name') && has(a, 'url.path', 'url.scheme')) return 'http';
  return 'other';
}
