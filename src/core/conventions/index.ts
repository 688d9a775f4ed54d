// Entry point of the normalizer: which conventions a span speaks, and the LLM call they describe.
//
// Every convention reader classifies the span cheaply. If any reader recognises it as NOT a model
// call (an outer Vercel AI SDK span, an agent or tool span), it is not one: those spans repeat the
// usage of the calls beneath them, and counting them would double tokens and cost. Otherwise each
// reader that recognises a call reads it, the most complete reading becomes the base, and the
// others fill what it lacks (a Vercel span also carries gen_ai.*; OpenLLMetry spans carry GenAI
// messages plus Traceloop's session and prompt attributes). The span's attributes themselves are
// stored untouched by the store, so nothing unmapped is lost.

import type { IngestLogRecord, IngestSpan, LlmCall, SpanCategory } from '../model';
import { StatusCode } from '../model';
import { AGENT_MARK_PREFIXES, agentRoleCategory, agentSpanRule, nameMayBeAgentSpan } from './agent-spans';
import { completeness, fillGaps } from './call';
import { categoryFromVerdict, fallbackCategory } from './categorize';
import { genai } from './genai';
import { genaiDeprecated } from './genai-deprecated';
import { logfire } from './logfire';
import { openinference } from './openinference';
import { openllmetry } from './openllmetry';
import { logEventName, type ConventionReader, type Verdict } from './reader';
import { firstStr, str } from './values';
import { promptRefOf } from '../prompts/attributes';
import { vercelAi } from './vercel-ai';

export { messagesToText, partsToText, partText, callToText, systemText } from './text';

/** Most specific first: on equal completeness the earlier reader's reading is the base. */
export const READERS: readonly ConventionReader[] = [vercelAi, openinference, logfire, openllmetry, genaiDeprecated, genai];

/** Attribute namespaces every convention's marks live in; a span with none is no convention's. */
const MARK_PREFIXES = ['gen_ai.', 'llm.', 'ai.', 'openinference.', 'traceloop.', 'logfire.', 'embedding.', ...AGENT_MARK_PREFIXES];

/** Cheap gate so the bulk of spans (HTTP, DB, app spans) cost a key scan, not six classifiers. */
function spanHasMarks(span: IngestSpan): boolean {
  if (nameMayBeAgentSpan(span.name)) return true;
  for (const k in span.attributes) {
    for (const p of MARK_PREFIXES) if (k.startsWith(p)) return true;
  }
  for (const e of span.events) if (e.name.startsWith('gen_ai.')) return true;
  return false;
}

function logsHaveMarks(logs: IngestLogRecord[]): boolean {
  for (const r of logs) if (logEventName(r)?.startsWith('gen_ai.')) return true;
  return false;
}

type Verdicts = Array<{ reader: ConventionReader; verdict: Verdict }>;

function verdicts(span: IngestSpan, logs: IngestLogRecord[]): Verdicts {
  return READERS.map((reader) => {
    try {
      return { reader, verdict: reader.classify(span, logs) };
    } catch {
      return { reader, verdict: { kind: 'unknown' } as Verdict };
    }
  });
}

function callFromVerdicts(span: IngestSpan, logs: IngestLogRecord[], vs: Verdicts): LlmCall | null {
  if (vs.some((v) => v.verdict.kind === 'not-call')) return null;
  const readings: LlmCall[] = [];
  for (const { reader, verdict } of vs) {
    if (verdict.kind !== 'call') continue;
    try {
      readings.push(reader.read(span, logs));
    } catch {
      // A reader choking on odd input must not cost the call the other readings.
    }
  }
  if (readings.length === 0) return null;
  let call: LlmCall;
  if (readings.length === 1) {
    call = readings[0]!; // the usual case: a fresh reading, nothing to rank or fill
  } else {
    const ranked = readings.map((r, i) => ({ r, i, s: completeness(r) })).sort((a, b) => b.s - a.s || a.i - b.i);
    call = fillGaps(ranked[0]!.r, ranked.slice(1).map((x) => x.r));
  }
  // Content alone does not make a model call: a framework's agent or tool span may carry the
  // conversation. With no model and no usage it is structure, never counted nor given estimates.
  if (!call.requestModel && !call.responseModel && call.inputTokens === null && call.outputTokens === null) return null;
  finishCommon(call, span);
  return call;
}

