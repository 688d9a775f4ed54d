// What instrumentations say about the prompt a call was rendered from, whatever their convention:
// the template and its variables, a registry name and version, and the experiment variant or
// feature flag that chose it. Read from the span's attributes and events; pure.
//
// Shapes, as the instrumentations write them:
// - OpenInference (spec/semantic_conventions.md): `llm.prompt_template.template`,
//   `llm.prompt_template.variables` (a JSON object as a string), `llm.prompt_template.version`,
//   and the `prompt.id` / `llm.prompt_template.name` some SDKs add.
// - OpenLLMetry (traceloop SpanAttributes): `traceloop.prompt.template`,
//   `traceloop.prompt.template_variables`, `traceloop.prompt.key`, `traceloop.prompt.version`,
//   `traceloop.prompt.version_name`; association properties `traceloop.association.properties.*`.
// - Langfuse (LangfuseOtelSpanAttributes): `langfuse.observation.prompt.name` / `.version`, and
//   the older `langfuse.prompt.name` / `.version`.
// - GenAI-style `gen_ai.prompt.name` / `gen_ai.prompt.version` / `gen_ai.prompt.template`, and
//   promptflow's `prompt.template` / `prompt.variables`.
// - Experiments: `experiment_id` / `experiment.id` / `experiment.name` with `variant` /
//   `experiment.variant`; OpenTelemetry feature flags (`feature_flag.key` with
//   `feature_flag.result.variant`, or the older `feature_flag.variant`) as span attributes or on
//   a `feature_flag` / `feature_flag.evaluation` event.

import type { AttrValue, Attributes, SpanEvent } from '../model';

export interface PromptRef {
  /** A registry name (Langfuse, Traceloop key, OpenInference id), else null. */
  name: string | null;
  /** The version the instrumentation names, else null (then the template text tells versions apart). */
  version: string | null;
  /** The template before rendering, when the instrumentation gives it. */
  template: string | null;
  /** Its variables as rendered, when given. */
  variables: Record<string, string> | null;
  /** An experiment (or feature flag) and the variant this call ran with. */
  experiment: string | null;
  variant: string | null;
}

const NAME_KEYS = ['llm.prompt_template.name', 'prompt.id', 'traceloop.prompt.key', 'traceloop.prompt.name', 'traceloop.prompt.template_name',
  'langfuse.observation.prompt.name', 'langfuse.prompt.name', 'gen_ai.prompt.name', 'gen_ai.prompt.id', 'prompt.name'];
const VERSION_KEYS = ['llm.prompt_template.version', 'traceloop.prompt.version', 'traceloop.prompt.version_name', 'langfuse.observation.prompt.version',
  'langfuse.prompt.version', 'gen_ai.prompt.version', 'prompt.version'];
const TEMPLATE_KEYS = ['llm.prompt_template.template', 'traceloop.prompt.template', 'gen_ai.prompt.template', 'prompt.template'];
const VARIABLE_KEYS = ['llm.prompt_template.variables', 'traceloop.prompt.template_variables', 'gen_ai.prompt.variables', 'prompt.variables'];
const EXPERIMENT_KEYS = ['experiment_id', 'experiment.id', 'experiment.name', 'experiment', 'traceloop.association.properties.experiment_id',
  'traceloop.association.properties.experiment', 'langfuse.trace.metadata.experiment', 'feature_flag.key'];
const VARIANT_KEYS = ['variant', 'experiment.variant', 'experiment_variant', 'variant_id', 'traceloop.association.properties.variant',
  'traceloop.association.properties.experiment_variant', 'langfuse.trace.metadata.variant', 'feature_flag.result.variant', 'feature_flag.variant'];
const FLAG_EVENT = /^feature_flag(\.evaluation)?$/;

function scalar(v: AttrValue | undefined): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function first(a: Attributes, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = scalar(a[k]);
    if (v !== null) return v;
  }
  return null;
}

/** Variables come as a JSON object in a string (OpenInference, Traceloop) or as a decoded kvlist. */
function variables(v: AttrValue | undefined): Record<string, string> | null {
  let obj: unknown = v;
  if (typeof v === 'string') {
    try {
      obj = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj as Record<string, unknown>)) out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  return out;
}

/** The prompt facts a span carries, or null when it carries none. */
export function promptRefOf(span: { attributes: Attributes; events?: readonly SpanEvent[] }): PromptRef | null {
  const a = span.attributes;
  let experiment = first(a, EXPERIMENT_KEYS);
  let variant = first(a, VARIANT_KEYS);
  if (variant === null) {
    const flag = span.events?.find((e) => FLAG_EVENT.test(e.name));
    if (flag) {
      experiment ??= first(flag.attributes, ['feature_flag.key']);
      variant = first(flag.attributes, ['feature_flag.result.variant', 'feature_flag.variant']);
    }
  }
  if (variant === null) experiment = null; // an experiment id alone does not say which arm this call was
  let vars: Record<string, string> | null = null;
  for (const k of VARIABLE_KEYS) if ((vars = variables(a[k])) !== null) break;
  const ref: PromptRef = {
    name: first(a, NAME_KEYS), version: first(a, VERSION_KEYS), template: first(a, TEMPLATE_KEYS), variables: vars, experiment, variant,
  };
  return ref.name ?? ref.version ?? ref.template ?? ref.variant ?? null ? ref : null;
}
