// A JSON value as a foldable tree: objects and arrays are <details> (open to `openDepth`), with a
// one-line preview when folded; leaves are typed text. Captured JSON is untrusted: keys and
// strings are text nodes. Past a node budget the rest is shown as pretty-printed text, so a
// megabyte of tool output does not become a million elements.

import { formatJson } from '../../src/core/format';
import { h, longText } from './dom';

export interface JsonViewOptions {
  /** Levels open at first (0: all folded). */
  openDepth?: number;
  /** Elements to build at most; the rest is shown as text. */
  budget?: number;
}

const PREVIEW_CHARS = 80;

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? '';
  } catch {
    text = String(value);
  }
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

function leaf(value: unknown): HTMLElement {
  if (typeof value === 'string') return h('span', { class: 'json-string' }, JSON.stringify(value));
  if (typeof value === 'number') return h('span', { class: 'json-number' }, String(value));
  if (typeof value === 'boolean') return h('span', { class: 'json-boolean' }, String(value));
  if (value === null || value === undefined) return h('span', { class: 'json-null' }, 'null');
  return h('span', {}, String(value));
}

export function jsonView(value: unknown, options: JsonViewOptions = {}): HTMLElement {
  const openDepth = options.openDepth ?? 2;
  let budget = options.budget ?? 2_000;
  const build = (v: unknown, depth: number, key: string | null): HTMLElement => {
    budget--;
    const label = key !== null ? h('span', { class: 'json-key' }, `${key}: `) : null;
    if (typeof v !== 'object' || v === null) return h('div', { class: 'json-row' }, label, leaf(v));
    const isArray = Array.isArray(v);
    const entries: [string, unknown][] = isArray ? (v as unknown[]).map((x, i) => [String(i), x]) : Object.entries(v as Record<string, unknown>);
    const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return h('div', { class: 'json-row' }, label, h('span', { class: 'json-punct' }, `${open}${close}`));
    if (budget <= 0) return h('div', { class: 'json-row' }, label, longText(formatJson(v), 20_000, 'pre', 'json json-rest'));
    const count = `${entries.length} ${isArray ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'}`;
    const summary = h('summary', { class: 'json-summary' }, label, h('span', { class: 'json-punct' }, open), h('span', { class: 'json-preview' }, ` ${preview(v)} `), h('span', { class: 'json-count' }, count));
    const body = h('div', { class: 'json-children' });
    for (const [k, x] of entries) {
      if (budget <= 0) {
        body.appendChild(h('div', { class: 'json-row json-more' }, `… ${entries.length - body.childElementCount} more (copy the value to see all)`));
        break;
      }
      body.appendChild(build(x, depth + 1, isArray ? null : k));
    }
    return h('details', { class: 'json-node', attrs: { open: depth < openDepth } }, summary, body, h('div', { class: 'json-punct json-close' }, close));
  };
  return h('div', { class: 'json-view' }, build(value, 0, null));
}
