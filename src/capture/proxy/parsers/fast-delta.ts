// A fast path for the bulk of a stream: the token deltas. Most events of a streamed answer are
// byte-for-byte the same JSON but for the delta text (and a few per-event fields: a sequence
// number, OpenAI's random `obfuscation` padding). Once a full JSON.parse has shown an event to
// be a pure text delta, its bytes become a template whose holes are those fields; a later event
// that matches the template outside its holes has the same structure, so its text is read from
// the hole without parsing the rest. Anything that does not match is parsed in full, as before.
// This keeps recording cheap next to the bytes-only work of forwarding.

export interface HoleSpec {
  /** The text just before the value, ending with the opening quote for strings. */
  marker: string;
  kind: 'string' | 'number';
  /** The delta text itself (exactly one hole per template). */
  value?: boolean;
  /** May be absent from an event (the template then has no such hole). */
  optional?: boolean;
}

interface Template<M> {
  /** Literal text around the holes: holes.length + 1 segments. */
  segments: string[];
  kinds: Array<'string' | 'number'>;
  valueHole: number;
  meta: M;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Index of the closing quote of a JSON string whose content starts at `start`, or -1. */
function scanString(d: string, start: number): number {
  for (let i = start; i < d.length; i++) {
    const c = d.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
    else if (c < 0x20) return -1;
  }
  return -1;
}

/** End of a JSON number starting at `start`. */
function scanNumber(d: string, start: number): number {
  let i = start;
  while (i < d.length) {
    const c = d.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) i++;
    else break;
  }
  return i;
}

export class DeltaTemplates<M> {
  private readonly templates: Array<Template<M>> = [];

  /** `limit`: how many shapes to remember (one per choice / content block / output item). */
  constructor(
    private readonly holes: HoleSpec[],
    private readonly limit = 4,
  ) {}

  /** Learns the template of `d`, an event a full parse proved to be a pure delta with `meta`. */
  learn(d: string, meta: M): void {
    const found: Array<{ start: number; kind: 'string' | 'number'; value: boolean }> = [];
    for (const h of this.holes) {
      const i = d.indexOf(h.marker);
      if (i === -1) {
        if (h.optional) continue;
        return;
      }
      found.push({ start: i + h.marker.length, kind: h.kind, value: h.value === true });
    }
    found.sort((a, b) => a.start - b.start);
    const segments: string[] = [];
    const kinds: Array<'string' | 'number'> = [];
    let valueHole = -1;
    let pos = 0;
    for (const f of found) {
      if (f.start < pos) return;
      const end = f.kind === 'string' ? scanString(d, f.start) : scanNumber(d, f.start);
      if (end < 0) return;
      segments.push(d.slice(pos, f.start));
      if (f.value) valueHole = kinds.length;
      kinds.push(f.kind);
      pos = end;
    }
    if (valueHole < 0) return;
    segments.push(d.slice(pos));
    if (this.templates.length >= this.limit) this.templates.shift();
    this.templates.push({ segments, kinds, valueHole, meta });
  }

  /** The meta of the template the last successful match() used. */
  meta!: M;

  /** The delta text when `d` matches a learned template (its meta then in `this.meta`); else undefined. */
  match(d: string): string | undefined {
    for (let t = this.templates.length - 1; t >= 0; t--) {
      const r = matchOne(this.templates[t]!, d);
      if (r !== undefined) {
        this.meta = this.templates[t]!.meta;
        return r;
      }
    }
    return undefined;
  }
}

/** d has `seg` at `pos`. A slice compared with === is a memcmp; startsWith(seg, pos) is far slower in V8. */
function same(d: string, pos: number, seg: string): boolean {
  return d.length - pos >= seg.length && d.slice(pos, pos + seg.length) === seg;
}

function matchOne<M>(t: Template<M>, d: string): string | undefined {
  let pos = 0;
  let vStart = 0;
  let vEnd = 0;
  const { segments, kinds } = t;
  for (let k = 0; k < kinds.length; k++) {
    const seg = segments[k]!;
    if (!same(d, pos, seg)) return undefined;
    pos += seg.length;
    const end = kinds[k] === 'string' ? scanString(d, pos) : scanNumber(d, pos);
    if (end < 0 || (kinds[k] === 'number' && end === pos)) return undefined;
    if (k === t.valueHole) {
      vStart = pos;
      vEnd = end;
    }
    pos = end;
  }
  const last = segments[segments.length - 1]!;
  if (d.length - pos !== last.length || !same(d, pos, last)) return undefined;
  const raw = d.slice(vStart, vEnd);
  if (raw.indexOf('\\') === -1) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}
