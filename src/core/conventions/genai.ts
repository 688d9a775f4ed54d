// OpenTelemetry GenAI semantic conventions, current form: messages as structured (or JSON string)
// attributes `gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`,
// `gen_ai.tool.definitions`, on the span itself or on a `gen_ai.client.inference.operation.details`
// event (a span event or a log record tied to the span).

import type { Attributes, IngestLogRecord, IngestSpan, LlmCall } from '../model';
import { geminiContent, readRequestBody } from './bodies';
import { emptyCall } from './call';
import { genAiLooksLikeCall, NON_LLM_OPERATIONS, readGenAiScalars } from './genai-base';
import { toMessages, toSystemParts, toToolDefinitions } from './parts';
import { inputStyleFor } from './usage-rules';
import { logEventName, UNKNOWN, type ConventionReader, type Verdict } from './reader';
import { isRecord, jsonObject, parseJson } from './values';

export const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';

const CONTENT_KEYS = ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.definitions'];

/** Attribute sets of every details event for the span, oldest first (span events, then logs). */
function detailsAttributeSets(span: IngestSpan, logs: IngestLogRecord[]): Attributes[] {
  const sets: Array<{ t: number; a: Attributes }> = [];
  for (const e of span.events) if (e.name === DETAILS_EVENT) sets.push({ t: e.timeUs, a: e.attributes });
  for (const rec of logs) {
    if (logEventName(rec) !== DETAILS_EVENT) continue;
    // Some emitters put the payload in the body instead of attributes.
    const parsed = isRecord(rec.body) ? rec.body : parseJson(rec.body);
    const body = isRecord(parsed) ? parsed : null;
    sets.push({ t: rec.timeUs, a: body ? { ...(body as Attributes), ...rec.attributes } : rec.attributes });
  }
  return sets.sort((x, y) => x.t - y.t).map((s) => s.a);
}

function hasDetails(span: IngestSpan, logs: IngestLogRecord[]): boolean {
  return span.events.some((e) => e.name === DETAILS_EVENT) || logs.some((r) => logEventName(r) === DETAILS_EVENT);
}

export const genai: ConventionReader = {
  convention: 'genai',

  classify(span, logs): Verdict {
    const a = span.attributes;
    const op = typeof a['gen_ai.operation.name'] === 'string' ? a['gen_ai.operation.name'] : null;
    if (op !== null && NON_LLM_OPERATIONS.has(op)) return { kind: 'not-call', category: op === 'execute_tool' ? 'tool' : op === 'retrieval' ? 'retriever' : op === 'invoke_workflow' ? 'chain' : 'agent' };
    const content = CONTENT_KEYS.some((k) => a[k] !== undefined) || hasDetails(span, logs);
    if (genAiLooksLikeCall(a) || content) {
      return { kind: 'call', operation: op ?? 'chat' };
    }
    return UNKNOWN;
  },

  read(span, logs): LlmCall {
    const call = emptyCall('genai');
    const sets = detailsAttributeSets(span, logs);
    // Span attributes win over event attributes for scalars; events only fill what the span lacks.
    const scalars: Attributes = sets.length === 0 ? span.attributes : (Object.assign({}, ...sets, span.attributes) as Attributes);
    readGenAiScalars(call, scalars, inputStyleFor(span, 'includes'), span.scope.name);

    const all = [span.attributes, ...sets];
    for (const a of all) {
      if (call.inputMessages.length === 0 && a['gen_ai.input.messages'] !== undefined) call.inputMessages = toMessages(a['gen_ai.input.messages']);
      if (call.systemInstructions.length === 0 && a['gen_ai.system_instructions'] !== undefined) call.systemInstructions = toSystemParts(a['gen_ai.system_instructions']);
      if (call.toolDefinitions.length === 0 && a['gen_ai.tool.definitions'] !== undefined) call.toolDefinitions = toToolDefinitions(a['gen_ai.tool.definitions']);
    }
    if (span.attributes['gen_ai.output.messages'] !== undefined) {
      call.outputMessages = toMessages(span.attributes['gen_ai.output.messages'], 'assistant');
    } else {
      // Streaming emitters may send one details event per output item (OTel's OpenAI Responses
      // instrumentation does): the items of one turn are joined back into one message, as the
      // non-streamed form has them.
      const events = sets.filter((a) => a['gen_ai.output.messages'] !== undefined);
      for (const a of events) {
        const msgs = toMessages(a['gen_ai.output.messages'], 'assistant');
        const last = call.outputMessages.at(-1);
        if (events.length > 1 && last && msgs.length === 1 && msgs[0]!.role === last.role) {
          last.parts.push(...msgs[0]!.parts);
          if (msgs[0]!.finish_reason) last.finish_reason = msgs[0]!.finish_reason;
        } else {
          call.outputMessages.push(...msgs);
        }
      }
    }
    readAdkBodies(call, span.attributes);
    if (call.finishReasons.length === 0) {
      call.finishReasons = call.outputMessages.map((m) => m.finish_reason).filter((f): f is string => typeof f === 'string');
    }
    return call;
  },
};

/**
 * Google ADK's `call_llm` spans carry the conversation as its request and response models
 * (google/adk-python telemetry/tracing.py trace_call_llm: `gcp.vertex.agent.llm_request` =
 * {model, contents, config}, `gcp.vertex.agent.llm_response` = {content: {role, parts}, …}).
 */
function readAdkBodies(call: LlmCall, a: Attributes): void {
  if (call.inputMessages.length === 0) {
    const req = jsonObject(a['gcp.vertex.agent.llm_request']);
    if (req) readRequestBody(call, req);
  }
  if (call.outputMessages.length === 0) {
    const res = jsonObject(a['gcp.vertex.agent.llm_response']);
    const msg = res ? geminiContent(res.content, 'assistant') : null;
    if (msg) {
      const fr = typeof res!.finish_reason === 'string' ? res!.finish_reason.toLowerCase() : null;
      if (fr) msg.finish_reason = fr;
      call.outputMessages = [msg];
    }
  }
}
