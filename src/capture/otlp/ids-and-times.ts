// OTLP ids and timestamps into the canonical forms: lowercase hex ids, integer microseconds.

import { ItemRejected } from './context';

/** protobufjs' decoded 64-bit value (a long.js Long; only these fields are read). */
export interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

const TWO_32 = 4294967296;

/**
 * Unsigned fixed64 nanoseconds → integer microseconds, exactly: 2^32 = 4294967·1000 + 296, so
 * hi·2^32 + lo = 1000·hi·4294967 + (hi·296 + lo), and every product stays below 2^53 for
 * any time before the year 2255.
 */
export function longNanosToMicros(v: LongLike | number): number {
  if (typeof v === 'number') return Math.floor(v / 1000);
  const hi = v.high >>> 0;
  const lo = v.low >>> 0;
  return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
}

/** A signed int64 as a JS number (beyond ±2^53 it is the nearest double). */
export function longToNumber(v: LongLike | number): number {
  if (typeof v === 'number') return v;
  return v.unsigned ? (v.high >>> 0) * TWO_32 + (v.low >>> 0) : v.high * TWO_32 + (v.low >>> 0);
}

const DIGITS = /^\d{1,20}$/;

/**
 * OTLP/JSON nanoseconds (a decimal string, as the spec asks, or a number) → microseconds.
 * Absent is 0, like an unset protobuf field.
 */
export function jsonNanosToMicros(v: unknown, field: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') {
    if (!DIGITS.test(v)) throw new ItemRejected(`${field} must be a decimal string of nanoseconds, got ${quote(v)}`);
    // Dropping the last three digits divides by 1000 exactly, with no float rounding.
    return v.length <= 3 ? 0 : Number(v.slice(0, -3));
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v / 1000);
  throw new ItemRejected(`${field} must be nanoseconds as a string or number, got ${typeName(v)}`);
}

/** protobuf bytes id → lowercase hex ('' when absent). */
export function bytesToHex(b: Uint8Array): string {
  if (b.length === 0) return '';
  return (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length)).toString('hex');
}

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * OTLP/JSON id → lowercase hex ('' when absent). The spec says hex; some older exporters
 * sent the protobuf JSON mapping's base64, which is recognised by its length.
 */
export function jsonIdToHex(v: unknown, byteLength: number, field: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string') throw new ItemRejected(`${field} must be a hex string, got ${typeName(v)}`);
  if (v.length === byteLength * 2 && HEX.test(v)) return v.toLowerCase();
  if (v.length === Math.ceil(byteLength / 3) * 4 && BASE64.test(v)) {
    const bytes = Buffer.from(v, 'base64');
    if (bytes.length === byteLength) return bytes.toString('hex');
  }
  if (HEX.test(v)) {
    if (v.length % 2 === 1) throw new ItemRejected(`${field} has an odd number of hex digits (${v.length})`);
    return v.toLowerCase(); // wrong length: the validator names the problem
  }
  throw new ItemRejected(`${field} is neither ${byteLength * 2} hex digits nor base64 of ${byteLength} bytes: ${quote(v)}`);
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Validates a required id: throws with a clear reason when absent, of the wrong length or all zero. */
export function requireId(hex: string, byteLength: 16 | 8, field: string): string {
  if (hex.length !== byteLength * 2) {
    if (hex.length === 0) throw new ItemRejected(`${field} is missing`);
    throw new ItemRejected(`${field} must be ${byteLength} bytes, got ${hex.length / 2}`);
  }
  if (hex === (byteLength === 16 ? ZERO_TRACE : ZERO_SPAN)) throw new ItemRejected(`${field} is all zeros`);
  return hex;
}

/** An optional id: absent or all zero is null (no link); the wrong length is rejected. */
export function optionalId(hex: string, byteLength: 16 | 8, field: string): string | null {
  if (hex.length === 0) return null;
  if (hex.length !== byteLength * 2) throw new ItemRejected(`${field} must be ${byteLength} bytes or empty, got ${hex.length / 2}`);
  if (hex === (byteLength === 16 ? ZERO_TRACE : ZERO_SPAN)) return null;
  return hex;
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}
