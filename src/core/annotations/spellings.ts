// How evaluation and guardrail results are spelled on the wire. The OpenTelemetry GenAI
// conventions define `gen_ai.evaluation.result` (name, score.value, score.label, explanation) and
// `gen_ai.guardrail.result` (component.name, result.type/value/reason, risk.category/score,
// policy ids, source); instrumentations written before or beside them use other keys for the
// same facts (opentelemetry-util-genai's earlier `gen_ai.evaluation` event with the explanation in
// its body, `gen_ai.evaluation.score` as a plain number, `.reasoning`, `.verdict`, `.passed`,
// `gen_ai.guardrail.name`/`.action`/`.triggered`/`.categories`). Each field lists its keys, the
// standard one first: reading takes the first present, export writes the first.
// Spyglass's own annotations (feedback, notes, replay links) travel as `spyglass.annotation`
// events, and every exported annotation carries `spyglass.annotation.*` so an import restores
// its kind, source and time exactly.

import type { AnnotationKind } from './model';

/** A label key; a boolean value there reads as one of two labels. */
export interface LabelKey {
  key: string;
  whenTrue?: string;
  whenFalse?: string;
}

export interface Spelling {
  kind: AnnotationKind;
  /** Event names, the standard one first. */
  events: readonly string[];
  name: readonly string[];
  label: readonly LabelKey[];
  score: readonly string[];
  explanation: readonly string[];
  /** Keys read into the annotation's attributes under a short name (guardrail category, …). */
  facts: Readonly<Record<string, readonly string[]>>;
  /** Keys that hold captured content: dropped when content is not stored. */
  contentPrefixes: readonly string[];
  /** The name when no name key is present. */
  defaultName: string;
}

export const EVALUATION: Spelling = {
  kind: 'evaluation',
  events: ['gen_ai.evaluation.result', 'gen_ai.evaluation'],
  name: ['gen_ai.evaluation.name', 'gen_ai.evaluation.metric.name', 'gen_ai.evaluation.metric', 'gen_ai.evaluator.name'],
  label: [
    { key: 'gen_ai.evaluation.score.label' },
    { key: 'gen_ai.evaluation.label' },
    { key: 'gen_ai.evaluation.verdict' },
    { key: 'gen_ai.evaluation.passed', whenTrue: 'pass', whenFalse: 'fail' },
  ],
  score: ['gen_ai.evaluation.score.value', 'gen_ai.evaluation.score'],
  explanation: ['gen_ai.evaluation.explanation', 'gen_ai.evaluation.reasoning', 'gen_ai.evaluation.reason'],
  facts: {},
  contentPrefixes: [],
  defaultName: 'evaluation',
};

export const GUARDRAIL: Spelling = {
  kind: 'guardrail',
  events: ['gen_ai.guardrail.result', 'gen_ai.guardrail'],
  name: ['gen_ai.guardrail.component.name', 'gen_ai.guardrail.name', 'gen_ai.guardrail.policy.rule.id', 'gen_ai.guardrail.policy.id'],
  label: [
    { key: 'gen_ai.guardrail.result.value' },
    { key: 'gen_ai.guardrail.result' },
    { key: 'gen_ai.guardrail.action' },
    { key: 'gen_ai.guardrail.triggered', whenTrue: 'triggered', whenFalse: 'not_triggered' },
  ],
  score: ['gen_ai.guardrail.risk.score', 'gen_ai.guardrail.score'],
  explanation: ['gen_ai.guardrail.result.reason', 'gen_ai.guardrail.reason'],
  facts: {
    category: ['gen_ai.guardrail.risk.category', 'gen_ai.guardrail.category', 'gen_ai.guardrail.categories', 'gen_ai.guardrail.type'],
    resultType: ['gen_ai.guardrail.result.type'],
    stage: ['gen_ai.guardrail.source'],
    policyId: ['gen_ai.guardrail.policy.id'],
    policyVersion: ['gen_ai.guardrail.policy.version'],
    ruleId: ['gen_ai.guardrail.policy.rule.id'],
  },
  contentPrefixes: ['gen_ai.guardrail.content.', 'gen_ai.guardrail.modified_output'],
  defaultName: 'guardrail',
};

/** Any other kind, as Spyglass exports it. */
export const SPYGLASS: Spelling = {
  kind: 'note',
  events: ['spyglass.annotation'],
  name: ['spyglass.annotation.name'],
  label: [{ key: 'spyglass.annotation.label' }],
  score: ['spyglass.annotation.score'],
  explanation: ['spyglass.annotation.explanation'],
  facts: {},
  contentPrefixes: [],
  defaultName: 'note',
};

/** The `spyglass.annotation.*` keys every exported annotation carries. */
export const EXPORT_KEYS = {
  kind: 'spyglass.annotation.kind',
  source: 'spyglass.annotation.source',
  createdAt: 'spyglass.annotation.created_at_us',
  location: 'spyglass.annotation.location',
  callRevision: 'spyglass.annotation.call_revision',
  /** `trace`: about the whole trace (exported on its root span). */
  scope: 'spyglass.annotation.scope',
} as const;

const BY_EVENT = new Map<string, Spelling>();
for (const s of [EVALUATION, GUARDRAIL, SPYGLASS]) for (const e of s.events) BY_EVENT.set(e, s);

/** The spelling of an event or log record name, or undefined for events that are not annotations. */
export function spellingOfEvent(name: string | null): Spelling | undefined {
  return name === null ? undefined : BY_EVENT.get(name);
}

/** The spelling an annotation of this kind is exported in. */
export function spellingOfKind(kind: AnnotationKind): Spelling {
  return kind === 'evaluation' ? EVALUATION : kind === 'guardrail' ? GUARDRAIL : SPYGLASS;
}
