// LangChain.js traced by OpenInference (@arizeai/openinference-instrumentation-langchain): a
// tool-calling turn with @langchain/openai against the local fake OpenAI. The model runs must read
// as LLM calls (model, tokens with the cache counted once, messages, tool calls), the tool run as a
// tool span carrying no usage, and the chain around them as structure.
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { analyzeSpan } from '../../src/core/conventions';
import type { IngestSpan, LlmCall } from '../../src/core/model';
import { requestJson, type FakeServer } from '../fakes/fake-server';
import { chatReply, startFakeOpenAI } from '../fakes/openai-fake';
import { captureSpans, type SpanCapture } from '../helpers/capture-spans';

let capture: SpanCapture;
let fake: FakeServer;
let spans: IngestSpan[];

beforeAll(async () => {
  capture = captureSpans();
  const inst = new LangChainInstrumentation({ tracerProvider: capture.tracerProvider });
  inst.manuallyInstrument(CallbackManagerModule);
  fake = await startFakeOpenAI();
  fake.enqueue((req) => chatReply({ toolCalls: [{ id: 'call_lc1', name: 'get_weather', arguments: '{"city":"Lima"}' }], usage: { prompt: 2_100, completion: 15, cached: 2_048 } }, requestJson(req)));
  fake.enqueue((req) => chatReply({ content: 'Sunny in Lima.', usage: { prompt: 2_160, completion: 6, cached: 2_048 } }, requestJson(req)));

  const weather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
    name: 'get_weather',
    description: 'Weather for a city',
    schema: z.object({ city: z.string() }),
  });
  const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-test', configuration: { baseURL: `${fake.url}/v1` }, maxRetries: 0 }).bindTools([weather]);
  // One agent step as a chain: ask, run the tool the model asked for, ask again.
  const step = RunnableLambda.from(async (question: string) => {
    const history = [new SystemMessage('You are a weather bot.'), new HumanMessage(question)];
    const first = await model.invoke(history);
    const results = [];
    for (const tc of first.tool_calls ?? []) results.push(new ToolMessage({ tool_call_id: tc.id!, content: String(await weather.invoke(tc.args as { city: string })) }));
    const second = await model.invoke([...history, first, ...results]);
    return String(second.content);
  }).withConfig({ runName: 'weather_step' });
  expect(await step.invoke('Weather in Lima?')).toBe('Sunny in Lima.');
  spans = await capture.waitForSpans(4, 10_000);
}, 60_000);

afterAll(async () => {
  await capture?.shutdown();
  await fake?.close();
});

function read(s: IngestSpan): { category: string; call: LlmCall | null } {
  return analyzeSpan(s, capture.logsFor(s));
}

describe('LangChain.js via OpenInference → Spyglass', () => {
  it('two LLM calls, one tool span, and the chain as structure', () => {
    const kinds = spans.map((s) => [s.attributes['openinference.span.kind'], read(s).category, read(s).call !== null]);
    expect(kinds.filter(([, , isCall]) => isCall)).toHaveLength(2);
    expect(kinds).toContainEqual(['TOOL', 'tool', false]);
    expect(kinds).toContainEqual(['CHAIN', 'chain', false]);
  });

  it('reads each model run: model, tokens (cache once), system prompt, the tool call and its result', () => {
    const calls = spans.map((s) => ({ s, call: read(s).call })).filter((x) => x.call).sort((a, b) => a.s.startUs - b.s.startUs).map((x) => x.call!);
    const [first, second] = calls;
    expect(first!.requestModel ?? first!.responseModel).toMatch(/gpt-4o-mini/);
    expect(first!.inputTokens).toBe(2_100);
    expect(first!.cachedInputTokens).toBe(2_048);
    expect(first!.outputTokens).toBe(15);
    expect(first!.inputMessages[0]).toMatchObject({ role: 'system', parts: [{ type: 'text', content: 'You are a weather bot.' }] });
    expect(first!.outputMessages.flatMap((m) => m.parts)).toContainEqual(expect.objectContaining({ type: 'tool_call', name: 'get_weather', arguments: { city: 'Lima' } }));
    expect(second!.inputMessages.flatMap((m) => m.parts)).toContainEqual(expect.objectContaining({ type: 'tool_call_response', response: 'sunny in Lima' }));
    expect(second!.outputMessages.flatMap((m) => m.parts)).toContainEqual({ type: 'text', content: 'Sunny in Lima.' });
  });
});
