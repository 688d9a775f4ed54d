// The real `openai` client pointed at the recording proxy, which forwards to a fake OpenAI:
// the client must get what it would get directly, and every call must be recorded in the
// canonical shape with tokens, finish reasons, timing and status.

import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server';
import { chatReply, openaiError, openaiHandler, responsesReply, startFakeOpenAI } from '../fakes/openai-fake';
import { startProxyHarness, type ProxyHarness } from '../fakes/proxy-harness';

let fake: FakeServer;
let h: ProxyHarness;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  h = await startProxyHarness({ upstreams: { oai: fake.url } });
});
afterAll(async () => {
  await h.close();
  await fake.close();
});
beforeEach(() => {
  fake.setHandler(openaiHandler());
});

const client = () => new OpenAI({ apiKey: 'sk-secret-test-key', baseURL: `${h.base('oai')}/v1`, maxRetries: 0 });

describe('OpenAI Chat Completions through the proxy', () => {
  it('answers a non-streamed call and records messages, tokens and status', async () => {
    fake.setHandler((req) => chatReply({ content: 'Paris.', usage: { prompt: 21, completion: 2, cached: 8 } }, JSON.parse(req.body.toString())));
    const r = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'Capital of France?' },
      ],
    });
    expect(r.choices[0]!.message.content).toBe('Paris.');
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('ok');
    expect(c.httpStatus).toBe(200);
    expect(c.call.convention).toBe('proxy');
    expect(c.call.operation).toBe('chat');
    expect(c.call.provider).toBe('oai');
    expect(c.call.requestModel).toBe('gpt-4o-mini');
    expect(c.call.responseModel).toBe('gpt-4o-mini');
    expect(c.call.params).toMatchObject({ temperature: 0.2, max_tokens: 50 });
    expect(c.call.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Answer briefly.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Capital of France?' }] },
    ]);
    expect(c.call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Paris.' }], finish_reason: 'stop' }]);
    expect(c.call).toMatchObject({ inputTokens: 21, outputTokens: 2, cachedInputTokens: 8, finishReasons: ['stop'] });
    expect(c.call.ttftMs).toBeNull();
    expect(c.request.body).toBe(fake.lastRequest.body.toString());
    expect(c.request.path).toBe('/proxy/oai/v1/chat/completions');
    expect(JSON.parse(c.responseBody).choices[0].message.content).toBe('Paris.');
    expect(c.span.name).toBe('chat gpt-4o-mini');
    expect(c.span.attributes['gen_ai.usage.input_tokens']).toBe(21);
    expect(c.span.attributes['gen_ai.provider.name']).toBe('oai');
    expect(c.span.endUs).toBeGreaterThanOrEqual(c.span.startUs);
  });

  it('forwards the credentials upstream but never records them', async () => {
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    const c = await h.sink.nextCapture();
    expect(fake.lastRequest.headers.authorization).toBe('Bearer sk-secret-test-key');
    expect(fake.lastRequest.headers.host).toBe(new URL(fake.url).host);
    expect(c.request.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(c)).not.toContain('sk-secret-test-key');
    expect(c.request.headers['content-type']).toBe('application/json');
  });

  it('streams tool-call fragments through and records the reassembled calls, usage and timing', async () => {
    fake.setHandler((req) =>
      chatReply(
        {
          toolCalls: [
            { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
            { id: 'call_b', name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
          ],
          usage: { prompt: 40, completion: 25, cached: 0, reasoning: 0 },
        },
        JSON.parse(req.body.toString()),
        { firstDelayMs: 30, delayMs: 2 },
      ),
    );
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
      ],
    });
    const args: string[] = [];
    for await (const chunk of stream) {
      for (const t of chunk.choices[0]?.delta.tool_calls ?? []) args[t.index] = (args[t.index] ?? '') + (t.function?.arguments ?? '');
    }
    expect(args.map((a) => JSON.parse(a))).toEqual([{ city: 'Paris', unit: 'celsius' }, { tz: 'Europe/Paris' }]);
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('ok');
    expect(c.warnings).toEqual([]);
    expect(c.call.outputMessages[0]!.parts).toEqual([
      { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
      { type: 'tool_call', id: 'call_b', name: 'get_time', arguments: { tz: 'Europe/Paris' } },
    ]);
    expect(c.call.finishReasons).toEqual(['tool_calls']);
    expect(c.call.inputTokens).toBe(40);
    expect(c.call.outputTokens).toBe(25);
    expect(c.call.toolDefinitions).toHaveLength(2);
    // The first content chunk left the fake 30 ms after the headers.
    expect(c.call.ttftMs).toBeGreaterThanOrEqual(29);
    expect(c.call.ttftMs!).toBeLessThan((c.span.endUs - c.span.startUs) / 1000 + 0.001);
    expect(c.span.attributes['spyglass.proxy.tpot_ms']).toBeGreaterThan(0);
    expect(c.span.attributes['spyglass.proxy.stream']).toBe(true);
    expect(c.responseBody).toContain('data: [DONE]');
  });

  it('records a streamed refusal and reasoning tokens', async () => {
    fake.setHandler((req) =>
      chatReply({ refusal: "I can't help with that.", usage: { prompt: 10, completion: 30, reasoning: 24 } }, JSON.parse(req.body.toString())),
    );
    const stream = await client().chat.completions.create({
      model: 'o4-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Something bad' }],
    });
    let refusal = '';
    for await (const chunk of stream) refusal += chunk.choices[0]?.delta.refusal ?? '';
    expect(refusal).toBe("I can't help with that.");
    const c = await h.sink.nextCapture();
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'refusal', content: "I can't help with that." }]);
    expect(c.call.reasoningTokens).toBe(24);
    expect(c.call.outputTokens).toBe(30);
  });

  it('passes an upstream error through unchanged: the SDK sees the same error, the call is recorded with its body', async () => {
    fake.setHandler(() => openaiError(429, 'Rate limit reached for gpt-4o-mini in organization org-x on tokens per min.'));
    const err = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const apiErr = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiErr.message).toContain('Rate limit reached for gpt-4o-mini');
    expect(apiErr.code).toBe('rate_limit_exceeded');
    expect(apiErr.requestID).toBe('req_fakeerror0001');
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('error');
    expect(c.httpStatus).toBe(429);
    expect(c.call.errorType).toBe('requests');
    expect(JSON.parse(c.responseBody).error.code).toBe('rate_limit_exceeded');
    expect(c.span.statusCode).toBe(2);
    expect(c.span.statusMessage).toContain('Rate limit reached');
  });

  it('runs parallel streams without mixing them up', async () => {
    fake.setHandler((req) => {
      const body = JSON.parse(req.body.toString()) as { messages: Array<{ content: string }> };
      return chatReply({ content: `Echo: ${body.messages[0]!.content}` }, body, { delayMs: 3 });
    });
    const n = 12;
    const texts = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `question ${i}` }] });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        return text;
      }),
    );
    expect(texts).toEqual(Array.from({ length: n }, (_, i) => `Echo: question ${i}`));
    const caps = await h.sink.take(n);
    for (const c of caps) {
      const q = (c.call.inputMessages[0]!.parts[0] as { content: string }).content;
      expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: `Echo: ${q}` }]);
    }
    expect(new Set(caps.map((c) => c.span.traceId)).size).toBe(n);
  });

  it('records a client abort mid-stream as cancelled, with what arrived, and aborts the upstream request', async () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    fake.setHandler((req) => chatReply({ content: words }, JSON.parse(req.body.toString()), { delayMs: 5 }));
    const aborts = fake.abortedCount;
    const controller = new AbortController();
    const stream = await client().chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Count' }] },
      { signal: controller.signal },
    );
    let received = '';
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta.content ?? '';
      if (received.split(' ').length >= 5) controller.abort();
    }
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('cancelled');
    expect(c.httpStatus).toBe(200);
    const recorded = (c.call.outputMessages[0]!.parts[0] as { content: string }).content;
    expect(recorded.startsWith(received.trim().split(' ').slice(0, 5).join(' '))).toBe(true);
    expect(recorded.length).toBeLessThan(words.length);
    expect(c.span.events.map((e) => e.name)).toContain('spyglass.proxy.cancelled');
    await fake.waitForAbortedResponses(aborts + 1);
  });

  it('joins the caller trace from a W3C traceparent header', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await client().chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } },
    );
    const c = await h.sink.nextCapture();
    expect(c.span.traceId).toBe(traceId);
    expect(c.span.parentSpanId).toBe('00f067aa0ba902b7');
    expect(c.span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(c.span.spanId).not.toBe('00f067aa0ba902b7');
    // Forwarded unchanged too.
    expect(fake.lastRequest.headers.traceparent).toBe(`00-${traceId}-00f067aa0ba902b7-01`);
  });
});

