// Small readers for attribute values. Instrumentations disagree on types (numbers as strings,
// arrays as JSON strings, structured values as kvlists), so every reader is forgiving and
// returns null rather than throwing: a malformed attribute must never lose the rest of a call.

import type { AttrValue, Attributes } from '../model';

export type Json = unknown;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** A non-empty string, or null. */
export function nonEmpty(v: unknown): string | null {
  const s = str(v);
  return s !== null && s !== '' ? s : null;
}

export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Token counts are non-negative integers; anything else is not a count. */
export function count(v: unknown): number | null {
  const n = num(v);
  return n !== null && n >= 0 && Number.isInteger(n) ? n : null;
}

/** Parses a JSON string; anything that is not a string is returned as is. Unparseable → undefined. */
export function parseJson(v: unknown): Json | undefined {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (t === '') return undefined;
  try {
    return JSON.parse(t) as Json;
  } catch {
    return undefined;
  }
}

/** Tool-call arguments: parsed when the string is JSON, otherwise the string exactly as it came. */
export function parseArgs(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  const parsed = parseJson(v);
  return parsed === undefined ? v : parsed;
}

/** A JSON array given either as a structured value or as a JSON string. */
export function jsonArray(v: unknown): unknown[] | null {
  const parsed = parseJson(v);
  return Array.isArray(parsed) ? parsed : null;
}

/** A JSON object given either as a structured value or as a JSON string. */
export function jsonObject(v: unknown): Record<string, unknown> | null {
  const parsed = parseJson(v);
  return isRecord(parsed) ? parsed : null;
}

/** A list of strings from an array attribute, a JSON-encoded array, or a single string. */
export function strList(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map(str).filter((s): s is string => s !== null);
  if (typeof v === 'string') {
    const parsed = parseJson(v);
    if (Array.isArray(parsed)) return parsed.map(str).filter((s): s is string => s !== null);
    return v === '' ? [] : [v];
  }
  const s = str(v);
  return s === null ? [] : [s];
}

/** First attribute among `keys` that is present (not null/undefined). */
export function first(attrs: Attributes, ...keys: string[]): AttrValue | undefined {
  for (const k of keys) {
    const v = attrs[k];
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

export function firstStr(attrs: Attributes, ...keys: string[]): string | null {
  for (const k of keys) {
    const s = nonEmpty(attrs[k]);
    if (s !== null) return s;
  }
  return null;
}

export function firstCount(attrs: Attributes, ...keys: string[]): number | null {
  for (const k of keys) {
    const n = count(attrs[k]);
    if (n !== null) return n;
  }
  return null;
}

export function hasPrefix(attrs: Attributes, prefix: string): boolean {
  for (const k in attrs) if (k.startsWith(prefix)) return true;
  return false;
}

/**
 * Groups flattened indexed attributes: with prefix `gen_ai.prompt.`, the keys `gen_ai.prompt.0.role`
 * and `gen_ai.prompt.0.tool_calls.1.name` become `[ {role, 'tool_calls.1.name'} ]` at index 0.
 * Returns the groups ordered by index; gaps are skipped.
 */
export function indexedGroups(attrs: Attributes, prefix: string): Array<Record<string, AttrValue>> {
  const byIndex = new Map<number, Record<string, AttrValue>>();
  for (const key in attrs) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    const idxText = dot === -1 ? rest : rest.slice(0, dot);
    if (!/^\d+$/.test(idxText)) continue;
    const idx = Number(idxText);
    let group = byIndex.get(idx);
    if (!group) {
      group = {};
      byIndex.set(idx, group);
    }
    group[dot === -1 ? '' : rest.slice(dot + 1)] = attrs[key];
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

/** Subset of `attrs` under `prefix`, with the prefix removed from each key. */
export function withPrefix(attrs: Attributes, prefix: string): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const key in attrs) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = attrs[key];
  return out;
}

/** Converts an arbitrary JSON value into an attribute value (drops undefined, functions). */
export function toAttrValue(v: unknown): AttrValue | undefined {
  if (v === null) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map((x) => toAttrValue(x) ?? null);
  if (isRecord(v)) {
    const out: Record<string, AttrValue> = {};
    for (const [k, x] of Object.entries(v)) {
      const a = toAttrValue(x);
      if (a !== undefined) out[k] = a;
    }
    return out;
  }
  return undefined;
}
