// The guardrails as the runner's analysis: every check of src/core/guardrails over a stored call,
// under the workspace's configuration. Its version carries the configuration's hash, so a changed
// configuration marks the stored calls as checked by an older version until they are re-checked.

import type { AnnotationFacts } from '../annotations/model';
import { createGuardrailAnalysis, GUARDRAIL_ANALYSIS_NAME, type AnnotationDraft, type GuardrailRunOptions, type GuardrailsConfig, type GuardrailSubject } from '../guardrails';
import type { Analysis, AnalysedCall } from './analysis';

export { GUARDRAIL_ANALYSIS_NAME };

function subject({ call, attributes, requestBody }: AnalysedCall): GuardrailSubject {
  return {
    operation: call.operation,
    systemInstructions: call.systemInstructions,
    inputMessages: call.inputMessages,
    outputMessages: call.outputMessages,
    finishReasons: call.finishReasons,
    params: call.params,
    toolDefinitions: call.toolDefinitions,
    outputTokens: call.outputTokens,
    errorType: call.errorType,
    attributes,
    requestBody,
  };
}

/** A hit as the runner stores it: the source is the runner's (`rule:guardrails`), the rule id is the name and an attribute. */
function facts(d: AnnotationDraft): AnnotationFacts {
  return {
    kind: d.kind, name: d.name, label: d.label, score: null, explanation: d.explanation, location: d.location,
    attributes: { ...d.attributes, rule: d.name },
  };
}

export function guardrailsAnalysis(config: GuardrailsConfig = {}, options: GuardrailRunOptions = {}): Analysis {
  const g = createGuardrailAnalysis(config, options);
  return {
    name: g.name,
    version: g.version,
    description: 'Guardrails: PII, secrets, prompt injection, system-prompt leakage, toxicity, refusals, JSON format, truncation',
    analyse: async (c) => (await g.run(subject(c))).map(facts),
  };
}
