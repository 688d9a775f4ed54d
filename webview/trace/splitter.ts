// A draggable splitter (role "separator"): pointer drag, arrow keys (Shift: larger steps), Home
// and End, double-click to go back to the default. It reports sizes while dragging (`onResize`)
// and once when the user lets go (`onCommit`), which is when a size is worth saving.

import { h } from '../shared/dom';

export interface SplitterOptions {
  id: string;
  label: string;
  /** The size now, in px (the element it sizes, measured). */
  current(): number;
  min(): number;
  max(): number;
  /** Null: back to the layout's default. */
  onResize(px: number | null): void;
  onCommit(px: number | null): void;
}

export function splitter(o: SplitterOptions): HTMLElement {
  const el = h('div', {
    id: o.id,
    class: 'splitter',
    role: 'separator',
    title: `${o.label}: drag, or use the arrow keys; double-click for the default`,
    attrs: { tabindex: 0, 'aria-orientation': 'vertical', 'aria-label': o.label },
  });
  const clamp = (px: number) => Math.round(Math.min(o.max(), Math.max(o.min(), px)));
  const announce = (px: number | null) => {
    const now = px ?? o.current();
    el.setAttribute('aria-valuenow', String(Math.round(now)));
    el.setAttribute('aria-valuemin', String(Math.round(o.min())));
    el.setAttribute('aria-valuemax', String(Math.round(o.max())));
  };
  let drag: { x0: number; size0: number; last: number } | null = null;
  el.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    drag = { x0: e.clientX, size0: o.current(), last: o.current() };
    el.setPointerCapture?.(e.pointerId);
    el.classList.add('dragging');
  });
  el.addEventListener('pointermove', (e) => {
    if (!drag) return;
    drag.last = clamp(drag.size0 + e.clientX - drag.x0);
    o.onResize(drag.last);
    announce(drag.last);
  });
  const end = () => {
    if (!drag) return;
    const px = drag.last;
    drag = null;
    el.classList.remove('dragging');
    o.onCommit(px);
  };
  el.addEventListener('pointerup', end);
  el.addEventListener('pointercancel', end);
  el.addEventListener('dblclick', () => {
    o.onResize(null);
    o.onCommit(null);
    announce(null);
  });
  el.addEventListener('keydown', (e) => {
    const step = e.shiftKey ? 80 : 16;
    let px: number | null;
    switch (e.key) {
      case 'ArrowLeft': px = clamp(o.current() - step); break;
      case 'ArrowRight': px = clamp(o.current() + step); break;
      case 'Home': px = clamp(o.min()); break;
      case 'End': px = clamp(o.max()); break;
      default: return;
    }
    e.preventDefault();
    o.onResize(px);
    o.onCommit(px);
    announce(px);
  });
  el.addEventListener('focus', () => announce(null));
  return el;
}
