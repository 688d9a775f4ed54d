// Format compliance: when the request asked for JSON (OpenAI `response_format`, the Responses
// API's `text.format`, Gemini's `responseMimeType`/`responseSchema`, Ollama's `format`,
// Anthropic's `output_format`, `gen_ai.output.type=json`, the Vercel AI SDK's `ai.schema`), the
// output must parse and match the schema; a tool call's arguments must match its tool's
// parameter schema. When nothing asked for JSON, nothing is checked.
//
// Code fences: an output that is exactly one fenced block (```json … ```) is judged by its
// content, since most client libraries strip the fence; when the provider's strict JSON mode was
// on, the fence itself is reported (low), because a plain JSON.parse of that output fails.

import type { AttrValue } from '../../model';
import type { CallText, GuardrailHit, GuardrailSubject } from '../types';
import type { GuardrailLibs } from '../libs';
import { locate, partText } from '../text';
import { hashString, stableStringify } from '../../hash';
import type { RuleContext } from './context';

type Json = Record<string, unknown>;

export interface JsonRequest {
  /** Where the request for JSON was found, for the explanation. */
  source: string;
  schema: Json | null;
  /** The provider enforces JSON (strict mode): a code fence is itself a failure. */
  strict: boolean;
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parsed(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (!s.startsWith('{') && !s.startsWith('[')) return v;
  try {
    return JSON.parse(s);
  } catch {
    return v;
  }
}

function schemaOf(v: unknown): Json | null {
  const s = parsed(v);
  return isObj(s) ? s : null;
}

/** The JSON request in one object of request settings (params or a request body). */
function fromSettings(o: Json, where: string): JsonRequest | null {
  const rf = parsed(o.response_format ?? o.responseFormat);
  if (rf === 'json_object' || rf === 'json') return { source: `${where}response_format`, schema: null, strict: true };
  if (isObj(rf)) {
    if (rf.type === 'json_object') return { source: `${where}response_format json_object`, schema: null, strict: true };
    if (rf.type === 'json_schema') {
      const js = isObj(rf.json_schema) ? rf.json_schema : rf;
      return { source: `${where}response_format json_schema`, schema: schemaOf(js.schema), strict: true };
    }
    if (rf.type === 'json') return { source: `${where}response_format`, schema: schemaOf(rf.schema), strict: true };
  }
  const text = parsed(o.text);
  if (isObj(text) && isObj(text.format)) {
    const f = text.format;
    if (f.type === 'json_schema') return { source: `${where}text.format json_schema`, schema: schemaOf(f.schema), strict: true };
    if (f.type === 'json_object') return { source: `${where}text.format json_object`, schema: null, strict: true };
  }
  const mime = o.responseMimeType ?? o.response_mime_type;
  if (mime === 'application/json') {
    return { source: `${where}responseMimeType`, schema: schemaOf(o.responseJsonSchema ?? o.response_json_schema ?? o.responseSchema ?? o.response_schema), strict: true };
  }
  const fmt = parsed(o.format);
  if (fmt === 'json') return { source: `${where}format`, schema: null, strict: true };
  if (isObj(fmt)) {
    if (fmt.type === 'json_schema') return { source: `${where}format json_schema`, schema: schemaOf(fmt.schema), strict: true };
    if (fmt.type === 'json_object') return { source: `${where}format json_object`, schema: null, strict: true };
    if (fmt.type === 'object' || isObj(fmt.properties)) return { source: `${where}format`, schema: fmt, strict: true };
  }
  const of = parsed(o.output_format ?? (isObj(o.output_config) ? o.output_config.format : undefined));
  if (isObj(of) && of.type === 'json_schema') return { source: `${where}output_format json_schema`, schema: schemaOf(of.schema), strict: true };
  const structured = o.structured_output_schema;
  if (structured !== undefined) return { source: `${where}structured_output_schema`, schema: schemaOf(structured), strict: false };
  if (o.output === 'object' || o.output === 'array' || o.output === 'no-schema') return { source: `${where}output=${String(o.output)}`, schema: null, strict: false };
  return null;
}

/** What JSON, if any, the call asked for. */
export function jsonRequest(call: GuardrailSubject): JsonRequest | null {
  let req = fromSettings(call.params as Json, '');
  if (!req && call.requestBody) {
    const body = parsed(call.requestBody);
    if (isObj(body)) req = fromSettings(body, 'request ') ?? (isObj(body.generationConfig) ? fromSettings(body.generationConfig, 'request generationConfig.') : null);
  }
  const attrs = call.attributes ?? {};
  const aiSchema = schemaOf(attrs['ai.schema'] as AttrValue);
  if (aiSchema) return { source: 'ai.schema', schema: aiSchema, strict: req?.strict ?? false };
  if (req && !req.schema && call.requestBody) {
    // Gemini keeps the schema beside the MIME type in generationConfig; params drop it.
    const body = parsed(call.requestBody);
    const gc = isObj(body) && isObj(body.generationConfig) ? body.generationConfig : null;
    if (gc) req.schema = schemaOf(gc.responseJsonSchema ?? gc.responseSchema ?? gc.response_schema);
  }
  if (req) return req;
  if (attrs['gen_ai.output.type'] === 'json') return { source: 'gen_ai.output.type=json', schema: null, strict: false };
  return null;
}

// ---- schemas: normalised, compiled once per distinct schema ----

type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }> | null };
const compiled = new Map<string, Validate | null>();
const CACHE_MAX = 512;
const ajvs = new WeakMap<GuardrailLibs, { draft7: InstanceType<GuardrailLibs['Ajv']>; draft2020: InstanceType<GuardrailLibs['Ajv']> }>();

