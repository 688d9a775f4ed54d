import { describe, expect, it } from 'vitest';
import {
  createMetrics,
  DURATION_BUCKETS_S,
  escapeLabelValue,
  Histogram,
  type CallObservation,
} from '../../../src/core/metrics';
import { parseExposition, sampleValue } from './exposition-parser';

function call(overrides: Partial<CallObservation> = {}): CallObservation {
  return {
    model: 'gpt-4o',
    provider: 'openai',
    service: 'chatbot',
    status: 'ok',
    durationMs: 1200,
    ttftMs: 300,
    inputTokens: 1000,
    outputTokens: 200,
    cachedInputTokens: 400,
    reasoningTokens: null,
    costUsd: 0.0035,
    ...overrides,
  };
}

const GPT = { service: 'chatbot', provider: 'openai', model: 'gpt-4o', status: 'ok' };

describe('createMetrics render', () => {
  it('declares every family with HELP and TYPE, even before any observation', () => {
    const families = parseExposition(createMetrics().render());
    expect([...families.values()].map((f) => [f.name, f.type])).toEqual([
      ['spyglass_llm_call_duration_seconds', 'histogram'],
      ['spyglass_llm_time_to_first_token_seconds', 'histogram'],
      ['spyglass_llm_tokens_total', 'counter'],
      ['spyglass_llm_cost_usd_total', 'counter'],
      ['spyglass_llm_calls_total', 'counter'],
      ['spyglass_llm_errors_total', 'counter'],
      ['spyglass_spans_received_total', 'counter'],
    ]);
    for (const f of families.values()) {
      expect(f.help.length).toBeGreaterThan(10);
      expect(f.samples).toEqual([]);
    }
  });

  it('counts calls, tokens by type, cost and errors per label set', () => {
    const m = createMetrics();
    m.observeCall(call());
    m.observeCall(call({ inputTokens: 500, outputTokens: 50, cachedInputTokens: 0, costUsd: 0.001 }));
    m.observeCall(call({ status: 'error', inputTokens: 10, outputTokens: null, cachedInputTokens: null, costUsd: null, ttftMs: null }));
    m.observeCall(call({ model: 'o3', reasoningTokens: 700, outputTokens: 900, cacheWriteTokens: 50 }));
    const f = parseExposition(m.render());

    expect(sampleValue(f, 'spyglass_llm_calls_total', GPT)).toBe(2);
    expect(sampleValue(f, 'spyglass_llm_calls_total', { ...GPT, status: 'error' })).toBe(1);
    expect(sampleValue(f, 'spyglass_llm_errors_total', { ...GPT, status: 'error' })).toBe(1);
    expect(f.get('spyglass_llm_errors_total')!.samples).toHaveLength(1);

    expect(sampleValue(f, 'spyglass_llm_tokens_total', { ...GPT, type: 'input' })).toBe(1500);
    expect(sampleValue(f, 'spyglass_llm_tokens_total', { ...GPT, type: 'output' })).toBe(250);
    expect(sampleValue(f, 'spyglass_llm_tokens_total', { ...GPT, type: 'cached_input' })).toBe(400);
    expect(sampleValue(f, 'spyglass_llm_tokens_total', { ...GPT, status: 'error', type: 'input' })).toBe(10);
    expect(() => sampleValue(f, 'spyglass_llm_tokens_total', { ...GPT, status: 'error', type: 'output' })).toThrow(/found 0/);
    expect(sampleValue(f, 'spyglass_llm_tokens_total', { model: 'o3', type: 'reasoning' })).toBe(700);
    expect(sampleValue(f, 'spyglass_llm_tokens_total', { model: 'o3', type: 'cache_write_input' })).toBe(50);

    expect(sampleValue(f, 'spyglass_llm_cost_usd_total', GPT)).toBeCloseTo(0.0045, 12);
    expect(() => sampleValue(f, 'spyglass_llm_cost_usd_total', { ...GPT, status: 'error' })).toThrow(/found 0/);
  });

  it('renders histograms with cumulative le buckets, +Inf, _sum and _count', () => {
    const m = createMetrics();
    const durationsMs = [50, 100, 700, 1200, 1200, 45_000, 900_000];
    for (const d of durationsMs) m.observeCall(call({ durationMs: d, ttftMs: d === 50 ? null : d / 10 }));
    const f = parseExposition(m.render());
    const buckets = f.get('spyglass_llm_call_duration_seconds')!.samples.filter((s) => s.name === 'spyglass_llm_call_duration_seconds_bucket');
    expect(buckets.map((b) => b.labels.le)).toEqual([...DURATION_BUCKETS_S.map(String), '+Inf']);
    for (const b of buckets) {
      const le = b.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(b.labels.le);
      expect(b.value, `le=${b.labels.le}`).toBe(durationsMs.filter((d) => d / 1000 <= le).length);
      expect(b.labels).toMatchObject(GPT);
    }
    expect(sampleValue(f, 'spyglass_llm_call_duration_seconds_count', GPT)).toBe(durationsMs.length);
    expect(sampleValue(f, 'spyglass_llm_call_duration_seconds_sum', GPT)).toBeCloseTo(durationsMs.reduce((a, b) => a + b, 0) / 1000, 9);
    // TTFT only where measured.
    expect(sampleValue(f, 'spyglass_llm_time_to_first_token_seconds_count', GPT)).toBe(durationsMs.length - 1);
    expect(sampleValue(f, 'spyglass_llm_time_to_first_token_seconds_bucket', { ...GPT, le: '0.1' })).toBe(2); // 10 ms and 70 ms
    expect(sampleValue(f, 'spyglass_llm_time_to_first_token_seconds_bucket', { ...GPT, le: '0.05' })).toBe(1);
  });

  it('counts spans per transport', () => {
    const m = createMetrics();
    m.observeSpans('otlp_http_json', 10);
    m.observeSpans('otlp_grpc', 3);
    m.observeSpans('otlp_http_json', 5);
    m.observeSpans('otlp_grpc', Number.NaN);
    m.observeSpans('otlp_grpc', -4);
    const f = parseExposition(m.render());
    expect(sampleValue(f, 'spyglass_spans_received_total', { transport: 'otlp_http_json' })).toBe(15);
    expect(sampleValue(f, 'spyglass_spans_received_total', { transport: 'otlp_grpc' })).toBe(3);
  });

  it('normalizes status and fills missing names with "unknown"', () => {
    const m = createMetrics();
    for (const status of ['OK', 'unset', '', 'ERROR', 'timeout', 'canceled', 'cancelled']) m.observeCall(call({ status }));
    m.observeCall(call({ model: null, provider: '  ', service: null }));
    const f = parseExposition(m.render());
    expect(sampleValue(f, 'spyglass_llm_calls_total', GPT)).toBe(3);
    expect(sampleValue(f, 'spyglass_llm_calls_total', { ...GPT, status: 'error' })).toBe(2);
    expect(sampleValue(f, 'spyglass_llm_calls_total', { ...GPT, status: 'cancelled' })).toBe(2);
    expect(sampleValue(f, 'spyglass_llm_calls_total', { service: 'unknown', provider: 'unknown', model: 'unknown' })).toBe(1);
    const statuses = new Set(f.get('spyglass_llm_calls_total')!.samples.map((s) => s.labels.status));
    expect([...statuses].sort()).toEqual(['cancelled', 'error', 'ok']);
  });

  it('ignores negative and non-finite numbers instead of corrupting counters', () => {
    const m = createMetrics();
    m.observeCall(call({ durationMs: Number.NaN, ttftMs: -5, inputTokens: -1, outputTokens: Number.POSITIVE_INFINITY, costUsd: Number.NaN }));
    const f = parseExposition(m.render());
    expect(sampleValue(f, 'spyglass_llm_calls_total', GPT)).toBe(1);
    expect(f.get('spyglass_llm_call_duration_seconds')!.samples).toEqual([]);
    expect(f.get('spyglass_llm_time_to_first_token_seconds')!.samples).toEqual([]);
    expect(f.get('spyglass_llm_cost_usd_total')!.samples).toEqual([]);
    expect(f.get('spyglass_llm_tokens_total')!.samples.map((s) => s.labels.type)).toEqual(['cached_input']);
  });
});

