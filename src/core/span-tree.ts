// Waterfall layout of one trace: the span tree built at read time from parentSpanId, so spans
// that arrived without their parent still show (as roots), plus the pure math the virtualized
// view needs. Works for any span shape with ids and start/end times (epoch ms).

export interface SpanLike {
  spanId: string;
  parentSpanId: string | null;
  startTime: number;
  endTime: number;
}

/** Why a row sits at depth 0. */
export type RootKind = 'root' | 'orphan' | 'cycle';

export interface WaterfallRow<T extends SpanLike> {
  span: T;
  /** Position in depth-first order (children by start time). */
  index: number;
  depth: number;
  /** Row index of the parent, -1 for a root. */
  parentIndex: number;
  rootKind: RootKind | null;
  childCount: number;
  /** Rows in this subtree, this one included: the next sibling is at index + subtreeSize. */
  subtreeSize: number;
  /** Start relative to the trace start. */
  offsetMs: number;
  durationMs: number;
  /** Bar position as fractions of the trace's total duration (0..1). */
  startFraction: number;
  widthFraction: number;
}

export interface WaterfallLayout<T extends SpanLike> {
  rows: WaterfallRow<T>[];
  traceStart: number;
  traceEnd: number;
  totalMs: number;
  maxDepth: number;
  /** spanId → row index. */
  indexById: Map<string, number>;
  /** Spans dropped because an earlier span had the same id. */
  duplicates: number;
}

