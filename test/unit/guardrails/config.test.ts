import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { compileConfigShape, createGuardrailAnalysis, guardrailsConfigSchema, mergeGuardrailsConfigs, resolveGuardrailsConfig, runGuardrails, validateGuardrailsConfig } from '../../../src/core/guardrails';
import { call } from './helpers';

const shape = compileConfigShape(Ajv as never);
const validate = (v: unknown) => validateGuardrailsConfig(v, shape);

describe('guardrails configuration', () => {
  it('accepts a full configuration', () => {
    const config = {
      $schema: './node_modules/x.json',
      rules: { pii: { severity: 'high' }, 'pii.ip': false, refusal: 'medium' },
      allow: { emailDomains: ['example.com'], values: ['sk-test-123'], patterns: ['ACME-\\d+'] },
      customRules: [{ id: 'custom.ticket', pattern: 'TCK-\\d{6}', category: 'pii', severity: 'low', sides: ['input'] }],
      injection: { patterns: [{ id: 'injection.sudo', pattern: '{B}sudo mode{E}' }], lexicon: { verb_en: ['shelve'] } },
      pii: { phoneCountries: ['US', 'DE'] },
      leakage: { minWords: 25 },
    };
    expect(validate(config)).toEqual({ ok: true, config });
  });
  it('explains what is wrong and where', () => {
    const r = validate({ rule: {}, rules: { pii: 'critical' }, customRules: [{ id: 'x', pattern: '(', category: 'pii' }], pii: { phoneCountries: ['usa'] } });
    expect(r.ok).toBe(false);
    const errors = (r as { errors: string[] }).errors.join('\n');
    expect(errors).toContain('(top level) must NOT have additional properties: unknown property "rule"');
    expect(errors).toContain('rules.pii');
    expect(errors).toContain('pii.phoneCountries.0 must match pattern');
  });
  it('reports bad regular expressions and unknown placeholders with their place', () => {
    const r = validate({ customRules: [{ id: 'x', pattern: '(', category: 'pii' }], injection: { patterns: [{ id: 'injection.y', pattern: '{nope} z' }] } });
    expect(r).toEqual({ ok: false, errors: [expect.stringMatching(/^customRules\.0\.pattern \(x\): Invalid regular expression/), 'injection.patterns.0 (injection.y): unknown placeholder {nope}'] });
  });
  it('merges layers: later rule settings win, lists add up', () => {
    const merged = mergeGuardrailsConfigs({ rules: { pii: 'low' }, allow: { values: ['a'] } }, { rules: { pii: false }, allow: { values: ['b'] } });
    expect(merged).toEqual({ rules: { pii: { severity: 'low', enabled: false } }, allow: { values: ['a', 'b'] } });
  });
  it('changes the analysis version with the configuration, and only then', () => {
    const a = createGuardrailAnalysis({ rules: { pii: false } });
    expect(a.name).toBe('guardrails');
    expect(createGuardrailAnalysis({ rules: { pii: false } }).version).toBe(a.version);
    expect(createGuardrailAnalysis({ $schema: 'x', rules: { pii: false } }).version).toBe(a.version);
    expect(createGuardrailAnalysis({ rules: { pii: true } }).version).not.toBe(a.version);
  });
  it('applies switches, severities, allow-lists and custom rules', async () => {
    const c = call({ user: 'Mail bob@example.com or eve@corp.io, ticket TCK-123456, from 81.2.69.160', output: 'Noted.' });
    const run = async (config: object) => (await runGuardrails(c, resolveGuardrailsConfig(config))).map((h) => `${h.rule}:${h.severity}`);
    expect(await run({})).toEqual(['pii.email:medium', 'pii.email:medium', 'pii.ip:low']);
    expect(await run({ rules: { pii: 'high', 'pii.ip': false }, allow: { emailDomains: ['example.com'] } })).toEqual(['pii.email:high']);
    expect(await run({ enabled: false })).toEqual([]);
    expect(await run({ rules: { pii: false }, customRules: [{ id: 'custom.ticket', pattern: 'TCK-\\d{6}', category: 'pii', severity: 'low' }] })).toEqual([]);
    expect(await run({ rules: { 'pii.email': false }, customRules: [{ id: 'custom.ticket', pattern: 'TCK-\\d{6}', category: 'pii', severity: 'low' }] })).toEqual(['pii.ip:low', 'custom.ticket:low']);
    expect(await run({ allow: { values: ['eve@corp.io'], patterns: ['bob@.*'] } })).toEqual(['pii.ip:low']);
  });
  it('ships the schema the editor completes from, as generated', () => {
    const file = fs.readFileSync(path.resolve(import.meta.dirname, '../../../media/schemas/guardrails.schema.json'), 'utf8');
    expect(file).toBe(`${JSON.stringify(guardrailsConfigSchema, null, 2)}\n`); // else: npm run schema:guardrails
    const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../../package.json'), 'utf8')) as { contributes: { jsonValidation: Array<{ fileMatch: string; url: string }> } };
    expect(pkg.contributes.jsonValidation).toContainEqual({ fileMatch: '.spyglass/guardrails.json', url: './media/schemas/guardrails.schema.json' });
  });
});