describe('label escaping', () => {
  it('escapes backslashes, quotes and newlines so values round-trip', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const nasty = 'my "best"\nmodel\\v2 }{ ,=';
    const m = createMetrics();
    m.observeCall(call({ model: nasty, service: 'svc\nwith"newline', provider: 'back\\slash' }));
    const text = m.render();
    expect(text).toContain('model="my \\"best\\"\\nmodel\\\\v2 }{ ,="');
    const f = parseExposition(text);
    expect(sampleValue(f, 'spyglass_llm_calls_total', { model: nasty, service: 'svc\nwith"newline', provider: 'back\\slash' })).toBe(1);
    // Every sample is on one line: the number of lines is exactly HELP + TYPE + samples.
    const lines = text.split('\n').slice(0, -1);
    const sampleCount = [...f.values()].reduce((n, fam) => n + fam.samples.length, 0);
    expect(lines).toHaveLength(2 * f.size + sampleCount);
  });

  it('keeps label sets apart even when values contain separator-like characters', () => {
    const m = createMetrics();
    m.observeCall(call({ model: 'a\u0000b', service: 'c' }));
    m.observeCall(call({ model: 'a', service: '\u0000b' }));
    const f = parseExposition(m.render());
    expect(f.get('spyglass_llm_calls_total')!.samples).toHaveLength(2);
  });

  it('cuts very long values', () => {
    const m = createMetrics();
    m.observeCall(call({ model: 'x'.repeat(10_000) }));
    const f = parseExposition(m.render());
    expect(f.get('spyglass_llm_calls_total')!.samples[0]!.labels.model).toBe('x'.repeat(128));
  });
});

