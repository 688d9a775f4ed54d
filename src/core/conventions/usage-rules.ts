// Whether an instrumentation's input-token figure already counts cached tokens. The GenAI
// conventions say `gen_ai.usage.input_tokens` SHOULD include cache reads and writes, whatever the
// provider, and most instrumentations now do; a few copy Anthropic's (or Bedrock's) raw
// `input_tokens`, which counts neither. Which is which was read in each library's source, so the
// answer is a row of data here, not a guess from the provider's name. Rows are tried in order;
// the first that matches the span's instrumentation scope (and its `gen_ai.system` / provider,
// when the row names one) decides. No row: the convention's own rule (the spec's, for GenAI).
//
// Whatever a row says, normalizeUsage still corrects what cannot be: an input figure smaller than
// its own cache parts excludes them, and a reported total equal to input + output + cache proves
// the input left the cache out. That settles Strands with no row: its Python tracer
// (telemetry/tracer.py) sends Bedrock's raw inputTokens with a totalTokens that includes the cache,
// while its TypeScript SDK (1.19, models/streaming.js totalPromptTokens) sends the sum; both share
// `gen_ai.system: strands-agents`, so a row by name would be wrong for one of them.

import type { IngestSpan } from '../model';
import type { InputStyle } from './usage';

export interface UsageRule {
  /** The instrumentation scope (tracer) name. */
  scope: RegExp;
  /** When set, the span's `gen_ai.system` / `gen_ai.provider.name` / `llm.provider` must match too. */
  provider?: RegExp;
  input: Exclude<InputStyle, 'auto'>;
  /** The library, the version read and the source file the figure comes from. */
  source: string;
}

export const USAGE_RULES: readonly UsageRule[] = [
  {
    scope: /^@traceloop\/instrumentation-anthropic$/,
    input: 'excludes',
    source: '@traceloop/instrumentation-anthropic 0.27.0, dist/index.js: input_tokens = usage.input_tokens, total = input + output',
  },
  {
    // OpenLLMetry Python and the OpenTelemetry contrib instrumentation share this scope; both sum.
    scope: /^opentelemetry\.instrumentation\.anthropic$/,
    input: 'includes',
    source:
      'traceloop/openllmetry opentelemetry-instrumentation-anthropic __init__.py (_set_token_usage: input = prompt + cache_read + cache_creation); ' +
      'open-telemetry/opentelemetry-python-contrib opentelemetry-instrumentation-anthropic messages_extractors.py (extract_usage_tokens)',
  },
  {
    scope: /^(openinference\.instrumentation\.bedrock|@arizeai\/openinference-instrumentation-bedrock)$/,
    input: 'excludes',
    source: 'Arize-ai/openinference bedrock instrumentation (python _get_llm_token_counts, js extractUsageAttributes): prompt = usage.input_tokens',
  },
  {
    scope: /^openinference\.instrumentation\.anthropic$/,
    input: 'includes',
    source: 'Arize-ai/openinference openinference-instrumentation-anthropic _wrappers.py _get_llm_token_counts: prompt = input + cache_creation + cache_read',
  },
  {
    scope: /^pydantic-ai$/,
    input: 'includes',
    source: 'pydantic/pydantic-ai usage.py RequestUsage.opentelemetry_attributes: input_tokens total, gen_ai.usage.details.cache_*_tokens parts',
  },
];

function providerOf(span: IngestSpan): string | null {
  const a = span.attributes;
  for (const k of ['gen_ai.system', 'gen_ai.provider.name', 'llm.provider', 'llm.system']) {
    const v = a[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return null;
}

/** The rule for a span's instrumentation, or null when none is known. */
export function usageRuleFor(span: IngestSpan): UsageRule | null {
  const scope = span.scope.name;
  for (const rule of USAGE_RULES) {
    if (!rule.scope.test(scope)) continue;
    if (rule.provider && !rule.provider.test(providerOf(span) ?? '')) continue;
    return rule;
  }
  return null;
}

/** How to read the span's input figure: its instrumentation's rule, else `fallback`. */
export function inputStyleFor(span: IngestSpan, fallback: InputStyle): InputStyle {
  return usageRuleFor(span)?.input ?? fallback;
}
