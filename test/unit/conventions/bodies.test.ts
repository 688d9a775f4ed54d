import { describe, expect, it } from 'vitest';
import { readRequestBody, readResponseBody } from '../../../src/core/conventions/bodies';
import { emptyCall } from '../../../src/core/conventions/call';

// Provider request/response bodies, as Logfire (request_data/response_data) and OpenInference
// (input.value/output.value) carry them. Shapes follow the providers' API references.
describe('provider bodies', () => {
  it('OpenAI Responses API: input items, instructions, output items, usage details', () => {
    const call = emptyCall('openinference');
    readRequestBody(call, {
      model: 'gpt-4.1',
      instructions: 'Be exact.',
      max_output_tokens: 200,
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Look up order 7' }] },
        { type: 'function_call', call_id: 'call_7', name: 'lookup', arguments: '{"id":7}' },
        { type: 'function_call_output', call_id: 'call_7', output: '{"status":"shipped"}' },
      ],
    });
    readResponseBody(call, {
      id: 'resp_1',
      object: 'response',
      model: 'gpt-4.1-2025-04-14',
      status: 'completed',
      output: [
        { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'It shipped.' }] },
        { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Order 7 has shipped.', annotations: [] }] },
      ],
      usage: { input_tokens: 300, input_tokens_details: { cached_tokens: 256 }, output_tokens: 40, output_tokens_details: { reasoning_tokens: 25 }, total_tokens: 340 },
    });
    expect(call.systemInstructions).toEqual([{ type: 'text', content: 'Be exact.' }]);
    expect(call.params).toEqual({ max_tokens: 200 });
    expect(call.inputMessages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Look up order 7' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_7', name: 'lookup', arguments: { id: 7 } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_7', response: '{"status":"shipped"}' }] },
    ]);
    expect(call.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'reasoning', content: 'It shipped.' }, { type: 'text', content: 'Order 7 has shipped.' }], finish_reason: 'stop' },
    ]);
    expect(call).toMatchObject({ responseId: 'resp_1', responseModel: 'gpt-4.1-2025-04-14', inputTokens: 300, cachedInputTokens: 256, outputTokens: 40, reasoningTokens: 25 });
  });

  it('Gemini generateContent: contents, systemInstruction, function calls, thoughts counted in output', () => {
    const call = emptyCall('logfire');
    readRequestBody(call, {
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Turin?' }, { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Turin' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { sky: 'fog' } } }] },
      ],
      systemInstruction: { parts: [{ text: 'Answer in Italian.' }] },
      generationConfig: { temperature: 0.4, maxOutputTokens: 256, topK: 20 },
    });
    readResponseBody(call, {
      candidates: [{ content: { role: 'model', parts: [{ text: 'pensando', thought: true }, { text: 'Nebbia a Torino.' }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 120, candidatesTokenCount: 8, thoughtsTokenCount: 30, cachedContentTokenCount: 100, totalTokenCount: 158 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'abc',
    });
    expect(call.systemInstructions).toEqual([{ type: 'text', content: 'Answer in Italian.' }]);
    expect(call.params).toEqual({ temperature: 0.4, max_tokens: 256, top_k: 20 });
    expect(call.inputMessages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Turin?' }, { type: 'blob', modality: 'image', mime_type: 'image/jpeg', content: '/9j/4AAQ' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: null, name: 'weather', arguments: { city: 'Turin' } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: null, response: { sky: 'fog' } }] },
    ]);
    expect(call.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'reasoning', content: 'pensando' }, { type: 'text', content: 'Nebbia a Torino.' }], finish_reason: 'stop' },
    ]);
    expect(call).toMatchObject({ responseModel: 'gemini-2.5-flash', responseId: 'abc', inputTokens: 120, cachedInputTokens: 100, outputTokens: 38, reasoningTokens: 30 });
  });

  it('OpenAI legacy completions and embeddings requests', () => {
    const completion = emptyCall('logfire', 'text_completion');
    readRequestBody(completion, { model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon', max_tokens: 5 });
    readResponseBody(completion, { id: 'cmpl-1', choices: [{ text: ' a time', finish_reason: 'length' }], usage: { prompt_tokens: 2, completion_tokens: 5, total_tokens: 7 } });
    expect(completion.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Once upon' }] }]);
    expect(completion.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: ' a time' }], finish_reason: 'length' }]);
    expect(completion.finishReasons).toEqual(['length']);

    const emb = emptyCall('logfire', 'embeddings');
    readRequestBody(emb, { model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(emb.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'a' }, { type: 'text', content: 'b' }] }]);
  });
});
