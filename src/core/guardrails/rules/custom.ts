// The user's own regular-expression rules from `.spyglass/guardrails.json`.

import type { CallText, GuardrailHit } from '../types';
import { locate } from '../text';
import { matches, type RuleContext } from './context';

export function customRules(texts: CallText[], ctx: RuleContext): GuardrailHit[] {
  const out: GuardrailHit[] = [];
  for (const r of ctx.config.customRules) {
    for (const t of texts) {
      if (r.sides && !r.sides.includes(t.side)) continue;
      for (const m of matches(r.re, t.text)) {
        if (m[0].length === 0) continue;
        out.push({ rule: r.id, category: r.category, severity: r.severity, location: locate(t, m.index, m.index + m[0].length), explanation: r.explanation, type: r.id });
      }
    }
  }
  return out;
}
