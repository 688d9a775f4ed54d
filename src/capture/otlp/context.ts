// Per-request decode state: options, the rejections and warnings that end up in the OTLP
// partial-success answer, and the per-item warnings that are stored on the item itself.

export interface DecodeOptions {
  /**
   * Longest string value kept (attribute values, log bodies, names), in UTF-16 code units.
   * Longer values are cut and the item gets a `spyglass.ingest.warnings` entry. Default 1 MiB.
   */
  maxStringChars?: number;
  /**
   * Time used for a log record that carries neither time_unix_nano nor observed_time_unix_nano,
   * in microseconds. Default: now. Passed in so decoding stays deterministic for a given input.
   */
  receivedUs?: number;
}

export const DEFAULT_MAX_STRING_CHARS = 1024 * 1024;

/**
 * How deep messages may nest, counted as protobuf counts them (a value in a kvlist is three
 * levels below its parent value, an array element two; a span attribute's value is at level 2).
 * protobufjs' default; both encodings refuse a deeper body whole, before anything is stored.
 */
export const MAX_NESTING_DEPTH = 100;

/** The reason given for a body nested past MAX_NESTING_DEPTH. */
export function tooDeep(where: string): string {
  return `${where} nested deeper than ${MAX_NESTING_DEPTH} levels (values inside values); refused whole`;
}

/** Attribute under which an accepted-but-altered item records what was changed. */
export const WARNINGS_ATTRIBUTE = 'spyglass.ingest.warnings';

/** Thrown by decoders when the whole body cannot be read; the answer is a 400 with this reason. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

/** Thrown while converting one span or log record: that item alone is rejected, with this reason. */
export class ItemRejected extends Error {
  override readonly name = 'ItemRejected';
}

/** How many reasons a report keeps in full; the rest are only counted. */
const MAX_REASONS = 20;

export class DecodeContext {
  readonly maxStringChars: number;
  readonly receivedUs: number;
  rejectedSpans = 0;
  rejectedLogs = 0;
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  private moreErrors = 0;
  private moreWarnings = 0;
  /** Warnings about the item being converted right now; null while there are none. */
  itemWarnings: string[] | null = null;
  /** Set by the protobuf reader when a string field held invalid UTF-8. */
  invalidUtf8Strings = 0;

  constructor(opts: DecodeOptions = {}) {
    this.maxStringChars = opts.maxStringChars ?? DEFAULT_MAX_STRING_CHARS;
    this.receivedUs = opts.receivedUs ?? Date.now() * 1000;
  }

  reject(kind: 'span' | 'log', reason: string): void {
    if (kind === 'span') this.rejectedSpans++;
    else this.rejectedLogs++;
    if (this.errors.length < MAX_REASONS) this.errors.push(reason);
    else this.moreErrors++;
  }

  warn(message: string): void {
    if (this.warnings.length < MAX_REASONS) this.warnings.push(message);
    else this.moreWarnings++;
  }

  /** Records a warning about the current item (stored on it) and for the answer. */
  warnItem(message: string): void {
    (this.itemWarnings ??= []).push(message);
  }

  /** Moves the current item's warnings into the report, prefixed with what the item is. */
  takeItemWarnings(label: string): string[] | null {
    const w = this.itemWarnings;
    if (w === null) return null;
    this.itemWarnings = null;
    // Sorted, so the order does not depend on the order fields came in on the wire.
    w.sort();
    for (const m of w) this.warn(`${label}: ${m}`);
    return w;
  }

  errorSummary(): string[] {
    return this.moreErrors > 0 ? [...this.errors, `… and ${this.moreErrors} more`] : this.errors;
  }

  warningSummary(): string[] {
    return this.moreWarnings > 0 ? [...this.warnings, `… and ${this.moreWarnings} more warnings`] : this.warnings;
  }
}

/** Cuts an over-long string without splitting a surrogate pair, and notes it on the item. */
export function capString(s: string, ctx: DecodeContext, what: string): string {
  if (s.length <= ctx.maxStringChars) return s;
  let end = ctx.maxStringChars;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  ctx.warnItem(`${what} truncated from ${s.length} to ${end} characters`);
  return s.slice(0, end);
}
