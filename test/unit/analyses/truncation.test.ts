// Truncation: every provider's spelling of "stopped at the token limit", and empty answers,
// without flagging calls whose content simply was not captured, failed calls or embeddings.
import { describe, expect, it } from 'vitest';
import type { AnalysedCall } from '../../../src/core/analyses/analysis';
import { truncation } from '../../../src/core/analyses/truncation';
import { emptyCall } from '../../../src/core/conventions/call';
import type { ChatMessage, PricedCall } from '../../../src/core/model';

function analysed(over: Partial<PricedCall> = {}, statusCode: 0 | 1 | 2 = 0): AnalysedCall {
  const call: PricedCall = { ...emptyCall('genai'), operation: 'chat', requestModel: 'm', costUsd: null, costEstimated: false, ...over };
  return { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), startUs: 0, durationUs: 1000, statusCode, revision: 0, call };
}

const answer = (text: string, finish?: string): ChatMessage => ({ role: 'assistant', parts: [{ type: 'text', content: text }], ...(finish ? { finish_reason: finish } : {}) });

describe('truncation analysis', () => {
  it.each(['length', 'max_tokens', 'MAX_TOKENS', 'max_output_tokens', 'FINISH_REASON_LENGTH', 'model_length', 'Length'])('flags finish reason %s', (reason) => {
    const [hit] = truncation.analyse(analysed({ finishReasons: [reason], outputMessages: [answer('The answer is', reason)], params: { max_tokens: 16 } }));
    expect(hit).toMatchObject({ kind: 'guardrail', name: 'truncation', label: 'length', location: { side: 'output', messageIndex: 0 }, attributes: { category: 'truncation' } });
    expect(hit!.explanation).toContain(reason);
    expect(hit!.explanation).toContain('16');
  });

  it('points at the choice that was cut, among several', () => {
    const [hit] = truncation.analyse(analysed({ outputMessages: [answer('full', 'stop'), answer('cut', 'length')] }));
    expect(hit!.location).toEqual({ side: 'output', messageIndex: 1 });
  });

  it('flags an answer with nothing in it, and reported usage of zero output tokens', () => {
    expect(truncation.analyse(analysed({ outputMessages: [answer('  ', 'stop')] }))[0]).toMatchObject({ label: 'empty' });
    expect(truncation.analyse(analysed({ outputTokens: 0 }))[0]).toMatchObject({ label: 'empty' });
  });

  it('leaves alone: finished answers, tool calls, uncaptured content, errors, embeddings, content filters', () => {
    const none = [
      analysed({ finishReasons: ['stop'], outputMessages: [answer('Paris.', 'stop')], outputTokens: 2 }),
      analysed({ finishReasons: ['tool_calls'], outputMessages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: '1', name: 'f', arguments: {} }] }] }),
      analysed({ outputMessages: [], outputTokens: null }),
      analysed({ outputMessages: [], outputTokens: 40 }),
      analysed({ finishReasons: ['length'] }, 2),
      analysed({ finishReasons: ['length'], errorType: 'timeout' }),
      analysed({ operation: 'embeddings', outputTokens: 0 }),
      analysed({ finishReasons: ['content_filter'], outputMessages: [answer('I can', 'content_filter')] }),
      analysed({ finishReasons: ['end_turn'], outputMessages: [answer('Done.', 'end_turn')] }),
    ];
    for (const c of none) expect(truncation.analyse(c), JSON.stringify(c.call.finishReasons) + c.call.operation).toEqual([]);
  });
});
