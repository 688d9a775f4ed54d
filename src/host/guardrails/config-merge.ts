// The workspace's guardrails configuration from its two layers: the `spyglass.guardrails.*`
// settings, then `.spyglass/guardrails.json` in each workspace folder (stronger; lists add up).
// A layer with errors is left out and its errors reported, so a typo never turns the checks off.

import { mergeGuardrailsConfigs, validateGuardrailsConfig, type GuardrailsConfig } from '../../core/guardrails/config';
import type { SettingReader } from '../settings/settings-model';
import { settingsLayer, type EffectiveGuardrails, type GuardrailsFile } from './config-model';
import { configShape } from './config-shape';

function check(value: unknown, where: string, errors: string[]): GuardrailsConfig | undefined {
  const result = validateGuardrailsConfig(value, configShape());
  if (result.ok) return result.config;
  errors.push(...result.errors.map((e) => `${where}: ${e}`));
  return undefined;
}

export function effectiveGuardrails(get: SettingReader, files: readonly GuardrailsFile[]): EffectiveGuardrails {
  const errors: string[] = [];
  const layers: Array<GuardrailsConfig | undefined> = [check(settingsLayer(get), 'settings (spyglass.guardrails)', errors)];
  for (const f of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(f.text);
    } catch (e) {
      errors.push(`${f.path}: not JSON (${(e as Error).message})`);
      continue;
    }
    layers.push(check(parsed, f.path, errors));
  }
  const privacy = get('guardrails.privacyMode');
  if (privacy !== undefined && privacy !== null && typeof privacy !== 'boolean') errors.push('spyglass.guardrails.privacyMode must be true or false; privacy mode is off');
  const config = mergeGuardrailsConfigs(...layers);
  return { config, privacyMode: privacy === true, errors };
}
