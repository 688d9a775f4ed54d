// The libraries the rules stand on, loaded on first use and kept for the process: a collector
// that never checks a call never pays for them.

import type * as Phone from 'libphonenumber-js/min';
import type * as Iban from 'ibantools';
import type * as Obscenity from 'obscenity';
import type { lintSource as LintSource } from '@secretlint/core';
import type AjvClass from 'ajv';

type SecretLintCoreConfig = Parameters<typeof LintSource>[0]['options']['config'];

export interface GuardrailLibs {
  phone: typeof Phone;
  iban: typeof Iban;
  obscenity: typeof Obscenity;
  /** The obscenity matcher over the English data set with its recommended transformers. */
  profanity: Obscenity.RegExpMatcher;
  lintSource: typeof LintSource;
  secretlintConfig: SecretLintCoreConfig;
  Ajv: typeof AjvClass;
  /** Ajv for draft 2019-09 / 2020-12 schemas (`$defs`, `prefixItems`). */
  Ajv2020: typeof AjvClass;
  addFormats: (ajv: AjvClass) => unknown;
}

let loading: Promise<GuardrailLibs> | null = null;

export function loadGuardrailLibs(): Promise<GuardrailLibs> {
  loading ??= load();
  return loading;
}

async function load(): Promise<GuardrailLibs> {
  const [phone, iban, obscenity, core, preset, profiler, ajv, ajv2020, formats] = await Promise.all([
    import('libphonenumber-js/min'),
    import('ibantools'),
    import('obscenity'),
    import('@secretlint/core'),
    import('@secretlint/secretlint-rule-preset-recommend'),
    import('@secretlint/profiler'),
    import('ajv'),
    import('ajv/dist/2020.js'),
    import('ajv-formats'),
  ]);
  // secretlint's profiler is on by default and keeps every performance mark it makes: in a
  // long-running collector that is a leak and most of secretlint's time.
  profiler.secretLintProfiler.setEnabled(false);
  const profanity = new obscenity.RegExpMatcher({ ...obscenity.englishDataset.build(), ...obscenity.englishRecommendedTransformers });
  const Ajv = ((ajv as unknown as { default?: typeof AjvClass }).default ?? ajv) as typeof AjvClass;
  const Ajv2020 = ((ajv2020 as unknown as { default?: typeof AjvClass }).default ?? ajv2020) as unknown as typeof AjvClass;
  const addFormatsFn = ((formats as unknown as { default?: unknown }).default ?? formats) as (a: AjvClass) => unknown;
  return {
    phone,
    iban,
    obscenity,
    profanity,
    lintSource: core.lintSource,
    secretlintConfig: { rules: [{ id: preset.creator.meta.id, rule: preset.creator }] },
    Ajv,
    Ajv2020,
    addFormats: addFormatsFn,
  };
}
