// The shapes every guardrail rule shares: what it reads (a call's texts) and what it returns
// (hits that become annotations of kind `guardrail`). Pure types.

import type { Attributes, AttrValue, ChatMessage, MessagePart } from '../model';

export type GuardrailCategory = 'pii' | 'secret' | 'injection' | 'leakage' | 'toxicity' | 'refusal' | 'format' | 'truncation';
export const GUARDRAIL_CATEGORIES: readonly GuardrailCategory[] = ['pii', 'secret', 'injection', 'leakage', 'toxicity', 'refusal', 'format', 'truncation'];

export type GuardrailSeverity = 'low' | 'medium' | 'high';
export const GUARDRAIL_SEVERITIES: readonly GuardrailSeverity[] = ['low', 'medium', 'high'];

/**
 * Where in a call a hit is; structurally the protocol's AnnotationLocation (core may not import
 * protocol). `start`/`end` are UTF-16 offsets into the text `partText` gives for that part.
 */
export interface CallLocation {
  side: 'input' | 'output' | 'system';
  messageIndex?: number;
  partIndex?: number;
  start?: number;
  end?: number;
}

export interface GuardrailHit {
  /** Rule id, e.g. `pii.email`, `secret.openai`, `injection.override`. */
  rule: string;
  category: GuardrailCategory;
  severity: GuardrailSeverity;
  location: CallLocation;
  explanation: string;
  /**
   * What was found, for typed placeholders and grouping: `email`, `phone`, `openai`, … Absent
   * for rules that find no single value (truncation, leakage).
   */
  type?: string;
}

/** What the guardrails read of a call: the canonical LlmCall (or its API form) and a little context. */
export interface GuardrailSubject {
  operation?: string;
  systemInstructions: MessagePart[];
  inputMessages: ChatMessage[];
  outputMessages: ChatMessage[];
  finishReasons: string[];
  params: Record<string, AttrValue>;
  toolDefinitions: unknown[];
  outputTokens?: number | null;
  errorType?: string | null;
  /** Span attributes: `gen_ai.output.type`, the Vercel AI SDK's `ai.schema`, … */
  attributes?: Attributes;
  /** Proxy captures: the request body as sent (a Gemini `responseSchema` lives only there). */
  requestBody?: string | null;
}

/** Who wrote a piece of text: decides which rules look at it. */
export type TextOrigin =
  | 'system' // system / developer instructions
  | 'user' // a user's message
  | 'tool' // a tool result or retrieved document (indirect input)
  | 'history' // an earlier assistant turn sent back as input
  | 'assistant' // the model's answer
  | 'tool_call' // arguments the model wrote for a tool call
  | 'reasoning' // the model's reasoning text
  | 'refusal'; // an explicit refusal part (OpenAI `refusal`)

/** One checkable text of a call with the location of its part. */
export interface CallText {
  side: CallLocation['side'];
  messageIndex: number | undefined;
  partIndex: number;
  origin: TextOrigin;
  text: string;
}

/** A post-capture analysis as the runner registers it: a pure, versioned function of a call. */
export interface AnnotationDraft {
  kind: 'guardrail';
  name: string;
  label: string;
  score: null;
  explanation: string;
  source: string;
  location: CallLocation;
  attributes: Record<string, AttrValue>;
}

export interface GuardrailAnalysis {
  name: string;
  /** Changes when the rules, their data or the configuration change: stored calls re-check on request. */
  version: string;
  run(call: GuardrailSubject): Promise<AnnotationDraft[]>;
}
