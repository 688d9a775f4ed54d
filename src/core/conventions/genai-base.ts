// The scalar `gen_ai.*` attributes (model, provider, parameters, usage, finish reasons...).
// Every GenAI-flavoured convention sets them (current and deprecated GenAI, OpenLLMetry,
// Logfire, and the Vercel AI SDK alongside its own `ai.*`), so they are read in one place.

import type { Attributes, LlmCall } from '../model';
import { addParams, applyUsage, paramName } from './call';
import { normalizeUsage, type InputStyle } from './usage';
import { first, firstCount, firstStr, num, strList } from './values';

/** GenAI operations that are model calls; everything else with an operation name is not. */
export const LLM_OPERATIONS = new Set([
  'chat',
  'text_completion',
  'completion',
  'generate_content',
  'responses',
  'embeddings',
  'embedding',
  'image_generation',
  'rerank',
]);

/** Operations that carry model usage but are not themselves a model call (counting them would double cost). */
export const NON_LLM_OPERATIONS = new Set([
  'execute_tool',
  'invoke_agent',
  'create_agent',
  'invoke_workflow',
  'plan',
  'retrieval',
  'agent',
  'tool',
  'workflow',
]);

export function isEmbeddingOperation(op: string | null): boolean {
  return op === 'embeddings' || op === 'embedding';
}

const IGNORED_REQUEST_KEYS = new Set(['model', 'type']);

/**
 * Time-to-first-token attributes and their units; the first one present wins. The GenAI name is
 * in seconds by the spec, but Strands puts its `timeToFirstByteMs` there (telemetry/tracer.py).
 */
const TTFT_ATTRIBUTES: ReadonlyArray<{ key: string; unit: 's' | 'ms'; msScopes?: RegExp }> = [
  { key: 'gen_ai.response.time_to_first_chunk', unit: 's' },
  { key: 'gen_ai.server.time_to_first_token', unit: 's', msScopes: /^strands/ },
  { key: 'copilot_chat.time_to_first_token', unit: 'ms' },
  { key: 'llm.time_to_first_token', unit: 's' },
];

function ttftMs(attrs: Attributes, scope: string): number | null {
  for (const { key, unit, msScopes } of TTFT_ATTRIBUTES) {
    const v = num(attrs[key]);
    if (v === null || v < 0) continue;
    return unit === 'ms' || msScopes?.test(scope) ? v : v * 1000;
  }
  return null;
}

/**
 * The scalars every GenAI-flavoured convention shares. `style` says how the input figure treats
 * cache tokens (see usage-rules.ts); `scope` is the instrumentation's, for units that differ by it.
 */
export function readGenAiScalars(call: LlmCall, attrs: Attributes, style: InputStyle, scope = ''): void {
  const op = firstStr(attrs, 'gen_ai.operation.name');
  if (op) call.operation = op;
  call.provider ??= firstStr(attrs, 'gen_ai.provider.name', 'gen_ai.system');
  call.requestModel ??= firstStr(attrs, 'gen_ai.request.model');
  call.responseModel ??= firstStr(attrs, 'gen_ai.response.model');
  call.responseId ??= firstStr(attrs, 'gen_ai.response.id');
  call.conversationId ??= firstStr(attrs, 'gen_ai.conversation.id');
  call.promptName ??= firstStr(attrs, 'gen_ai.prompt.name');
  call.errorType ??= firstStr(attrs, 'error.type');

  const params: Record<string, unknown> = {};
  for (const key in attrs) {
    if (key.startsWith('gen_ai.request.')) {
      const rest = key.slice('gen_ai.request.'.length);
      if (!IGNORED_REQUEST_KEYS.has(rest)) params[paramName(rest)] = attrs[key];
    } else if (key.startsWith('gen_ai.openai.request.')) {
      params[key.slice('gen_ai.openai.request.'.length)] = attrs[key];
    }
  }
  addParams(call, params);

  const finish = strList(first(attrs, 'gen_ai.response.finish_reasons'));
  if (finish.length > 0 && call.finishReasons.length === 0) call.finishReasons = finish;

  if (call.ttftMs === null) call.ttftMs = ttftMs(attrs, scope);

  if (call.inputTokens === null && call.outputTokens === null) {
    applyUsage(
      call,
      normalizeUsage(
        {
          input: firstCount(attrs, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'),
          output: firstCount(attrs, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'),
          cacheRead: firstCount(attrs, 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'gen_ai.usage.details.cache_read_tokens'),
          cacheWrite: firstCount(
            attrs,
            'gen_ai.usage.cache_creation.input_tokens',
            'gen_ai.usage.cache_creation_input_tokens',
            'gen_ai.usage.cache_write_input_tokens',
            'gen_ai.usage.cache_write.input_tokens',
            'gen_ai.usage.details.cache_write_tokens',
          ),
          reasoning: firstCount(
            attrs,
            'gen_ai.usage.reasoning.output_tokens',
            'gen_ai.usage.reasoning_tokens',
            'gen_ai.usage.output_tokens.reasoning',
            'gen_ai.usage.details.reasoning_tokens',
          ),
          total: firstCount(attrs, 'gen_ai.usage.total_tokens', 'llm.usage.total_tokens'),
        },
        style,
        call.provider,
        call.responseModel ?? call.requestModel,
      ),
    );
  }
}

/** True when the attributes say "this is a model call" in GenAI terms. */
export function genAiLooksLikeCall(attrs: Attributes): boolean {
  const op = firstStr(attrs, 'gen_ai.operation.name');
  if (op !== null) return !NON_LLM_OPERATIONS.has(op) && (LLM_OPERATIONS.has(op) || hasModel(attrs));
  return hasModel(attrs);
}

function hasModel(attrs: Attributes): boolean {
  return firstStr(attrs, 'gen_ai.request.model', 'gen_ai.response.model') !== null;
}
