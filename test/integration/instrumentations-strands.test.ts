// The real Strands Agents TypeScript SDK (@strands-agents/sdk, its built-in OpenTelemetry tracer)
// running an agent with a tool against the local fake OpenAI: its spans must read as an agent run
// (the agent and loop spans structure, not calls), its chat spans as calls with the right model,
// tokens (cached counted once), tool calls and results, and the run's totals must equal its calls'.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Agent, tool } from '@strands-agents/sdk';
import { OpenAIModel } from '@strands-agents/sdk/models/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildAgentRun, type AgentRunSpan } from '../../src/core/agent-run';
import { analyzeSpan } from '../../src/core/conventions';
import { agentNameOf, toolNameOf } from '../../src/core/conventions/agent-spans';
import type { IngestSpan, LlmCall } from '../../src/core/model';
import { pricedCall } from '../../src/core/pricing';
import { requestJson, type FakeServer } from '../fakes/fake-server';
import { chatReply, startFakeOpenAI } from '../fakes/openai-fake';
import { captureSpans, type SpanCapture } from '../helpers/capture-spans';

let capture: SpanCapture;
let fake: FakeServer;
let spans: IngestSpan[];
const calls = new Map<string, LlmCall>();
const seenCity: string[] = [];

beforeAll(async () => {
  capture = captureSpans();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(capture.tracerProvider);
  fake = await startFakeOpenAI();
  fake.enqueue((req) =>
    chatReply({ toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], usage: { prompt: 1_200, completion: 18, cached: 1_024 } }, requestJson(req)),
  );
  fake.enqueue((req) => chatReply({ content: 'Rain and 7°C in Oslo.', usage: { prompt: 1_260, completion: 9, cached: 1_024 } }, requestJson(req)));
  const weather = tool({
    name: 'get_weather',
    description: 'Weather for a city',
    inputSchema: z.object({ city: z.string() }),
    callback: ({ city }) => {
      seenCity.push(city);
      return 'rain, 7C';
    },
  });
  const agent = new Agent({
    name: 'Weather Agent',
    model: new OpenAIModel({ api: 'chat', modelId: 'gpt-4o-mini', apiKey: 'sk-test', clientConfig: { baseURL: `${fake.url}/v1`, maxRetries: 0 } }),
    tools: [weather],
    systemPrompt: 'You are a weather bot.',
    printer: false,
  });
  const result = await agent.invoke('Weather in Oslo?');
  expect(String(result)).toContain('Rain and 7°C in Oslo.');
  spans = await capture.waitForSpans(6, 10_000);
  for (const s of spans) {
    const { call } = analyzeSpan(s, capture.logsFor(s));
    if (call) calls.set(s.spanId, call);
  }
}, 60_000);

afterAll(async () => {
  await capture?.shutdown();
  await fake?.close();
  trace.disable();
  context.disable();
});

const named = (re: RegExp) => spans.filter((s) => re.test(s.name));

describe('Strands Agents (TypeScript SDK) → Spyglass', () => {
  it('emits its agent, loop, chat and tool spans, and the tool ran', () => {
    expect(seenCity).toEqual(['Oslo']);
    expect(named(/^invoke_agent Weather Agent$/)).toHaveLength(1);
    expect(named(/^execute_agent_loop_cycle$/).length).toBeGreaterThanOrEqual(2);
    expect(named(/^chat$/)).toHaveLength(2);
    expect(named(/^execute_tool get_weather$/)).toHaveLength(1);
  });

  it('categorizes structure as structure: only the two chat spans are calls', () => {
    const category = (s: IngestSpan) => analyzeSpan(s, []).category;
    expect(category(named(/^invoke_agent/)[0]!)).toBe('agent');
    for (const s of named(/^execute_agent_loop_cycle$/)) expect(category(s)).toBe('chain');
    expect(category(named(/^execute_tool/)[0]!)).toBe('tool');
    expect([...calls.keys()].sort()).toEqual(named(/^chat$/).map((s) => s.spanId).sort());
  });

  it('reads each call: model, tokens with the cache counted once, messages, the tool call and its result', () => {
    const [first, second] = named(/^chat$/).sort((a, b) => a.startUs - b.startUs).map((s) => calls.get(s.spanId)!);
    expect(first!.requestModel).toBe('gpt-4o-mini');
    expect(first!.inputTokens).toBe(1_200);
    expect(first!.cachedInputTokens).toBe(1_024);
    expect(first!.outputTokens).toBe(18);
    expect(first!.inputMessages.flatMap((m) => m.parts)).toContainEqual({ type: 'text', content: 'Weather in Oslo?' });
    expect(first!.outputMessages.flatMap((m) => m.parts)).toContainEqual(expect.objectContaining({ type: 'tool_call', name: 'get_weather', arguments: { city: 'Oslo' } }));
    const parts = second!.inputMessages.flatMap((m) => m.parts);
    expect(parts).toContainEqual(expect.objectContaining({ type: 'tool_call_response', response: expect.stringContaining('rain, 7C') }));
    expect(second!.outputMessages.flatMap((m) => m.parts)).toContainEqual({ type: 'text', content: 'Rain and 7°C in Oslo.' });
    const priced = pricedCall(second!, { at: new Date('2026-11-22T12:00:00Z') });
    expect(priced.costUsd).toBeGreaterThan(0);
    expect(priced.costEstimated).toBe(false); // `strands-agents` is a framework: priced as OpenAI's gpt-4o-mini
  });

  it('builds the agent run: two turns with the tool call between them, totals equal to the calls', () => {
    const light: AgentRunSpan[] = spans.map((s) => {
      const { category } = analyzeSpan(s, []);
      const c = calls.get(s.spanId) ?? null;
      return {
        traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId, name: s.name, category: c ? 'llm' : category,
        startMs: s.startUs / 1000, endMs: s.endUs / 1000, model: c?.requestModel ?? null, inputTokens: c?.inputTokens ?? null,
        outputTokens: c?.outputTokens ?? null, costUsd: c ? 0 : null, agentName: agentNameOf(s.name, s.attributes), toolName: toolNameOf(s.name, s.attributes),
      };
    });
    const run = buildAgentRun(light)!;
    expect(run.agents.map((a) => a.name)).toEqual(['Weather Agent']);
    const agent = run.agents[0]!;
    expect(agent.turns.map((t) => t.tools.map((x) => x.name))).toEqual([['get_weather'], []]);
    expect(agent.own).toMatchObject({ calls: 2, toolCalls: 1, inputTokens: 2_460, outputTokens: 27 });
  });
});
