// Every convention and instrumentation, with cached tokens present: input counts the cache once,
// and an Anthropic call with cache reads is priced at what Anthropic bills. One Anthropic exchange
// (2,000 uncached input tokens, 30,000 cache reads, 1,000 cache writes, 400 output tokens) is
// reported the way each library reports it; the payload shapes come from the files named per case.
import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../../src/core/conventions';
import { USAGE_RULES, usageRuleFor } from '../../../src/core/conventions/usage-rules';
import type { Attributes, LlmCall } from '../../../src/core/model';
import { priceCall } from '../../../src/core/pricing';
import { tableEntry } from '../pricing/call-fixture';
import { event, span } from './build';

const RAW = { input: 2_000, cacheRead: 30_000, cacheWrite: 1_000, output: 400 };
const TOTAL_INPUT = RAW.input + RAW.cacheRead + RAW.cacheWrite;
const AT = new Date('2026-11-22T12:00:00Z');

function read(attributes: Attributes, scope: string, extra: Parameters<typeof span>[1] = {}): LlmCall {
  const call = normalizeSpan(span(attributes, { scope: { name: scope }, ...extra }), []);
  expect(call, scope).not.toBeNull();
  return call!;
}

/** The exchange under the current GenAI names with input as the total; `over` is what a library does differently. */
function genai(over: Attributes = {}): Attributes {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'anthropic',
    'gen_ai.request.model': 'claude-sonnet-4-5',
    'gen_ai.usage.input_tokens': TOTAL_INPUT,
    'gen_ai.usage.output_tokens': RAW.output,
    'gen_ai.usage.cache_read.input_tokens': RAW.cacheRead,
    'gen_ai.usage.cache_creation.input_tokens': RAW.cacheWrite,
    ...over,
  };
}

function expectOnce(call: LlmCall): void {
  expect(call.inputTokens).toBe(TOTAL_INPUT);
  expect(call.cachedInputTokens).toBe(RAW.cacheRead);
  expect(call.cacheWriteTokens).toBe(RAW.cacheWrite);
  expect(call.outputTokens).toBe(RAW.output);
}

