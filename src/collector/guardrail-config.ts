// The guardrails configuration the collector runs with: what the host sent at start or later
// through `PUT /api/guardrails/config`, checked against the schema (a bad one is refused with its
// errors, and the one in force stays).

import Ajv from 'ajv';
import { compileConfigShape, validateGuardrailsConfig, type ConfigShapeValidator, type GuardrailsConfig } from '../core/guardrails';

export type CheckedGuardrailsConfig = { ok: true; config: GuardrailsConfig } | { ok: false; errors: string[] };

let shape: ConfigShapeValidator | null = null;

/** null, undefined or {}: the defaults. */
export function checkGuardrailsConfig(raw: unknown): CheckedGuardrailsConfig {
  // Nothing configured (the usual case): the defaults, without compiling the schema's validator.
  if (raw === undefined || raw === null || (typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 0)) return { ok: true, config: {} };
  shape ??= compileConfigShape(Ajv as never);
  return validateGuardrailsConfig(raw, shape);
}
