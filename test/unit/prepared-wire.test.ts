// The thread transport of prepared batches must give back exactly what went in: every field,
// nulls and empty strings kept apart, calls with and without numbers, proxy exchanges.
import { describe, expect, it } from 'vitest';
import { fromWire, toWire } from '../../src/collector/prepared-wire';
import type { PreparedBatch, PreparedSpan } from '../../src/store/prepare';

const base: PreparedSpan = {
  traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: null, name: 'root', kind: 2, startUs: 1_763_000_000_123_456,
  endUs: 1_763_000_000_223_456, statusCode: 0, statusMessage: '', resource: 0, scopeName: null, scopeVersion: null,
  category: 'http', attributes: '{}', events: null, links: null, call: null, sessionId: null, userId: null, inputPreview: null, outputPreview: null, searchText: '', logsUsed: 0, exchange: null,
  annotations: [],
};

const evaluation = {
  kind: 'evaluation', name: 'relevance', label: 'relevant', score: 0.9, explanation: null, location: null, attributes: {},
  traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), source: 'instrumentation', atUs: 1_763_000_000_123_456, origin: 'event:c:0',
};

describe('prepared batch wire', () => {
  it('round-trips every field', () => {
    const batch: PreparedBatch = {
      resources: [{ json: '{"service.name":"svc"}', serviceName: 'svc' }, { json: '{}', serviceName: null }],
      logs: [],
      annotations: [{ ...evaluation, spanId: null, origin: 'log::1:ab' }],
      ops: [{ op: 'meta', key: 'k', value: 'v' }],
      spans: [
        base,
        {
          ...base, spanId: 'c'.repeat(16), parentSpanId: 'b'.repeat(16), name: 'chat gpt-4o ✓ émoji 🚀', kind: 3, statusCode: 2,
          statusMessage: 'rate limited', resource: 1, scopeName: 'openai', scopeVersion: '1.2.3', category: 'llm',
          attributes: '{"gen_ai.request.model":"gpt-4o"}', events: '[]', links: '[{"traceId":"x"}]', sessionId: 's-1', userId: 'u-7', inputPreview: 'Where is my order?', outputPreview: '',
          searchText: 'chat gpt-4o\nhello', logsUsed: 2,
          call: {
            model: 'gpt-4o', provider: 'openai', operation: 'chat', isError: true, promptName: null, promptVersion: 'v2',
            costUsd: 0.000123, costEstimated: true, inputTokens: 0, outputTokens: null, cachedInputTokens: 12, reasoningTokens: null,
            ttftMs: 12.5, conversationId: null, promptHash: '00a1b2c3d4e5f6', promptSource: 'system', experiment: 'exp ✓', variant: 'B', inputKey: 'k1', userId: 'u-7', sessionId: null, feature: 'checkout ✓',
            json: '{"convention":"genai"}',
          },
          exchange: { method: 'POST', path: '/v1/chat/completions', headers: { a: 'b' }, requestBody: '{}', responseBody: 'data: x', httpStatus: null, outcome: 'cancelled', warnings: ['w'] },
          annotations: [evaluation],
        },
        { ...base, spanId: 'd'.repeat(16), call: { model: 'm', provider: null, operation: 'embeddings', isError: false, promptName: null, promptVersion: null,
          costUsd: null, costEstimated: false, inputTokens: 5, outputTokens: 0, cachedInputTokens: null, reasoningTokens: null, ttftMs: null,
          conversationId: 'c', promptHash: null, promptSource: null, experiment: null, variant: null, inputKey: null, userId: null, sessionId: 'c', feature: null, json: '' } },
      ],
    };
    const back = fromWire(structuredClone(toWire(batch)));
    expect(back).toEqual(batch);
    // null and '' stay apart
    expect(back.spans[0]!.parentSpanId).toBeNull();
    expect(back.spans[0]!.statusMessage).toBe('');
    expect(back.spans[2]!.call!.json).toBe('');
  });

  it('carries an empty batch', () => {
    const empty: PreparedBatch = { resources: [], logs: [], spans: [], annotations: [] };
    expect(fromWire(toWire(empty))).toEqual(empty);
  });
});