describe('cached tokens counted once, per instrumentation', () => {
  it('GenAI current names (spec: input includes the cache), e.g. OTel contrib anthropic, Copilot Chat', () => {
    // open-telemetry/opentelemetry-python-contrib opentelemetry-instrumentation-anthropic messages_extractors.py
    expectOnce(read(genai(), 'opentelemetry.instrumentation.anthropic'));
    // An unknown instrumentation using the current names is read by the spec too.
    expectOnce(read(genai({ 'gen_ai.provider.name': 'anthropic' }), 'my-own-tracer'));
  });

  it('OpenLLMetry JS (@traceloop/instrumentation-anthropic 0.27.0) passes Anthropic raw input_tokens', () => {
    const call = read(
      {
        'gen_ai.system': 'anthropic',
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': RAW.input,
        'gen_ai.usage.output_tokens': RAW.output,
        'gen_ai.usage.cache_read.input_tokens': 500, // smaller than the raw input: no shape gives it away
        'gen_ai.usage.cache_creation.input_tokens': RAW.cacheWrite,
        'llm.usage.total_tokens': RAW.input + RAW.output,
      },
      '@traceloop/instrumentation-anthropic',
    );
    expect(call.inputTokens).toBe(RAW.input + 500 + RAW.cacheWrite);
  });

  it('OpenLLMetry Python (opentelemetry-instrumentation-anthropic __init__.py _set_token_usage) sums them already', () => {
    const call = read(
      {
        'gen_ai.system': 'Anthropic',
        'llm.request.type': 'completion',
        'gen_ai.request.model': 'claude-3-7-sonnet-latest',
        'gen_ai.usage.input_tokens': TOTAL_INPUT,
        'gen_ai.usage.output_tokens': RAW.output,
        'llm.usage.total_tokens': TOTAL_INPUT + RAW.output,
        'gen_ai.usage.cache_read.input_tokens': RAW.cacheRead,
        'gen_ai.usage.cache_creation.input_tokens': RAW.cacheWrite,
      },
      'opentelemetry.instrumentation.anthropic',
    );
    expectOnce(call);
  });

  it('OpenInference Python anthropic (_get_llm_token_counts) sums; OpenInference bedrock does not', () => {
    const base = {
      'openinference.span.kind': 'LLM',
      'llm.provider': 'anthropic',
      'llm.model_name': 'claude-sonnet-4-5',
      'llm.token_count.completion': RAW.output,
      'llm.token_count.prompt_details.cache_read': RAW.cacheRead,
      'llm.token_count.prompt_details.cache_write': RAW.cacheWrite,
    };
    expectOnce(read({ ...base, 'llm.token_count.prompt': TOTAL_INPUT }, 'openinference.instrumentation.anthropic'));
    // @arizeai/openinference-instrumentation-bedrock extractUsageAttributes: prompt = usage.input_tokens.
    const bedrock = read({ ...base, 'llm.provider': 'aws', 'llm.token_count.prompt': 40_000, 'llm.token_count.prompt_details.cache_read': 500 }, '@arizeai/openinference-instrumentation-bedrock');
    expect(bedrock.inputTokens).toBe(40_000 + 500 + RAW.cacheWrite);
  });

  it('Strands (sdk-python telemetry/tracer.py): raw inputTokens, settled by a total that includes the cache; ms time to first token', () => {
    const call = read(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'strands-agents',
        'gen_ai.request.model': 'us.anthropic.claude-sonnet-4-20250514-v1:0',
        'gen_ai.usage.prompt_tokens': RAW.input,
        'gen_ai.usage.input_tokens': RAW.input,
        'gen_ai.usage.completion_tokens': RAW.output,
        'gen_ai.usage.output_tokens': RAW.output,
        'gen_ai.usage.total_tokens': TOTAL_INPUT + RAW.output,
        'gen_ai.usage.cache_read_input_tokens': RAW.cacheRead,
        'gen_ai.usage.cache_write_input_tokens': RAW.cacheWrite,
        'gen_ai.server.time_to_first_token': 412,
      },
      'strands.telemetry.tracer',
    );
    expectOnce(call);
    expect(call.ttftMs).toBe(412);
  });

  it('Strands TypeScript SDK 1.19 (models/streaming.js totalPromptTokens) sends the sum: counted once too', () => {
    expectOnce(read(genai({ 'gen_ai.system': 'strands-agents', 'gen_ai.usage.total_tokens': TOTAL_INPUT + RAW.output }), 'strands-agents'));
  });

  it('Pydantic AI (usage.py opentelemetry_attributes): total input plus gen_ai.usage.details.* parts', () => {
    const call = read(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': TOTAL_INPUT,
        'gen_ai.usage.output_tokens': RAW.output,
        'gen_ai.usage.details.cache_read_tokens': RAW.cacheRead,
        'gen_ai.usage.details.cache_write_tokens': RAW.cacheWrite,
        'gen_ai.usage.details.input_tokens': RAW.input,
      },
      'pydantic-ai',
    );
    expectOnce(call);
  });

  it('Logfire: the provider usage object (gen_ai.usage.raw, newer; response_data.usage, older) decides', () => {
    const common = {
      'logfire.span_type': 'span',
      'logfire.msg': 'Message with claude-sonnet-4-5',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      request_data: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 500, messages: [{ role: 'user', content: 'hi' }] }),
    };
    const usage = { input_tokens: RAW.input, output_tokens: RAW.output, cache_read_input_tokens: RAW.cacheRead, cache_creation_input_tokens: RAW.cacheWrite };
    expectOnce(read({ ...common, 'gen_ai.usage.input_tokens': TOTAL_INPUT, 'gen_ai.usage.output_tokens': RAW.output, 'gen_ai.usage.raw': JSON.stringify(usage) }, 'logfire.anthropic'));
    expectOnce(read({ ...common, 'gen_ai.usage.input_tokens': RAW.input, response_data: JSON.stringify({ message: { role: 'assistant', content: 'yo' }, usage }) }, 'logfire.anthropic'));
  });

  it('Vercel AI SDK: v6 reports totals, v5 passed Anthropic raw input_tokens', () => {
    const v6 = read(
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'anthropic.messages',
        'ai.model.id': 'claude-sonnet-4-5',
        'ai.usage.inputTokens': TOTAL_INPUT,
        'ai.usage.outputTokens': RAW.output,
        'ai.usage.inputTokenDetails.noCacheTokens': RAW.input,
        'ai.usage.inputTokenDetails.cacheReadTokens': RAW.cacheRead,
        'ai.usage.inputTokenDetails.cacheWriteTokens': RAW.cacheWrite,
      },
      'ai',
    );
    expectOnce(v6);
    const v5 = read(
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'anthropic.messages',
        'ai.model.id': 'claude-sonnet-4-5',
        'ai.usage.inputTokens': 40_000,
        'ai.usage.outputTokens': RAW.output,
        'ai.usage.cachedInputTokens': 500,
      },
      'ai',
    );
    expect(v5.inputTokens).toBe(40_500);
  });

  it('OpenAI-style usage (openai-v2 events) keeps cached tokens inside the prompt', () => {
    const call = read(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 10_000,
        'gen_ai.usage.output_tokens': 50,
        'gen_ai.usage.cache_read.input_tokens': 8_000,
        'gen_ai.response.time_to_first_chunk': 0.25,
      },
      'opentelemetry.instrumentation.openai_v2',
      { events: [event('gen_ai.user.message', { content: 'hi' })] },
    );
    expect(call.inputTokens).toBe(10_000);
    expect(call.cachedInputTokens).toBe(8_000);
    expect(call.ttftMs).toBe(250);
  });

  it('every rule names its source', () => {
    for (const rule of USAGE_RULES) expect(rule.source.length).toBeGreaterThan(20);
    expect(usageRuleFor(span({ 'gen_ai.system': 'anthropic' }, { scope: { name: '@traceloop/instrumentation-anthropic' } }))?.input).toBe('excludes');
    expect(usageRuleFor(span({}, { scope: { name: 'strands-agents' } }))).toBeNull();
  });
});

