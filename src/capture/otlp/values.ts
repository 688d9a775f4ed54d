// OTLP AnyValue / KeyValue → AttrValue / Attributes, for both encodings. The two paths give
// identical results for the same data: bytes → base64, kvlist → object, int64 → number,
// non-finite doubles → their names as strings (JSON cannot hold NaN or Infinity).

import type { AttrValue, Attributes } from '../../core/model';
import { redactHeaderAttribute } from '../credentials';
import { capString, type DecodeContext, ItemRejected, MAX_NESTING_DEPTH, OtlpDecodeError, tooDeep } from './context';
import { type LongLike, longToNumber, quote, typeName } from './ids-and-times';

// ---- decoded protobuf shapes (what protobufjs builds from schema.ts) ----

export interface PbAnyValue {
  /** Name of the oneof member that is set; undefined for an empty AnyValue. */
  value?: string;
  stringValue: string;
  boolValue: boolean;
  intValue: LongLike | number;
  doubleValue: number;
  arrayValue: { values: PbAnyValue[] } | null;
  kvlistValue: { values: PbKeyValue[] } | null;
  bytesValue: Uint8Array;
}

export interface PbKeyValue {
  key: string;
  value: PbAnyValue | null;
}

/** Sets a key even when it is `__proto__` (which plain assignment would treat as the prototype). */
export function put(out: Record<string, AttrValue>, key: string, value: AttrValue): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** A top-level attribute's value as stored: captured credential headers are never kept. */
export function topValue(key: string, value: AttrValue): AttrValue {
  return redactHeaderAttribute(key, value);
}

function finiteOrName(d: number): number | string {
  return Number.isFinite(d) ? d : String(d);
}

/**
 * `path` is the attribute key (dotted for nested kvlists), or '' for a log body; it only
 * becomes text in a message when something is wrong, so the common path allocates nothing.
 */
export function labelOf(path: string): string {
  return path === '' ? 'body' : `attribute ${quote(path)}`;
}

export function childPath(path: string, key: string): string {
  return path === '' ? `body.${key}` : `${path}.${key}`;
}

export function pbValue(v: PbAnyValue | null, ctx: DecodeContext, path: string): AttrValue {
  if (v === null || v === undefined) return null;
  switch (v.value) {
    case 'stringValue':
      return v.stringValue.length > ctx.maxStringChars ? capString(v.stringValue, ctx, labelOf(path)) : v.stringValue;
    case 'boolValue':
      return v.boolValue;
    case 'intValue':
      return longToNumber(v.intValue);
    case 'doubleValue':
      return finiteOrName(v.doubleValue);
    case 'arrayValue': {
      const values = v.arrayValue?.values ?? [];
      const out: AttrValue[] = new Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = pbValue(values[i]!, ctx, path);
      return out;
    }
    case 'kvlistValue':
      return pbAttributes(v.kvlistValue?.values ?? [], ctx, path);
    case 'bytesValue':
      return Buffer.from(v.bytesValue).toString('base64');
    default:
      return null;
  }
}

export function pbAttributes(kvs: PbKeyValue[], ctx: DecodeContext, parent?: string): Attributes {
  const out: Attributes = {};
  for (let i = 0; i < kvs.length; i++) {
    const kv = kvs[i]!;
    if (parent === undefined) put(out, kv.key, topValue(kv.key, pbValue(kv.value, ctx, kv.key)));
    else put(out, kv.key, pbValue(kv.value, ctx, childPath(parent, kv.key)));
  }
  return out;
}

// ---- OTLP/JSON ----

const INT = /^-?\d+$/;

function jsonInt(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && INT.test(v)) return Number(v);
  throw new ItemRejected(`${labelOf(path)}: intValue must be an integer or a decimal string, got ${describe(v)}`);
}

function jsonDouble(v: unknown, path: string): number | string {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
    const n = Number(v);
    if (v.trim() !== '' && Number.isFinite(n)) return n;
  }
  throw new ItemRejected(`${labelOf(path)}: doubleValue must be a number, got ${describe(v)}`);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * An OTLP/JSON AnyValue. `depth` is its nesting level as protobuf counts it (MAX_NESTING_DEPTH);
 * past it the whole body is refused, as the protobuf decoder refuses it.
 */
