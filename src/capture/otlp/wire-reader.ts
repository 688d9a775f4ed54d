// A minimal protobuf wire-format reader for the hot path: reads straight from the request
// Buffer into canonical values (hex ids, microseconds, JS numbers), with no intermediate
// message objects, Longs or Buffer slices. Every read is bounds-checked; a malformed body
// throws WireError, which the decoders turn into a 400.

import { isUtf8 } from 'node:buffer';
import { MAX_NESTING_DEPTH, tooDeep } from './context';

export class WireError extends Error {
  override readonly name = 'WireError';
}

/** Node's Buffer has these fast paths (used by Buffer#toString itself). */
type NodeBuffer = Buffer & {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
};

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const INTERN_MAX_BYTES = 48;
const INTERN_SLOTS = 4096;
const internBytes: (Uint8Array | undefined)[] = new Array(INTERN_SLOTS);
const internStrings: (string | undefined)[] = new Array(INTERN_SLOTS);


/** A message's field numbers → wire types (-1 or past the end: not a field of the message). */
export type WireTypes = Int8Array;

export function wireTypes(fields: Record<number, number>): WireTypes {
  const numbers = Object.keys(fields).map(Number);
  const out = new Int8Array(Math.max(...numbers) + 1).fill(-1);
  for (const n of numbers) out[n] = fields[n]!;
  return out;
}

export class WireReader {
  readonly buf: NodeBuffer;
  pos = 0;
  /** Strings that were not valid UTF-8 (decoded with U+FFFD replacements). */
  invalidUtf8 = 0;
  /** Known fields that came with another wire type than their schema's, skipped (see skipField). */
  wrongWireTypes = 0;

  constructor(buf: Buffer) {
    this.buf = buf as NodeBuffer;
  }

  private fail(what: string): never {
    throw new WireError(`${what} at offset ${this.pos}`);
  }

  /** A varint's low 32 bits, unsigned (tags, lengths, uint32, enums). */
  uint32(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) this.fail('truncated varint');
      const b = buf[pos++]!;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    // bits past 32 are dropped, as protobufjs does; up to 5 more bytes may follow
    for (let i = 0; i < 5; i++) {
      if (pos >= end) this.fail('truncated varint');
      if (buf[pos++]! < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    this.fail('varint longer than 10 bytes');
  }

  /** A field tag: at most 5 bytes with no bits past 32, as protobufjs requires. */
  tag(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) this.fail('truncated tag');
      const b = buf[pos++]!;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    if (pos >= end) this.fail('truncated tag');
    const b = buf[pos++]!;
    if (b >= 0x80 || (b & 0x70) !== 0) this.fail('invalid tag encoding');
    this.pos = pos;
    return (result | (b << 28)) >>> 0;
  }

  int32(end: number): number {
    return this.uint32(end) | 0;
  }

