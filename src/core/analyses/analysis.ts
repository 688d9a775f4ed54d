// A post-capture analysis: a pure function from a stored LLM call to the annotations it earns,
// named and versioned. The collector's analysis runner schedules them off the capture path, on
// every stored call and again on a call whose reading changed; a new version analyses the stored
// calls again when asked. Guardrail checks are analyses too.

import type { AnnotationFacts } from '../annotations/model';
import type { Attributes, PricedCall, StatusCodeValue } from '../model';

/** What an analysis sees of a stored call. */
export interface AnalysedCall {
  traceId: string;
  spanId: string;
  startUs: number;
  durationUs: number;
  statusCode: StatusCodeValue;
  /** The call's revision: bumped each time late log records changed its reading. */
  revision: number;
  call: PricedCall;
  /** The span's attributes (`gen_ai.output.type`, the Vercel AI SDK's `ai.schema`, …). */
  attributes?: Attributes;
  /** Proxy captures: the request body as sent (a Gemini `responseSchema` lives only there). */
  requestBody?: string | null;
}

export interface Analysis {
  /** Stable id; its annotations carry the source `rule:<name>`. */
  name: string;
  /** Changes when a change would give other annotations for the same calls (rules, their data, the configuration). */
  version: number | string;
  description: string;
  /** May answer later (some checks read in libraries that work asynchronously). */
  analyse(call: AnalysedCall): AnnotationFacts[] | Promise<AnnotationFacts[]>;
}