describe('an Anthropic call with cache reads is priced at its real cost', () => {
  it('bills uncached input, cache reads, cache writes and output each once at their own price', () => {
    const p = tableEntry('anthropic', 'claude-sonnet-4-5', AT);
    // Sonnet 4.5 prices prompts over 200k tokens higher; this one is under, so the base price holds.
    const base = (k: string): number => {
      const v = p[k] as number | { base: number };
      return typeof v === 'number' ? v : v.base;
    };
    const [input, cacheRead, cacheWrite, output] = ['input_mtok', 'cache_read_mtok', 'cache_write_mtok', 'output_mtok'].map(base);
    const real = (RAW.input * input! + RAW.cacheRead * cacheRead! + RAW.cacheWrite * cacheWrite! + RAW.output * output!) / 1e6;
    const call = read(genai(), 'opentelemetry.instrumentation.anthropic');
    const price = priceCall(call, { at: AT });
    expect(price.costUsd).toBeCloseTo(real, 10);
    expect(price.costEstimated).toBe(false);
  });

  it('prices a framework-named provider (strands-agents) as the model’s own provider, from its usage, not estimated', () => {
    const call = read(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'strands-agents',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': 1_000,
        'gen_ai.usage.output_tokens': 10,
        'gen_ai.usage.total_tokens': 1_010,
      },
      'strands.telemetry.tracer',
    );
    const price = priceCall(call, { at: AT });
    expect(price.priceSource).toMatch(/^genai-prices:anthropic\/claude-sonnet-4-5/);
    expect(price.costEstimated).toBe(false);
  });
});
