// The only way Spyglass webviews build DOM: elements with text nodes and vetted attributes.
// Captured content (prompts, model output, attribute values) is untrusted, so nothing here
// parses HTML (no HTML-string sinks at all) and no event-handler attributes are set.

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  id?: string;
  class?: string;
  title?: string;
  role?: string;
  /** Other attributes; names are checked (no `on*`, no `style`, no `srcdoc`). */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  /** `data-*` attributes, keyed without the prefix. */
  data?: Record<string, string | number | undefined>;
}

const SAFE_ATTR = /^(?!on)[a-z][a-z0-9-]*$/;
const BLOCKED_ATTRS = new Set(['style', 'srcdoc', 'href', 'src', 'action', 'formaction', 'xlink:href']);

export function setAttr(el: Element, name: string, value: string | number | boolean | null | undefined): void {
  if (!SAFE_ATTR.test(name) || BLOCKED_ATTRS.has(name)) throw new Error(`attribute '${name}' is not allowed`);
  if (value === null || value === undefined || value === false) el.removeAttribute(name);
  else el.setAttribute(name, value === true ? '' : String(value));
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.id) el.id = props.id;
  if (props.class) el.className = props.class;
  if (props.title) el.title = props.title;
  if (props.role) el.setAttribute('role', props.role);
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) setAttr(el, k, v);
  if (props.data) {
    for (const [k, v] of Object.entries(props.data)) {
      if (v !== undefined) el.setAttribute(`data-${k.replace(/[^a-z0-9-]/gi, '')}`, String(v));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replaceChildren(el: Node, ...children: Child[]): void {
  clear(el);
  append(el, ...children);
}

/** A codicon glyph. */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  const safe = name.replace(/[^a-z0-9-]/g, '');
  return h('span', { class: `codicon codicon-${safe}${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

export function button(label: string, iconName: string | null, onClick: () => void, props: Props = {}): HTMLButtonElement {
  const b = h('button', { ...props, attrs: { type: 'button', ...props.attrs } }, iconName ? icon(iconName) : null, label ? h('span', {}, label) : null);
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Text that may be huge (a whole prompt): the first `limit` characters, with a button that
 * shows the rest, so a 5 MB attribute does not freeze the panel.
 */
export function longText(text: string, limit = 20_000, tag: 'pre' | 'div' = 'div', cls = ''): HTMLElement {
  const el = h(tag, { class: cls });
  if (text.length <= limit) {
    el.textContent = text;
    return el;
  }
  el.textContent = text.slice(0, limit);
  const more = button(`Show all ${text.length.toLocaleString('en-US')} characters`, 'unfold', () => {
    el.textContent = text;
  }, { class: 'show-more' });
  el.appendChild(more);
  return el;
}

/** A CSS class fragment from untrusted text (a role, a status): lowercase letters, digits, dashes. */
export function classToken(text: string, fallback = 'other'): string {
  const t = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32);
  return t || fallback;
}
