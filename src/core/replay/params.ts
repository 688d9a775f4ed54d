// A stored call's request parameters (canonical names, see conventions/call.ts) read back for a
// wire format: only what each API accepts, under its own names.

import type { AttrValue } from '../model';
import { isRecord, num, strList } from '../conventions/values';

export interface ReplayParams {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stop?: string[];
  frequencyPenalty?: number;
  presencePenalty?: number;
  choiceCount?: number;
  /** `json_object`, a JSON schema (`{name, schema, strict?}`), or none. */
  responseFormat?: { kind: 'json' } | { kind: 'schema'; name: string; schema: Record<string, unknown>; strict?: boolean };
}

function n(v: AttrValue | undefined): number | undefined {
  const x = num(v);
  return x === null ? undefined : x;
}

function responseFormat(params: Record<string, AttrValue>): ReplayParams['responseFormat'] {
  const rf = params.response_format ?? params['output.type'] ?? params.output_type ?? params.responseMimeType;
  if (typeof rf === 'string') {
    const s = rf.toLowerCase();
    if (s === 'json' || s === 'json_object' || s === 'application/json') return { kind: 'json' };
    return undefined;
  }
  if (!isRecord(rf)) return undefined;
  if (rf.type === 'json_object') return { kind: 'json' };
  // OpenAI Chat: {type:'json_schema', json_schema:{name, schema, strict}}; Responses text.format: {type:'json_schema', name, schema}.
  const js = isRecord(rf.json_schema) ? rf.json_schema : rf;
  if (rf.type === 'json_schema' && isRecord(js.schema)) {
    const out: ReplayParams['responseFormat'] = { kind: 'schema', name: typeof js.name === 'string' ? js.name : 'response', schema: js.schema };
    if (typeof js.strict === 'boolean') out.strict = js.strict;
    return out;
  }
  return undefined;
}

export function readParams(params: Record<string, AttrValue>): ReplayParams {
  const p: ReplayParams = {
    temperature: n(params.temperature),
    maxTokens: n(params.max_tokens),
    topP: n(params.top_p),
    topK: n(params.top_k),
    seed: n(params.seed),
    frequencyPenalty: n(params.frequency_penalty),
    presencePenalty: n(params.presence_penalty),
    choiceCount: n(params.choice_count),
    responseFormat: responseFormat(params),
  };
  const stop = params.stop_sequences === undefined ? [] : strList(params.stop_sequences);
  if (stop.length > 0) p.stop = stop;
  for (const k of Object.keys(p) as Array<keyof ReplayParams>) if (p[k] === undefined) delete p[k];
  return p;
}

/** Sets the defined entries of `from` on `to`, in order. */
export function assignDefined(to: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) if (v !== undefined) to[k] = v;
}
