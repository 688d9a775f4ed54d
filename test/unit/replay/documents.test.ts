// The text documents VS Code's diff editor compares: one fact per line, so two answers or two
// traces line up; captured text stays text (no Markdown table or HTML injection in Replay ×N).

import { describe, expect, it } from 'vitest';
import { prettyBody, renderReplaySet, renderRequest, renderResponse, renderTraceSummary, type SpanFacts } from '../../../src/core/replay/documents';

function span(over: Partial<SpanFacts> = {}, llm: Partial<NonNullable<SpanFacts['llm']>> = {}): SpanFacts {
  return {
    traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'chat gpt-4o-mini', status: 'ok', statusMessage: '', durationMs: 1234,
    llm: {
      provider: 'openai', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', inputTokens: 31, outputTokens: 24, costUsd: 0.0000191, costEstimated: false,
      ttftMs: 180, finishReasons: ['stop'], errorType: null, httpStatus: 200,
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Line one\nLine two' }, { type: 'tool_call', id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }], finish_reason: 'stop' }],
      ...llm,
    },
    ...over,
  };
}

describe('replay documents', () => {
  it('a response: facts a comparison looks at, then the output, one part per line', () => {
    const text = renderResponse(span());
    expect(text.split('\n')).toEqual([
      '# chat gpt-4o-mini', `trace ${'a'.repeat(32)}  span ${'b'.repeat(16)}`,
      'model: gpt-4o-mini-2024-07-18 (asked gpt-4o-mini)', 'status: HTTP 200', 'latency: 1.23s   time to first token: 180ms',
      'tokens: 31 in, 24 out', 'cost: $0.0000191', 'finish: stop', '', '[assistant] finish: stop', 'Line one\nLine two'.split('\n')[0], 'Line two',
      '→ tool call lookup [call_1]', '{', '  "q": "x"', '}', '',
    ]);
    const failed = renderResponse(span({ status: 'error', statusMessage: 'max_tokens is too large' }, { httpStatus: 400, outputMessages: [], inputTokens: null, outputTokens: null, costUsd: 0 }));
    expect(failed).toContain('status: HTTP 400\n');
    expect(failed).toContain('error: max_tokens is too large');
  });

  it('a request: method and path, sorted headers, credentials named only, notes, pretty body', () => {
    const text = renderRequest({ method: 'POST', path: '/v1/messages', upstream: 'anthropic', headers: { 'x-b': '2', 'anthropic-version': '2023-06-01' }, credentialHeaders: ['x-api-key'], body: '{"model":"m","max_tokens":5}', exact: false, notes: ['seed left out'] });
    expect(text).toBe('POST /v1/messages\nupstream: anthropic\nexact: no (rebuilt from the capture)\nanthropic-version: 2023-06-01\nx-b: 2\nx-api-key: [credential, not stored]\nnote: seed left out\n\n{\n  "model": "m",\n  "max_tokens": 5\n}\n');
    expect(prettyBody('not json')).toBe('not json');
  });

  it('a trace summary pairs calls in order and skips other spans', () => {
    const text = renderTraceSummary({ traceId: 'c'.repeat(32), rootName: 'agent run', durationMs: 4000, costUsd: 0.01, inputTokens: 100, outputTokens: 50, status: 'error' }, [
      span({ name: 'tool', llm: null }), span({ name: 'first' }), span({ name: 'second', status: 'error', statusMessage: 'boom' }),
    ]);
    expect(text).toMatch(/^# agent run\ntrace c{32}\nstatus: error {3}duration: 4s {3}calls: 2\n/);
    expect(text.indexOf('## call 1: first')).toBeLessThan(text.indexOf('## call 2: second'));
    expect(text).not.toContain('tool\n');
    expect(text).toContain('error: boom');
  });

  it('Replay ×N: one table row per replay, escaped, with how many distinct answers came back', () => {
    const md = renderReplaySet('Replay ×3 of openai gpt-4o-mini', [
      { traceId: 't1', httpStatus: 200, text: 'A | B <img src=x onerror=alert(1)>\nnext', span: span() },
      { traceId: 't2', httpStatus: 200, text: 'A | B <img src=x onerror=alert(1)>\nnext', span: span() },
      { traceId: 't3', httpStatus: 429, error: 'Rate limit', text: '', span: null },
    ]);
    const rows = md.split('\n').filter((l) => /^\| \d/.test(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe('| 1 | 200 | 1.23s | 180ms | 31 / 24 | $0.0000191 | A \\| B &lt;img src=x onerror=alert(1)> ⏎ next |');
    expect(rows[2]).toContain('| 429 Rate limit |');
    expect(md).toContain('2 distinct outputs of 3.');
    expect(md).toContain('## 1 · trace t1\n\n```text\nA | B <img');
  });
});
