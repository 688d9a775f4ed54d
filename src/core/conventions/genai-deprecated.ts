// OpenTelemetry GenAI, deprecated forms still emitted widely: `gen_ai.system`,
// `gen_ai.usage.prompt_tokens` / `completion_tokens`, one event per message
// (`gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message`, `gen_ai.tool.message`,
// `gen_ai.choice`) as span events or as log records, and the older `gen_ai.content.prompt` /
// `gen_ai.content.completion` span events and `gen_ai.prompt` / `gen_ai.completion` JSON attributes.
// Event bodies look like {content, tool_calls, role, id} and, for choices, {index, finish_reason, message}.

import type { Attributes, ChatMessage, IngestLogRecord, IngestSpan, LlmCall } from '../model';
import { emptyCall } from './call';
import { genAiLooksLikeCall, NON_LLM_OPERATIONS, readGenAiScalars } from './genai-base';
import { toMessage, toMessages } from './parts';
import { inputStyleFor } from './usage-rules';
import { logEventName, UNKNOWN, type ConventionReader, type Verdict } from './reader';
import { isRecord, num, parseJson, str } from './values';

const MESSAGE_EVENTS: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};
const CHOICE_EVENT = 'gen_ai.choice';
const isMessageEvent = (name: string | null): boolean => name !== null && (name in MESSAGE_EVENTS || name === CHOICE_EVENT);

export interface MessageEvent {
  name: string;
  timeUs: number;
  body: Record<string, unknown>;
}

/** The per-message events for a span, from span events and log records, in time order. */
export function messageEvents(span: IngestSpan, logs: IngestLogRecord[]): MessageEvent[] {
  const out: MessageEvent[] = [];
  for (const e of span.events) {
    if (isMessageEvent(e.name)) out.push({ name: e.name, timeUs: e.timeUs, body: e.attributes });
  }
  for (const rec of logs) {
    const name = logEventName(rec);
    if (!isMessageEvent(name)) continue;
    const parsed = parseJson(rec.body);
    out.push({ name: name!, timeUs: rec.timeUs, body: isRecord(parsed) ? parsed : {} });
  }
  // Stable: events emitted with one timestamp keep their emission order.
  return out.map((e, i) => ({ e, i })).sort((x, y) => x.e.timeUs - y.e.timeUs || x.i - y.i).map((x) => x.e);
}

/**
 * Events (or Logfire's `events` JSON array entries, which carry `event.name` inline) → messages.
 * Choices become output messages ordered by their index.
 */
export function eventsToMessages(events: MessageEvent[]): { input: ChatMessage[]; output: ChatMessage[] } {
  const input: ChatMessage[] = [];
  const choices: Array<{ index: number; msg: ChatMessage }> = [];
  for (const ev of events) {
    if (ev.name === CHOICE_EVENT) {
      const rawMsg = parseJson(ev.body.message);
      // Strands sends the choice's content blocks themselves as `message`.
      const base = isRecord(rawMsg) ? rawMsg : Array.isArray(rawMsg) ? { content: rawMsg } : { content: ev.body.content, tool_calls: ev.body.tool_calls };
      const msg = toMessage({ ...base, role: str(base.role) ?? 'assistant' }, 'assistant');
      if (!msg) continue;
      const fr = str(ev.body.finish_reason);
      if (fr) msg.finish_reason = fr;
      choices.push({ index: num(ev.body.index) ?? choices.length, msg });
      continue;
    }
    const role = str(ev.body.role) ?? MESSAGE_EVENTS[ev.name] ?? 'user';
    const body: Record<string, unknown> = { ...ev.body, role };
    if (typeof body.tool_calls === 'string') body.tool_calls = parseJson(body.tool_calls);
    // Tool messages name their call by `id`; toMessage reads that as the tool_call_id.
    const msg = toMessage(body, role);
    if (msg) input.push(msg);
  }
  choices.sort((a, b) => a.index - b.index);
  return { input, output: choices.map((c) => c.msg) };
}

function hasDeprecatedMarks(a: Attributes): boolean {
  return (
    a['gen_ai.system'] !== undefined ||
    a['gen_ai.usage.prompt_tokens'] !== undefined ||
    a['gen_ai.usage.completion_tokens'] !== undefined ||
    typeof a['gen_ai.prompt'] === 'string' ||
    typeof a['gen_ai.completion'] === 'string'
  );
}

export const genaiDeprecated: ConventionReader = {
  convention: 'genai-deprecated',

  classify(span, logs): Verdict {
    const a = span.attributes;
    const op = typeof a['gen_ai.operation.name'] === 'string' ? a['gen_ai.operation.name'] : null;
    if (op !== null && NON_LLM_OPERATIONS.has(op)) return UNKNOWN; // the current-GenAI reader says what it is
    const events =
      span.events.some((e) => isMessageEvent(e.name) || e.name === 'gen_ai.content.prompt' || e.name === 'gen_ai.content.completion') ||
      logs.some((r) => isMessageEvent(logEventName(r)));
    if (events || (hasDeprecatedMarks(a) && genAiLooksLikeCall(a))) return { kind: 'call', operation: op ?? 'chat' };
    return UNKNOWN;
  },

  read(span, logs): LlmCall {
    const call = emptyCall('genai-deprecated');
    readGenAiScalars(call, span.attributes, inputStyleFor(span, 'includes'), span.scope.name);
    const { input, output } = eventsToMessages(messageEvents(span, logs));
    call.inputMessages = input;
    call.outputMessages = output;

    // Older still: the whole prompt / completion as JSON, as attributes or on content events.
    if (call.inputMessages.length === 0) {
      const ev = span.events.find((e) => e.name === 'gen_ai.content.prompt');
      const raw = ev?.attributes['gen_ai.prompt'] ?? span.attributes['gen_ai.prompt'];
      if (typeof raw === 'string') call.inputMessages = toMessages(parseJson(raw) ?? raw, 'user');
    }
    if (call.outputMessages.length === 0) {
      const ev = span.events.find((e) => e.name === 'gen_ai.content.completion');
      const raw = ev?.attributes['gen_ai.completion'] ?? span.attributes['gen_ai.completion'];
      if (typeof raw === 'string') {
        const parsed = parseJson(raw) ?? raw;
        // Either messages or OpenAI-style choices ({message, finish_reason}).
        const list = Array.isArray(parsed) ? parsed : [parsed];
        call.outputMessages = list
          .map((c) => (isRecord(c) && isRecord(c.message) ? toMessage({ ...c.message, finish_reason: c.finish_reason }, 'assistant') : toMessage(c, 'assistant')))
          .filter((m): m is ChatMessage => m !== null);
      }
    }
    if (call.finishReasons.length === 0) {
      call.finishReasons = call.outputMessages.map((m) => m.finish_reason).filter((f): f is string => typeof f === 'string');
    }
    return call;
  },
};
