// Rebuilding a stored call in each provider's wire format: every rebuilt request passes the strict
// checks the fake providers apply (the real APIs' rules), and reading it back with the proxy's
// own parsers gives the same conversation: tool calls and the results answering them survive.

import { describe, expect, it } from 'vitest';
import { parserFor } from '../../../src/capture/proxy/parsers';
import type { ChatMessage, MessagePart } from '../../../src/core/model';
import { rebuildRequest, withModel, modelOf, exactRequest, NotReplayable, type ReplayableCall } from '../../../src/core/replay/rebuild';
import { chooseWireApi, type WireApi } from '../../../src/core/replay/wire-api';
import { streamedText } from '../../../src/core/replay/stream-text';
import { checkAnthropicRequest, checkChatCompletionsRequest, checkGeminiRequest, checkResponsesRequest } from '../../fakes/request-checks';

const weatherTool = { type: 'function', name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

function call(over: Partial<ReplayableCall> = {}): ReplayableCall {
  return {
    provider: 'openai', operation: 'chat', convention: 'genai', requestModel: 'gpt-4o-mini', responseModel: null,
    params: { temperature: 0.3, max_tokens: 200, top_p: 0.9, stop_sequences: ['END'], seed: 7 },
    systemInstructions: [{ type: 'text', content: 'You are terse.' }],
    inputMessages: [
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris and Oslo?' }] },
      { role: 'assistant', parts: [
        { type: 'text', content: 'Checking both.' },
        { type: 'tool_call', id: 'call_A1', name: 'get_weather', arguments: { city: 'Paris' } },
        { type: 'tool_call', id: 'call_B2', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      ] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_A1', response: { temp: 21 } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_B2', response: 'rain, 9°C' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Which is warmer?' }] },
    ],
    toolDefinitions: [weatherTool],
    ...over,
  };
}

const PROVIDER: Record<WireApi, { provider: string; model: string; operation: string }> = {
  'openai.chat_completions': { provider: 'openai', model: 'gpt-4o-mini', operation: 'chat' },
  'openai.responses': { provider: 'openai', model: 'gpt-4.1-mini', operation: 'responses' },
  'anthropic.messages': { provider: 'anthropic', model: 'claude-sonnet-4-6', operation: 'chat' },
  'gemini.generate_content': { provider: 'gcp.gemini', model: 'gemini-2.5-flash', operation: 'generate_content' },
};

function check(api: WireApi, body: Record<string, unknown>, headers: Record<string, string>): string | null {
  switch (api) {
    case 'openai.chat_completions': return checkChatCompletionsRequest(body);
    case 'openai.responses': return checkResponsesRequest(body);
    case 'anthropic.messages': return checkAnthropicRequest(body, headers);
    case 'gemini.generate_content': return checkGeminiRequest(body);
  }
}

/** The conversation as a list of (role-agnostic) facts: text, calls with arguments, results with what they answer. */
function facts(system: MessagePart[], messages: ChatMessage[]) {
  const out: unknown[] = [];
  const names = new Map<string, string>();
  for (const p of system) if (p.type === 'text') out.push(['system', (p as { content: string }).content]);
  for (const m of messages) {
    for (const p of m.parts) {
      const x = p as Record<string, unknown>;
      if (p.type === 'text') out.push(m.role === 'system' ? ['system', x.content] : ['text', x.content]);
      else if (p.type === 'tool_call') {
        names.set(String(x.id ?? x.name), String(x.name));
        out.push(['call', x.name, typeof x.arguments === 'string' ? JSON.parse(x.arguments) : x.arguments]);
      } else if (p.type === 'tool_call_response') {
        const r = x.response;
        const value = typeof r === 'string' ? (() => { try { return JSON.parse(r); } catch { return r; } })() : r;
        out.push(['result', names.get(String(x.id)) ?? x.id, typeof value === 'object' && value !== null && 'result' in value ? (value as { result: unknown }).result : value]);
      }
    }
  }
  return out;
}

describe('rebuildRequest', () => {
  for (const api of Object.keys(PROVIDER) as WireApi[]) {
    it(`${api}: passes the API's checks and reads back as the same conversation`, () => {
      const p = PROVIDER[api];
      const req = rebuildRequest(call({ provider: p.provider, requestModel: p.model, operation: p.operation }));
      expect(req.api).toBe(api);
      expect(req.exact).toBe(false);
      const body = JSON.parse(req.body) as Record<string, unknown>;
      expect(check(api, body, req.headers)).toBeNull();
      const parser = parserFor('POST', req.path.split('?')[0]!);
      const parsed = parser.parseRequest(body, req.path.split('?')[0]!);
      expect(parsed.requestModel).toBe(p.model);
      expect(parsed.stream).toBe(true);
      expect(facts(parsed.systemInstructions, parsed.inputMessages)).toEqual(facts(call().systemInstructions, call().inputMessages));
      expect(parsed.toolDefinitions.length).toBe(1);
      expect(parsed.params.temperature).toBe(0.3);
      expect(parsed.params.max_tokens).toBe(200);
    });
  }

  it('synthesizes tool ids a history lacks and ties each result to its call (Gemini-style names)', () => {
    const gemini = call({
      inputMessages: [
        { role: 'user', parts: [{ type: 'text', content: 'Weather?' }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: null, name: 'get_weather', arguments: { city: 'Rome' } }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'get_weather', response: { temp: 30 } }] },
      ],
    });
    for (const api of Object.keys(PROVIDER) as WireApi[]) {
      const p = PROVIDER[api];
      const req = rebuildRequest({ ...gemini, provider: p.provider, requestModel: p.model, operation: p.operation });
      expect(check(api, JSON.parse(req.body), req.headers)).toBeNull();
    }
    const chat = JSON.parse(rebuildRequest(gemini).body);
    const id = chat.messages[2].tool_calls[0].id;
    expect(id).toMatch(/^call_/);
    expect(chat.messages[3]).toEqual({ role: 'tool', tool_call_id: id, content: '{"temp":30}' });
  });

  it('sends a result that answers no call in the history as user text, so the request stays valid', () => {
    const c = call({ inputMessages: [{ role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_gone', response: 'ok' }] }, { role: 'user', parts: [{ type: 'text', content: 'go on' }] }] });
    for (const api of Object.keys(PROVIDER) as WireApi[]) {
      const p = PROVIDER[api];
      const req = rebuildRequest({ ...c, provider: p.provider, requestModel: p.model, operation: p.operation });
      expect(check(api, JSON.parse(req.body), req.headers), api).toBeNull();
      expect(req.notes.join(' ')).toContain('answer no tool call');
    }
  });

  it('Anthropic: system messages join the system prompt, max_tokens is always set, unsupported parameters are named', () => {
    const req = rebuildRequest(call({ provider: 'anthropic', requestModel: 'claude-haiku-4-5', params: { seed: 1, presence_penalty: 0.2 }, inputMessages: [{ role: 'system', parts: [{ type: 'text', content: 'Extra rule.' }] }, { role: 'user', parts: [{ type: 'text', content: 'hi' }] }] }));
    const b = JSON.parse(req.body);
    expect(b.system).toBe('You are terse.\n\nExtra rule.');
    expect(b.max_tokens).toBe(4096);
    expect(b.seed).toBeUndefined();
    expect(req.notes.join('\n')).toMatch(/max_tokens was not recorded[\s\S]*seed left out[\s\S]*presence_penalty left out/);
  });

  it('carries the response format: JSON mode and a JSON schema', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    const chat = JSON.parse(rebuildRequest(call({ params: { response_format: { type: 'json_schema', json_schema: { name: 'Answer', schema, strict: true } } } })).body);
    expect(chat.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'Answer', schema, strict: true } });
    const resp = JSON.parse(rebuildRequest(call({ operation: 'responses', params: { response_format: 'json_object' } })).body);
    expect(resp.text).toEqual({ format: { type: 'json_object' } });
    const gem = JSON.parse(rebuildRequest(call({ provider: 'gcp.gemini', requestModel: 'gemini-2.5-flash', params: { response_format: { type: 'json_schema', json_schema: { name: 'A', schema } } } })).body);
    expect(gem.generationConfig).toMatchObject({ responseMimeType: 'application/json', responseJsonSchema: schema });
  });

  it('refuses what cannot be sent again, saying why', () => {
    expect(() => rebuildRequest(call({ inputMessages: [], systemInstructions: [] }))).toThrow(NotReplayable);
    expect(() => rebuildRequest(call({ inputMessages: [], systemInstructions: [] }))).toThrow(/CAPTURE_MESSAGE_CONTENT/);
    expect(() => rebuildRequest(call({ operation: 'embeddings' }))).toThrow(/embeddings/);
    expect(() => rebuildRequest(call({ requestModel: null }))).toThrow(/no model/);
  });
});

describe('chooseWireApi', () => {
  it('knows providers, frameworks by their model, and says when it guesses', () => {
    expect(chooseWireApi({ provider: 'anthropic', operation: 'chat', convention: 'genai', requestModel: 'x', responseModel: null })).toMatchObject({ api: 'anthropic.messages', upstream: 'anthropic', guessed: null });
    expect(chooseWireApi({ provider: 'openai', operation: 'responses', convention: 'genai', requestModel: 'gpt-5', responseModel: null }).api).toBe('openai.responses');
    expect(chooseWireApi({ provider: 'gcp.vertex_ai', operation: 'chat', convention: 'genai', requestModel: 'gemini-2.5-pro', responseModel: null }).api).toBe('gemini.generate_content');
    const strands = chooseWireApi({ provider: 'strands-agents', operation: 'chat', convention: 'genai', requestModel: 'us.anthropic.claude-sonnet-4', responseModel: null });
    expect(strands.api).toBe('anthropic.messages');
    expect(strands.guessed).toContain('strands-agents');
    const ollama = chooseWireApi({ provider: 'ollama', operation: 'chat', convention: 'openllmetry', requestModel: 'llama3.2', responseModel: null });
    expect(ollama).toMatchObject({ api: 'openai.chat_completions', upstream: 'ollama' });
    expect(ollama.guessed).toMatch(/OpenAI Chat Completions/);
    expect(chooseWireApi({ provider: null, operation: 'chat', convention: 'genai', requestModel: 'mystery', responseModel: null }).upstream).toBeNull();
  });
});

describe('exact requests and model changes', () => {
  it('keeps the recorded bytes and headers but never a credential, and drops framing and the caller trace', () => {
    const body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}';
    const r = exactRequest('openai', 'POST', '/proxy/openai/v1/chat/completions', { authorization: '[redacted]', 'content-type': 'application/json', 'content-length': '70', traceparent: '00-x', 'openai-beta': 'assistants=v2' }, body, '[redacted]');
    expect(r).toMatchObject({ api: 'openai.chat_completions', upstream: 'openai', path: '/v1/chat/completions', body, exact: true });
    expect(r.headers).toEqual({ 'content-type': 'application/json', 'openai-beta': 'assistants=v2' });
    expect(modelOf(withModel(r, 'gpt-4.1'))).toBe('gpt-4.1');
    const g = { path: '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse', body: '{}' };
    expect(withModel(g, 'gemini-2.5-pro').path).toBe('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    expect(() => withModel({ path: '/v1/x', body: 'not json' }, 'm')).toThrow(NotReplayable);
  });
});

describe('streamedText', () => {
  it('reads the text each API adds per event', () => {
    expect(streamedText('openai.chat_completions', '{"choices":[{"delta":{"content":"He"}}]}')).toBe('He');
    expect(streamedText('openai.chat_completions', '[DONE]')).toBe('');
    expect(streamedText('openai.responses', '{"type":"response.output_text.delta","delta":"llo"}')).toBe('llo');
    expect(streamedText('anthropic.messages', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}')).toBe('Hi');
    expect(streamedText('anthropic.messages', '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}')).toBe('');
    expect(streamedText('gemini.generate_content', '{"candidates":[{"content":{"parts":[{"text":"x","thought":true},{"text":"Yo"}]}}]}')).toBe('Yo');
    expect(streamedText(null, 'garbage')).toBe('');
  });
});
