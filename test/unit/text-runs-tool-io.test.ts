import { describe, expect, it } from 'vitest';
import { findRanges, textRuns } from '../../src/core/text-runs';
import { readJsonish, toolIo } from '../../src/core/tool-io';

describe('text runs', () => {
  it('cuts a text by overlapping, nested and out-of-range marks', () => {
    const runs = textRuns(10, [
      { start: 2, end: 6, mark: 'a' },
      { start: 4, end: 8, mark: 'b' },
      { start: 5, end: 5, mark: 'empty' },
      { start: 9, end: 50, mark: 'past-end' },
      { start: Number.NaN, end: 3, mark: 'bad' },
    ]);
    expect(runs).toEqual([
      { start: 0, end: 2, marks: [] },
      { start: 2, end: 4, marks: ['a'] },
      { start: 4, end: 6, marks: ['a', 'b'] },
      { start: 6, end: 8, marks: ['b'] },
      { start: 8, end: 9, marks: [] },
      { start: 9, end: 10, marks: ['past-end'] },
    ]);
  });

  it('gives one run for unmarked text and none for empty text', () => {
    expect(textRuns(5, [])).toEqual([{ start: 0, end: 5, marks: [] }]);
    expect(textRuns(0, [{ start: 0, end: 3, mark: 1 }])).toEqual([]);
  });

  it('joins neighbouring runs that carry the same marks', () => {
    const m = { id: 1 };
    expect(textRuns(6, [{ start: 0, end: 3, mark: m }, { start: 3, end: 6, mark: m }])).toEqual([{ start: 0, end: 6, marks: [m] }]);
  });

  it('finds every occurrence case-insensitively, in UTF-16 offsets', () => {
    expect(findRanges('Refund the refund 😀 REFUND', 'refund', 'f').map((r) => r.start)).toEqual([0, 11, 21]);
    expect(findRanges('abc', '', 'f')).toEqual([]);
    expect(findRanges('aaaa', 'aa', 'f').map((r) => r.start)).toEqual([0, 2]);
  });
});

describe('tool calls from every convention', () => {
  it('reads the OpenTelemetry GenAI attributes, parsing JSON arguments', () => {
    const io = toolIo({ 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.id': 'call_1', 'gen_ai.tool.call.arguments': '{"city":"Oslo"}', 'gen_ai.tool.call.result': 'rain, 7C' });
    expect(io).toEqual({
      name: 'get_weather', callId: 'call_1',
      arguments: { source: 'gen_ai.tool.call.arguments', value: { city: 'Oslo' }, json: true },
      result: { source: 'gen_ai.tool.call.result', value: 'rain, 7C', json: false },
    });
  });

  it('reads OpenInference, the AI SDK, Pydantic AI (Logfire), OpenLLMetry and Google ADK', () => {
    expect(toolIo({ 'tool.name': 'search', 'input.value': '{"q":"x"}', 'output.value': '[1,2]' })).toMatchObject({ name: 'search', arguments: { value: { q: 'x' } }, result: { value: [1, 2], json: true } });
    expect(toolIo({ 'ai.toolCall.name': 'lookup', 'ai.toolCall.id': 't1', 'ai.toolCall.args': '{"id":3}', 'ai.toolCall.result': '{"ok":true}' })).toMatchObject({ name: 'lookup', callId: 't1', arguments: { source: 'ai.toolCall.args' }, result: { value: { ok: true } } });
    expect(toolIo({ 'gen_ai.tool.name': 'roll', tool_arguments: '{"sides":6}', tool_response: '4' })).toMatchObject({ arguments: { value: { sides: 6 } }, result: { value: '4' } });
    expect(toolIo({ 'traceloop.entity.name': 'fetch', 'traceloop.entity.input': '{"args":[],"kwargs":{"url":"u"}}', 'traceloop.entity.output': '"done"' })).toMatchObject({ name: 'fetch', result: { value: '"done"' } });
    expect(toolIo({ 'gcp.vertex.agent.tool_call_args': '{"a":1}', 'gcp.vertex.agent.tool_response': '{"b":2}' })).toMatchObject({ arguments: { value: { a: 1 } }, result: { value: { b: 2 } } });
  });

  it('reads Strands-style events when the attributes have nothing', () => {
    const io = toolIo({ 'gen_ai.tool.name': 'get_weather' }, [
      { name: 'gen_ai.tool.message', attributes: { role: 'tool', content: '{"city":"Oslo"}' } },
      { name: 'gen_ai.choice', attributes: { message: '[{"text":"rain"}]' } },
    ]);
    expect(io).toMatchObject({ name: 'get_weather', arguments: { source: 'event gen_ai.tool.message.content', value: { city: 'Oslo' } }, result: { value: [{ text: 'rain' }] } });
  });

  it('falls back to attributes named for inputs and outputs on a tool span of an unknown convention', () => {
    expect(toolIo({ 'acme.tool.input': '{"n":1}', 'acme.tool.output': 'ok', 'acme.tool.input_schema': '{}' })).toMatchObject({ arguments: { source: 'acme.tool.input' }, result: { source: 'acme.tool.output' } });
  });

  it('does not take an LLM call or a chain for a tool', () => {
    expect(toolIo({ 'input.value': '{"messages":[]}', 'output.value': 'hi' }, [], false)).toBeNull();
    expect(toolIo({ 'acme.input': 'x' }, [], false)).toBeNull();
    // a convention's own tool attributes still count
    expect(toolIo({ 'gen_ai.tool.call.arguments': '{}' }, [], false)).not.toBeNull();
    expect(toolIo({ 'http.method': 'GET' })).toBeNull();
  });

  it('keeps JSON-looking text that does not parse as text', () => {
    expect(readJsonish('{not json}')).toEqual({ value: '{not json}', json: false });
    expect(readJsonish({ a: 1 })).toEqual({ value: { a: 1 }, json: true });
    expect(readJsonish(3)).toEqual({ value: 3, json: false });
  });
});
