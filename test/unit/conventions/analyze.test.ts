import { describe, expect, it } from 'vitest';
import { analyzeSpan, categorizeSpan, normalizeSpan } from '../../../src/core/conventions';
import type { IngestLogRecord, IngestSpan } from '../../../src/core/model';
import { event, log, span } from './build';

const messages = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] }]);
const answer = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'On its way.' }], finish_reason: 'stop' }]);

// One case per path through the dispatcher: no marks, each convention's call, each kind of
// not-call, calls known only from log records, and logs that change the reading of a span.
const CASES: Array<[string, IngestSpan, IngestLogRecord[]]> = [
  ['plain HTTP server span', span({ 'http.request.method': 'POST', 'http.route': '/api/chat' }, { kind: 2 }), []],
  ['database span', span({ 'db.system.name': 'postgresql', 'db.query.text': 'SELECT 1' }), []],
  ['unknown app span', span({ 'app.response.chars': 400 }), []],
  [
    'current GenAI chat',
    span({
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18', 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 5,
      'gen_ai.input.messages': messages, 'gen_ai.output.messages': answer,
    }),
    [],
  ],
  ['GenAI embeddings', span({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.usage.input_tokens': 12 }), []],
  ['GenAI agent', span({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support' }), []],
  ['GenAI tool', span({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order' }), []],
  ['tool attributes without a convention', span({ 'gen_ai.tool.name': 'lookup_order' }), []],
  [
    'GenAI details event on the span',
    span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }, { events: [event('gen_ai.client.inference.operation.details', { 'gen_ai.input.messages': messages })] }),
    [],
  ],
  [
    'deprecated GenAI with message logs',
    span({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.prompt_tokens': 3 }),
    [log('gen_ai.user.message', { content: 'yo' }), log('gen_ai.choice', { index: 0, finish_reason: 'stop', message: { content: 'hey' } })],
  ],
  ['a call known only from its log records', span({ 'app.step': 'answer' }), [log('gen_ai.user.message', { content: 'yo' })]],
  ['logs without GenAI events', span({ 'app.step': 'answer' }), [log('app.debug', 'hello')]],
  [
    'details log tied to a GenAI span',
    span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }),
    [log('gen_ai.client.inference.operation.details', { 'gen_ai.output.messages': answer })],
  ],
  [
    'OpenLLMetry',
    span({ 'llm.request.type': 'chat', 'gen_ai.system': 'OpenAI', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'hi', 'gen_ai.completion.0.content': 'hello' }),
    [],
  ],
  ['OpenLLMetry workflow', span({ 'traceloop.span.kind': 'workflow', 'traceloop.entity.name': 'answer' }), []],
  [
    'OpenInference LLM',
    span({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': 'hi', 'llm.token_count.prompt': 3 }),
    [],
  ],
  ['OpenInference retriever', span({ 'openinference.span.kind': 'RETRIEVER' }), []],
  [
    'Vercel AI SDK inner call',
    span({ 'ai.operationId': 'ai.generateText.doGenerate', 'operation.name': 'ai.generateText.doGenerate', 'ai.model.provider': 'openai.chat', 'ai.model.id': 'gpt-4o', 'ai.usage.promptTokens': 10, 'ai.usage.completionTokens': 2, 'ai.prompt.messages': JSON.stringify([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]) }),
    [],
  ],
  ['Vercel AI SDK outer span', span({ 'ai.operationId': 'ai.generateText', 'operation.name': 'ai.generateText', 'ai.model.id': 'gpt-4o', 'ai.usage.promptTokens': 10 }), []],
  [
    'Logfire',
    span({ 'logfire.msg': 'Chat Completion with gpt-4o', 'request_data': JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }), 'gen_ai.request.model': 'gpt-4o' }),
    [],
  ],
  ['a classifier given odd values', span({ 'gen_ai.operation.name': 42, 'gen_ai.input.messages': '{not json', 'openinference.span.kind': ['LLM'] }), []],
];

describe('analyzeSpan', () => {
  it('returns exactly what categorizeSpan and normalizeSpan return, for every kind of span', () => {
    const kinds = new Set<string>();
    for (const [label, s, logs] of CASES) {
      const both = analyzeSpan(s, logs);
      expect(both, label).toEqual({ category: categorizeSpan(s), call: normalizeSpan(s, logs) });
      kinds.add(`${both.category}/${both.call ? both.call.convention : 'none'}`);
    }
    // The cases reach calls of every convention and categories beyond 'llm' (tool, agent, http, …).
    expect(kinds.size).toBeGreaterThanOrEqual(12);
  });

  it('keeps the span-only category; content alone, with no model and no usage, is not a call', () => {
    const s = span({ 'app.step': 'answer' });
    const logs = [log('gen_ai.user.message', { content: 'yo' }), log('gen_ai.choice', { index: 0, message: { content: 'hey' } })];
    const { category, call } = analyzeSpan(s, logs);
    expect(category).toBe('other');
    expect(call).toBeNull();
    const withUsage = analyzeSpan(span({ 'app.step': 'answer', 'gen_ai.usage.output_tokens': 3 }), logs);
    expect(withUsage.call?.convention).toBe('genai-deprecated');
    expect(withUsage.call?.outputMessages[0]?.parts).toEqual([{ type: 'text', content: 'hey' }]);
  });
});
