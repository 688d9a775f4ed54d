import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../../src/core/conventions';
import { normalizeUsage } from '../../../src/core/conventions/usage';
import { span } from './build';

describe('token semantics: input includes cached tokens, output includes reasoning tokens', () => {
  it('leaves OpenAI-style totals alone', () => {
    expect(normalizeUsage({ input: 1000, output: 50, cacheRead: 800, cacheWrite: null, reasoning: 20 }, 'auto', 'openai', 'gpt-4o')).toEqual({
      inputTokens: 1000,
      outputTokens: 50,
      cachedInputTokens: 800,
      cacheWriteTokens: null,
      reasoningTokens: 20,
    });
  });

  it('adds cache reads and writes to Anthropic-style input_tokens', () => {
    expect(normalizeUsage({ input: 12, output: 50, cacheRead: 800, cacheWrite: 200, reasoning: null }, 'auto', 'anthropic', 'claude-sonnet-4')).toMatchObject({
      inputTokens: 1012,
      cachedInputTokens: 800,
      cacheWriteTokens: 200,
    });
    // Claude served through another provider is billed the same way.
    expect(normalizeUsage({ input: 12, output: 5, cacheRead: 100, cacheWrite: 0, reasoning: null }, 'auto', 'aws.bedrock', 'anthropic.claude-3-5-sonnet').inputTokens).toBe(112);
  });

  it('trusts a declared total style for Anthropic unless the figure cannot include its own cache', () => {
    expect(normalizeUsage({ input: 1012, output: 5, cacheRead: 800, cacheWrite: 200, reasoning: null }, 'includes', 'anthropic', 'claude').inputTokens).toBe(1012);
    expect(normalizeUsage({ input: 12, output: 5, cacheRead: 800, cacheWrite: 200, reasoning: null }, 'includes', 'anthropic', 'claude').inputTokens).toBe(1012);
  });

  it('uses a reported total to see that input excluded the cache', () => {
    expect(normalizeUsage({ input: 300, output: 10, cacheRead: 200, cacheWrite: null, reasoning: null, total: 510 }, 'includes', 'someone', 'm').inputTokens).toBe(500);
  });

  it('adds reasoning to output when output cannot include it (Gemini-style)', () => {
    expect(normalizeUsage({ input: 10, output: 5, cacheRead: null, cacheWrite: null, reasoning: 40 }, 'auto', 'gcp.gemini', 'gemini-2.5-pro').outputTokens).toBe(45);
    expect(normalizeUsage({ input: 10, output: 50, cacheRead: null, cacheWrite: null, reasoning: 40, total: 100 }, 'auto', 'gcp.gemini', 'gemini-2.5-pro').outputTokens).toBe(90);
    expect(normalizeUsage({ input: 10, output: 50, cacheRead: null, cacheWrite: null, reasoning: 40, total: 60 }, 'auto', 'openai', 'o3').outputTokens).toBe(50);
  });

  it('sees from the total that a non-Anthropic-named provider passed raw Anthropic figures (Strands)', () => {
    const call = normalizeSpan(
      span({
        'gen_ai.system': 'strands-agents',
        'gen_ai.request.model': 'us.amazon.nova-pro',
        'gen_ai.usage.input_tokens': 4299,
        'gen_ai.usage.output_tokens': 631,
        'gen_ai.usage.cache_read_input_tokens': 35574,
        'gen_ai.usage.cache_write_input_tokens': 17787,
        'gen_ai.usage.total_tokens': 58291,
      }),
      [],
    )!;
    expect(call).toMatchObject({ inputTokens: 4299 + 35574 + 17787, cachedInputTokens: 35574, cacheWriteTokens: 17787, outputTokens: 631 });
  });

  it('applies through a span: OpenLLMetry-style Anthropic usage', () => {
    const call = normalizeSpan(
      span({
        'gen_ai.system': 'Anthropic',
        'gen_ai.request.model': 'claude-3-5-haiku',
        'llm.request.type': 'chat',
        'gen_ai.usage.prompt_tokens': 20,
        'gen_ai.usage.completion_tokens': 30,
        'gen_ai.usage.cache_read_input_tokens': 1000,
        'gen_ai.usage.cache_creation_input_tokens': 50,
        'llm.usage.total_tokens': 50,
      }),
      [],
    )!;
    expect(call.inputTokens).toBe(1070);
    expect(call.cachedInputTokens).toBe(1000);
    expect(call.cacheWriteTokens).toBe(50);
    expect(call.outputTokens).toBe(30);
  });
});