describe('cardinality cap', () => {
  it('folds models beyond maxLabelSets into model="other", keeping the counts', () => {
    const m = createMetrics({ maxLabelSets: 3 });
    for (let i = 0; i < 10; i++) m.observeCall(call({ model: `model-${i}` }));
    m.observeCall(call({ model: 'model-1' })); // an admitted model stays itself
    m.observeCall(call({ model: 'model-9' })); // a folded one stays folded
    const f = parseExposition(m.render());
    const models = f.get('spyglass_llm_calls_total')!.samples.map((s) => s.labels.model);
    expect(models).toEqual(['model-0', 'model-1', 'model-2', 'other']);
    expect(sampleValue(f, 'spyglass_llm_calls_total', { model: 'model-1' })).toBe(2);
    expect(sampleValue(f, 'spyglass_llm_calls_total', { model: 'other' })).toBe(8);
    expect(sampleValue(f, 'spyglass_llm_tokens_total', { model: 'other', type: 'input' })).toBe(8000);
    expect(sampleValue(f, 'spyglass_llm_call_duration_seconds_count', { model: 'other' })).toBe(8);
  });

  it('bounds the number of series however many distinct names arrive', () => {
    const m = createMetrics({ maxLabelSets: 50, maxServices: 5, maxProviders: 4 });
    for (let i = 0; i < 5_000; i++) {
      m.observeCall(call({ model: `m-${i}`, service: `svc-${i % 97}`, provider: `p-${i % 13}`, status: i % 3 === 0 ? 'error' : 'ok' }));
    }
    for (let i = 0; i < 100; i++) m.observeSpans(`transport-${i}`, 1);
    const f = parseExposition(m.render());
    const calls = f.get('spyglass_llm_calls_total')!.samples;
    const sets = new Set(calls.map((s) => `${s.labels.service}|${s.labels.provider}|${s.labels.model}`));
    expect(sets.size).toBeLessThanOrEqual(50 + 6 * 5);
    expect(new Set(calls.map((s) => s.labels.service)).size).toBeLessThanOrEqual(6);
    expect(new Set(calls.map((s) => s.labels.provider)).size).toBeLessThanOrEqual(5);
    expect(calls.reduce((n, s) => n + s.value, 0)).toBe(5_000);
    const transports = f.get('spyglass_spans_received_total')!.samples;
    expect(transports).toHaveLength(11);
    expect(sampleValue(f, 'spyglass_spans_received_total', { transport: 'other' })).toBe(90);
  });
});

describe('Histogram', () => {
  it('rejects bad definitions', () => {
    expect(() => new Histogram('bad name', 'h', [], [1])).toThrow(/metric name/);
    expect(() => new Histogram('ok_seconds', 'h', ['le'], [1])).toThrow(/label name/);
    expect(() => new Histogram('ok_seconds', 'h', [], [])).toThrow(/bucket/);
    expect(() => new Histogram('ok_seconds', 'h', [], [1, 1])).toThrow(/bucket/);
  });

  it('escapes HELP text', () => {
    const h = new Histogram('x_seconds', 'line one\nback\\slash', [], [1]);
    expect(h.render().split('\n')[0]).toBe('# HELP x_seconds line one\\nback\\\\slash');
  });
});