function categoryFromVerdicts(span: IngestSpan, vs: Verdicts): SpanCategory {
  for (const { verdict } of vs) if (verdict.kind === 'not-call') return verdict.category;
  for (const { verdict } of vs) {
    const c = categoryFromVerdict(verdict);
    if (c) return c;
  }
  return fallbackCategory(span);
}

/** An agent, tool or workflow span of a framework (agent-spans.ts): structure, never a call. */
function structureCategory(span: IngestSpan): SpanCategory | null {
  const rule = agentSpanRule(span);
  return rule ? agentRoleCategory(rule.role) : null;
}

export function normalizeSpan(span: IngestSpan, logs: IngestLogRecord[]): LlmCall | null {
  if (!spanHasMarks(span) && !logsHaveMarks(logs)) return null;
  if (structureCategory(span) !== null) return null;
  return callFromVerdicts(span, logs, verdicts(span, logs));
}

export function categorizeSpan(span: IngestSpan): SpanCategory {
  if (!spanHasMarks(span)) return fallbackCategory(span);
  return structureCategory(span) ?? categoryFromVerdicts(span, verdicts(span, []));
}

export interface SpanAnalysis {
  /** What categorizeSpan(span) returns. */
  category: SpanCategory;
  /** What normalizeSpan(span, logs) returns. */
  call: LlmCall | null;
}

/**
 * categorizeSpan and normalizeSpan in one pass: the conventions classify the span once for both
 * (twice only when log records are tied to it, since the category does not look at logs).
 */
export function analyzeSpan(span: IngestSpan, logs: IngestLogRecord[]): SpanAnalysis {
  const ownMarks = spanHasMarks(span);
  if (!ownMarks && !logsHaveMarks(logs)) return { category: fallbackCategory(span), call: null };
  const structure = ownMarks ? structureCategory(span) : null;
  if (structure !== null) return { category: structure, call: null };
  const spanOnly = ownMarks ? verdicts(span, []) : null;
  const category = spanOnly ? categoryFromVerdicts(span, spanOnly) : fallbackCategory(span);
  const withLogs = logs.length === 0 && spanOnly ? spanOnly : verdicts(span, logs);
  return { category, call: callFromVerdicts(span, logs, withLogs) };
}

const FIRST_CHUNK_EVENT = /first[_ .-]?(chunk|token)/i;

/**
 * What every convention shares: error type from the span status, time to first token from an
 * event, and session / prompt attributes that apps and SDKs set whatever the instrumentation
 * (OpenInference's `session.id`, Langfuse's `langfuse.session.id` / `langfuse.prompt.*`).
 */
function finishCommon(call: LlmCall, span: IngestSpan): void {
  const a = span.attributes;
  call.conversationId ??= firstStr(a, 'gen_ai.conversation.id', 'session.id', 'langfuse.session.id');
  call.promptName ??= firstStr(a, 'gen_ai.prompt.name', 'langfuse.prompt.name');
  call.promptVersion ??= firstStr(a, 'langfuse.prompt.version');
  const prompt = promptRefOf(span);
  if (prompt) {
    call.prompt = prompt;
    call.promptName ??= prompt.name;
    call.promptVersion ??= prompt.version;
  }
  if (call.errorType === null) {
    call.errorType = str(span.attributes['error.type']);
    if (call.errorType === null && span.statusCode === StatusCode.ERROR) {
      const exc = span.events.find((e) => e.name === 'exception');
      call.errorType = str(exc?.attributes['exception.type']) ?? 'error';
    }
  }
  if (call.ttftMs === null) {
    const ev = span.events.find((e) => FIRST_CHUNK_EVENT.test(e.name));
    if (ev && ev.timeUs >= span.startUs) call.ttftMs = (ev.timeUs - span.startUs) / 1000;
  }
  if (call.ttftMs === null) {
    // Mastra's exporter gives the first chunk's wall-clock time instead of a duration.
    const first = Date.parse(str(a['mastra.completion_start_time']) ?? '');
    if (Number.isFinite(first) && first * 1000 >= span.startUs && first * 1000 <= span.endUs) call.ttftMs = first - span.startUs / 1000;
  }
}
