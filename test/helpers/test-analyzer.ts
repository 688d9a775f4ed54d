// A deliberately tiny analyzer for store tests: an LLM call is a span with gen_ai.request.model;
// a log record named gen_ai.user.message adds an input message. Real conventions are tested elsewhere.
import type { IngestLogRecord, IngestSpan, LlmCall } from '../../src/core/model';
import type { Analyzer } from '../../src/store/analyzer';
import { emptyCall } from '../../src/core/conventions/call';

function normalize(s: IngestSpan, logs: IngestLogRecord[]): LlmCall | null {
  const model = s.attributes['gen_ai.request.model'];
  if (typeof model !== 'string') return null;
  const num = (k: string) => (typeof s.attributes[k] === 'number' ? (s.attributes[k] as number) : null);
  return {
    ...emptyCall('genai'),
    provider: 'openai',
    requestModel: model,
    responseModel: model,
    inputTokens: num('gen_ai.usage.input_tokens'),
    outputTokens: num('gen_ai.usage.output_tokens'),
    inputMessages: logs
      .filter((l) => l.eventName === 'gen_ai.user.message')
      .map((l) => ({ role: 'user', parts: [{ type: 'text' as const, content: String((l.body as { content?: string })?.content) }] })),
  };
}

export const testAnalyzer: Analyzer = {
  analyze: (s, logs) => ({ category: typeof s.attributes['gen_ai.request.model'] === 'string' ? 'llm' : 'other', call: normalize(s, logs) }),
  price: (c) => ({ costUsd: ((c.inputTokens ?? 0) + (c.outputTokens ?? 0)) * 1e-6, costEstimated: false }),
  searchText: (s, c) => [s.name, ...(c?.inputMessages ?? []).flatMap((m) => m.parts.map((p) => ('content' in p ? String(p.content) : '')))].join('\n'),
};
