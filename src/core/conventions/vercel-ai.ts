// Vercel AI SDK (`experimental_telemetry`): spans named by operation (`ai.generateText`,
// `ai.generateText.doGenerate`, `ai.streamText.doStream`, `ai.embed.doEmbed`, `ai.toolCall`...).
// Only the inner do* span is the provider call; the outer span repeats the step totals, so
// counting it too would double tokens and cost. Attributes: `ai.model.id` / `ai.model.provider`,
// `ai.prompt.messages` (JSON language-model prompt), `ai.prompt.tools`, `ai.response.text` /
// `toolCalls` / `reasoning` / `finishReason` / `msToFirstChunk` / `providerMetadata`, `ai.usage.*`
// (v4 promptTokens/completionTokens, v5 inputTokens/outputTokens/cachedInputTokens/reasoningTokens,
// v6 adds inputTokenDetails.* / outputTokenDetails.*), `ai.settings.*`, `ai.telemetry.metadata.*`.

import type { Attributes, ChatMessage, LlmCall, MessagePart } from '../model';
import { addParams, applyUsage, emptyCall } from './call';
import { readGenAiScalars } from './genai-base';
import { toMessages, toolCallsToParts, toToolDefinitions } from './parts';
import { UNKNOWN, type ConventionReader, type Verdict } from './reader';
import { normalizeUsage, type InputStyle } from './usage';
import { count, firstCount, firstStr, isRecord, jsonArray, jsonObject, num, parseJson, str, withPrefix } from './values';

function operationId(span: { name: string; attributes: Attributes }): string | null {
  const op = str(span.attributes['ai.operationId']);
  if (op) return op;
  return span.name.startsWith('ai.') && (span.attributes['ai.model.id'] !== undefined || span.attributes['ai.model.provider'] !== undefined) ? span.name : null;
}

const isInner = (op: string): boolean => /\.(doGenerate|doStream)$/.test(op);
const isEmbedInner = (op: string): boolean => /\.doEmbed$/.test(op);

/** `openai.chat`, `anthropic.messages`, `google.generative-ai` → `openai`, `anthropic`, `google`. */
function providerName(p: string | null): string | null {
  if (!p) return null;
  return p.split('.')[0] || p;
}

function metadataValue(meta: Record<string, unknown>, ...names: string[]): string | null {
  const lower = new Map(Object.entries(meta).map(([k, v]) => [k.toLowerCase(), v]));
  for (const n of names) {
    const v = str(lower.get(n.toLowerCase()));
    if (v) return v;
  }
  return null;
}

function readUsage(call: LlmCall, a: Attributes): void {
  const provider = call.provider;
  const model = call.responseModel ?? call.requestModel;
  const meta = jsonObject(a['ai.response.providerMetadata']) ?? {};
  const anthropicMeta = isRecord(meta.anthropic) ? meta.anthropic : {};
  const openaiMeta = isRecord(meta.openai) ? meta.openai : {};
  const v6 = a['ai.usage.inputTokenDetails.noCacheTokens'] !== undefined || a['ai.usage.inputTokenDetails.cacheReadTokens'] !== undefined || a['ai.usage.outputTokenDetails.textTokens'] !== undefined;
  // v6 reports totals (cache included); v4/v5 passed Anthropic's raw input_tokens through.
  const style: InputStyle = v6 ? 'includes' : 'auto';
  const input = firstCount(a, 'ai.usage.inputTokens', 'ai.usage.promptTokens', 'ai.usage.tokens');
  const output = firstCount(a, 'ai.usage.outputTokens', 'ai.usage.completionTokens');
  applyUsage(
    call,
    normalizeUsage(
      {
        input,
        output,
        cacheRead:
          firstCount(a, 'ai.usage.inputTokenDetails.cacheReadTokens', 'ai.usage.cachedInputTokens') ??
          count(anthropicMeta.cacheReadInputTokens) ??
          count(openaiMeta.cachedPromptTokens),
        cacheWrite: firstCount(a, 'ai.usage.inputTokenDetails.cacheWriteTokens') ?? count(anthropicMeta.cacheCreationInputTokens),
        reasoning: firstCount(a, 'ai.usage.outputTokenDetails.reasoningTokens', 'ai.usage.reasoningTokens') ?? count(openaiMeta.reasoningTokens),
        total: firstCount(a, 'ai.usage.totalTokens'),
      },
      style,
      provider,
      model,
    ),
  );
}

