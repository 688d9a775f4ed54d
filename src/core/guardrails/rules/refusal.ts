// Refusals: the model declining a request, in its many phrasings and languages (data in
// data/refusal.json), and OpenAI's explicit `refusal` parts. "I can't wait", "you can't go wrong"
// and "I can't help but notice" are not refusals: the patterns want a first-person subject and a
// verb of helping.

import type { CallText, GuardrailHit } from '../types';
import { locate } from '../text';
import type { RuleContext } from './context';
import { runAttempts, type PatternMatch } from './patterns';

export function refusalRule(texts: CallText[], ctx: RuleContext): GuardrailHit[] {
  const out: GuardrailHit[] = [];
  for (const t of texts) {
    if (t.origin === 'refusal') {
      out.push({ rule: 'refusal', category: 'refusal', severity: 'low', location: locate(t, 0, t.text.length), explanation: 'The model returned an explicit refusal', type: 'refusal' });
      continue;
    }
    if (t.origin !== 'assistant') continue;
    // One refusal per part is the fact; more would be noise. The first in the text, whichever
    // pattern found it (the order patterns are tried in depends on where their anchors are).
    let first: PatternMatch | null = null;
    for (const m of runAttempts(t.text, ctx.config.triggers.refusal(t.text))) {
      if (m.pattern.negative?.test(m.match)) continue;
      if (!first || m.index < first.index || (m.index === first.index && m.match.length > first.match.length)) first = m;
    }
    if (first) {
      const { pattern: p, index, match } = first;
      out.push({ rule: p.id, category: 'refusal', severity: p.severity, location: locate(t, index, index + match.length), explanation: p.explanation, type: 'refusal' });
    }
  }
  return out;
}
