// A text cut into runs by marked ranges (UTF-16 offsets, as JavaScript strings and the
// annotation model count them), so a view can render each run as plain text or as a mark
// carrying every range that covers it. Ranges may overlap, nest, run past the end or be empty;
// each run lists the marks over it, in the order the ranges were given.

export interface TextRange<M> {
  start: number;
  end: number;
  mark: M;
}

export interface TextRun<M> {
  start: number;
  end: number;
  /** Empty for unmarked text. */
  marks: M[];
}

export function textRuns<M>(length: number, ranges: readonly TextRange<M>[]): TextRun<M>[] {
  const n = Math.max(0, Math.floor(length));
  const valid = ranges
    .map((r, order) => ({ start: Math.max(0, Math.floor(r.start)), end: Math.min(n, Math.floor(r.end)), mark: r.mark, order }))
    .filter((r) => Number.isFinite(r.start) && Number.isFinite(r.end) && r.end > r.start);
  if (valid.length === 0) return n > 0 ? [{ start: 0, end: n, marks: [] }] : [];
  const cuts = new Set<number>([0, n]);
  for (const r of valid) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: TextRun<M>[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    if (end <= start) continue;
    const marks = valid.filter((r) => r.start <= start && r.end >= end).sort((a, b) => a.order - b.order).map((r) => r.mark);
    const last = out[out.length - 1];
    // Neighbours with the same marks are one run.
    if (last && last.end === start && sameMarks(last.marks, marks)) last.end = end;
    else out.push({ start, end, marks });
  }
  return out;
}

function sameMarks<M>(a: readonly M[], b: readonly M[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}

/** Every occurrence of `needle` in `text`, case-insensitive (for find), as ranges; at most `limit`. */
export function findRanges<M>(text: string, needle: string, mark: M, limit = 1_000): TextRange<M>[] {
  const q = needle.toLowerCase();
  if (!q) return [];
  const hay = text.toLowerCase();
  // toLowerCase keeps UTF-16 lengths for all but a few characters (İ); then offsets are not the text's.
  if (hay.length !== text.length) return [];
  const out: TextRange<M>[] = [];
  for (let at = hay.indexOf(q); at >= 0 && out.length < limit; at = hay.indexOf(q, at + q.length)) out.push({ start: at, end: at + q.length, mark });
  return out;
}
