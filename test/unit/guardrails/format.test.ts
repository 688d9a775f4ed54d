import { describe, expect, it } from 'vitest';
import { formatRule, jsonRequest, type GuardrailSubject } from '../../../src/core/guardrails';
import { call, ctx, texts } from './helpers';

const person = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name', 'age'], additionalProperties: false };

async function format(output: string, extra: Partial<GuardrailSubject>): Promise<string[]> {
  const c = call({ user: 'q', output, extra });
  return formatRule(texts(c), c, await ctx()).map((h) => `${h.rule}: ${h.explanation}`);
}

describe('format: what asked for JSON', () => {
  it('reads every provider and convention', () => {
    const base = call({ user: 'q', output: '{}' });
    const src = (extra: Partial<GuardrailSubject>): string | undefined => jsonRequest({ ...base, ...extra })?.source;
    expect(src({ params: { response_format: { type: 'json_object' } } })).toBe('response_format json_object');
    expect(src({ params: { response_format: JSON.stringify({ type: 'json_schema', json_schema: { name: 'p', schema: person } }) } })).toBe('response_format json_schema');
    expect(src({ params: { text: { format: { type: 'json_schema', name: 'p', schema: person } } } })).toBe('text.format json_schema');
    expect(src({ params: { responseMimeType: 'application/json' } })).toBe('responseMimeType');
    expect(src({ params: { format: 'json' } })).toBe('format');
    expect(src({ params: { output_format: { type: 'json_schema', schema: person } } })).toBe('output_format json_schema');
    expect(src({ attributes: { 'gen_ai.output.type': 'json' } })).toBe('gen_ai.output.type=json');
    expect(src({ attributes: { 'ai.schema': JSON.stringify(person) } })).toBe('ai.schema');
    expect(src({ requestBody: JSON.stringify({ response_format: { type: 'json_object' } }) })).toBe('request response_format json_object');
    expect(src({ params: { response_format: { type: 'text' }, temperature: 0 } })).toBeUndefined();
  });
  it('takes a Gemini schema from the request body and reads its OpenAPI types', async () => {
    const requestBody = JSON.stringify({ generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'OBJECT', properties: { title: { type: 'STRING', nullable: true } }, required: ['title'] } } });
    const params = { responseMimeType: 'application/json' };
    expect(await format('{"title": null}', { params, requestBody })).toEqual([]);
    expect((await format('{"title": 3}', { params, requestBody }))[0]).toMatch(/^format\.json-schema: .*\/title must be string/);
  });
});

describe('format: the output', () => {
  const strict = { params: { response_format: { type: 'json_schema', json_schema: { name: 'person', schema: person } } } };
  it('checks parsing and the schema, with the reasons', async () => {
    expect(await format('{"name": "Ada", "age": 36}', strict)).toEqual([]);
    expect((await format('Sure: {"name": "Ada"}', strict))[0]).toMatch(/^format\.json-invalid: The output is not valid JSON \(asked for by response_format json_schema\)/);
    const [schemaHit] = await format('{"name": "Ada", "age": "36", "x": 1}', strict);
    expect(schemaHit).toMatch(/^format\.json-schema: /);
    expect(schemaHit).toMatch(/\/age must be integer/);
    expect(schemaHit).toMatch(/\(root\) must NOT have additional properties "x"/);
  });
  it('judges a fenced block by its content, and reports the fence when the API enforced JSON', async () => {
    expect(await format('```json\n{"name": "Ada", "age": 36}\n```', { attributes: { 'gen_ai.output.type': 'json' } })).toEqual([]);
    expect((await format('```json\n{"name": "Ada", "age": 36}\n```', strict)).map((h) => h.split(':')[0])).toEqual(['format.code-fence']);
  });
  it('checks nothing when nothing asked for JSON', async () => {
    expect(await format('{"broken": ', {})).toEqual([]);
  });
  it('says when invalid JSON was cut off', async () => {
    expect((await format('{"name": "Ad', { ...strict, finishReasons: ['length'] }))[0]).toMatch(/because it was cut off/);
  });
});

describe('format: tool-call arguments', () => {
  const tools = [
    { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
    { name: 'search', input_schema: { type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer' } }, required: ['q'] } },
    { functionDeclarations: [{ name: 'book', parameters: { type: 'OBJECT', properties: { date: { type: 'STRING', format: 'date' } }, required: ['date'] } }] },
  ];
  const tc = async (name: string, args: unknown): Promise<string[]> => {
    const c = call({ user: 'q', outputParts: [{ type: 'tool_call', id: '1', name, arguments: args }], extra: { toolDefinitions: tools } });
    return formatRule(texts(c), c, await ctx()).map((h) => h.rule);
  };
  it('validates arguments against OpenAI, Anthropic and Gemini tool schemas', async () => {
    expect(await tc('get_weather', '{"city": "Oslo"}')).toEqual([]);
    expect(await tc('get_weather', '{"town": "Oslo"}')).toEqual(['format.tool-arguments']);
    expect(await tc('search', { q: 'cats', limit: 'ten' })).toEqual(['format.tool-arguments']);
    expect(await tc('book', '{"date": "2025-02-30x"}')).toEqual(['format.tool-arguments']);
    expect(await tc('book', '{"date": "2025-02-03"}')).toEqual([]);
    expect(await tc('get_weather', '{city: Oslo}')).toEqual(['format.tool-arguments']);
    expect(await tc('launch_rockets', '{}')).toEqual(['format.tool-unknown']);
  });
});
