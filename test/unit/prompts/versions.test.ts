import { describe, expect, it } from 'vitest';
import { promptRefOf } from '../../../src/core/prompts/attributes';
import { promptKeysOf } from '../../../src/core/prompts/identity';
import { hashString } from '../../../src/core/hash';
import { deriveVersions, isVariable, SLOT, type SeenText } from '../../../src/core/prompts/versions';

const MIN = 60_000_000;
let clock = 0;
/** One distinct text, used by `calls` calls over a stretch of time starting at `atMin` minutes. */
function seen(text: string, calls: number, atMin: number, spanMin = 1, declaredVersion: string | null = null): SeenText {
  clock++;
  return { hash: hashString(text + (declaredVersion ?? '')), text, declaredVersion, calls, firstUs: atMin * MIN + clock, lastUs: (atMin + spanMin) * MIN + clock };
}

describe('versions from rendered system prompts', () => {
  it('a one-word edit of the fixed text is a new version', () => {
    const v = deriveVersions([
      seen('You are a helpful assistant. Answer briefly.', 5, 0),
      seen('You are a helpful assistant. Answer politely.', 5, 10),
    ], false);
    expect(v.map((x) => [x.version, x.template, x.calls])).toEqual([
      ['1', 'You are a helpful assistant. Answer briefly.', 5],
      ['2', 'You are a helpful assistant. Answer politely.', 5],
    ]);
  });

  it('texts that differ only in a variable are one version, the variable a slot', () => {
    const names = ['Alice', 'Bob', 'Carol', 'Dmitri', 'Eve', 'Fatima'];
    const v = deriveVersions(names.map((n, i) => seen(`You help ${n} plan trips. Be concise.`, 1, i, 0)), false);
    expect(v).toHaveLength(1);
    expect(v[0]!.template).toBe(`You help ${SLOT} plan trips. Be concise.`);
    expect(v[0]!.calls).toBe(6);
    expect(v[0]!.variables).toBe(1);
  });

  it('a variable and an edit in the same prompt: versions split on the edit only', () => {
    const texts: SeenText[] = [];
    const users = ['ann', 'ben', 'cat', 'dan', 'eli', 'fay', 'gus', 'hal'];
    users.forEach((u, i) => texts.push(seen(`Hello ${u}. Reply in English and keep it short.`, 1, i, 0)));
    users.forEach((u, i) => texts.push(seen(`Hello ${u}. Reply in English and keep it brief.`, 1, 100 + i, 0)));
    const v = deriveVersions(texts, false);
    expect(v.map((x) => x.template)).toEqual([
      `Hello ${SLOT}. Reply in English and keep it short.`,
      `Hello ${SLOT}. Reply in English and keep it brief.`,
    ]);
    expect(v.map((x) => x.calls)).toEqual([8, 8]);
  });

  it('a value that interleaves in time is a variable even with few values', () => {
    const v = deriveVersions([
      seen('Translate into French.', 10, 0, 60),
      seen('Translate into German.', 10, 5, 60),
    ], false);
    expect(v).toHaveLength(1);
    expect(v[0]!.template).toBe(`Translate into ${SLOT}.`);
  });

  it('a rewrite shares too little to align: a version of its own', () => {
    const v = deriveVersions([
      seen('You are a pirate. Speak like one at all times.', 3, 0),
      seen('Summarise the document below in three bullet points for an executive audience.', 3, 10),
    ], false);
    expect(v.map((x) => x.version)).toEqual(['1', '2']);
  });

  it('versions are numbered by first appearance, whatever order the texts come in', () => {
    const v = deriveVersions([seen('Be terse. v-two', 2, 50), seen('Be terse. v-one', 2, 0)], false);
    expect(v.map((x) => [x.version, x.template])).toEqual([['1', 'Be terse. v-one'], ['2', 'Be terse. v-two']]);
  });

  it('is quick on hundreds of distinct texts', () => {
    const base = 'You are the support assistant for ACME. Answer using the policy. '.repeat(8);
    const texts = Array.from({ length: 300 }, (_, i) => seen(`${base} Customer: user${i}. Order: #${1000 + i}.`, 1, i, 0));
    const t0 = performance.now();
    const v = deriveVersions(texts, false);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(v).toHaveLength(1);
  });
});

describe('declared templates and versions', () => {
  it('each distinct OpenInference template is a version; rendered variables do not matter', () => {
    const v = deriveVersions([
      seen('Weather forecast for {city} on {date}', 4, 0),
      seen('Weather forecast for {city} on {date}, in Celsius', 4, 10),
    ], true);
    expect(v.map((x) => [x.version, x.template])).toEqual([
      ['1', 'Weather forecast for {city} on {date}'],
      ['2', 'Weather forecast for {city} on {date}, in Celsius'],
    ]);
  });

  it('a declared version wins over the text', () => {
    const v = deriveVersions([seen('Hello {name}', 2, 0, 1, 'v1.0'), seen('Hi {name}', 3, 5, 1, 'v1.0'), seen('Hey {name}', 1, 9, 1, 'v2.0')], true);
    expect(v.map((x) => [x.version, x.template, x.calls])).toEqual([['v1.0', 'Hi {name}', 5], ['v2.0', 'Hey {name}', 1]]);
  });
});

