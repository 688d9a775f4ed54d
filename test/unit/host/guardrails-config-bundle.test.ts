// The extension's bundle checks the guardrails configuration with Ajv's standalone code for the
// schema (scripts/guardrails-config-shape.mjs), not with Ajv: the same answers, without the library.
import * as esbuild from 'esbuild';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { effectiveGuardrails } from '../../../src/host/guardrails/config-merge';
// @ts-expect-error: a plain ES module of the build, without types
import { guardrailsConfigShape } from '../../../scripts/guardrails-config-shape.mjs';

const root = path.resolve(__dirname, '../../..');

type Effective = typeof effectiveGuardrails;

async function bundled(): Promise<{ effectiveGuardrails: Effective; text: string }> {
  const r = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/host/guardrails/config-merge.ts'],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    logLevel: 'silent',
    plugins: [guardrailsConfigShape as esbuild.Plugin],
  });
  const text = r.outputFiles[0]!.text;
  const mod = { exports: {} as { effectiveGuardrails: Effective } };
  new Function('module', 'exports', 'require', text)(mod, mod.exports, createRequire(path.join(root, 'src/host/guardrails/x.js')));
  return { effectiveGuardrails: mod.exports.effectiveGuardrails, text };
}

const settings = (values: Record<string, unknown>) => (key: string) => values[key];

describe('the guardrails configuration check in the extension bundle', () => {
  it('holds no Ajv compiler and answers as Ajv does, errors and their places included', async () => {
    const b = await bundled();
    expect(b.text).not.toMatch(/node_modules\/ajv\/dist\/(core|compile)/);
    expect(b.text).not.toContain('node_modules/fast-uri');
    const files = [
      { path: 'a/.spyglass/guardrails.json', text: JSON.stringify({ rule: {}, rules: { pii: 'critical' }, pii: { phoneCountries: ['usa'] } }) },
      { path: 'b/.spyglass/guardrails.json', text: JSON.stringify({ rules: { 'pii.ip': false }, allow: { emailDomains: ['example.com'] } }) },
      { path: 'c/.spyglass/guardrails.json', text: JSON.stringify({ customRules: [{ id: 'x', pattern: '(', category: 'pii' }] }) },
    ];
    const get = settings({ 'guardrails.rules': { refusal: 'medium' }, 'guardrails.privacyMode': true });
    const fromBundle = b.effectiveGuardrails(get, files);
    const fromSource = effectiveGuardrails(get, files);
    expect(fromBundle).toEqual(fromSource);
    expect(fromBundle.config).toEqual({ rules: { refusal: { severity: 'medium' }, 'pii.ip': { enabled: false } }, allow: { emailDomains: ['example.com'] } });
    expect(fromBundle.errors.join('\n')).toContain('a/.spyglass/guardrails.json: (top level) must NOT have additional properties: unknown property "rule"');
    expect(fromBundle.errors.join('\n')).toContain('c/.spyglass/guardrails.json: customRules.0.pattern (x): Invalid regular expression');
  }, 60_000);
});
