// In privacy mode the stored text holds typed placeholders where PII and secrets were
// (redact-values.ts); the checks run later over that text, and this rule turns each placeholder
// back into its hit: same rule, same category, located on the placeholder. Only in privacy mode:
// elsewhere `[EMAIL]` is a prompt template's slot, not a redacted address.

import type { CallText, GuardrailHit, GuardrailSeverity } from '../types';
import type { ResolvedGuardrailConfig } from '../config';
import { locate } from '../text';
import { matches } from './context';

/** The PII types the built-in rules replace, with their rules' severities and explanations. */
const PII: Record<string, [GuardrailSeverity, string]> = {
  EMAIL: ['medium', 'E-mail address'],
  PHONE: ['medium', 'Phone number'],
  CARD: ['high', 'Payment card number'],
  SSN: ['high', 'US Social Security number'],
  IBAN: ['high', 'IBAN'],
  IP: ['low', 'Public IP address'],
};

const PLACEHOLDER = /\[(?:SECRET:([\w.-]+)|([A-Z][A-Z0-9_.-]*))\]/g;
const NOTE = ' (redacted before storage)';

export function redactedRule(texts: CallText[], config: ResolvedGuardrailConfig): GuardrailHit[] {
  // A custom PII or secret rule's placeholder is its id in capitals (redact.ts's placeholderFor).
  const custom = new Map(config.customRules.filter((r) => r.category === 'pii' || r.category === 'secret').map((r) => [r.id.replace(/[^\w.-]/g, '').toUpperCase(), r]));
  const out: GuardrailHit[] = [];
  for (const t of texts) {
    if (!t.text.includes('[')) continue;
    for (const m of matches(PLACEHOLDER, t.text)) {
      const at = locate(t, m.index, m.index + m[0].length);
      const [, secret, name] = m;
      if (secret !== undefined) {
        out.push({ rule: `secret.${secret}`, category: 'secret', severity: secret === 'generic' ? 'medium' : 'high', location: at, explanation: `Secret (${secret})${NOTE}`, type: secret });
        continue;
      }
      const pii = PII[name!];
      if (pii) {
        out.push({ rule: `pii.${name!.toLowerCase()}`, category: 'pii', severity: pii[0], location: at, explanation: pii[1] + NOTE, type: name!.toLowerCase() });
        continue;
      }
      const r = custom.get(name!);
      if (r) out.push({ rule: r.id, category: r.category, severity: r.severity, location: at, explanation: r.explanation + NOTE, type: r.id });
    }
  }
  return out;
}
