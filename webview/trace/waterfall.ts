// The virtualized waterfall: a fixed row height, a spacer as tall as all visible rows, and only
// the rows in the viewport (plus overscan) in the DOM, so a 10,000-span trace scrolls as fast
// as a 10-span one. Rows are rebuilt from the layout, never from HTML.

import { ancestorIndices, visibleRowIndices, visibleWindow, type WaterfallLayout } from '../../src/core/span-tree';
import { formatDuration, formatTokens, formatUsd } from '../../src/core/format';
import {
  activity, barGeometry, centreOn, fullWindow, isFull, minimapBox, panBy, ticks, wheelZoomFactor, windowAround, windowFromPixels, zoomAt, type TimeWindow,
} from '../../src/core/waterfall-zoom';
import { button, h, icon } from '../shared/dom';
import { readThemeColors } from '../shared/theme';
import { splitter } from './splitter';
import { annotationMarks } from './annotations';
import { categoryClass, categoryIcon } from './categories';
import { isLlmCall, type OutlineSpan } from '../../src/protocol/outline';

export const ROW_HEIGHT = 24;
const OVERSCAN = 10;
const INDENT_PX = 14;
/** Deeper than this, rows stop moving right (the depth is still in aria-level and the tooltip). */
const MAX_INDENT_DEPTH = 24;

/** Pixels a pointer must move before a press on the timeline is a range drag, not a click. */
const DRAG_THRESHOLD_PX = 4;
/** Ticks get at least this much room each. */
const TICK_SPACING_PX = 90;
const MINIMAP_HEIGHT = 22;

export interface WaterfallOptions {
  onSelect: (spanId: string) => void;
  /** The span-name column's width changed (drag ended): null is the default. */
  onNameWidth?: (px: number | null) => void;
  /** The name column's width to start with. */
  namePx?: number | null;
}

export class Waterfall {
  readonly element: HTMLElement;
  readonly scroller: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly axis: HTMLElement;
  private layout: WaterfallLayout<OutlineSpan> | null = null;
  private visible: number[] = [];
  private collapsed = new Set<string>();
  private critical = new Set<string>();
  private matches = new Set<string>();
  private selectedId: string | null = null;
  private readonly rendered = new Map<number, HTMLElement>();
  private frame = 0;
  /** The part of the trace in view, ms after its start. */
  private view: TimeWindow = fullWindow(0);
  private viewDirty = false;
  private readonly minimap: HTMLCanvasElement;
  private readonly minimapBox: HTMLElement;
  private readonly zoomLabel: HTMLElement;
  private readonly selection: HTMLElement;
  private minimapDrawn = '';
  private press: { x0: number; dragging: boolean; pointerId: number } | null = null;
  private swallowClick = false;
  private namePx: number | null;