  /** A varint as a signed int64, in a JS number (nearest double past ±2^53). */
  int64(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    let i = 0;
    for (; i < 4; i++) {
      if (pos >= end) this.fail('truncated varint');
      b = buf[pos++]!;
      lo |= (b & 0x7f) << (i * 7);
      if (b < 0x80) {
        this.pos = pos;
        return lo >>> 0;
      }
    }
    if (pos >= end) this.fail('truncated varint');
    b = buf[pos++]!;
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      for (i = 0; i < 5; i++) {
        if (pos >= end) this.fail('truncated varint');
        b = buf[pos++]!;
        hi |= (b & 0x7f) << (i * 7 + 3);
        if (b < 0x80) break;
      }
      if (b >= 0x80) this.fail('varint longer than 10 bytes');
    }
    this.pos = pos;
    return (hi | 0) * 4294967296 + (lo >>> 0);
  }

  bool(end: number): boolean {
    return this.uint32(end) !== 0;
  }

  /** Unsigned fixed64 nanoseconds → integer microseconds, exactly (see ids-and-times.ts). */
  fixed64Micros(end: number): number {
    const pos = this.pos;
    if (pos + 8 > end) this.fail('truncated fixed64');
    const buf = this.buf;
    const lo = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
    const hi = (buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24)) >>> 0;
    this.pos = pos + 8;
    return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
  }

  double(end: number): number {
    if (this.pos + 8 > end) this.fail('truncated double');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end offset of the delimited bytes. */
  delimited(end: number): number {
    const len = this.uint32(end);
    const stop = this.pos + len;
    if (stop > end) this.fail(`length ${len} past the end of the message`);
    return stop;
  }

  string(end: number): string {
    const stop = this.delimited(end);
    const start = this.pos;
    this.pos = stop;
    if (start === stop) return '';
    if (stop - start <= INTERN_MAX_BYTES) return this.shortString(start, stop);
    const s = this.buf.utf8Slice(start, stop);
    // U+FFFD in the result is either sent as such or a replaced bad sequence: only then check.
    // (In V8 a one-byte string cannot contain it, so for most strings this test is immediate.)
    if (s.indexOf('\uFFFD') !== -1 && !isUtf8(this.buf.subarray(start, stop))) this.invalidUtf8++;
    return s;
  }

  /**
   * Short strings (attribute keys, model names, roles, finish reasons…) repeat from span to span;
   * a JS hash-and-compare against a small table is several times cheaper than a native
   * utf8Slice call each time. Only valid UTF-8 is cached, so the invalid-UTF-8 count stays right.
   */
  private shortString(start: number, stop: number): string {
    const buf = this.buf;
    let h = 0x811c9dc5;
    for (let i = start; i < stop; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const slot = (h >>> 0) & (INTERN_SLOTS - 1);
    const hit = internBytes[slot];
    const len = stop - start;
    if (hit !== undefined && hit.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (hit[i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return internStrings[slot]!;
    }
    const s = buf.utf8Slice(start, stop);
    if (s.indexOf('\uFFFD') !== -1 && !isUtf8(buf.subarray(start, stop))) {
      this.invalidUtf8++;
      return s;
    }
    internBytes[slot] = Uint8Array.prototype.slice.call(buf, start, stop);
    internStrings[slot] = s;
    return s;
  }

  /** A bytes field as lowercase hex ('' when empty). */
  hex(end: number): string {
    const stop = this.delimited(end);
    const start = this.pos;
    this.pos = stop;
    return start === stop ? '' : this.buf.hexSlice(start, stop);
  }

  base64(end: number): string {
    const stop = this.delimited(end);
    const start = this.pos;
    this.pos = stop;
    return start === stop ? '' : this.buf.base64Slice(start, stop);
  }

  /**
   * Skips the value of the field whose tag was just read, by its wire type (groups included),
   * refusing what protobufjs refuses: field number 0, a mismatched end-group, wire types 6 and 7.
   */
  skip(tag: number, end: number, depth = 0): void {
    if (tag >>> 3 === 0) this.fail('illegal tag: field number 0');
    switch (tag & 7) {
      case WIRE_VARINT:
        this.int64(end);
        return;
      case WIRE_I64:
        if (this.pos + 8 > end) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.delimited(end);
        return;
      case 3: {
        if (depth > MAX_NESTING_DEPTH) this.fail(tooDeep('message'));
        for (;;) {
          const inner = this.tag(end);
          if (inner >>> 3 === 0) this.fail('illegal tag: field number 0');
          if ((inner & 7) === 4) {
            if (inner >>> 3 !== tag >>> 3) this.fail('invalid end group tag');
            return;
          }
          this.skip(inner, end, depth + 1);
        }
      }
      case WIRE_I32:
        if (this.pos + 4 > end) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`invalid wire type ${tag & 7}`);
    }
  }

  /**
   * Skips a field this decoder does not read, noting a known field (by `types`, see wireTypes)
   * whose wire type is not its schema's: protobufjs skips those too, but silently.
   */
  skipField(tag: number, end: number, depth: number, types: WireTypes): void {
    const expected = types[tag >>> 3];
    if (expected !== undefined && expected >= 0 && expected !== (tag & 7)) this.wrongWireTypes++;
    this.skip(tag, end, depth);
  }

  checkDepth(depth: number): void {
    if (depth > MAX_NESTING_DEPTH) this.fail(tooDeep('message'));
  }
}
