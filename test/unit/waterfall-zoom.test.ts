import { describe, expect, it } from 'vitest';
import {
  activity, barGeometry, centreOn, clampWindow, fullWindow, isFull, MIN_WINDOW_MS, minimapBox, panBy, tickStep, ticks, timeAt,
  wheelZoomFactor, windowAround, windowFromPixels, xOf, zoomAt,
} from '../../src/core/waterfall-zoom';

describe('waterfall zoom', () => {
  it('starts on the whole trace, and a zero-length trace still has a window', () => {
    expect(fullWindow(120_000)).toEqual({ start: 0, end: 120_000 });
    expect(fullWindow(0).end).toBeGreaterThan(0);
    expect(isFull(fullWindow(500), 500)).toBe(true);
    expect(isFull({ start: 1, end: 500 }, 500)).toBe(false);
  });

  it('keeps the window inside the trace and keeps its width when pushed past an end', () => {
    expect(clampWindow({ start: -50, end: 50 }, 1_000)).toEqual({ start: 0, end: 100 });
    expect(clampWindow({ start: 950, end: 1_100 }, 1_000)).toEqual({ start: 850, end: 1_000 });
    expect(clampWindow({ start: -10, end: 5_000 }, 1_000)).toEqual({ start: 0, end: 1_000 });
    expect(clampWindow({ start: 10, end: 10 }, 1_000).end - 10).toBeCloseTo(MIN_WINDOW_MS);
    expect(clampWindow({ start: Number.NaN, end: Number.POSITIVE_INFINITY }, 1_000)).toEqual({ start: 0, end: 1_000 });
  });

  it('zooms around the anchor: the time under the pointer stays under it', () => {
    const w = { start: 0, end: 1_000 };
    const z = zoomAt(w, 1_000, 0.25, 4);
    expect(z.end - z.start).toBeCloseTo(250);
    expect(timeAt(z, 0.25 * 800, 800)).toBeCloseTo(timeAt(w, 0.25 * 800, 800));
    // and back out again lands on the whole trace
    expect(zoomAt(z, 1_000, 0.25, 1 / 4)).toEqual(w);
    // out past the whole trace stops there
    expect(zoomAt(w, 1_000, 0.5, 0.1)).toEqual(w);
    // a bad factor changes nothing
    expect(zoomAt(w, 1_000, 0.5, Number.NaN)).toEqual(w);
  });

  it('zooms to a busy second of a two-minute trace, where a 12 ms span is wide', () => {
    const total = 120_000;
    const w = windowFromPixels(fullWindow(total), total, 400, 406, 1_000); // a 6 px drag
    expect(w.end - w.start).toBeCloseTo(720);
    const bar = barGeometry(w, w.start + 100, 12);
    expect(bar.width * 1_000).toBeGreaterThan(15); // was 0.1 px across the whole trace
  });

  it('selects a window from a drag in either direction', () => {
    const w = { start: 100, end: 200 };
    expect(windowFromPixels(w, 1_000, 500, 100, 1_000)).toEqual({ start: 110, end: 150 });
    expect(windowFromPixels(w, 1_000, 100, 500, 1_000)).toEqual({ start: 110, end: 150 });
  });

  it('pans and stops at the ends', () => {
    expect(panBy({ start: 100, end: 200 }, 1_000, 50)).toEqual({ start: 150, end: 250 });
    expect(panBy({ start: 100, end: 200 }, 1_000, -500)).toEqual({ start: 0, end: 100 });
    expect(panBy({ start: 100, end: 200 }, 1_000, 5_000)).toEqual({ start: 900, end: 1_000 });
  });

  it('places times and bars, clipping a bar that runs past the window', () => {
    const w = { start: 100, end: 200 };
    expect(xOf(w, 150, 400)).toBe(200);
    expect(timeAt(w, 200, 400)).toBe(150);
    const bar = barGeometry(w, 120, 10);
    expect(bar).toMatchObject({ visible: true, clippedStart: false, clippedEnd: false });
    expect(bar.left).toBeCloseTo(0.2);
    expect(bar.width).toBeCloseTo(0.1);
    const long = barGeometry(w, 0, 1_000_000);
    expect(long).toMatchObject({ left: -1, visible: true, clippedStart: true, clippedEnd: true });
    expect(long.left + long.width).toBe(2);
    expect(barGeometry(w, 300, 5).visible).toBe(false);
    expect(barGeometry(w, 10, 5).visible).toBe(false);
  });

  it('windows a span with a margin', () => {
    expect(windowAround(500, 100, 10_000)).toEqual({ start: 490, end: 610 });
    expect(windowAround(0, 0, 10_000).end).toBeGreaterThan(0);
  });

  it('chooses 1-2-5 tick steps and round, non-colliding ticks', () => {
    expect(tickStep(1_000, 10)).toBe(100);
    expect(tickStep(1_000, 4)).toBe(500);
    expect(tickStep(0.003, 3)).toBeCloseTo(0.001);
    expect(tickStep(7_200_000, 5)).toBe(2_000_000);
    const t = ticks({ start: 1_234.5, end: 1_987.25 }, 8);
    expect(t.length).toBeGreaterThan(2);
    expect(t.length).toBeLessThanOrEqual(9);
    for (const k of t) {
      expect(k.x).toBeGreaterThanOrEqual(0);
      expect(k.x).toBeLessThanOrEqual(1);
      expect(k.t % 100).toBeCloseTo(0);
    }
    // small steps print cleanly (no 0.30000000000000004)
    const fine = ticks({ start: 0.1, end: 0.9 }, 8);
    expect(fine.map((k) => k.t)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  });

  it('draws the window on the minimap and recentres on a click', () => {
    expect(minimapBox({ start: 250, end: 500 }, 1_000)).toEqual({ left: 0.25, width: 0.25 });
    // a very narrow window is still grabbable, and stays on the minimap
    const narrow = minimapBox({ start: 999.99, end: 1_000 }, 1_000);
    expect(narrow.width).toBe(0.01);
    expect(narrow.left + narrow.width).toBeLessThanOrEqual(1);
    expect(centreOn({ start: 0, end: 100 }, 1_000, 0.5)).toEqual({ start: 450, end: 550 });
    expect(centreOn({ start: 0, end: 100 }, 1_000, 1)).toEqual({ start: 900, end: 1_000 });
  });

  it('counts how busy each slice of the trace is, spans overlapping several slices in each', () => {
    const spans = [{ offsetMs: 0, durationMs: 1_000 }, { offsetMs: 100, durationMs: 50 }, { offsetMs: 990, durationMs: 10 }, { offsetMs: 2_000, durationMs: 5 }];
    const a = activity(spans, 1_000, 10);
    expect([...a]).toEqual([1, 2, 1, 1, 1, 1, 1, 1, 1, 3]);
    expect(activity([], 0, 4).length).toBe(4);
  });

  it('turns wheel notches and trackpad deltas into zoom factors', () => {
    expect(wheelZoomFactor(-100, 0)).toBeCloseTo(1.25);
    expect(wheelZoomFactor(100, 0)).toBeCloseTo(0.8);
    expect(wheelZoomFactor(-3, 1)).toBeCloseTo(1.25 ** 0.99);
    expect(wheelZoomFactor(-1e9, 0)).toBeCloseTo(1.25 ** 5);
  });
});
