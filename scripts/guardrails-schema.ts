// `npm run schema:guardrails`: writes media/schemas/guardrails.schema.json (what the editor
// validates and completes `.spyglass/guardrails.json` with) from the schema the collector uses.

import fs from 'node:fs';
import path from 'node:path';
import { guardrailsConfigSchema } from '../src/core/guardrails/config-schema';

export function schemaFileText(): string {
  return `${JSON.stringify(guardrailsConfigSchema, null, 2)}\n`;
}

const out = path.resolve('media/schemas/guardrails.schema.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, schemaFileText());
console.log(`wrote ${path.relative(process.cwd(), out)}`);
