// The guardrails' public face: the analysis the runner registers, the individual rules, the
// configuration and privacy-mode redaction.

export * from './types';
export { partText, collectTexts } from './text';
export { guardrailAnalysis, createGuardrailAnalysis, runGuardrails, forgetCheckedTexts, hitToAnnotation, GUARDRAIL_ANALYSIS_NAME, GUARDRAIL_RULES_VERSION, type GuardrailRunOptions } from './analysis';
export { validateGuardrailsConfig, compileConfigShape, type ConfigShapeValidator, mergeGuardrailsConfigs, resolveGuardrailsConfig, DEFAULT_PHONE_COUNTRIES, type GuardrailsConfig, type ResolvedGuardrailConfig, type CustomRuleConfig, type RuleSetting } from './config';
export { guardrailsConfigSchema } from './config-schema';
export { loadGuardrailLibs } from './libs';
export { redactCall, type Redaction } from './redact';
export { holdsJson, redactBatch, redactDeep, redactTexts, redactionConfig } from './redact-values';
export { redactedRule } from './rules/redacted';
export { piiRule, findEmails, findCards, findSsns, findIbans, findIps, findPhones, luhn } from './rules/pii';
export { secretRule, isPlaceholder } from './rules/secrets';
export { injectionRule, isDiscussion } from './rules/injection';
export { leakageRule } from './rules/leakage';
export { toxicityRule, profanityIn } from './rules/toxicity';
export { refusalRule } from './rules/refusal';
export { formatRule, jsonRequest } from './rules/format';
export { truncationRule } from './rules/truncation';
export { customRules } from './rules/custom';
