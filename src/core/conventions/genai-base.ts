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
export const NON_LLM_OPERATIONS = new Set(['execute_tool', 'invoke_agent', 'create_agent', 'invoke_workflow', 'retrieval', 'agent', 'tool', 'workflow']);

export function isEmbeddingOperation(op: string | null): boolean {
  return op === 'embeddings' || op === 'embedding';
}

const IGNORED_REQUEST_KEYS = new Set(['model', 'type']);

export function readGenAiScalars(call: LlmCall, attrs: Attributes, style: InputStyle): void {
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

  const ttftSeconds = num(attrs['gen_ai.response.time_to_first_chunk']);
  if (ttftSeconds !== null && call.ttftMs === null) call.ttftMs = ttftSeconds * 1000;

  if (call.inputTokens === null && call.outputTokens === null) {
    applyUsage(
      call,
      normalizeUsage(
        {
          input: firstCount(attrs, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'),
          output: firstCount(attrs, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'),
          cacheRead: firstCount(attrs, 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens'),
          cacheWrite: firstCount(attrs, 'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens', 'gen_ai.usage.cache_write_input_tokens'),
          reasoning: firstCount(attrs, 'gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens', 'gen_ai.usage.output_tokens.reasoning'),
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
