// Annotations: facts attached to a span (or a whole trace) after it was captured, from any
// source: an instrumentation's evaluation or guardrail event, a post-capture analysis, a user's
// feedback. Pure types shared by capture, the store, the analyses and the API.

import type { Attributes } from '../model';

/** Open: later features and instrumentations add kinds. */
export type AnnotationKind = 'guardrail' | 'evaluation' | 'feedback' | 'replay' | 'note' | (string & {});

/**
 * Where inside an LLM call an annotation points. `side` says which messages `messageIndex`
 * counts in (`system` = the system instructions, whose parts `partIndex` counts); `start`/`end`
 * are UTF-16 offsets into that part's text. Omitted fields: the whole message, part or side.
 */
export interface AnnotationLocation {
  side: 'input' | 'output' | 'system';
  messageIndex?: number;
  partIndex?: number;
  start?: number;
  end?: number;
}

/** What an annotation says, whoever says it. */
export interface AnnotationFacts {
  kind: AnnotationKind;
  /** Evaluation name, rule id, `thumbs` for feedback, … */
  name: string;
  label: string | null;
  score: number | null;
  explanation: string | null;
  location: AnnotationLocation | null;
  /** Kind-specific facts: a guardrail's category and severity, an evaluation's other attributes. */
  attributes: Attributes;
}

/** An annotation to store: the facts, what it is about, who made it and when. */
export interface NewAnnotation extends AnnotationFacts {
  traceId: string;
  /** null: about the whole trace. */
  spanId: string | null;
  /** `rule:<analysis>`, `instrumentation`, `user`. */
  source: string;
  /** When what it is about happened (epoch µs): the event's time, the call's start. */
  atUs: number;
  /**
   * Where an instrumentation's annotation came from (`event:<span>:<index>`, `log:<span>:<time>:<hash>`):
   * the same log record delivered twice is stored once, and an annotation read from a span event is
   * not exported again beside that event. Null for the others.
   */
  origin: string | null;
  /** When it was made (epoch µs): an instrumentation's event time, an export's record; else when stored. */
  createdUs?: number;
  /** Set when the annotation comes back from an export; else the writer fills in the call's current revision. */
  callRevision?: number | null;
}

export const SOURCE_INSTRUMENTATION = 'instrumentation';
export const SOURCE_USER = 'user';

/** The source of the annotations an analysis makes. */
export function ruleSource(analysis: string): string {
  return `rule:${analysis}`;
}

/** An annotation as stored: what it says, when it was made and on which revision of its call. */
export interface StoredAnnotation extends NewAnnotation {
  createdUs: number;
  callRevision: number | null;
}