  constructor(private readonly options: WaterfallOptions) {
    this.namePx = options.namePx ?? null;
    this.axis = h('div', { class: 'waterfall-axis', attrs: { 'aria-hidden': 'true' } });
    this.canvas = h('div', { class: 'waterfall-canvas' });
    this.scroller = h('div', {
      id: 'waterfall', role: 'tree',
      attrs: { tabindex: 0, 'aria-label': 'Spans. Plus and minus zoom the time axis, 0 resets it, Z zooms to the selected span, Shift with the arrow keys pans' },
    }, this.canvas);
    this.minimap = h('canvas', { class: 'minimap-canvas', attrs: { 'aria-hidden': 'true' } });
    this.minimapBox = h('div', { class: 'minimap-window' });
    this.zoomLabel = h('span', { class: 'zoom-label', id: 'zoom-label', attrs: { 'aria-live': 'polite' } });
    this.selection = h('div', { class: 'zoom-selection', attrs: { hidden: true } });
    const minimapTrack = h('div', { class: 'minimap', id: 'minimap', title: 'The whole trace: drag the window to pan, click to centre it, drag elsewhere to choose a range' }, this.minimap, this.minimapBox);
    const nameSplitter = splitter({
      id: 'name-splitter',
      label: 'Span name column width',
      current: () => this.nameColumn().getBoundingClientRect().width,
      min: () => 120,
      max: () => Math.max(160, this.element.getBoundingClientRect().width - 160),
      onResize: (px) => this.setNameWidth(px),
      onCommit: (px) => this.options.onNameWidth?.(px),
    });
    this.element = h(
      'section',
      { id: 'waterfall-pane', class: 'waterfall-pane' },
      h('div', { class: 'zoom-bar' },
        minimapTrack,
        this.zoomLabel,
        button('', 'zoom-out', () => this.zoomBy(1 / 1.5), { class: 'icon-button', id: 'zoom-out', title: 'Zoom out (-)' }),
        button('', 'zoom-in', () => this.zoomBy(1.5), { class: 'icon-button', id: 'zoom-in', title: 'Zoom in (+, or Ctrl/Cmd + wheel over the timeline)' }),
        button('', 'screen-normal', () => this.resetZoom(), { class: 'icon-button', id: 'zoom-reset', title: 'Show the whole trace (0)' })),
      h('div', { class: 'waterfall-header' }, h('div', { class: 'col-name' }, 'Span', nameSplitter), h('div', { class: 'col-duration' }, 'Duration'), this.axis),
      this.scroller,
      this.selection,
    );
    this.setNameWidth(this.namePx);
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.scroller.addEventListener('click', (e) => this.onClick(e), true);
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.scroller.addEventListener('dblclick', (e) => this.onDoubleClick(e));
    this.element.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.scroller.addEventListener('pointerdown', (e) => this.onPressTimeline(e));
    this.axis.addEventListener('pointerdown', (e) => this.onPressTimeline(e));
    this.element.addEventListener('pointermove', (e) => this.onDragTimeline(e));
    this.element.addEventListener('pointerup', (e) => this.onReleaseTimeline(e));
    this.element.addEventListener('pointercancel', () => this.cancelPress());
    this.bindMinimap(minimapTrack);
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver(() => {
        this.viewDirty = true;
        this.minimapDrawn = '';
        this.schedule();
      }).observe(this.scroller);
    }
  }

  // ---- zoom ----

  /** The visible time window (ms after the trace start). */
  get timeWindow(): TimeWindow {
    return this.view;
  }

  private get totalMs(): number {
    return this.layout?.totalMs ?? 0;
  }

  setTimeWindow(w: TimeWindow): void {
    this.view = zoomAt(w, this.totalMs, 0.5, 1);
    this.viewDirty = true;
    this.schedule();
  }

  zoomBy(factor: number, anchor = 0.5): void {
    this.setTimeWindow(zoomAt(this.view, this.totalMs, anchor, factor));
  }

  resetZoom(): void {
    this.setTimeWindow(fullWindow(this.totalMs));
  }

  /** Zooms to a span, with a margin. */
  zoomToSpan(spanId: string): void {
    const i = this.layout?.indexById.get(spanId);
    if (i === undefined || !this.layout) return;
    const row = this.layout.rows[i];
    this.setTimeWindow(windowAround(row.offsetMs, row.durationMs, this.totalMs));
  }

  private nameColumn(): HTMLElement {
    return this.element.querySelector<HTMLElement>('.waterfall-header .col-name')!;
  }

  setNameWidth(px: number | null): void {
    this.namePx = px;
    // Through CSSOM (allowed under the panel's CSP, which forbids style attributes in markup).
    if (px === null) this.element.style.removeProperty('--name-col');
    else this.element.style.setProperty('--name-col', `${px}px`);
    this.viewDirty = true;
    this.schedule();
  }

  /** The timeline column's left edge and width on screen (the axis sits in it). */
  private timelineBox(): { left: number; width: number } {
    const r = this.axis.getBoundingClientRect();
    return { left: r.left, width: r.width };
  }

  private onWheel(e: WheelEvent): void {
    if (!this.layout) return;
    const box = this.timelineBox();
    if (box.width <= 0) return;
    if (e.ctrlKey || e.metaKey || e.altKey) {
      e.preventDefault();
      this.zoomBy(wheelZoomFactor(e.deltaY, e.deltaMode), (e.clientX - box.left) / box.width);
      return;
    }
    // Sideways (a trackpad, or Shift with a wheel) pans the zoomed axis; up and down scroll rows.
    const sideways = e.shiftKey ? e.deltaY : Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : 0;
    if (sideways !== 0 && !isFull(this.view, this.totalMs)) {
      e.preventDefault();
      this.setTimeWindow(panBy(this.view, this.totalMs, (sideways / box.width) * (this.view.end - this.view.start)));
    }
  }

  private onPressTimeline(e: PointerEvent): void {
    if (e.button !== 0 || !this.layout) return;
    const target = e.target as HTMLElement | null;
    if (!target?.closest('.span-timeline, .waterfall-axis')) return;
    this.press = { x0: e.clientX, dragging: false, pointerId: e.pointerId };
  }

  private onDragTimeline(e: PointerEvent): void {
    const p = this.press;
    if (!p || e.pointerId !== p.pointerId) return;
    if (!p.dragging && Math.abs(e.clientX - p.x0) < DRAG_THRESHOLD_PX) return;
    if (!p.dragging) {
      p.dragging = true;
      this.element.setPointerCapture?.(e.pointerId);
    }
    const box = this.timelineBox();
    const paneLeft = this.element.getBoundingClientRect().left;
    const a = Math.min(Math.max(p.x0, box.left), box.left + box.width);
    const b = Math.min(Math.max(e.clientX, box.left), box.left + box.width);
    this.selection.hidden = false;
    this.selection.style.left = `${Math.min(a, b) - paneLeft}px`;
    this.selection.style.width = `${Math.abs(b - a)}px`;
  }

  private onReleaseTimeline(e: PointerEvent): void {
    const p = this.press;
    if (!p || e.pointerId !== p.pointerId) return;
    this.cancelPress();
    if (!p.dragging) return;
    // The click that ends a drag is not a row selection.
    this.swallowClick = true;
    setTimeout(() => (this.swallowClick = false), 0);
    const box = this.timelineBox();
    this.setTimeWindow(windowFromPixels(this.view, this.totalMs, p.x0 - box.left, e.clientX - box.left, box.width));
    this.revealWindow();
  }

  /** Scrolls to the first row that starts inside the window, unless one is in view already. */
  private revealWindow(): void {
    const layout = this.layout;
    if (!layout) return;
    const inWindow = (pos: number) => {
      const row = layout.rows[this.visible[pos]!]!;
      return row.offsetMs >= this.view.start && row.offsetMs <= this.view.end;
    };
    const { first, end } = visibleWindow(this.scroller.scrollTop, this.viewportHeight(), ROW_HEIGHT, this.visible.length, 0);
    for (let pos = first; pos < end; pos++) if (inWindow(pos)) return;
    for (let pos = 0; pos < this.visible.length; pos++) {
      if (inWindow(pos)) {
        this.scroller.scrollTop = Math.max(0, (pos - 2) * ROW_HEIGHT);
        return;
      }
    }
  }

  private cancelPress(): void {
    this.press = null;
    this.selection.hidden = true;
  }

  private onDoubleClick(e: MouseEvent): void {
    const target = e.target as HTMLElement | null;
    const spanId = target?.closest('.span-timeline') ? target.closest<HTMLElement>('.span-row')?.dataset.spanId : undefined;
    if (spanId) this.zoomToSpan(spanId);
  }

  private bindMinimap(track: HTMLElement): void {
    let drag: { x0: number; start: TimeWindow; width: number } | null = null;
    track.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || !this.layout) return;
      e.preventDefault();
      const r = track.getBoundingClientRect();
      const x = (e.clientX - r.left) / r.width;
      const box = minimapBox(this.view, this.totalMs);
      // Outside the window box: centre the window there first, then drag it from there.
      if (x < box.left || x > box.left + box.width) this.setTimeWindow(centreOn(this.view, this.totalMs, x));
      drag = { x0: e.clientX, start: this.view, width: r.width };
      track.setPointerCapture?.(e.pointerId);
    });
    track.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const total = fullWindow(this.totalMs).end;
      this.setTimeWindow(panBy(drag.start, this.totalMs, ((e.clientX - drag.x0) / drag.width) * total));
    });
    const end = () => (drag = null);
    track.addEventListener('pointerup', end);
    track.addEventListener('pointercancel', end);
  }

  /**
   * Bars of the rows in the DOM, the axis, the minimap's window: what a zoom or pan changes.
   * `box`: the sizes render() read before writing anything (a read after a write lays the page
   * out again, and the first paint of a large trace paid for several).
   */
  private applyView(box: { axisWidth: number; minimapWidth: number }): void {
    this.viewDirty = false;
    const layout = this.layout;
    for (const el of this.rendered.values()) {
      const index = Number(el.dataset.index);
      const row = layout?.rows[index];
      const bar = el.querySelector<HTMLElement>('.span-bar');
      if (row && bar) placeBar(bar, this.view, row.offsetMs, row.durationMs);
    }
    this.drawAxis(box.axisWidth);
    const mini = minimapBox(this.view, this.totalMs);
    this.minimapBox.style.left = `${mini.left * 100}%`;
    this.minimapBox.style.width = `${mini.width * 100}%`;
    const zoomed = !isFull(this.view, this.totalMs);
    this.element.classList.toggle('zoomed', zoomed);
    // The window in ms, for tests and tools that read the panel (not for styling).
    this.element.dataset.windowStart = String(this.view.start);
    this.element.dataset.windowEnd = String(this.view.end);
    this.zoomLabel.textContent = zoomed ? `${formatDuration(this.view.start)} – ${formatDuration(this.view.end)}` : '';
    this.drawMinimap(box.minimapWidth);
  }

  /** The whole trace's activity, drawn once per layout and size (not on every zoom). */
  private drawMinimap(cssWidth: number): void {
    const layout = this.layout;
    const width = Math.max(1, Math.floor(cssWidth || 300));
    const key = `${layout?.rows.length ?? 0}:${layout?.totalMs ?? 0}:${width}`;
    if (key === this.minimapDrawn) return;
    this.minimapDrawn = key;
    const ratio = window.devicePixelRatio || 1;
    this.minimap.width = Math.floor(width * ratio);
    this.minimap.height = Math.floor(MINIMAP_HEIGHT * ratio);
    const ctx = this.minimap.getContext?.('2d');
    if (!ctx || !layout || layout.rows.length === 0) return;
    const bins = activity(layout.rows, layout.totalMs, width);
    let peak = 0;
    for (const v of bins) peak = Math.max(peak, v);
    const colors = readThemeColors();
    ctx.clearRect(0, 0, this.minimap.width, this.minimap.height);
    ctx.fillStyle = colors.series[0]!;
    ctx.globalAlpha = 0.7;
    const hgt = this.minimap.height;
    for (let i = 0; i < bins.length; i++) {
      if (bins[i] === 0) continue;
      // Square root: one busy burst should not flatten the rest of the trace to nothing.
      const y = Math.max(1, Math.round(Math.sqrt(bins[i]! / peak) * hgt));
      ctx.fillRect(Math.floor(i * ratio), hgt - y, Math.ceil(ratio), y);
    }
  }

  get selected(): string | null {
    return this.selectedId;
  }

  /** Rows currently in the DOM (for tests and the e2e helper: it stays small). */
  get renderedRowCount(): number {
    return this.rendered.size;
  }

  setLayout(layout: WaterfallLayout<OutlineSpan>, critical: Set<string>): void {
    // Folds survive a reload of the same trace; ids that vanished are dropped.
    this.collapsed = new Set([...this.collapsed].filter((id) => layout.indexById.has(id)));
    const wasFull = !this.layout || isFull(this.view, this.layout.totalMs);
    this.layout = layout;
    this.critical = critical;
    // A zoomed view stays where it is when spans arrive; the whole trace grows with the trace.
    this.view = wasFull ? fullWindow(layout.totalMs) : zoomAt(this.view, layout.totalMs, 0.5, 1);
    this.viewDirty = true;
    this.minimapDrawn = '';
    this.refreshVisible();
  }

  /** Marks the critical path (worked out after the first paint: it is not needed to see rows). */
  setCritical(ids: Set<string>): void {
    this.critical = ids;
    this.restyle();
  }

  /** Highlights search hits. */
  setMatches(ids: ReadonlySet<string>): void {
    this.matches = new Set(ids);
    this.restyle();
  }

  select(spanId: string | null, reveal = true): void {
    this.selectedId = spanId;
    const layout = this.layout;
    if (spanId && layout && reveal) {
      const index = layout.indexById.get(spanId);
      if (index !== undefined) {
        let unfolded = false;
        for (const a of ancestorIndices(layout, index)) {
          unfolded = this.collapsed.delete(layout.rows[a].span.spanId) || unfolded;
        }
        if (unfolded) this.refreshVisible();
        this.scrollToPosition(this.visible.indexOf(index));
      }
    }
    // Rows already in the DOM only change classes: rebuilding them on every arrow key would
    // cost a full layout of the window.
    this.restyle();
    this.schedule();
  }

  private restyle(): void {
    this.exposeActive();
    for (const el of this.rendered.values()) {
      const id = el.dataset.spanId ?? '';
      const selected = id === this.selectedId;
      el.classList.toggle('selected', selected);
      el.setAttribute('aria-selected', selected ? 'true' : 'false');
      el.classList.toggle('match', this.matches.has(id));
      el.classList.toggle('critical', this.critical.has(id));
    }
  }

  toggle(spanId: string): void {
    if (this.collapsed.has(spanId)) this.collapsed.delete(spanId);
    else this.collapsed.add(spanId);
    this.refreshVisible();
  }

  setAllCollapsed(collapsed: boolean): void {
    this.collapsed = new Set();
    if (collapsed && this.layout) {
      for (const row of this.layout.rows) if (row.childCount > 0 && row.depth > 0) this.collapsed.add(row.span.spanId);
    }
    this.refreshVisible();
  }

  /** Renders synchronously (tests; the first paint). */
  renderNow(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
  }

  private refreshVisible(): void {
    this.visible = this.layout ? visibleRowIndices(this.layout, this.collapsed) : [];
    this.canvas.style.height = `${this.visible.length * ROW_HEIGHT}px`;
    this.invalidate();
  }

  private invalidate(): void {
    for (const el of this.rendered.values()) el.remove();
    this.rendered.clear();
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private viewportHeight(): number {
    return this.scroller.clientHeight || window.innerHeight || 600;
  }

  private render(): void {
    const layout = this.layout;
    if (!layout) return;
    // Every size first, then the writes: one layout, not one per read.
    const scrollTop = this.scroller.scrollTop;
    const viewport = this.viewportHeight();
    if (this.viewDirty) this.applyView({ axisWidth: this.axis.clientWidth, minimapWidth: this.minimap.clientWidth });
    const { first, end } = visibleWindow(scrollTop, viewport, ROW_HEIGHT, this.visible.length, OVERSCAN);
    for (const [pos, el] of this.rendered) {
      if (pos < first || pos >= end) {
        el.remove();
        this.rendered.delete(pos);
      }
    }
    for (let pos = first; pos < end; pos++) {
      if (this.rendered.has(pos)) continue;
      const el = this.buildRow(layout, this.visible[pos], pos);
      this.canvas.appendChild(el);
      this.rendered.set(pos, el);
    }
    this.exposeActive();
  }

  /** The selected row for screen readers: focus stays on the tree, the active row is named. */
  private exposeActive(): void {
    const id = this.selectedId ? rowId(this.selectedId) : null;
    if (id && this.canvas.ownerDocument.getElementById(id)?.parentElement === this.canvas) this.scroller.setAttribute('aria-activedescendant', id);
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  private buildRow(layout: WaterfallLayout<OutlineSpan>, index: number, pos: number): HTMLElement {
    const row = layout.rows[index];
    const span = row.span;
    const hasKids = row.childCount > 0;
    const isCollapsed = this.collapsed.has(span.spanId);
    const isError = span.status === 'error';
    const classes = ['span-row', categoryClass(span.category)];
    if (isError) classes.push('error');
    if (span.spanId === this.selectedId) classes.push('selected');
    if (this.critical.has(span.spanId)) classes.push('critical');
    if (this.matches.has(span.spanId)) classes.push('match');
    if (row.rootKind === 'orphan' || row.rootKind === 'cycle') classes.push('orphan');
    if (isLlmCall(span)) classes.push('llm-call');

    const twisty = hasKids
      ? icon(isCollapsed ? 'chevron-right' : 'chevron-down', 'twisty')
      : h('span', { class: 'twisty-spacer' });
    const label = h(
      'div',
      { class: 'col-name span-label' },
      twisty,
      icon(isError ? 'error' : categoryIcon(span.category), 'span-icon'),
      h('span', { class: 'span-name' }, span.name || '(unnamed)'),
      annotationMarks(span.annotationCounts),
      rowMeta(span),
    );
    label.style.paddingLeft = `${Math.min(row.depth, MAX_INDENT_DEPTH) * INDENT_PX + 4}px`;

    const bar = h('div', { class: 'span-bar' });
    placeBar(bar, this.view, row.offsetMs, row.durationMs);

    const el = h(
      'div',
      {
        class: classes.join(' '),
        role: 'treeitem',
        title: `${span.name}\n${formatDuration(row.durationMs)} at +${formatDuration(row.offsetMs)}${row.rootKind === 'orphan' ? '\n(parent span not received)' : ''}`,
        id: rowId(span.spanId),
        data: { 'span-id': span.spanId, index, depth: row.depth },
        attrs: {
          'aria-level': row.depth + 1,
          'aria-selected': span.spanId === this.selectedId ? 'true' : 'false',
          'aria-expanded': hasKids ? (isCollapsed ? 'false' : 'true') : null,
        },
      },
      label,
      h('div', { class: 'col-duration span-duration' }, formatDuration(row.durationMs)),
      h('div', { class: 'span-timeline' }, bar),
    );
    el.style.transform = `translateY(${pos * ROW_HEIGHT}px)`;
    return el;
  }

  private drawAxis(cssWidth: number): void {
    const layout = this.layout;
    this.axis.replaceChildren();
    if (!layout) return;
    const width = cssWidth || 400;
    const span = this.view.end - this.view.start;
    // Zoomed in, times far into a long trace print alike ("17m 34s" twice): ticks then count from
    // the window's start, which the zoom label gives.
    const zoomed = !isFull(this.view, this.totalMs);
    const list = zoomed ? ticks({ start: 0, end: span }, Math.max(2, Math.floor(width / TICK_SPACING_PX))) : ticks(this.view, Math.max(2, Math.floor(width / TICK_SPACING_PX)));
    for (const t of list) {
      const tick = h('span', { class: 'axis-tick' }, zoomed ? `+${formatDuration(t.t)}` : formatDuration(t.t));
      tick.style.left = `${t.x * 100}%`;
      if (t.x > 0.97) tick.classList.add('axis-tick-end');
      else if (t.x < 0.03) tick.classList.add('axis-tick-start');
      this.axis.appendChild(tick);
    }
  }

  private onClick(e: Event): void {
    if (this.swallowClick) {
      this.swallowClick = false;
      e.stopPropagation();
      return;
    }
    const target = e.target as HTMLElement | null;
    const rowEl = target?.closest<HTMLElement>('.span-row');
    const spanId = rowEl?.dataset.spanId;
    if (!spanId) return;
    if (target?.classList.contains('twisty')) {
      this.toggle(spanId);
      return;
    }
    this.options.onSelect(spanId);
  }

  private onKey(e: KeyboardEvent): void {
    const layout = this.layout;
    if (!layout || this.visible.length === 0) return;
    const current = this.selectedId ? layout.indexById.get(this.selectedId) : undefined;
    const pos = current === undefined ? -1 : this.visible.indexOf(current);
    const row = current === undefined ? undefined : layout.rows[current];
    const go = (p: number) => {
      const clamped = Math.max(0, Math.min(this.visible.length - 1, p));
      this.options.onSelect(layout.rows[this.visible[clamped]].span.spanId);
    };
    const page = Math.max(1, Math.floor(this.viewportHeight() / ROW_HEIGHT) - 1);
    const width = this.view.end - this.view.start;
    if (e.shiftKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
      this.setTimeWindow(panBy(this.view, this.totalMs, (e.key === 'ArrowLeft' ? -0.2 : 0.2) * width));
      e.preventDefault();
      return;
    }
    if (!e.ctrlKey && !e.metaKey && !e.altKey) {
      const zoomKey = e.key === '+' || e.key === '=' ? 1.5 : e.key === '-' || e.key === '_' ? 1 / 1.5 : 0;
      if (zoomKey) {
        this.zoomBy(zoomKey);
        e.preventDefault();
        return;
      }
      if (e.key === '0') {
        this.resetZoom();
        e.preventDefault();
        return;
      }
      if ((e.key === 'z' || e.key === 'Z') && this.selectedId) {
        this.zoomToSpan(this.selectedId);
        e.preventDefault();
        return;
      }
    }
    switch (e.key) {
      case 'ArrowDown': go(pos + 1); break;
      case 'ArrowUp': go(pos - 1); break;
      case 'PageDown': go(pos + page); break;
      case 'PageUp': go(pos - page); break;
      case 'Home': go(0); break;
      case 'End': go(this.visible.length - 1); break;
      case 'ArrowRight':
        if (row && row.childCount > 0 && this.collapsed.has(row.span.spanId)) this.toggle(row.span.spanId);
        else if (row && row.childCount > 0) go(pos + 1);
        break;
      case 'ArrowLeft':
        if (row && row.childCount > 0 && !this.collapsed.has(row.span.spanId)) this.toggle(row.span.spanId);
        else if (row && row.parentIndex >= 0) this.options.onSelect(layout.rows[row.parentIndex].span.spanId);
        break;
      case 'Enter':
      case ' ':
        if (row && row.childCount > 0) this.toggle(row.span.spanId);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  private scrollToPosition(pos: number): void {
    if (pos < 0) return;
    const top = pos * ROW_HEIGHT;
    const vh = this.viewportHeight();
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > this.scroller.scrollTop + vh) this.scroller.scrollTop = top + ROW_HEIGHT - vh;
  }
}

/** The DOM id of a span's row (span ids are hex or word characters; escaped anyway). */
function rowId(spanId: string): string {
  return `span-row-${spanId.replace(/[^0-9A-Za-z_-]/g, '_')}`;
}

function placeBar(bar: HTMLElement, view: TimeWindow, offsetMs: number, durationMs: number): void {
  const g = barGeometry(view, offsetMs, durationMs);
  bar.hidden = !g.visible;
  bar.style.left = `${g.left * 100}%`;
  bar.style.width = `max(2px, ${g.width * 100}%)`;
  bar.classList.toggle('clipped-start', g.clippedStart);
  bar.classList.toggle('clipped-end', g.clippedEnd);
}

function rowMeta(span: OutlineSpan): HTMLElement | null {
  if (span.model === null) return null;
  const tokens = span.inputTokens !== null || span.outputTokens !== null ? `${formatTokens(span.inputTokens)}→${formatTokens(span.outputTokens)}` : null;
  const parts = [span.model, tokens, span.costUsd !== null ? formatUsd(span.costUsd, span.costEstimated) : null].filter((p): p is string => !!p);
  return parts.length > 0 ? h('span', { class: 'span-meta' }, parts.join(' · ')) : null;
}