export function jsonValue(v: unknown, ctx: DecodeContext, path: string, depth: number): AttrValue {
  if (v === undefined || v === null) return null;
  if (depth > MAX_NESTING_DEPTH) throw new OtlpDecodeError(tooDeep(labelOf(path)));
  if (typeof v !== 'object' || Array.isArray(v)) throw new ItemRejected(`${labelOf(path)}: value must be an AnyValue object, got ${typeName(v)}`);
  const o = v as Record<string, unknown>;
  if ('stringValue' in o) {
    const s = o.stringValue;
    if (typeof s !== 'string') throw new ItemRejected(`${labelOf(path)}: stringValue must be a string, got ${typeName(s)}`);
    return s.length > ctx.maxStringChars ? capString(s, ctx, labelOf(path)) : s;
  }
  if ('intValue' in o) return jsonInt(o.intValue, path);
  if ('boolValue' in o) {
    if (typeof o.boolValue !== 'boolean') throw new ItemRejected(`${labelOf(path)}: boolValue must be true or false, got ${describe(o.boolValue)}`);
    return o.boolValue;
  }
  if ('doubleValue' in o) return jsonDouble(o.doubleValue, path);
  if ('arrayValue' in o) {
    // protobuf: ArrayValue one level below its AnyValue, each element one more.
    if (depth + 1 > MAX_NESTING_DEPTH) throw new OtlpDecodeError(tooDeep(labelOf(path)));
    const values = listOf(o.arrayValue, path, 'arrayValue');
    const out: AttrValue[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = jsonValue(values[i], ctx, path, depth + 2);
    return out;
  }
  // protobuf: KeyValueList, KeyValue, then the AnyValue: three levels below this one.
  if ('kvlistValue' in o) return jsonAttributes(listOf(o.kvlistValue, path, 'kvlistValue'), ctx, path, depth + 3);
  if ('bytesValue' in o) {
    const b = o.bytesValue;
    if (typeof b !== 'string' || !BASE64.test(b)) throw new ItemRejected(`${labelOf(path)}: bytesValue must be base64, got ${describe(b)}`);
    return Buffer.from(b, 'base64').toString('base64');
  }
  // protobuf JSON: an AnyValue with no member set is an empty value (unknown members too).
  return null;
}

function listOf(container: unknown, path: string, field: string): unknown[] {
  if (container === null || container === undefined) return [];
  if (typeof container !== 'object' || Array.isArray(container)) throw new ItemRejected(`${labelOf(path)}: ${field} must be an object, got ${typeName(container)}`);
  const values = (container as { values?: unknown }).values;
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw new ItemRejected(`${labelOf(path)}: ${field}.values must be an array, got ${typeName(values)}`);
  return values;
}

/** Nesting level of a span's, event's, link's or log record's attribute values (see jsonValue). */
export const ATTRIBUTE_VALUE_DEPTH = 2;
/** Resource attributes sit one level deeper (Resource → KeyValue → AnyValue). */
export const RESOURCE_VALUE_DEPTH = 3;

/**
 * `attributes` of a span, event, link, log record, resource or kvlist. Absent is empty.
 * `valueDepth` is the nesting level of the values (see jsonValue).
 */
export function jsonAttributes(kvs: unknown, ctx: DecodeContext, parent: string | undefined, valueDepth: number): Attributes {
  const out: Attributes = {};
  if (kvs === undefined || kvs === null) return out;
  const where = parent === undefined ? 'attributes' : `${labelOf(parent)}: kvlistValue.values`;
  // The KeyValueList holding a kvlist's entries is two levels above their values.
  if (parent !== undefined && valueDepth - 2 > MAX_NESTING_DEPTH) throw new OtlpDecodeError(tooDeep(labelOf(parent)));
  if (!Array.isArray(kvs)) throw new ItemRejected(`${where} must be an array, got ${typeName(kvs)}`);
  for (let i = 0; i < kvs.length; i++) {
    const kv = kvs[i] as { key?: unknown; value?: unknown } | null;
    if (kv === null || typeof kv !== 'object' || Array.isArray(kv)) throw new ItemRejected(`${where}[${i}] must be a {key, value} object, got ${typeName(kv)}`);
    const key = kv.key;
    if (typeof key !== 'string') throw new ItemRejected(`${where}[${i}].key must be a string, got ${typeName(key)}`);
    if (parent === undefined) put(out, key, topValue(key, jsonValue(kv.value, ctx, key, valueDepth)));
    else put(out, key, jsonValue(kv.value, ctx, childPath(parent, key), valueDepth));
  }
  return out;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? quote(v) : typeName(v);
}
