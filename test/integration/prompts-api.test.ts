// Prompt versions end to end: an app calls OpenAI through the recording proxy (the real OpenAI
// SDK against a fake that speaks OpenAI's wire format) with one system prompt, then with a
// one-word change; another app's OpenInference spans name their template and variables (real
// OpenTelemetry SDK over OTLP/HTTP). The JSON API then lists both prompts with their versions'
// figures, serves each version's text, and compares two versions with intervals and verdicts.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../src/collector/collector';
import type { ApiError, PromptComparisonDto, PromptDto, PromptsDto, PromptVersionDetail, TraceDetail } from '../../src/protocol/api';
import type { FakeServer } from '../fakes/fake-server';
import { chatReply, startFakeOpenAI } from '../fakes/openai-fake';
import { eventually } from '../helpers/cli-process';

let dir: string;
let collector: Collector;
let base: string;
let fake: FakeServer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-prompts-api-'));
  fake = await startFakeOpenAI();
  collector = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: path.join(dir, 'spyglass.db'), upstreams: { openai: fake.url } });
  base = `http://127.0.0.1:${collector.httpPort}`;
});

afterAll(async () => {
  await collector?.stop();
  await fake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function get<T>(p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(base + p);
  return { status: res.status, body: (await res.json()) as T };
}

const USERS = ['Ana', 'Bo', 'Cy', 'Di', 'Ed', 'Flo', 'Gil', 'Hu'];

/** Runs the app: one call per user with this system prompt; the fake answers with `completion` output tokens. */
async function runApp(systemPrompt: (user: string) => string, completion: number): Promise<void> {
  fake.setHandler((req) => chatReply({ content: 'ok', usage: { prompt: 50, completion } }, JSON.parse(req.body.toString())));
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/proxy/openai/v1`, maxRetries: 0 });
  for (const user of USERS) {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: systemPrompt(user) }, { role: 'user', content: 'Plan my day.' }] });
  }
}

/** An OpenInference-instrumented app: LLM spans carrying llm.prompt_template.* as `using_prompt_template` sets them. */
async function runTemplatedApp(template: string, cities: string[]): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'weather-app' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }))],
  });
  const tracer = provider.getTracer('openinference-instrumentation-openai');
  for (const city of cities) {
    const span = tracer.startSpan('ChatCompletion', { attributes: {
      'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.provider': 'openai',
      'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': template.replace('{city}', city),
      'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'Sunny.',
      'llm.token_count.prompt': 20, 'llm.token_count.completion': 5,
      'llm.prompt_template.template': template, 'llm.prompt_template.variables': JSON.stringify({ city }),
    } });
    span.end();
  }
  await provider.shutdown();
}

const promptOf = (dto: PromptsDto, source: string) => dto.prompts.find((p) => p.source === source);

describe('prompt versions through the JSON API', () => {
  let system: PromptDto;

  beforeAll(async () => {
    await runApp((u) => `You are ${u}'s planning assistant. Answer briefly.`, 10);
    await runApp((u) => `You are ${u}'s planning assistant. Answer thoroughly.`, 400);
    await runTemplatedApp('Weather for {city} today', ['Oslo', 'Lima', 'Pune']);
    await runTemplatedApp('Weather for {city} today, in Celsius', ['Oslo', 'Rome']);
    system = await eventually(async () => {
      const { body } = await get<PromptsDto>('/api/prompts');
      const p = promptOf(body, 'system');
      return p && p.versions.reduce((n, v) => n + v.calls, 0) === 16 ? p : undefined;
    });
  });

  it('groups the system prompts into two versions, newest first, variables folded into one', () => {
    expect(system.versions.map((v) => [v.version, v.calls])).toEqual([['2', 8], ['1', 8]]);
    const [b, a] = system.versions;
    expect(a!.outputTokens).toBe(80);
    expect(b!.outputTokens).toBe(3200);
    expect(a!.latencyMs.p50).toBeGreaterThan(0);
    expect(a!.latencyMs.p95).toBeGreaterThanOrEqual(a!.latencyMs.p50!);
    expect(a!.errors).toBe(0);
    expect(a!.firstSeen).toBeLessThan(b!.firstSeen);
    expect(system.serviceName).toBe('openai'); // a proxied call with no trace or service header belongs to its route
  });

  it('serves a version text with its variable as a slot, and an example as sent', async () => {
    const { status, body } = await get<PromptVersionDetail>(`/api/prompts/${system.promptId}/versions/1`);
    expect(status).toBe(200);
    expect(body.text).toBe("You are {{…}}'s planning assistant. Answer briefly.");
    expect(body.example).toMatch(/^You are \w+'s planning assistant\. Answer briefly\.$/);
    expect(body.variables).toBe(1);
    expect(body.versions).toEqual(['1', '2']);
    expect(body.recentCalls).toHaveLength(8);
  });

  it('groups OpenInference templates by template text', async () => {
    const { body } = await get<PromptsDto>('/api/prompts');
    const t = promptOf(body, 'template')!;
    expect(t.serviceName).toBe('weather-app');
    expect(t.versions.map((v) => [v.version, v.calls])).toEqual([['2', 2], ['1', 3]]);
    const v2 = await get<PromptVersionDetail>(`/api/prompts/${t.promptId}/versions/2`);
    expect(v2.body.text).toBe('Weather for {city} today, in Celsius');
  });

  it('compares two versions figure by figure with intervals and verdicts', async () => {
    const { status, body } = await get<PromptComparisonDto>(`/api/prompts/compare?a=${system.promptId}/1&b=${system.promptId}/2`);
    expect(status).toBe(200);
    const out = body.metrics.find((m) => m.metric === 'outputTokens')!;
    expect(out).toMatchObject({ a: 10, b: 400, difference: 390, verdict: 'higher', method: 'mann-whitney+hodges-lehmann' });
    expect(out.interval!.lo).toBeGreaterThan(0);
    const errors = body.metrics.find((m) => m.metric === 'errorRate')!;
    expect(errors).toMatchObject({ a: 0, b: 0, verdict: 'undecided', verdictText: 'not distinguishable: no difference seen' });
    expect(body.a.stats.calls).toBe(8);
  });

  it('counts thumbs on a version’s calls', async () => {
    const detail = await get<PromptVersionDetail>(`/api/prompts/${system.promptId}/versions/2`);
    const call = detail.body.recentCalls[0]!;
    const res = await fetch(`${base}/api/traces/${call.traceId}/spans/${call.spanId}/annotations`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'feedback', label: 'up' }),
    });
    expect(res.status).toBe(201);
    const { body } = await get<PromptsDto>('/api/prompts');
    expect(promptOf(body, 'system')!.versions[0]).toMatchObject({ version: '2', feedbackUp: 1, feedbackDown: 0 });
  });

  it('filters by window and service', async () => {
    const later = await get<PromptsDto>(`/api/prompts?from=${Date.now() + 60_000}`);
    expect(later.body.prompts).toEqual([]);
    const weather = await get<PromptsDto>('/api/prompts?service=weather-app');
    expect(weather.body.prompts.map((p) => p.source)).toEqual(['template']);
  });

  it('answers bad input with {error, detail}', async () => {
    const bad = await get<ApiError>('/api/prompts?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid from' });
    expect((await get<ApiError>('/api/prompts/compare?a=abc')).status).toBe(400);
    const missing = await get<ApiError>(`/api/prompts/${system.promptId}/versions/99`);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('99');
  });

  it('keeps the calls readable as ordinary traces', async () => {
    const detail = await get<PromptVersionDetail>(`/api/prompts/${system.promptId}/versions/1`);
    const trace = await get<TraceDetail>(`/api/traces/${detail.body.recentCalls[0]!.traceId}`);
    expect(trace.body.spans.some((s) => s.llm !== null)).toBe(true);
  });
});