describe('isVariable', () => {
  const use = (calls: number, a: number, b: number) => ({ calls, firstUs: a, lastUs: b });
  it('two runs one after the other: an edit', () => expect(isVariable([use(5, 0, 10), use(5, 20, 30)])).toBe(false));
  it('overlapping runs: a variable', () => expect(isVariable([use(5, 0, 10), use(5, 5, 30)])).toBe(true));
  it('mostly single-call values: a variable', () => expect(isVariable([use(1, 0, 0), use(1, 1, 1), use(1, 2, 2)])).toBe(true));
});

describe('prompt attributes of real instrumentations', () => {
  it('OpenInference: template, JSON variables and version (spec/semantic_conventions.md, using_prompt_template)', () => {
    const ref = promptRefOf({ attributes: {
      'openinference.span.kind': 'LLM',
      'llm.prompt_template.template': 'Please describe the weather forecast for {city} on {date}',
      'llm.prompt_template.variables': '{"city": "Johannesburg", "date": "July 11"}',
      'llm.prompt_template.version': 'v1.0',
    } });
    expect(ref).toEqual({
      name: null, version: 'v1.0', template: 'Please describe the weather forecast for {city} on {date}',
      variables: { city: 'Johannesburg', date: 'July 11' }, experiment: null, variant: null,
    });
  });

  it('OpenLLMetry managed prompt: traceloop.prompt.* (traceloop SpanAttributes)', () => {
    const ref = promptRefOf({ attributes: {
      'traceloop.prompt.managed': true, 'traceloop.prompt.key': 'joke_generator', 'traceloop.prompt.version': 3,
      'traceloop.prompt.version_hash': 'a1b2', 'traceloop.prompt.template': 'Tell me a joke about {{topic}}',
      'traceloop.prompt.template_variables': '{"topic":"OpenTelemetry"}',
    } });
    expect(ref).toMatchObject({ name: 'joke_generator', version: '3', template: 'Tell me a joke about {{topic}}', variables: { topic: 'OpenTelemetry' } });
  });

  it('Langfuse: langfuse.observation.prompt.name / .version (LangfuseOtelSpanAttributes)', () => {
    expect(promptRefOf({ attributes: { 'langfuse.observation.prompt.name': 'movie-critic', 'langfuse.observation.prompt.version': 4 } }))
      .toMatchObject({ name: 'movie-critic', version: '4', template: null });
  });

  it('OpenTelemetry feature flag evaluation event gives the experiment and its variant', () => {
    const ref = promptRefOf({
      attributes: { 'gen_ai.request.model': 'gpt-4o' },
      events: [{ timeUs: 1, name: 'feature_flag.evaluation', attributes: { 'feature_flag.key': 'prompt-style', 'feature_flag.result.variant': 'concise' } }],
    });
    expect(ref).toMatchObject({ experiment: 'prompt-style', variant: 'concise' });
    expect(promptRefOf({ attributes: { experiment_id: 'exp-7', variant: 'B' } })).toMatchObject({ experiment: 'exp-7', variant: 'B' });
    // An experiment without an arm says nothing.
    expect(promptRefOf({ attributes: { experiment_id: 'exp-7' } })).toBeNull();
  });

  it('plain spans carry none', () => {
    expect(promptRefOf({ attributes: { 'gen_ai.request.model': 'gpt-4o' } })).toBeNull();
  });
});

describe('prompt groups', () => {
  const cols = { promptName: null, promptVersion: null, promptHash: 'h', promptSource: 'system', experiment: null, variant: null };
  it('bare system prompts group by service and span name', () => {
    const [a] = promptKeysOf(cols, 'shop', 'chat gpt-4o');
    const [b] = promptKeysOf(cols, 'shop', 'chat gpt-4o-mini');
    expect(a!.source).toBe('system');
    expect(a!.groupKey).not.toBe(b!.groupKey);
  });
  it('a named template is one prompt across services, and an experiment adds its own group', () => {
    const named = { ...cols, promptSource: 'template', promptName: 'faq', promptVersion: '2', experiment: 'exp', variant: 'B' };
    const [x, e] = promptKeysOf(named, 'a', 's1');
    const [y] = promptKeysOf(named, 'b', 's2');
    expect(x!.groupKey).toBe(y!.groupKey);
    expect(x!.declaredVersion).toBe('2');
    expect(e).toMatchObject({ source: 'experiment', name: 'exp', declaredVersion: 'B' });
  });
  it('calls without a prompt are in no group', () => {
    expect(promptKeysOf({ ...cols, promptHash: null }, 's', 'n')).toEqual([]);
  });
});

describe('trend markers', () => {
  it('sums up verdicts in a word', async () => {
    const { trendOf, trendText } = await import('../../../src/core/prompts/trend');
    const t = trendOf([{ label: 'Latency', verdict: 'better' }, { label: 'Error rate', verdict: 'undecided' }, { label: 'Tokens out', verdict: 'higher' }]);
    expect(t.kind).toBe('better');
    expect(trendText(t, 'v1')).toBe('better than v1: latency');
    expect(trendOf([{ label: 'Latency', verdict: 'better' }, { label: 'Cost per call', verdict: 'worse' }]).kind).toBe('mixed');
    expect(trendText(trendOf([]), 'v3')).toBe('no clear difference from v3 yet');
  });
});
