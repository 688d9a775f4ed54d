// Gemini's REST API through the recording proxy with plain fetch (its wire format, keys in the
// query string or in x-goog-api-key, SSE with \r\n\r\n separators, a JSON-array stream).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server';
import { geminiError, geminiHandler, startFakeGemini } from '../fakes/gemini-fake';
import { startProxyHarness, type ProxyHarness } from '../fakes/proxy-harness';

let fake: FakeServer;
let h: ProxyHarness;

beforeAll(async () => {
  fake = await startFakeGemini({
    script: {
      parts: [{ text: 'Thinking about greetings.', thought: true }, { text: 'Hello there, how are you today?' }],
      usage: { prompt: 120, candidates: 9, cached: 100, thoughts: 31 },
      modelVersion: 'gemini-2.5-flash',
    },
  });
  h = await startProxyHarness({ upstreams: { gemini: fake.url } });
});
afterAll(async () => {
  await h.close();
  await fake.close();
});

const request = {
  systemInstruction: { parts: [{ text: 'Be warm.' }] },
  contents: [
    { role: 'user', parts: [{ text: 'Greet me' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
    { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'me' } } }] },
    { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { name: 'Ada' } } }] },
  ],
  generationConfig: { temperature: 0.7, maxOutputTokens: 256, thinkingConfig: { thinkingBudget: 64 } },
  tools: [{ functionDeclarations: [{ name: 'lookup', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING' } } } }] }],
};

describe('Gemini through the proxy', () => {
  it('records generateContent with thoughts and cached tokens, and never the key in the query', async () => {
    const r = await fetch(`${h.base('gemini')}/v1beta/models/gemini-2.5-flash:generateContent?key=AIza-secret-key&foo=bar`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { candidates: unknown[] };
    expect(body.candidates).toHaveLength(1);
    // The key still reaches the upstream.
    expect(fake.lastRequest.query.get('key')).toBe('AIza-secret-key');
    expect(fake.lastRequest.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent?key=AIza-secret-key&foo=bar');
    const c = await h.sink.nextCapture();
    expect(c.request.path).toBe('/proxy/gemini/v1beta/models/gemini-2.5-flash:generateContent?foo=bar');
    expect(JSON.stringify(c)).not.toContain('AIza-secret-key');
    expect(c.call.provider).toBe('gcp.gemini');
    expect(c.call.operation).toBe('generate_content');
    expect(c.call.requestModel).toBe('gemini-2.5-flash');
    expect(c.call.systemInstructions).toEqual([{ type: 'text', content: 'Be warm.' }]);
    expect(c.call.inputMessages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Greet me' }, { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0KGgo=' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: null, name: 'lookup', arguments: { q: 'me' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'lookup', response: { name: 'Ada' } }] },
    ]);
    expect(c.call.outputMessages).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Thinking about greetings.' },
          { type: 'text', content: 'Hello there, how are you today?' },
        ],
        finish_reason: 'STOP',
      },
    ]);
    // Gemini's candidates count excludes thoughts; canonical output includes them.
    expect(c.call).toMatchObject({ inputTokens: 120, cachedInputTokens: 100, outputTokens: 40, reasoningTokens: 31 });
    expect(c.call.params).toMatchObject({ temperature: 0.7, max_tokens: 256 });
    expect(c.call.toolDefinitions).toEqual([{ type: 'function', name: 'lookup', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING' } } } }]);
  });

  it('streams streamGenerateContent?alt=sse through and reassembles it, with the key in a header', async () => {
    fake.setHandler(
      geminiHandler({ script: { parts: [{ text: 'one two three four five six seven' }], usage: { prompt: 5, candidates: 7 } }, firstDelayMs: 20, delayMs: 2 }),
    );
    const r = await fetch(`${h.base('gemini')}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-header-secret' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Count' }] }] }),
    });
    const text = await r.text();
    expect(text.split('\r\n\r\n').filter(Boolean)).toHaveLength(4);
    const c = await h.sink.nextCapture();
    expect(c.warnings).toEqual([]);
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'one two three four five six seven' }]);
    expect(c.call).toMatchObject({ inputTokens: 5, outputTokens: 7 });
    expect(c.call.ttftMs).toBeGreaterThanOrEqual(19);
    expect(c.request.headers['x-goog-api-key']).toBe('[redacted]');
    expect(JSON.stringify(c)).not.toContain('AIza-header-secret');
  });

  it('reads a streamGenerateContent JSON-array stream (no alt=sse)', async () => {
    fake.setHandler(geminiHandler({ script: { parts: [{ text: 'alpha beta gamma' }], usage: { prompt: 3, candidates: 3 } } }));
    const r = await fetch(`${h.base('gemini')}/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=k`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'Go' }] }] }),
    });
    expect(((await r.json()) as unknown[]).length).toBe(2);
    const c = await h.sink.nextCapture();
    expect(c.call.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'alpha beta gamma' }]);
    expect(c.call.ttftMs).not.toBeNull();
  });

  it('records a blocked prompt and an API error', async () => {
    fake.setHandler(geminiHandler({ script: { blockReason: 'SAFETY' } }));
    await fetch(`${h.base('gemini')}/v1beta/models/gemini-2.5-flash:generateContent?key=k`, { method: 'POST', body: '{"contents":[]}' });
    const blocked = await h.sink.nextCapture();
    expect(blocked.call.finishReasons).toEqual(['SAFETY']);
    expect(blocked.warnings.join(' ')).toContain('blocked');

    fake.setHandler(() => geminiError(400, 'API key not valid. Please pass a valid API key.'));
    const r = await fetch(`${h.base('gemini')}/v1beta/models/gemini-2.5-flash:generateContent?key=bad`, { method: 'POST', body: '{"contents":[]}' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
    const c = await h.sink.nextCapture();
    expect(c.outcome).toBe('error');
    expect(c.call.errorType).toBe('INVALID_ARGUMENT');
  });
});
