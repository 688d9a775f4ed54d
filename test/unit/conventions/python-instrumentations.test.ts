// Python-only instrumentations (PyPI is not reachable here): one payload per library, built from
// the library's own source, named per fixture (library, version line, file). Each must come out
// with the right model, tokens (cached counted once), a priced cost, the system prompt, the
// messages, and tool calls and results where the library sends them.
import { describe, expect, it } from 'vitest';
import { analyzeSpan } from '../../../src/core/conventions';
import { systemText } from '../../../src/core/conventions/text';
import type { Attributes, IngestLogRecord, IngestSpan, LlmCall } from '../../../src/core/model';
import { pricedCall } from '../../../src/core/pricing';
import { event, log, span } from './build';

interface Fixture {
  library: string;
  source: string;
  scope: string;
  name: string;
  attributes: Attributes;
  events?: IngestSpan['events'];
  logs?: IngestLogRecord[];
  expect: { model: RegExp; input: number; cached?: number; output: number; system?: string; user: string; toolCall?: string; toolResult?: string; answer?: string };
}

const SYSTEM = 'You are a weather bot.';
const USER = 'Weather in Oslo?';

const FIXTURES: Fixture[] = [
  {
    library: 'opentelemetry-instrumentation-openai-v2 2.x (content as events)',
    source: 'open-telemetry/opentelemetry-python-contrib instrumentation-genai/opentelemetry-instrumentation-openai-v2/src/opentelemetry/instrumentation/openai_v2/utils.py (message_to_event, choice_to_event)',
    scope: 'opentelemetry.instrumentation.openai_v2',
    name: 'chat gpt-4o-mini',
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-1', 'gen_ai.response.finish_reasons': ['tool_calls'], 'gen_ai.usage.input_tokens': 1_500, 'gen_ai.usage.output_tokens': 20,
    },
    logs: [
      log('gen_ai.system.message', { content: SYSTEM }),
      log('gen_ai.user.message', { content: USER }),
      log('gen_ai.choice', { index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] } }),
    ],
    expect: { model: /gpt-4o-mini/, input: 1_500, output: 20, system: SYSTEM, user: USER, toolCall: 'get_weather' },
  },
  {
    library: 'opentelemetry-instrumentation-openai-v2 with OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental (util-genai)',
    source: 'open-telemetry/opentelemetry-python-contrib util/opentelemetry-util-genai/src/opentelemetry/util/genai/span_utils.py (_get_llm_messages_attributes_for_span)',
    scope: 'opentelemetry.instrumentation.openai_v2',
    name: 'chat gpt-4o',
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 12_000, 'gen_ai.usage.output_tokens': 40, 'gen_ai.usage.cache_read.input_tokens': 11_264,
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM }]),
      'gen_ai.input.messages': JSON.stringify([
        { role: 'user', parts: [{ type: 'text', content: USER }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rain, 7C' }] },
      ]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Rain in Oslo.' }], finish_reason: 'stop' }]),
    },
    expect: { model: /gpt-4o/, input: 12_000, cached: 11_264, output: 40, system: SYSTEM, user: USER, toolCall: 'get_weather', toolResult: 'rain, 7C', answer: 'Rain in Oslo.' },
  },
  {
    library: 'opentelemetry-instrumentation-google-genai 0.x',
    source: 'open-telemetry/opentelemetry-python-contrib instrumentation-genai/opentelemetry-instrumentation-google-genai/src/opentelemetry/instrumentation/google_genai/generate_content.py',
    scope: 'opentelemetry.instrumentation.google_genai',
    name: 'generate_content gemini-2.5-flash',
    attributes: {
      'gen_ai.operation.name': 'generate_content', 'gen_ai.system': 'gemini', 'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.usage.input_tokens': 900, 'gen_ai.usage.output_tokens': 30, 'gen_ai.response.finish_reasons': ['stop'],
    },
    logs: [log('gen_ai.system.message', { content: SYSTEM }), log('gen_ai.user.message', { content: USER }), log('gen_ai.choice', { index: 0, finish_reason: 'stop', content: 'Rain in Oslo.' })],
    expect: { model: /gemini-2\.5-flash/, input: 900, output: 30, system: SYSTEM, user: USER, answer: 'Rain in Oslo.' },
  },
  {
    library: 'opentelemetry-instrumentation-anthropic (contrib, util-genai based)',
    source: 'open-telemetry/opentelemetry-python-contrib instrumentation-genai/opentelemetry-instrumentation-anthropic/src/opentelemetry/instrumentation/anthropic/messages_extractors.py',
    scope: 'opentelemetry.instrumentation.anthropic',
    name: 'chat claude-sonnet-4-5',
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.system': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.usage.input_tokens': 30_200, 'gen_ai.usage.output_tokens': 80, 'gen_ai.usage.cache_read.input_tokens': 30_000, 'gen_ai.usage.cache_creation.input_tokens': 0,
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM }]),
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: USER }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: { city: 'Oslo' } }], finish_reason: 'tool_call' }]),
    },
    expect: { model: /claude-sonnet-4-5/, input: 30_200, cached: 30_000, output: 80, system: SYSTEM, user: USER, toolCall: 'get_weather' },
  },
  {
    library: 'openinference-instrumentation-openai 0.1.x',
    source: 'Arize-ai/openinference python/instrumentation/openinference-instrumentation-openai/src/openinference/instrumentation/openai/_response_attributes_extractor.py',
    scope: 'openinference.instrumentation.openai',
    name: 'ChatCompletion',
    attributes: {
      'openinference.span.kind': 'LLM', 'llm.provider': 'openai', 'llm.system': 'openai', 'llm.model_name': 'gpt-4o-2024-08-06',
      'llm.invocation_parameters': JSON.stringify({ model: 'gpt-4o', temperature: 0 }),
      'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': SYSTEM,
      'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': USER,
      'llm.input_messages.2.message.role': 'assistant', 'llm.input_messages.2.message.tool_calls.0.tool_call.id': 'call_1',
      'llm.input_messages.2.message.tool_calls.0.tool_call.function.name': 'get_weather', 'llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments': '{"city":"Oslo"}',
      'llm.input_messages.3.message.role': 'tool', 'llm.input_messages.3.message.tool_call_id': 'call_1', 'llm.input_messages.3.message.content': 'rain, 7C',
      'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'Rain in Oslo.',
      'llm.token_count.prompt': 8_000, 'llm.token_count.completion': 12, 'llm.token_count.total': 8_012, 'llm.token_count.prompt_details.cache_read': 7_680,
    },
    expect: { model: /gpt-4o/, input: 8_000, cached: 7_680, output: 12, system: SYSTEM, user: USER, toolCall: 'get_weather', toolResult: 'rain, 7C', answer: 'Rain in Oslo.' },
  },
  {
    library: 'openinference-instrumentation-anthropic 0.1.x',
    source: 'Arize-ai/openinference python/instrumentation/openinference-instrumentation-anthropic/src/openinference/instrumentation/anthropic/_wrappers.py (_get_llm_token_counts: prompt = input + cache_creation + cache_read)',
    scope: 'openinference.instrumentation.anthropic',
    name: 'Messages',
    attributes: {
      'openinference.span.kind': 'LLM', 'llm.provider': 'anthropic', 'llm.system': 'anthropic', 'llm.model_name': 'claude-sonnet-4-5-20250929',
      'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': SYSTEM,
      'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': USER,
      'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'Rain in Oslo.',
      'llm.token_count.prompt': 33_000, 'llm.token_count.completion': 400, 'llm.token_count.prompt_details.cache_read': 30_000, 'llm.token_count.prompt_details.cache_write': 1_000,
    },
    expect: { model: /claude-sonnet-4-5/, input: 33_000, cached: 30_000, output: 400, system: SYSTEM, user: USER, answer: 'Rain in Oslo.' },
  },
  {
    library: 'openinference-instrumentation-langchain 0.1.x (LLM run of a chat model)',
    source: 'Arize-ai/openinference python/instrumentation/openinference-instrumentation-langchain/src/openinference/instrumentation/langchain/_tracer.py (_llm_messages, _token_counts)',
    scope: 'openinference.instrumentation.langchain',
    name: 'ChatOpenAI',
    attributes: {
      'openinference.span.kind': 'LLM', 'llm.provider': 'openai', 'llm.system': 'openai', 'llm.model_name': 'gpt-4o-mini',
      'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': SYSTEM,
      'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': USER,
      'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'get_weather',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"city": "Oslo"}',
      'llm.token_count.prompt': 300, 'llm.token_count.completion': 18, 'llm.token_count.total': 318,
    },
    expect: { model: /gpt-4o-mini/, input: 300, output: 18, system: SYSTEM, user: USER, toolCall: 'get_weather' },
  },
  {
    library: 'openinference-instrumentation-llama-index 4.x',
    source: 'Arize-ai/openinference python/instrumentation/openinference-instrumentation-llama-index/src/openinference/instrumentation/llama_index/_handler.py (LLM span from LLMChatEndEvent)',
    scope: 'openinference.instrumentation.llama_index',
    name: 'OpenAI.chat',
    attributes: {
      'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.provider': 'openai',
      'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': SYSTEM,
      'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': USER,
      'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'Rain in Oslo.',
      'llm.token_count.prompt': 210, 'llm.token_count.completion': 7, 'llm.token_count.total': 217,
    },
    expect: { model: /gpt-4o-mini/, input: 210, output: 7, system: SYSTEM, user: USER, answer: 'Rain in Oslo.' },
  },
  {
    library: 'openinference-instrumentation-openai-agents 1.x (LLM span of a Responses call)',
    source: 'Arize-ai/openinference python/instrumentation/openinference-instrumentation-openai-agents/src/openinference/instrumentation/openai_agents/_processor.py (_get_attributes_from_response)',
    scope: 'openinference.instrumentation.openai_agents',
    name: 'response',
    attributes: {
      'openinference.span.kind': 'LLM', 'llm.provider': 'openai', 'llm.system': 'openai', 'llm.model_name': 'gpt-4.1-2025-04-14',
      'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': SYSTEM,
      'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': USER,
      'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'call_9',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'get_weather', 'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"city":"Oslo"}',
      'llm.token_count.prompt': 2_600, 'llm.token_count.completion': 22, 'llm.token_count.total': 2_622, 'llm.token_count.prompt_details.cache_read': 2_304,
    },
    expect: { model: /gpt-4\.1/, input: 2_600, cached: 2_304, output: 22, system: SYSTEM, user: USER, toolCall: 'get_weather' },
  },
  {
    library: 'opentelemetry-instrumentation-openai (OpenLLMetry) 0.4x, prompts as attributes',
    source: 'traceloop/openllmetry packages/opentelemetry-instrumentation-openai/opentelemetry/instrumentation/openai/shared/chat_wrappers.py (_set_prompts, _set_completions)',
    scope: 'opentelemetry.instrumentation.openai.v1',
    name: 'openai.chat',
    attributes: {
      'llm.request.type': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.prompt.0.role': 'system', 'gen_ai.prompt.0.content': SYSTEM, 'gen_ai.prompt.1.role': 'user', 'gen_ai.prompt.1.content': USER,
      'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.finish_reason': 'tool_calls',
      'gen_ai.completion.0.tool_calls.0.id': 'call_1', 'gen_ai.completion.0.tool_calls.0.name': 'get_weather', 'gen_ai.completion.0.tool_calls.0.arguments': '{"city":"Oslo"}',
      'gen_ai.usage.prompt_tokens': 5_000, 'gen_ai.usage.completion_tokens': 25, 'llm.usage.total_tokens': 5_025, 'gen_ai.usage.cache_read_input_tokens': 4_864,
    },
    expect: { model: /gpt-4o/, input: 5_000, cached: 4_864, output: 25, system: SYSTEM, user: USER, toolCall: 'get_weather' },
  },
  {
    library: 'opentelemetry-instrumentation-anthropic (OpenLLMetry) 0.4x',
    source: 'traceloop/openllmetry packages/opentelemetry-instrumentation-anthropic/opentelemetry/instrumentation/anthropic/__init__.py (_set_token_usage: input = prompt + cache_read + cache_creation)',
    scope: 'opentelemetry.instrumentation.anthropic',
    name: 'anthropic.chat',
    attributes: {
      'gen_ai.system': 'Anthropic', 'llm.request.type': 'completion', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.prompt.0.role': 'system', 'gen_ai.prompt.0.content': SYSTEM, 'gen_ai.prompt.1.role': 'user', 'gen_ai.prompt.1.content': USER,
      'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.content': 'Rain in Oslo.', 'gen_ai.completion.0.finish_reason': 'end_turn',
      'gen_ai.usage.input_tokens': 33_000, 'gen_ai.usage.output_tokens': 400, 'llm.usage.total_tokens': 33_400,
      'gen_ai.usage.cache_read.input_tokens': 30_000, 'gen_ai.usage.cache_creation.input_tokens': 1_000,
    },
    expect: { model: /claude-sonnet-4-5/, input: 33_000, cached: 30_000, output: 400, system: SYSTEM, user: USER, answer: 'Rain in Oslo.' },
  },
  {
    library: 'opentelemetry-instrumentation-bedrock (OpenLLMetry) 0.4x, Anthropic on Bedrock',
    source: 'traceloop/openllmetry packages/opentelemetry-instrumentation-bedrock/opentelemetry/instrumentation/bedrock/span_utils.py (_set_anthropic_messages_span_attributes)',
    scope: 'opentelemetry.instrumentation.bedrock',
    name: 'bedrock.completion',
    attributes: {
      'gen_ai.system': 'AWS', 'llm.request.type': 'chat', 'gen_ai.request.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': USER,
      'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.content': 'Rain in Oslo.',
      'gen_ai.usage.prompt_tokens': 40, 'gen_ai.usage.completion_tokens': 9, 'llm.usage.total_tokens': 49,
    },
    expect: { model: /claude-3-5-sonnet/, input: 40, output: 9, user: USER, answer: 'Rain in Oslo.' },
  },
  {
    library: 'opentelemetry-instrumentation-langchain (OpenLLMetry) 0.4x, the chat model run',
    source: 'traceloop/openllmetry packages/opentelemetry-instrumentation-langchain/opentelemetry/instrumentation/langchain/span_utils.py (set_chat_request, set_chat_response)',
    scope: 'opentelemetry.instrumentation.langchain',
    name: 'ChatOpenAI.chat',
    attributes: {
      'llm.request.type': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'traceloop.workflow.name': 'weather',
      'gen_ai.prompt.0.role': 'system', 'gen_ai.prompt.0.content': SYSTEM, 'gen_ai.prompt.1.role': 'user', 'gen_ai.prompt.1.content': USER,
      'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.content': 'Rain in Oslo.',
      'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 6, 'llm.usage.total_tokens': 126,
    },
    expect: { model: /gpt-4o-mini/, input: 120, output: 6, system: SYSTEM, user: USER, answer: 'Rain in Oslo.' },
  },
  {
    library: 'Pydantic AI 1.x, instrumentation version 2+ (GenAI messages on the chat span)',
    source: 'pydantic/pydantic-ai pydantic_ai_slim/pydantic_ai/models/instrumented.py (InstrumentedModel._instrument) + usage.py',
    scope: 'pydantic-ai',
    name: 'chat claude-sonnet-4-5',
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.system': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.usage.input_tokens': 33_000, 'gen_ai.usage.output_tokens': 400, 'gen_ai.usage.details.cache_read_tokens': 30_000, 'gen_ai.usage.details.cache_write_tokens': 1_000,
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM }]),
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: USER }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Rain in Oslo.' }], finish_reason: 'stop' }]),
      'logfire.span_type': 'span', 'logfire.msg': 'chat claude-sonnet-4-5',
    },
    expect: { model: /claude-sonnet-4-5/, input: 33_000, cached: 30_000, output: 400, system: SYSTEM, user: USER, answer: 'Rain in Oslo.' },
  },
];

