// The analyses the runner applies to every stored call. Later checks (guardrails) register here.

import type { Analysis } from './analysis';
import { truncation } from './truncation';

export const ANALYSES: readonly Analysis[] = [truncation];

export function analysisNamed(name: string, registry: readonly Analysis[] = ANALYSES): Analysis | undefined {
  return registry.find((a) => a.name === name);
}
