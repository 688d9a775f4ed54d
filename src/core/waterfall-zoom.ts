// The waterfall's time axis under zoom: which part of the trace is in view (a window in ms after
// the trace's start), where a time lands on screen, the ticks worth labelling, and the minimap's
// picture of the window. Pure: the webview feeds it pixels and times and draws what it returns.

/** The visible part of the trace, in ms after its start. `start < end` always. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** Narrowest window, in ms: below a microsecond the clock of most SDKs has no more to say. */
export const MIN_WINDOW_MS = 0.001;

/** The whole trace (a trace of zero length still gets a window one unit wide). */
export function fullWindow(totalMs: number): TimeWindow {
  return { start: 0, end: Math.max(totalMs, MIN_WINDOW_MS) };
}

export function isFull(w: TimeWindow, totalMs: number): boolean {
  const full = fullWindow(totalMs);
  const eps = (full.end - full.start) * 1e-9;
  return w.start <= full.start + eps && w.end >= full.end - eps;
}

/** Keeps a window inside the trace and no narrower than `MIN_WINDOW_MS`, keeping its width where it can. */
export function clampWindow(w: TimeWindow, totalMs: number): TimeWindow {
  const full = fullWindow(totalMs);
  const total = full.end;
  let width = Math.min(total, Math.max(MIN_WINDOW_MS, (Number.isFinite(w.end) ? w.end : total) - (Number.isFinite(w.start) ? w.start : 0)));
  if (!(width > 0)) width = total;
  let start = Number.isFinite(w.start) ? w.start : 0;
  if (start < 0) start = 0;
  if (start + width > total) start = total - width;
  return { start, end: start + width };
}

/**
 * Zooms by `factor` (> 1 in, < 1 out) around the time under `anchor` (0 = left edge of the
 * timeline, 1 = right edge), so what is under the pointer stays under it.
 */
export function zoomAt(w: TimeWindow, totalMs: number, anchor: number, factor: number): TimeWindow {
  if (!(factor > 0) || !Number.isFinite(factor)) return clampWindow(w, totalMs);
  const a = Math.min(1, Math.max(0, Number.isFinite(anchor) ? anchor : 0.5));
  const width = w.end - w.start;
  const pivot = w.start + a * width;
  const next = Math.max(MIN_WINDOW_MS, width / factor);
  return clampWindow({ start: pivot - a * next, end: pivot - a * next + next }, totalMs);
}

/** Moves the window by `deltaMs` (positive: later), stopping at either end of the trace. */
export function panBy(w: TimeWindow, totalMs: number, deltaMs: number): TimeWindow {
  const d = Number.isFinite(deltaMs) ? deltaMs : 0;
  return clampWindow({ start: w.start + d, end: w.end + d }, totalMs);
}

/** The window between two x positions (a drag across the timeline, either direction). */
export function windowFromPixels(w: TimeWindow, totalMs: number, x0: number, x1: number, widthPx: number): TimeWindow {
  const from = timeAt(w, Math.min(x0, x1), widthPx);
  const to = timeAt(w, Math.max(x0, x1), widthPx);
  return clampWindow({ start: from, end: Math.max(to, from + MIN_WINDOW_MS) }, totalMs);
}

/** A window around one span, with a margin either side so it does not touch the edges. */
export function windowAround(startMs: number, durationMs: number, totalMs: number, margin = 0.1): TimeWindow {
  const width = Math.max(MIN_WINDOW_MS, durationMs);
  const pad = width * margin;
  return clampWindow({ start: startMs - pad, end: startMs + width + pad }, totalMs);
}

/** The time (ms after the trace start) at x pixels from the timeline's left edge. */
export function timeAt(w: TimeWindow, x: number, widthPx: number): number {
  if (!(widthPx > 0)) return w.start;
  return w.start + (x / widthPx) * (w.end - w.start);
}

/** Pixels from the timeline's left edge where `t` (ms after the trace start) falls. */
export function xOf(w: TimeWindow, t: number, widthPx: number): number {
  return ((t - w.start) / (w.end - w.start)) * widthPx;
}

/**
 * A span's bar as fractions of the timeline's width: `left` may be below 0 and `left + width`
 * above 1 when the span runs past the window (the timeline clips it); `visible` is false when
 * it lies wholly outside. Fractions, not pixels, so a resize needs no recomputation.
 */
