// The proxy as a user runs it: `dist/cli.js serve --upstream …`, the official SDKs with only
// their base URL changed, and every call — the failing ones too — read back through the JSON API
// with messages, tokens, cost, time to first token and status, from the real SQLite store.

import Anthropic from '@anthropic-ai/sdk';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanDto, TraceDetail } from '../../src/protocol/api';
import { anthropicHandler, messageReply, startFakeAnthropic } from '../fakes/anthropic-fake';
import type { FakeServer } from '../fakes/fake-server';
import { chatReply, openaiError, startFakeOpenAI } from '../fakes/openai-fake';
import { eventually, getJson, startCli, type RunningCli } from '../helpers/cli-process';
import { namedPort } from '../helpers/ports';

let dir: string;
let cli: RunningCli;
let openaiFake: FakeServer;
let anthropicFake: FakeServer;


beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-proxy-cli-'));
  [openaiFake, anthropicFake] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
  cli = await startCli([
    '--db', path.join(dir, 'spyglass.db'),
    '--upstream', `openai=${openaiFake.url}`,
    '--upstream', `anthropic=${anthropicFake.url}`,
    '--upstream', `dead=http://127.0.0.1:${await namedPort()}`,
  ]);
});

afterAll(async () => {
  await cli?.stop();
  await Promise.all([openaiFake?.close(), anthropicFake?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const traceparent = (traceId: string) => `00-${traceId}-00f067aa0ba902b7-01`;

function spanOf(traceId: string): Promise<SpanDto> {
  return eventually(async () => {
    const t = await getJson<TraceDetail>(`${cli.base}/api/traces/${traceId}`).catch(() => undefined);
    return t?.spans.find((s) => s.llm !== null);
  });
}

describe('the proxy in the headless collector', () => {
  it('records a streamed OpenAI call with tokens, cost, TTFT and status, and no key', async () => {
    openaiFake.setHandler((req) =>
      chatReply({ content: 'Paris is the capital.', usage: { prompt: 1000, completion: 20, cached: 400 } }, JSON.parse(req.body.toString()), { firstDelayMs: 25, delayMs: 2 }),
    );
    const client = new OpenAI({ apiKey: 'sk-cli-secret', baseURL: `${cli.base}/proxy/openai/v1`, maxRetries: 0 });
    const traceId = '11111111111111111111111111111111';
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Capital of France?' }] },
      { headers: { traceparent: traceparent(traceId) } },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Paris is the capital.');

    const span = await spanOf(traceId);
    expect(span.parentSpanId).toBe('00f067aa0ba902b7');
    const llm = span.llm!;
    expect(llm).toMatchObject({ convention: 'proxy', provider: 'openai', requestModel: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 20, cachedInputTokens: 400, finishReasons: ['stop'], httpStatus: 200 });
    expect(llm.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Paris is the capital.' }], finish_reason: 'stop' }]);
    // gpt-4o-mini: 600 uncached input, 400 cached, 20 output tokens.
    expect(llm.costUsd).toBeGreaterThan(0);
    expect(llm.costEstimated).toBe(false);
    expect(llm.ttftMs).toBeGreaterThanOrEqual(24);
    expect(llm.request?.body).toContain('Capital of France?');
    expect(JSON.stringify(span)).not.toContain('sk-cli-secret');
  });

  it('records an Anthropic stream with cache tokens in the input count', async () => {
    anthropicFake.setHandler((req) =>
      messageReply({ content: [{ type: 'text', text: 'Bonjour.' }], usage: { input: 10, output: 5, cacheRead: 90 } }, JSON.parse(req.body.toString())),
    );
    const client = new Anthropic({ apiKey: 'sk-ant-cli-secret', baseURL: `${cli.base}/proxy/anthropic`, maxRetries: 0 });
    const traceId = '22222222222222222222222222222222';
    const msg = await client.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Say hello in French' }] }, { headers: { traceparent: traceparent(traceId) } })
      .finalMessage();
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'Bonjour.' });
    const llm = (await spanOf(traceId)).llm!;
    expect(llm).toMatchObject({ provider: 'anthropic', inputTokens: 100, cachedInputTokens: 90, outputTokens: 5, finishReasons: ['end_turn'] });
    expect(llm.costUsd).toBeGreaterThan(0);
    anthropicFake.setHandler(anthropicHandler());
  });

  it('records failing calls: an upstream 429 and an unreachable upstream', async () => {
    openaiFake.enqueue(openaiError(429, 'Rate limit reached for gpt-4o-mini'));
    const client = new OpenAI({ apiKey: 'sk-x', baseURL: `${cli.base}/proxy/openai/v1`, maxRetries: 0 });
    const limited = '33333333333333333333333333333333';
    const err = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }, { headers: { traceparent: traceparent(limited) } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const limitedSpan = await spanOf(limited);
    expect(limitedSpan.status).toBe('error');
    expect(limitedSpan.llm).toMatchObject({ httpStatus: 429, errorType: 'requests' });

    const dead = new OpenAI({ apiKey: 'sk-x', baseURL: `${cli.base}/proxy/dead/v1`, maxRetries: 0 });
    const unreachable = '44444444444444444444444444444444';
    const err2 = await dead.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }, { headers: { traceparent: traceparent(unreachable) } })
      .catch((e: unknown) => e);
    expect((err2 as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    const deadSpan = await spanOf(unreachable);
    expect(deadSpan.status).toBe('error');
    expect(deadSpan.llm).toMatchObject({ httpStatus: 502, errorType: 'upstream_unreachable', requestModel: 'gpt-4o-mini' });
  });
});
