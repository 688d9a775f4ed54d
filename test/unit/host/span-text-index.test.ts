// Find-in-trace's host side: built from the whole trace once, refreshed span by span as the
// trace changes, rebuilt whole when too much changed, dropped after a quiet while.
import { describe, expect, it } from 'vitest';
import type { SpanDto, TraceDetail } from '../../../src/protocol/api';
import { SpanTextIndex, searchableText } from '../../../src/host/panels/span-text-index';
import { hostileTrace, spanDto } from '../webview/fixtures';

function source(detail: TraceDetail) {
  const calls = { whole: 0, spans: [] as string[] };
  return {
    calls,
    wholeTrace: async () => {
      calls.whole++;
      return structuredClone(detail);
    },
    span: async (id: string): Promise<SpanDto> => {
      calls.spans.push(id);
      return structuredClone(detail.spans.find((s) => s.spanId === id)!);
    },
  };
}

describe('SpanTextIndex', () => {
  it('finds message text, attribute values, events and annotation text, case-insensitively', async () => {
    const detail = hostileTrace();
    detail.spans[2].annotations.push({
      id: 'a', traceId: detail.trace.traceId, spanId: detail.spans[2].spanId, kind: 'note', name: 'note', label: null, score: null,
      explanation: 'Flaky upstream, retry', source: 'user', location: null, attributes: {}, createdAt: 1, callRevision: null,
    });
    const src = source(detail);
    const index = new SpanTextIndex(src);
    expect(await index.find('weather in paris')).toEqual(['aaaaaaaaaaaaaaa2']);
    expect(await index.find('TIMEOUTERROR')).toEqual(['aaaaaaaaaaaaaaa3']);
    expect(await index.find('flaky upstream')).toEqual(['aaaaaaaaaaaaaaa3']);
    expect(await index.find('  ')).toEqual([]);
    expect(src.calls.whole).toBe(1);
    expect(searchableText(detail.spans[1])).toContain('get_weather');
  });

  it('reads changed spans again one by one, and the whole trace again when too many changed', async () => {
    const detail = hostileTrace();
    const src = source(detail);
    const index = new SpanTextIndex(src);
    expect(await index.find('zanzibar')).toEqual([]);
    detail.spans[0].name = 'trip to Zanzibar';
    index.invalidate([detail.spans[0].spanId]);
    expect(await index.find('zanzibar')).toEqual([detail.spans[0].spanId]);
    expect(src.calls).toEqual({ whole: 1, spans: [detail.spans[0].spanId] });
    const many = Array.from({ length: 250 }, (_, i) => spanDto(`b${String(i).padStart(15, '0')}`, null, i, i + 1, { name: `burst ${i}` }));
    detail.spans.push(...many);
    index.invalidate(many.map((s) => s.spanId));
    expect(await index.find('burst 249')).toEqual([many[249].spanId]);
    expect(src.calls.whole).toBe(2);
    expect(src.calls.spans).toHaveLength(1);
  });

  it('frees its text after a quiet while and builds it again on the next search', async () => {
    const src = source(hostileTrace());
    const index = new SpanTextIndex(src, 20);
    await index.find('paris');
    expect(index.isBuilt).toBe(true);
    await expect.poll(() => index.isBuilt, { timeout: 2_000 }).toBe(false);
    expect(await index.find('paris')).toEqual(['aaaaaaaaaaaaaaa2']);
    expect(src.calls.whole).toBe(2);
    index.drop();
  });
});