describe('OpenAI Responses API and embeddings through the proxy', () => {
  it('streams a Responses call with reasoning and a function call', async () => {
    fake.setHandler((req) =>
      responsesReply(
        {
          reasoningSummary: 'The user wants weather.',
          functionCalls: [{ id: 'call_r1', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
          usage: { prompt: 50, completion: 30, cached: 20, reasoning: 12 },
        },
        JSON.parse(req.body.toString()),
        { delayMs: 1 },
      ),
    );
    const stream = client().responses.stream({
      model: 'gpt-4.1-mini',
      instructions: 'Be helpful.',
      input: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [{ type: 'function', name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    const final = await stream.finalResponse();
    expect(final.output.some((o) => o.type === 'function_call')).toBe(true);
    const c = await h.sink.nextCapture();
    expect(c.warnings).toEqual([]);
    expect(c.call.operation).toBe('chat');
    expect(c.span.attributes['spyglass.proxy.api']).toBe('openai.responses');
    expect(c.call.systemInstructions).toEqual([{ type: 'text', content: 'Be helpful.' }]);
    expect(c.call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather in Oslo?' }] }]);
    expect(c.call.outputMessages).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'The user wants weather.' },
          { type: 'tool_call', id: 'call_r1', name: 'get_weather', arguments: { city: 'Oslo' } },
        ],
        finish_reason: 'tool_calls',
      },
    ]);
    expect(c.call).toMatchObject({ inputTokens: 50, outputTokens: 30, cachedInputTokens: 20, reasoningTokens: 12, responseId: 'resp_68fake00000000000000000000000001' });
    expect(c.call.ttftMs).not.toBeNull();
  });

  it('records a non-streamed Responses call', async () => {
    const r = await client().responses.create({ model: 'gpt-4.1-mini', input: 'Say hi' });
    expect(r.output_text).toBe('Hello from the fake.');
    const c = await h.sink.nextCapture();
    expect(c.call.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Say hi' }] }]);
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'Hello from the fake.' }]);
    expect(c.call.finishReasons).toEqual(['stop']);
  });

  it('records embeddings with their input and token count', async () => {
    const r = await client().embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta gamma'] });
    expect(r.data).toHaveLength(2);
    const c = await h.sink.nextCapture();
    expect(c.call.operation).toBe('embeddings');
    expect(c.call.inputMessages[0]!.parts).toEqual([
      { type: 'text', content: 'alpha' },
      { type: 'text', content: 'beta gamma' },
    ]);
    expect(c.call.inputTokens).toBe(5);
    expect(c.span.name).toBe('embeddings text-embedding-3-small');
  });

  it('records other paths as generic calls named after the path', async () => {
    const models = await client().models.list();
    expect(models.data[0]!.id).toBe('gpt-4o-mini');
    const c = await h.sink.nextCapture();
    expect(c.call.operation).toBe('models');
    expect(c.span.attributes['spyglass.proxy.api']).toBe('generic');
    expect(c.request.method).toBe('GET');
    expect(c.outcome).toBe('ok');
  });
});