function textOf(call: LlmCall): { user: string | undefined; toolCall: string | undefined; toolResult: unknown; answer: string | undefined } {
  const all = [...call.inputMessages, ...call.outputMessages].flatMap((m) => m.parts as Array<Record<string, unknown>>);
  const user = call.inputMessages.find((m) => m.role === 'user')?.parts.find((p) => p.type === 'text') as { content: string } | undefined;
  const answer = call.outputMessages.flatMap((m) => m.parts).find((p) => p.type === 'text') as { content: string } | undefined;
  return {
    user: user?.content,
    toolCall: all.find((p) => p.type === 'tool_call')?.name as string | undefined,
    toolResult: all.find((p) => p.type === 'tool_call_response')?.response,
    answer: answer?.content,
  };
}

describe('Python instrumentations, from their source', () => {
  for (const f of FIXTURES) {
    it(f.library, () => {
      const s = span(f.attributes, { name: f.name, scope: { name: f.scope }, events: f.events ?? [] });
      const { category, call } = analyzeSpan(s, f.logs ?? []);
      expect(category).toBe('llm');
      expect(call, f.source).not.toBeNull();
      const c = call!;
      expect(c.responseModel ?? c.requestModel).toMatch(f.expect.model);
      expect(c.inputTokens).toBe(f.expect.input);
      if (f.expect.cached !== undefined) expect(c.cachedInputTokens).toBe(f.expect.cached);
      expect(c.outputTokens).toBe(f.expect.output);
      if (f.expect.system) expect(systemText(c)).toBe(f.expect.system);
      const t = textOf(c);
      expect(t.user).toBe(f.expect.user);
      if (f.expect.toolCall) expect(t.toolCall).toBe(f.expect.toolCall);
      if (f.expect.toolResult) expect(t.toolResult).toBe(f.expect.toolResult);
      if (f.expect.answer) expect(t.answer).toBe(f.expect.answer);
      const priced = pricedCall(c, { at: new Date('2026-11-22T12:00:00Z') });
      expect(priced.costUsd, 'priced from the table').toBeGreaterThan(0);
      expect(priced.costEstimated).toBe(false);
    });
  }

  it('the OpenInference agent and tool spans of openai-agents are structure', () => {
    // _processor.py: AgentSpanData → AGENT, FunctionSpanData → TOOL, HandoffSpanData → TOOL.
    for (const [kind, category] of [['AGENT', 'agent'], ['TOOL', 'tool'], ['CHAIN', 'chain']] as const) {
      const s = span({ 'openinference.span.kind': kind, 'llm.token_count.prompt': 5, 'graph.node.id': 'Triage' }, { name: 'Triage', scope: { name: 'openinference.instrumentation.openai_agents' } });
      expect(analyzeSpan(s, [])).toEqual({ category, call: null });
    }
  });

  it('every fixture names its library and source file', () => {
    for (const f of FIXTURES) expect(f.source).toMatch(/\.py\b/);
  });
});

// Span events as well as log records carry the deprecated per-message events (openai-v2 with
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT and an event logger bridged to spans).
describe('openai-v2 events as span events', () => {
  it('reads the same call', () => {
    const f = FIXTURES[0]!;
    const s = span(f.attributes, {
      name: f.name,
      scope: { name: f.scope },
      events: (f.logs ?? []).map((l) => event(l.eventName!, l.body as Attributes, l.timeUs)),
    });
    const c = analyzeSpan(s, []).call!;
    expect(textOf(c).toolCall).toBe('get_weather');
    expect(systemText(c)).toBe(SYSTEM);
  });
});