function compareSpans(a: SpanLike, b: SpanLike): number {
  return a.startTime - b.startTime || a.endTime - b.endTime || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

export function buildWaterfall<T extends SpanLike>(spans: readonly T[]): WaterfallLayout<T> {
  const byId = new Map<string, T>();
  let duplicates = 0;
  for (const span of spans) {
    if (byId.has(span.spanId)) duplicates++;
    else byId.set(span.spanId, span);
  }
  const unique = [...byId.values()];

  let traceStart = Infinity;
  let traceEnd = -Infinity;
  for (const s of unique) {
    const start = finiteOr(s.startTime, Infinity);
    const end = Math.max(finiteOr(s.endTime, start), start);
    if (start < traceStart) traceStart = start;
    if (end > traceEnd) traceEnd = end;
  }
  if (!Number.isFinite(traceStart)) traceStart = traceEnd = 0;
  const totalMs = Math.max(0, traceEnd - traceStart);

  const children = new Map<string, T[]>();
  const roots: { span: T; kind: RootKind }[] = [];
  for (const s of unique) {
    const parent = s.parentSpanId;
    if (!parent) roots.push({ span: s, kind: 'root' });
    else if (parent === s.spanId || !byId.has(parent)) roots.push({ span: s, kind: 'orphan' });
    else {
      const list = children.get(parent);
      if (list) list.push(s);
      else children.set(parent, [s]);
    }
  }
  for (const list of children.values()) list.sort(compareSpans);
  // Real roots before orphans that start at the same instant.
  roots.sort((a, b) => compareSpans(a.span, b.span) || (a.kind === 'root' ? -1 : b.kind === 'root' ? 1 : 0));

  const rows: WaterfallRow<T>[] = [];
  const indexById = new Map<string, number>();
  let maxDepth = 0;

  const place = (root: T, kind: RootKind): void => {
    // Iterative depth-first walk: a chain of 10,000 nested spans must not blow the stack.
    const stack: { span: T; depth: number; parentIndex: number }[] = [{ span: root, depth: 0, parentIndex: -1 }];
    while (stack.length > 0) {
      const { span, depth, parentIndex } = stack.pop()!;
      if (indexById.has(span.spanId)) continue;
      const index = rows.length;
      const start = finiteOr(span.startTime, traceStart);
      const end = Math.max(finiteOr(span.endTime, start), start);
      const kids = children.get(span.spanId) ?? [];
      rows.push({
        span,
        index,
        depth,
        parentIndex,
        rootKind: parentIndex === -1 ? kind : null,
        childCount: 0,
        subtreeSize: 1,
        offsetMs: start - traceStart,
        durationMs: end - start,
        startFraction: totalMs > 0 ? (start - traceStart) / totalMs : 0,
        widthFraction: totalMs > 0 ? (end - start) / totalMs : 1,
      });
      indexById.set(span.spanId, index);
      if (depth > maxDepth) maxDepth = depth;
      for (let i = kids.length - 1; i >= 0; i--) {
        if (!indexById.has(kids[i].spanId)) stack.push({ span: kids[i], depth: depth + 1, parentIndex: index });
      }
    }
  };

  for (const r of roots) place(r.span, r.kind);

  // Spans whose parent chain loops back on itself are reachable from no root: break each
  // cycle at its earliest span.
  if (indexById.size < unique.length) {
    const left = unique.filter((s) => !indexById.has(s.spanId)).sort(compareSpans);
    for (const s of left) if (!indexById.has(s.spanId)) place(s, 'cycle');
  }

  // Subtree sizes and child counts, children before parents (they come later in DFS order).
  for (let i = rows.length - 1; i >= 0; i--) {
    const p = rows[i].parentIndex;
    if (p >= 0) {
      rows[p].subtreeSize += rows[i].subtreeSize;
      rows[p].childCount++;
    }
  }

  return { rows, traceStart, traceEnd, totalMs, maxDepth, indexById, duplicates };
}

/** Indices of the rows shown when the subtrees under `collapsed` span ids are folded. */
export function visibleRowIndices<T extends SpanLike>(layout: WaterfallLayout<T>, collapsed: ReadonlySet<string>): number[] {
  const out: number[] = [];
  const rows = layout.rows;
  let i = 0;
  while (i < rows.length) {
    out.push(i);
    i += collapsed.has(rows[i].span.spanId) ? rows[i].subtreeSize : 1;
  }
  return out;
}

/** Ancestors of a row, nearest first: the ones to unfold to bring it into view. */
export function ancestorIndices<T extends SpanLike>(layout: WaterfallLayout<T>, index: number): number[] {
  const out: number[] = [];
  let p = layout.rows[index]?.parentIndex ?? -1;
  while (p >= 0) {
    out.push(p);
    p = layout.rows[p].parentIndex;
  }
  return out;
}

export interface RowWindow {
  /** First row to render (inclusive). */
  first: number;
  /** Last row to render (exclusive). */
  end: number;
}

/** Which rows of a fixed-row-height list a viewport shows, with `overscan` extra rows each side. */
export function visibleWindow(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan = 8): RowWindow {
  if (total <= 0 || rowHeight <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const end = Math.min(total, Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight) + overscan);
  return { first: Math.min(first, total), end: Math.max(end, Math.min(first, total)) };
}

/**
 * The critical path under a row (as Jaeger draws it): walking back from the row's end, the
 * child that finished last before the cursor is on the path, then the cursor moves to that
 * child's start. Returns span ids.
 */
export function criticalPath<T extends SpanLike>(layout: WaterfallLayout<T>, rootIndex = 0): Set<string> {
  const path = new Set<string>();
  const rows = layout.rows;
  if (!rows[rootIndex]) return path;
  const childIndices = (index: number): number[] => {
    const out: number[] = [];
    const row = rows[index];
    let c = index + 1;
    while (c < index + row.subtreeSize) {
      out.push(c);
      c += rows[c].subtreeSize;
    }
    return out;
  };
  const stack = [rootIndex];
  while (stack.length > 0) {
    const index = stack.pop()!;
    const row = rows[index];
    path.add(row.span.spanId);
    const end = (i: number) => rows[i].offsetMs + rows[i].durationMs;
    const kids = childIndices(index).sort((a, b) => end(b) - end(a));
    let cursor = row.offsetMs + row.durationMs;
    for (const k of kids) {
      if (rows[k].offsetMs >= cursor) continue; // starts after what is already on the path
      stack.push(k);
      cursor = rows[k].offsetMs;
      if (cursor <= row.offsetMs) break;
    }
  }
  return path;
}
