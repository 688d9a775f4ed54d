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

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

export function parseSse(buf: Buffer): SseParse {
  const events: SseEvent[] = [];
  let strayLines = 0;
  let event: string | null = null;
  let data: string[] = [];
  let hasField = false;
  let pos = 0;
  const n = buf.length;
  // A UTF-8 byte-order mark at the very start is ignored, as the spec says.
  if (n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
  while (pos < n) {
    let eol = pos;
    while (eol < n && buf[eol] !== LF && buf[eol] !== CR) eol++;
    if (eol === n) {
      // The last line never ended: a truncated stream (its content is not an event yet).
      if (eol > pos) return { events, strayLines, truncated: true };
      break;
    }
    const lineEnd = eol;
    let next = eol + 1;
    if (buf[eol] === CR && next < n && buf[next] === LF) next++;
    if (lineEnd === pos) {
      if (hasField) {
        events.push({ event, data: data.join('\n'), end: next });
        event = null;
        data = [];
        hasField = false;
      }
    } else if (buf[pos] !== COLON) {
      let colon = pos;
      while (colon < lineEnd && buf[colon] !== COLON) colon++;
      const name = buf.toString('latin1', pos, colon);
      let valueStart = colon < lineEnd ? colon + 1 : lineEnd;
      if (valueStart < lineEnd && buf[valueStart] === SPACE) valueStart++;
      if (name === 'data') {
        data.push(buf.toString('utf8', valueStart, lineEnd));
        hasField = true;
      } else if (name === 'event') {
        event = buf.toString('utf8', valueStart, lineEnd);
        hasField = true;
      } else if (name !== 'id' && name !== 'retry') {
        strayLines++;
      }
    }
    pos = next;
  }
  return { events, strayLines, truncated: hasField };
}
