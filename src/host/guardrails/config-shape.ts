// The schema's validator in the host. In the extension's bundle scripts/build.mjs replaces this
// module with Ajv's standalone code for the same schema and options, so the host does not carry
// Ajv's compiler (about 250 KB) for the one schema it checks; tests and type checks use this one.

import Ajv from 'ajv';
import { compileConfigShape, type ConfigShapeValidator } from '../../core/guardrails/config';

let shape: ConfigShapeValidator | null = null;

export function configShape(): ConfigShapeValidator {
  shape ??= compileConfigShape(Ajv as never);
  return shape;
}