/** Gemini writes OpenAPI-style schemas: upper-case types, `nullable`. */
function normalizeSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(normalizeSchema);
  if (!isObj(s)) return s;
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'type' && typeof v === 'string') out.type = v.toLowerCase();
    else if (k === 'nullable' || k === 'propertyOrdering') continue;
    else out[k] = normalizeSchema(v);
  }
  if (s.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

function validatorFor(schema: Json, libs: GuardrailLibs): Validate | null {
  const key = hashString(stableStringify(schema));
  if (compiled.has(key)) {
    const v = compiled.get(key)!;
    compiled.delete(key); // keep recently used ones at the end
    compiled.set(key, v);
    return v;
  }
  let pair = ajvs.get(libs);
  if (!pair) {
    const opts = { strict: false, allErrors: true, validateSchema: false, logger: false as const };
    pair = { draft7: new libs.Ajv(opts), draft2020: new libs.Ajv2020(opts) };
    libs.addFormats(pair.draft7);
    libs.addFormats(pair.draft2020);
    ajvs.set(libs, pair);
  }
  let v: Validate | null;
  try {
    const norm = normalizeSchema(schema) as Json;
    delete norm.$id;
    const ajv = typeof norm.$schema === 'string' && /20(19|20)/.test(norm.$schema) ? pair.draft2020 : pair.draft7;
    v = ajv.compile(norm) as Validate;
  } catch {
    v = null; // a schema ajv cannot compile says nothing about the output
  }
  if (compiled.size >= CACHE_MAX) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, v);
  return v;
}

function describeErrors(v: Validate): string {
  const errs = (v.errors ?? []).slice(0, 3).map((e) => {
    const at = e.instancePath || '(root)';
    const extra = e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : e.params && 'missingProperty' in e.params ? '' : '';
    return `${at} ${e.message ?? 'is invalid'}${extra}`;
  });
  const more = (v.errors?.length ?? 0) > 3 ? ` (+${v.errors!.length - 3} more)` : '';
  return errs.join('; ') + more;
}

const FENCE = /^\s*```[ \t]*(?:json5?|JSON|javascript|js)?[ \t]*\r?\n([\s\S]*?)\r?\n?[ \t]*```\s*$/;

function parseError(text: string): { message: string; offset: number | null } {
  try {
    JSON.parse(text);
    return { message: '', offset: null };
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    return { message, offset: pos ? Number(pos[1]) : null };
  }
}

// ---- the rule ----

