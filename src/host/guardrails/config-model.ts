// The names of the guardrails configuration's two layers: the `spyglass.guardrails.*` settings,
// then `.spyglass/guardrails.json` in each workspace folder (config-merge.ts reads them into one).

import type { SettingReader } from '../settings/settings-model';

/** Settings (relative to `spyglass.`) that make up the guardrails configuration. */
export const GUARDRAIL_SETTINGS = ['guardrails.enabled', 'guardrails.rules', 'guardrails.allow', 'guardrails.customRules', 'guardrails.privacyMode'] as const;

export const GUARDRAILS_FILE = '.spyglass/guardrails.json';

export interface GuardrailsFile {
  /** Where it is, for messages. */
  path: string;
  text: string;
}

export interface EffectiveGuardrails {
  /** A GuardrailsConfig (core/guardrails/config), checked. */
  config: object;
  privacyMode: boolean;
  /** What was wrong, per layer ("settings: …", "<file>: …"). */
  errors: string[];
}

const isEmpty = (v: unknown) => v === undefined || v === null || (typeof v === 'object' && Object.keys(v as object).length === 0);

/** The settings layer: only what the user set (an empty object or list sets nothing). */
export function settingsLayer(get: SettingReader): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  const enabled = get('guardrails.enabled');
  // On is the default (and what VS Code reports when nobody set it): only anything else says something.
  if (enabled !== undefined && enabled !== null && enabled !== true) layer.enabled = enabled;
  for (const key of ['rules', 'allow', 'customRules'] as const) {
    const v = get(`guardrails.${key}`);
    if (!isEmpty(v)) layer[key] = v;
  }
  return layer;
}