function outputMessage(a: Attributes): ChatMessage | null {
  const parts: MessagePart[] = [];
  const reasoning = a['ai.response.reasoning'];
  if (typeof reasoning === 'string' && reasoning !== '') parts.push({ type: 'reasoning', content: reasoning });
  const textOut = a['ai.response.text'] ?? a['ai.response.object'];
  if (typeof textOut === 'string' && textOut !== '') parts.push({ type: 'text', content: textOut });
  parts.push(...toolCallsToParts(jsonArray(a['ai.response.toolCalls']) ?? []));
  const finish = str(a['ai.response.finishReason']);
  if (parts.length === 0 && !finish) return null;
  const msg: ChatMessage = { role: 'assistant', parts };
  if (finish) msg.finish_reason = finish;
  return msg;
}

export const vercelAi: ConventionReader = {
  convention: 'vercel-ai',

  classify(span): Verdict {
    const op = operationId(span);
    if (op === null) return UNKNOWN;
    if (isInner(op)) return { kind: 'call', operation: 'chat' };
    if (isEmbedInner(op)) return { kind: 'call', operation: 'embeddings' };
    if (op === 'ai.toolCall') return { kind: 'not-call', category: 'tool' };
    if (/^ai\.(embed|embedMany)$/.test(op)) return { kind: 'not-call', category: 'embedding' };
    return { kind: 'not-call', category: 'chain' };
  },

  read(span): LlmCall {
    const a = span.attributes;
    const op = operationId(span) ?? span.name;
    const call = emptyCall('vercel-ai', isEmbedInner(op) ? 'embeddings' : 'chat');
    // The SDK also sets standard gen_ai.* on inner spans; read them first, then prefer ai.*.
    readGenAiScalars(call, a, 'auto');
    call.operation = isEmbedInner(op) ? 'embeddings' : 'chat';
    call.provider = providerName(firstStr(a, 'ai.model.provider')) ?? providerName(call.provider);
    call.requestModel = firstStr(a, 'ai.model.id') ?? call.requestModel;
    call.responseModel = firstStr(a, 'ai.response.model') ?? call.responseModel;
    call.responseId = firstStr(a, 'ai.response.id') ?? call.responseId;

    const settings = withPrefix(a, 'ai.settings.');
    delete settings.maxRetries; // client retry policy, not a model parameter
    addParams(call, settings, true);

    call.inputTokens = null;
    call.outputTokens = null;
    readUsage(call, a);
    if (call.inputTokens === null && call.outputTokens === null) readGenAiScalars(call, a, 'auto');

    const ttft = num(a['ai.response.msToFirstChunk']) ?? num(a['ai.stream.msToFirstChunk']);
    if (ttft !== null) call.ttftMs = ttft;

    const prompt = parseJson(a['ai.prompt.messages']);
    if (Array.isArray(prompt)) call.inputMessages = toMessages(prompt);
    if (isEmbedInner(op)) {
      const values = jsonArray(a['ai.values']) ?? (a['ai.value'] !== undefined ? [a['ai.value']] : []);
      const texts = values.map((v) => (typeof v === 'string' ? (typeof parseJson(v) === 'string' ? (parseJson(v) as string) : v) : JSON.stringify(v)));
      if (texts.length > 0) call.inputMessages = [{ role: 'user', parts: texts.map((t) => ({ type: 'text', content: t })) }];
    }
    const out = outputMessage(a);
    if (out) call.outputMessages = [out];
    const finish = str(a['ai.response.finishReason']);
    if (finish) call.finishReasons = [finish];
    call.toolDefinitions = toToolDefinitions(a['ai.prompt.tools']);

    const meta = withPrefix(a, 'ai.telemetry.metadata.');
    call.conversationId = metadataValue(meta, 'sessionId', 'session_id', 'conversationId', 'conversation_id', 'threadId', 'thread_id') ?? call.conversationId;
    call.promptName = metadataValue(meta, 'promptName', 'prompt_name', 'promptId', 'prompt_id') ?? call.promptName;
    call.promptVersion = metadataValue(meta, 'promptVersion', 'prompt_version') ?? call.promptVersion;
    return call;
  },
};