export function formatRule(texts: CallText[], call: GuardrailSubject, ctx: RuleContext): GuardrailHit[] {
  const out: GuardrailHit[] = [];
  const req = jsonRequest(call);
  const truncated = call.finishReasons.some((r) => /length|max_tokens/i.test(r)) || call.outputMessages.some((m) => /length|max_tokens/i.test(m.finish_reason ?? ''));
  if (req) {
    call.outputMessages.forEach((msg, messageIndex) => {
      const parts = msg.parts.map((p, i) => ({ p, i })).filter(({ p }) => p.type === 'text');
      if (parts.length === 0) return;
      const first = texts.find((t) => t.side === 'output' && t.messageIndex === messageIndex && t.partIndex === parts[0]!.i);
      const whole = parts.map(({ p }) => partText(p) ?? '').join('');
      if (whole.trim() === '' || !first) return;
      const fence = FENCE.exec(whole);
      const body = fence ? fence[1]! : whole;
      const where = `asked for by ${req.source}`;
      if (fence && req.strict) {
        out.push({ rule: 'format.code-fence', category: 'format', severity: 'low', location: locate(first), explanation: `JSON (${where}) came wrapped in a Markdown code fence` });
      }
      const err = parseError(body);
      if (err.message) {
        const bodyStart = fence ? whole.indexOf(fence[1]!) : 0;
        const at = err.offset !== null && parts.length === 1 ? Math.min(whole.length, bodyStart + err.offset) : null;
        out.push({
          rule: 'format.json-invalid',
          category: 'format',
          severity: 'high',
          location: at !== null ? locate(first, at, Math.min(whole.length, at + 1)) : locate(first),
          explanation: `The output is not valid JSON (${where})${truncated ? ', because it was cut off' : ''}: ${err.message}`,
        });
        return;
      }
      if (req.schema) {
        const v = validatorFor(req.schema, ctx.libs);
        if (v && !v(JSON.parse(body))) {
          out.push({ rule: 'format.json-schema', category: 'format', severity: 'medium', location: locate(first), explanation: `The JSON output does not match the schema ${where}: ${describeErrors(v)}` });
        }
      }
    });
  }
  out.push(...toolArguments(texts, call, ctx));
  return out;
}

/** Tool name → parameter schema, from every provider's way of declaring tools. */
function toolSchemas(defs: unknown[]): Map<string, Json | null> {
  const out = new Map<string, Json | null>();
  const add = (d: unknown): void => {
    const t = parsed(d);
    if (!isObj(t)) return;
    if (Array.isArray(t.functionDeclarations)) return t.functionDeclarations.forEach(add);
    if (Array.isArray(t.function_declarations)) return t.function_declarations.forEach(add);
    const f = isObj(t.function) ? t.function : t;
    const name = typeof f.name === 'string' ? f.name : null;
    if (!name) return;
    out.set(name, schemaOf(f.parameters ?? f.input_schema ?? f.inputSchema ?? f.parametersJsonSchema ?? f.schema));
  };
  defs.forEach(add);
  return out;
}

function toolArguments(texts: CallText[], call: GuardrailSubject, ctx: RuleContext): GuardrailHit[] {
  const out: GuardrailHit[] = [];
  if (call.toolDefinitions.length === 0) return out;
  const schemas = toolSchemas(call.toolDefinitions);
  if (schemas.size === 0) return out;
  call.outputMessages.forEach((msg, messageIndex) => {
    msg.parts.forEach((part, partIndex) => {
      if (part.type !== 'tool_call') return;
      const name = (part as { name?: string }).name ?? '';
      const t = texts.find((x) => x.side === 'output' && x.messageIndex === messageIndex && x.partIndex === partIndex);
      const loc = t ? locate(t, 0, t.text.length) : { side: 'output' as const, messageIndex, partIndex };
      if (!schemas.has(name)) {
        out.push({ rule: 'format.tool-unknown', category: 'format', severity: 'medium', location: loc, explanation: `The model called "${name}", which is not among the tools offered` });
        return;
      }
      let args = (part as { arguments?: unknown }).arguments;
      if (typeof args === 'string') {
        if (args.trim() === '') args = {};
        else {
          const err = parseError(args);
          if (err.message) {
            out.push({ rule: 'format.tool-arguments', category: 'format', severity: 'high', location: loc, explanation: `Arguments for "${name}" are not valid JSON: ${err.message}` });
            return;
          }
          args = JSON.parse(args);
        }
      }
      if (args === undefined || args === null) args = {};
      const schema = schemas.get(name);
      if (!schema) return;
      const v = validatorFor(schema, ctx.libs);
      if (v && !v(args)) {
        out.push({ rule: 'format.tool-arguments', category: 'format', severity: 'medium', location: loc, explanation: `Arguments for "${name}" do not match its parameter schema: ${describeErrors(v)}` });
      }
    });
  });
  return out;
}
