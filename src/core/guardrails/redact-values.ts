// Privacy mode before storage: every string a capture carries (span, event, resource and log
// attributes, log bodies, the proxy's parsed call and its request and response bodies) has its
// PII and secrets replaced by typed placeholders. Strings holding JSON (`gen_ai.input.messages`,
// a request body) are redacted value by value inside, so they stay JSON and the conventions still
// read them. Whatever is stored is derived from what this returns,
// so the original text never reaches the database.

import type { IngestBatch } from '../model';
import type { GuardrailsConfig, ResolvedGuardrailConfig } from './config';
import { resolveGuardrailsConfig } from './config';
import type { GuardrailSubject } from './types';
import { runGuardrails } from './analysis';
import { redactCall } from './redact';
import { partText } from './text';

/** The families whose findings privacy mode removes. */
export const REDACTED_FAMILIES = ['pii', 'secret'] as const;
const OTHER_FAMILIES = ['injection', 'leakage', 'toxicity', 'refusal', 'format', 'truncation'];

/**
 * The configuration redaction runs under: the workspace's PII and secret rules, switches and
 * allow-lists; its custom rules of those categories on every side (nothing private is kept
 * because a rule was written for another side).
 */
export function redactionConfig(config: GuardrailsConfig = {}): ResolvedGuardrailConfig {
  return resolveGuardrailsConfig({
    ...config,
    enabled: true,
    rules: { ...config.rules, ...Object.fromEntries(OTHER_FAMILIES.map((f) => [f, false])) },
    customRules: (config.customRules ?? []).filter((r) => r.category === 'pii' || r.category === 'secret').map(({ sides: _sides, ...r }) => r),
  });
}

/** Strings that cannot hold a finding (shorter than any e-mail address), and encoded media, are left as they are. */
const MIN_LENGTH = 6;
const isMedia = (s: string): boolean => s.startsWith('data:') || (s.length >= 1024 && !/\s/.test(s.slice(0, 1024)));

/** Each text with its PII and secrets replaced, in the order given. */
export async function redactTexts(texts: string[], config: ResolvedGuardrailConfig): Promise<string[]> {
  const checked = texts.map((t, i) => ({ t, i })).filter(({ t }) => t.length >= MIN_LENGTH && !isMedia(t));
  if (checked.length === 0) return texts;
  const subject: GuardrailSubject = {
    systemInstructions: [],
    inputMessages: [{ role: 'user', parts: checked.map(({ t }) => ({ type: 'text' as const, content: t })) }],
    outputMessages: [],
  } as unknown as GuardrailSubject;
  const hits = await runGuardrails(subject, config);
  if (hits.length === 0) return texts;
  const redacted = redactCall(subject, hits).call.inputMessages[0]!.parts;
  const out = texts.slice();
  checked.forEach(({ i }, k) => (out[i] = partText(redacted[k]!) ?? out[i]!));
  return out;
}

type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json };

/**
 * Redacts every string inside `values` (objects and arrays walked, keys kept), one check over all
 * of them. Objects met more than once (a resource shared by a batch's spans) stay shared.
 */
export async function redactDeep<T>(values: T, config: ResolvedGuardrailConfig): Promise<T> {
  const strings: string[] = [];
  const slot = new Map<string, number>();
  const collect = (s: string): void => {
    if (!slot.has(s)) {
      slot.set(s, strings.length);
      strings.push(s);
    }
  };
  // Strings that hold JSON: their own values are collected (and rebuilt after), not the string.
  const parsed = new Map<string, Json>();
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      const inner = jsonInside(v);
      if (inner !== undefined) {
        parsed.set(v, inner.value);
        walk(inner.value);
      } else collect(v);
    } else if (v !== null && typeof v === 'object' && !seen.has(v)) {
      seen.add(v);
      for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
    }
  };
  walk(values);
  const redacted = await redactTexts(strings, config);
  const changed = new Map<string, string>();
  strings.forEach((s, i) => {
    if (redacted[i] !== s) changed.set(s, redacted[i]!);
  });
  if (changed.size === 0) return values;

  const rebuilt = new Map<object, unknown>();
  const rebuild = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const inner = parsed.get(v);
      if (inner !== undefined) {
        const r = rebuild(inner);
        return r === inner ? v : jsonInside(v)!.write(r);
      }
      return changed.get(v) ?? v;
    }
    if (v === null || typeof v !== 'object') return v;
    const done = rebuilt.get(v);
    if (done !== undefined) return done;
    let out: unknown = v;
    if (Array.isArray(v)) {
      const items = v.map(rebuild);
      if (items.some((x, i) => x !== v[i])) out = items;
    } else {
      const entries = Object.entries(v).map(([k, x]) => [k, rebuild(x)] as const);
      if (entries.some(([k, x]) => x !== (v as Record<string, unknown>)[k])) out = Object.fromEntries(entries);
    }
    rebuilt.set(v, out);
    return out;
  };
  return rebuild(values) as T;
}

/** The JSON object or array a string holds (`gen_ai.input.messages`, a request body), and how to write it back. */
function jsonInside(s: string): { value: Json; write: (v: unknown) => string } | undefined {
  const first = s.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return { value: JSON.parse(s) as Json, write: (v) => JSON.stringify(v) };
  } catch {
    return undefined;
  }
}

/** Whether a string is one JSON object or array (redactDeep redacts inside it). */
export function holdsJson(s: string): boolean {
  return jsonInside(s) !== undefined;
}

/** A decoded batch with every text it carries redacted; ids, times and numbers kept. */
export async function redactBatch(batch: IngestBatch, config: ResolvedGuardrailConfig): Promise<IngestBatch> {
  const spanTexts = batch.spans.map((s) => [s.name, s.statusMessage, s.attributes, s.events, s.links.map((l) => l.attributes), s.resource] as const);
  const logTexts = batch.logs.map((l) => [l.eventName, l.body, l.attributes, l.resource] as const);
  const [spans, logs] = await redactDeep([spanTexts, logTexts] as const, config);
  if (spans === spanTexts && logs === logTexts) return batch;
  return {
    spans: batch.spans.map((s, i) => {
      const [name, statusMessage, attributes, events, links, resource] = spans[i]!;
      return { ...s, name, statusMessage, attributes, events, links: s.links.map((l, k) => ({ ...l, attributes: links[k]! })), resource };
    }),
    logs: batch.logs.map((l, i) => {
      const [eventName, body, attributes, resource] = logs[i]!;
      return { ...l, eventName, body, attributes, resource };
    }),
  };
}
