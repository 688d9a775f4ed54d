// The analyses the runner applies to every stored call, under the configuration the collector was
// given. The guardrails' truncation rule is the one truncation check (no separate analysis counts
// the same cut-off call twice).

import type { GuardrailsConfig } from '../guardrails';
import type { Analysis } from './analysis';
import { guardrailsAnalysis } from './guardrails';

/** What the analyses are configured by (the workspace's guardrails configuration). */
export interface AnalysesConfig {
  guardrails?: GuardrailsConfig;
  /** Privacy mode: calls were stored redacted, and their typed placeholders count as hits. */
  privacyMode?: boolean;
}

export function analysesFor(config: AnalysesConfig = {}): Analysis[] {
  return [guardrailsAnalysis(config.guardrails ?? {}, { redacted: config.privacyMode === true })];
}
