// A stored LLM call's fields, declared once. Each is a column of llm_calls (the numbers the trace
// summaries, the rollups, the stats and the trace outline read without parsing the call's JSON),
// a value a prepared batch carries from the preparing thread to the writer, and, when `api` is
// set, the value the API's LlmCallDto shows for it (the column, not the JSON copy, is the truth:
// aggregates are summed from it). From this list come the PreparedCall type, the preparing of a
// call, the wire encoding (collector/prepared-wire.ts), the insert's columns and arguments, the
// columns a store is missing (added when it opens) and the API mapping: adding a field is one edit
// here (and its line in src/protocol/api.ts when the API should show it).

import { inputKeyOf } from '../core/alerts/runaway';
import { attributeOf, FEATURE_ATTRIBUTES, SESSION_ID_ATTRIBUTES, USER_ID_ATTRIBUTES } from '../core/dashboard/attribution';
import type { PricedCall, StatusCodeValue } from '../core/model';
import { promptHashOf, promptSourceOf } from '../core/prompts/identity';

/** What a field may read of the call's span. */
export interface CallSpan {
  statusCode: StatusCodeValue;
  attributes?: Readonly<Record<string, unknown>>;
}

/** How a field is stored and carried: text and numbers as they are, booleans as 0/1. */
export type FieldKind = 'text' | 'integer' | 'real' | 'boolean';

export interface CallField<V> {
  column: string;
  kind: FieldKind;
  /** False: never null (NOT NULL column). */
  nullable: boolean;
  /** The value for a call of a span with this status and these attributes. */
  read(call: PricedCall, span: CallSpan): V;
  /** The LlmCallDto field of the same name comes from this column. */
  api?: true;
}

const text = (column: string, read: CallField<string | null>['read'], api?: true): CallField<string | null> => ({ column, kind: 'text', nullable: true, read, api });
const int = (column: string, read: CallField<number | null>['read'], api?: true): CallField<number | null> => ({ column, kind: 'integer', nullable: true, read, api });
const real = (column: string, read: CallField<number | null>['read'], api?: true): CallField<number | null> => ({ column, kind: 'real', nullable: true, read, api });

export function callModel(call: { responseModel: string | null; requestModel: string | null }): string {
  return call.responseModel ?? call.requestModel ?? 'unknown';
}

export const CALL_FIELDS = {
  /** The response model, else the request model, else 'unknown'. */
  model: { column: 'model', kind: 'text', nullable: false, read: (c) => callModel(c) } as CallField<string>,
  provider: text('provider', (c) => c.provider, true),
  operation: { column: 'operation', kind: 'text', nullable: false, read: (c) => c.operation, api: true } as CallField<string>,
  isError: { column: 'is_error', kind: 'boolean', nullable: false, read: (c, s) => s.statusCode === 2 || c.errorType !== null } as CallField<boolean>,
  inputTokens: int('input_tokens', (c) => c.inputTokens, true),
  outputTokens: int('output_tokens', (c) => c.outputTokens, true),
  cachedInputTokens: int('cached_input_tokens', (c) => c.cachedInputTokens, true),
  reasoningTokens: int('reasoning_tokens', (c) => c.reasoningTokens, true),
  costUsd: real('cost_usd', (c) => c.costUsd, true),
  costEstimated: { column: 'cost_estimated', kind: 'boolean', nullable: false, read: (c) => c.costEstimated, api: true } as CallField<boolean>,
  ttftMs: real('ttft_ms', (c) => c.ttftMs, true),
  conversationId: text('conversation_id', (c) => c.conversationId, true),
  promptName: text('prompt_name', (c) => c.promptName, true),
  promptVersion: text('prompt_version', (c) => c.promptVersion, true),
  /** The prompt text's hash and how the prompt is known (core/prompts/identity.ts): what prompt versions group by. */
  promptHash: text('prompt_hash', (c) => promptHashOf(c)),
  promptSource: text('prompt_source', (c) => promptSourceOf(c)),
  experiment: text('experiment', (c) => (c.prompt?.variant ? c.prompt.experiment : null)),
  variant: text('variant', (c) => c.prompt?.variant ?? null),
  /** A hash of the call's input: a loop calling a model with the same input again and again is found by it (core/alerts/runaway.ts). */
  inputKey: text('input_key', (c) => (c.inputMessages.length > 0 ? inputKeyOf(JSON.stringify([c.systemInstructions, c.inputMessages])) : null)),
  /**
   * Whom and what the call's spend belongs to (the dashboard's spend per user, session, feature),
   * from its span's attributes; the writer fills the trace's user and session where the span names
   * none (aggregates.ts).
   */
  userId: text('user_id', (_c, s) => attributeOf(s.attributes, USER_ID_ATTRIBUTES)),
  sessionId: text('session_id', (c, s) => c.conversationId ?? attributeOf(s.attributes, SESSION_ID_ATTRIBUTES)),
  feature: text('feature', (_c, s) => attributeOf(s.attributes, FEATURE_ATTRIBUTES)),
};

/** A list of call fields by name (CALL_FIELDS, or a test's). */
export type CallFieldList = Record<string, CallField<unknown>>;

/** The values of a list's fields, by name. */
export type CallValues<L extends CallFieldList> = { [K in keyof L]: L[K] extends CallField<infer V> ? V : never };

/** Reads every field of a call. */
export function readCallFields<L extends CallFieldList>(fields: L, call: PricedCall, span: CallSpan): CallValues<L> {
  const out: Record<string, unknown> = {};
  for (const name in fields) out[name] = fields[name]!.read(call, span);
  return out as CallValues<L>;
}

/** The llm_calls columns of the fields, in list order. */
export function callColumns(fields: CallFieldList): string[] {
  return Object.values(fields).map((f) => f.column);
}

/** The values to bind for those columns. */
export function callArgs(fields: CallFieldList, values: Record<string, unknown>): unknown[] {
  const args: unknown[] = [];
  for (const name in fields) {
    const v = values[name];
    args.push(fields[name]!.kind === 'boolean' ? (v ? 1 : 0) : (v ?? null));
  }
  return args;
}

/** SQL for the columns (`c.model, c.provider, …`), and the API's values from a row read with it. */
export function apiColumns(fields: CallFieldList, alias: string): { select: string; fromRow(row: Record<string, unknown>): Record<string, unknown> } {
  const api = Object.entries(fields).filter(([, f]) => f.api);
  return {
    select: api.map(([, f]) => `${alias}.${f.column} AS call_${f.column}`).join(', '),
    fromRow: (row) => {
      const out: Record<string, unknown> = {};
      for (const [name, f] of api) {
        const v = row[`call_${f.column}`];
        out[name] = f.kind === 'boolean' ? v === 1 : v;
      }
      return out;
    },
  };
}

const SQL_TYPE: Record<FieldKind, string> = { text: 'TEXT', integer: 'INTEGER', real: 'REAL', boolean: 'INTEGER' };

/** Column definitions of the fields, for adding those a store does not have yet (older rows read null, or the default). */
export function callFieldColumns(fields: CallFieldList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of Object.values(fields)) {
    const fallback = f.kind === 'text' ? "''" : '0';
    out[f.column] = f.nullable ? SQL_TYPE[f.kind] : `${SQL_TYPE[f.kind]} NOT NULL DEFAULT ${fallback}`;
  }
  return out;
}

export type StoredCallValues = CallValues<typeof CALL_FIELDS>;
