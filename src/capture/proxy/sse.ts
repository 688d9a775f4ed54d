// Server-sent events split from a whole recorded body, after the stream has been passed on.
// It works on bytes, not a decoded string, so each event carries the byte offset where it
// ended: the exchange maps that offset to the arrival time of the chunk that completed it,
// which is how time to first token is measured on the wire without parsing on the hot path.

export interface SseEvent {
  /** The `event:` field, or null when the event had none. */
  event: string | null;
  /** The `data:` lines joined with \n. */
  data: string;
  /** Byte offset just past the blank line that dispatched the event: a client can use it from then on. */
  end: number;
}

export interface SseParse {
  events: SseEvent[];
  /** Lines that are not SSE fields (a sign the stream is not SSE or is corrupted). */
  strayLines: number;
  /** True when the body stopped inside an event (no blank line after the last field). */
  truncated: boolean;
}

import { isAscii } from 'node:buffer';

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

/** True when every CR in the buffer starts a CRLF pair (the usual case: LF or CRLF endings). */
function onlyCrlf(buf: Buffer): boolean {
  let cr = buf.indexOf(CR);
  while (cr !== -1) {
    if (buf[cr + 1] !== LF) return false;
    cr = buf.indexOf(CR, cr + 2);
  }
  return true;
}

class Builder {
  readonly events: SseEvent[] = [];
  strayLines = 0;
  private event: string | null = null;
  private data: string[] = [];
  private hasField = false;

  constructor(private readonly buf: Buffer) {}

  get pending(): boolean {
    return this.hasField;
  }

  /** One line, [start, end) without its terminator; `next` is where the following line starts. */
  line(start: number, end: number, next: number): void {
    const buf = this.buf;
    if (end === start) {
      if (this.hasField) {
        this.events.push({ event: this.event, data: this.data.length === 1 ? this.data[0]! : this.data.join('\n'), end: next });
        this.event = null;
        this.data = [];
        this.hasField = false;
      }
      return;
    }
    if (buf[start] === COLON) return;
    // "data:" is nearly every line; test its bytes before looking for the colon.
    let colon: number;
    if (end - start >= 5 && buf[start] === 0x64 && buf[start + 1] === 0x61 && buf[start + 2] === 0x74 && buf[start + 3] === 0x61 && buf[start + 4] === COLON) {
      colon = start + 4;
    } else {
      colon = buf.indexOf(COLON, start);
      if (colon === -1 || colon > end) colon = end;
    }
    let valueStart = colon < end ? colon + 1 : end;
    if (valueStart < end && buf[valueStart] === SPACE) valueStart++;
    const nameLen = colon - start;
    if (nameLen === 4 && colon !== end && buf[start] === 0x64 && buf[start + 3] === 0x61) {
      this.data.push(buf.toString('utf8', valueStart, end));
      this.hasField = true;
      return;
    }
    const name = buf.toString('latin1', start, colon);
    if (name === 'data') {
      this.data.push(buf.toString('utf8', valueStart, end));
      this.hasField = true;
    } else if (name === 'event') {
      this.event = buf.toString('utf8', valueStart, end);
      this.hasField = true;
    } else if (name !== 'id' && name !== 'retry') {
      this.strayLines++;
    }
  }
}

/**
 * The common case, an ASCII body (JSON escapes non-ASCII or the text is English): one latin1
 * decode, then lines are slices of one string and character offsets are byte offsets.
 */
function parseAscii(text: string): SseParse {
  const events: SseEvent[] = [];
  let strayLines = 0;
  let event: string | null = null;
  let data: string | null = null;
  let more: string[] | null = null;
  let hasField = false;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    const lf = text.indexOf('\n', pos);
    if (lf === -1) return { events, strayLines, truncated: true };
    const end = lf > pos && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
    const next = lf + 1;
    if (end === pos) {
      if (hasField) {
        events.push({ event, data: more ? [data ?? '', ...more].join('\n') : (data ?? ''), end: next });
        event = null;
        data = null;
        more = null;
        hasField = false;
      }
    } else if (text.charCodeAt(pos) !== COLON) {
      let colon = text.indexOf(':', pos);
      if (colon === -1 || colon > end) colon = end;
      let valueStart = colon < end ? colon + 1 : end;
      if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++;
      const nameLen = colon - pos;
      if (nameLen === 4 && text.startsWith('data', pos)) {
        const v = text.slice(valueStart, end);
        if (data === null) data = v;
        else (more ??= []).push(v);
        hasField = true;
      } else if (nameLen === 5 && text.startsWith('event', pos)) {
        event = text.slice(valueStart, end);
        hasField = true;
      } else if (!((nameLen === 2 && text.startsWith('id', pos)) || (nameLen === 5 && text.startsWith('retry', pos)))) {
        strayLines++;
      }
    }
    pos = next;
  }
  return { events, strayLines, truncated: hasField };
}

export function parseSse(buf: Buffer): SseParse {
  if (isAscii(buf) && onlyCrlf(buf)) return parseAscii(buf.toString('latin1'));
  return parseSseBytes(buf);
}

/** The general path: any UTF-8, any line endings. */
export function parseSseBytes(buf: Buffer): SseParse {
  const n = buf.length;
  const b = new Builder(buf);
  let pos = 0;
  // A UTF-8 byte-order mark at the very start is ignored, as the spec says.
  if (n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
  if (onlyCrlf(buf)) {
    while (pos < n) {
      const lf = buf.indexOf(LF, pos);
      // The last line never ended: a truncated stream (its content is not an event yet).
      if (lf === -1) return { events: b.events, strayLines: b.strayLines, truncated: true };
      const end = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
      b.line(pos, end, lf + 1);
      pos = lf + 1;
    }
    return { events: b.events, strayLines: b.strayLines, truncated: b.pending };
  }
  // Lone CRs end lines too: scan byte by byte.
  while (pos < n) {
    let eol = pos;
    while (eol < n && buf[eol] !== LF && buf[eol] !== CR) eol++;
    if (eol === n) return { events: b.events, strayLines: b.strayLines, truncated: true };
    let next = eol + 1;
    if (buf[eol] === CR && next < n && buf[next] === LF) next++;
    b.line(pos, eol, next);
    pos = next;
  }
  return { events: b.events, strayLines: b.strayLines, truncated: b.pending };
}
