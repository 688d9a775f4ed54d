// The virtualized waterfall: a fixed row height, a spacer as tall as all visible rows, and only
// the rows in the viewport (plus overscan) in the DOM, so a 10,000-span trace scrolls as fast
// as a 10-span one. Rows are rebuilt from the layout, never from HTML.

import { ancestorIndices, visibleRowIndices, visibleWindow, type WaterfallLayout } from '../../src/core/span-tree';
import { formatDuration, formatTokens, formatUsd } from '../../src/core/format';
import { h, icon } from '../shared/dom';
import { annotationMarks } from './annotations';
import { categoryClass, categoryIcon } from './categories';
import { isLlmCall, type OutlineSpan } from '../../src/protocol/outline';

export const ROW_HEIGHT = 24;
const OVERSCAN = 10;
const INDENT_PX = 14;
/** Deeper than this, rows stop moving right (the depth is still in aria-level and the tooltip). */
const MAX_INDENT_DEPTH = 24;

export interface WaterfallOptions {
  onSelect: (spanId: string) => void;
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

  constructor(private readonly options: WaterfallOptions) {
    this.axis = h('div', { class: 'waterfall-axis' });
    this.canvas = h('div', { class: 'waterfall-canvas' });
    this.scroller = h('div', { id: 'waterfall', role: 'tree', attrs: { tabindex: 0, 'aria-label': 'Spans' } }, this.canvas);
    this.element = h(
      'section',
      { id: 'waterfall-pane', class: 'waterfall-pane' },
      h('div', { class: 'waterfall-header' }, h('div', { class: 'col-name' }, 'Span'), h('div', { class: 'col-duration' }, 'Duration'), this.axis),
      this.scroller,
    );
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.scroller.addEventListener('click', (e) => this.onClick(e));
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.schedule()).observe(this.scroller);
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
    this.layout = layout;
    this.critical = critical;
    this.drawAxis();
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
    const { first, end } = visibleWindow(this.scroller.scrollTop, this.viewportHeight(), ROW_HEIGHT, this.visible.length, OVERSCAN);
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
    bar.style.left = `${row.startFraction * 100}%`;
    bar.style.width = `max(2px, ${row.widthFraction * 100}%)`;

    const el = h(
      'div',
      {
        class: classes.join(' '),
        role: 'treeitem',
        title: `${span.name}\n${formatDuration(row.durationMs)} at +${formatDuration(row.offsetMs)}${row.rootKind === 'orphan' ? '\n(parent span not received)' : ''}`,
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

  private drawAxis(): void {
    const layout = this.layout;
    this.axis.replaceChildren();
    if (!layout) return;
    for (const f of [0, 0.25, 0.5, 0.75, 1]) {
      const tick = h('span', { class: 'axis-tick' }, formatDuration(layout.totalMs * f));
      tick.style.left = `${f * 100}%`;
      if (f === 1) tick.classList.add('axis-tick-end');
      this.axis.appendChild(tick);
    }
  }

  private onClick(e: Event): void {
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

function rowMeta(span: OutlineSpan): HTMLElement | null {
  if (span.model === null) return null;
  const tokens = span.inputTokens !== null || span.outputTokens !== null ? `${formatTokens(span.inputTokens)}→${formatTokens(span.outputTokens)}` : null;
  const parts = [span.model, tokens, span.costUsd !== null ? formatUsd(span.costUsd, span.costEstimated) : null].filter((p): p is string => !!p);
  return parts.length > 0 ? h('span', { class: 'span-meta' }, parts.join(' · ')) : null;
}
