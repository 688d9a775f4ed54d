// Truncation: the model stopped because it reached its output token limit (every provider spells
// that finish reason its own way), or it answered nothing at all. Either way the application got
// less than it asked for, usually without an error. A guardrail hit of category `truncation`.

import type { AnnotationFacts, AnnotationLocation } from '../annotations/model';
import type { ChatMessage } from '../model';
import type { Analysis, AnalysedCall } from './analysis';

/**
 * Finish reasons meaning "out of tokens", lower-cased with punctuation dropped: OpenAI and most
 * compatible servers `length`, Anthropic and Bedrock `max_tokens`, Gemini `MAX_TOKENS`, the
 * Responses API `max_output_tokens`, vLLM/SGLang `length`, Cohere `MAX_TOKENS`, older Google
 * `FINISH_REASON_LENGTH`, and `model_length` (context exhausted).
 */
const OUT_OF_TOKENS = new Set(['length', 'maxtokens', 'maxoutputtokens', 'maxcompletiontokens', 'tokenlimit', 'modellength', 'finishreasonlength']);

/** Operations that are expected to produce output; embeddings and the like are not. */
const GENERATES = /chat|completion|generate|responses|messages|converse|invoke_agent|text/i;

const normalise = (reason: string) => reason.toLowerCase().replace(/[^a-z]/g, '');

function hit(label: 'length' | 'empty', explanation: string, location: AnnotationLocation): AnnotationFacts {
  return {
    kind: 'guardrail', name: 'truncation', label, score: null, explanation, location,
    attributes: { category: 'truncation', severity: 'warning' },
  };
}

function saysSomething(m: ChatMessage): boolean {
  return m.parts.some((p) => (p.type === 'text' || p.type === 'reasoning' ? String((p as { content?: unknown }).content ?? '').trim() !== '' : true));
}

export const truncation: Analysis = {
  name: 'truncation',
  version: 1,
  description: 'Output cut off at the token limit (finish reason length / max_tokens / MAX_TOKENS), or no output at all',
  analyse({ call, statusCode }: AnalysedCall): AnnotationFacts[] {
    if (statusCode === 2 || call.errorType !== null || !GENERATES.test(call.operation)) return [];
    const outputs = call.outputMessages;
    const cut = outputs.findIndex((m) => typeof m.finish_reason === 'string' && OUT_OF_TOKENS.has(normalise(m.finish_reason)));
    const reason = call.finishReasons.find((r) => OUT_OF_TOKENS.has(normalise(r)));
    if (cut >= 0 || reason !== undefined) {
      const index = cut >= 0 ? cut : Math.max(0, outputs.length - 1);
      const why = reason ?? outputs[index]!.finish_reason!;
      const limit = call.params.max_tokens ?? call.params.max_output_tokens ?? call.params.max_completion_tokens;
      return [hit('length', `The output stopped at the token limit (finish reason "${why}"${typeof limit === 'number' ? `, max tokens ${limit}` : ''}).`,
        outputs.length ? { side: 'output', messageIndex: index } : { side: 'output' })];
    }
    // Without captured content an empty output list says nothing; reported usage or captured empty messages do.
    const emptyMessages = outputs.length > 0 && !outputs.some(saysSomething);
    if (call.outputTokens === 0 || emptyMessages) {
      return [hit('empty', 'The model returned no output.', { side: 'output' })];
    }
    return [];
  },
};