export interface BarGeometry {
  left: number;
  width: number;
  visible: boolean;
  /** The bar runs past the window's left / right edge. */
  clippedStart: boolean;
  clippedEnd: boolean;
}

export function barGeometry(w: TimeWindow, startMs: number, durationMs: number): BarGeometry {
  const span = w.end - w.start;
  const end = startMs + Math.max(0, durationMs);
  const visible = end >= w.start && startMs <= w.end;
  // Clipped to a little beyond the edges: a bar a million widths long is no use to the layout engine.
  const left = Math.max(-1, (startMs - w.start) / span);
  const right = Math.min(2, (end - w.start) / span);
  return { left, width: Math.max(0, right - left), visible, clippedStart: startMs < w.start, clippedEnd: end > w.end };
}

export interface Tick {
  /** ms after the trace start. */
  t: number;
  /** Fraction of the timeline's width (0 to 1). */
  x: number;
  /** ms after the window's start: what the label says when zoomed in (the offset is also shown). */
  label: number;
}

/** A 1-2-5 step (…, 0.5, 1, 2, 5, 10, …) giving at most `maxTicks` ticks across `widthMs`. */
export function tickStep(widthMs: number, maxTicks: number): number {
  const raw = widthMs / Math.max(1, maxTicks);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/**
 * Ticks at round times inside the window: at most `maxTicks` (the webview asks for one per
 * ~90 px), so labels do not collide. Times are absolute ms after the trace start, rounded to
 * the step so they print cleanly.
 */
export function ticks(w: TimeWindow, maxTicks: number): Tick[] {
  const width = w.end - w.start;
  const step = tickStep(width, maxTicks);
  const first = Math.ceil(w.start / step - 1e-9) * step;
  const out: Tick[] = [];
  for (let i = 0; i <= maxTicks + 1; i++) {
    // Multiplied from the first, not added up: no drift over many steps.
    const t = roundTo(first + i * step, step);
    if (t > w.end + step * 1e-9) break;
    out.push({ t, x: (t - w.start) / width, label: t });
  }
  return out;
}

function roundTo(value: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(12, digits)));
}

/** The window's box on the minimap, as fractions of the minimap's width (at least `minWidth` wide so it can be grabbed). */
export function minimapBox(w: TimeWindow, totalMs: number, minWidth = 0.01): { left: number; width: number } {
  const total = fullWindow(totalMs).end;
  const width = Math.max(minWidth, (w.end - w.start) / total);
  const left = Math.min(1 - width, Math.max(0, w.start / total));
  return { left, width };
}

/** The window of the same width centred on the minimap fraction `x` (a click on the minimap). */
export function centreOn(w: TimeWindow, totalMs: number, x: number): TimeWindow {
  const total = fullWindow(totalMs).end;
  const width = w.end - w.start;
  const centre = Math.min(1, Math.max(0, x)) * total;
  return clampWindow({ start: centre - width / 2, end: centre + width / 2 }, totalMs);
}

/**
 * How busy each of `bins` equal slices of the trace is: the number of spans running in it (a
 * span counts in every slice it overlaps). For the minimap's picture; O(spans + bins) with a
 * difference array, so 100,000 spans cost a few ms.
 */
export function activity(spans: ArrayLike<{ offsetMs: number; durationMs: number }>, totalMs: number, bins: number): Float64Array {
  const n = Math.max(1, Math.floor(bins));
  const total = fullWindow(totalMs).end;
  const diff = new Float64Array(n + 1);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const a = Math.min(n - 1, Math.max(0, Math.floor((s.offsetMs / total) * n)));
    const b = Math.min(n - 1, Math.max(a, Math.floor(((s.offsetMs + Math.max(0, s.durationMs)) / total) * n)));
    diff[a]! += 1;
    diff[b + 1]! -= 1;
  }
  const out = new Float64Array(n);
  let run = 0;
  for (let i = 0; i < n; i++) {
    run += diff[i]!;
    out[i] = run;
  }
  return out;
}

/** Wheel delta to a zoom factor: a notch (100 px) zooms by 1.25, smoothly for trackpads. */
export function wheelZoomFactor(deltaY: number, deltaMode: number): number {
  const px = deltaMode === 1 ? deltaY * 33 : deltaMode === 2 ? deltaY * 400 : deltaY;
  const clamped = Math.max(-500, Math.min(500, px));
  return 1.25 ** (-clamped / 100);
}
