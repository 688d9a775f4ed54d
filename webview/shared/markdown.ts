// Markdown in captured text (a model's answer), rendered safely: markdown-it with raw HTML off
// parses it, DOMPurify turns the result into DOM nodes in an inert document (never assigned as
// HTML to a live element) and drops anything that is not plain formatting. Nothing loads from
// the network: an image becomes a labelled placeholder with its address, and a link loses its
// href, shows where it points and opens only through the host (which asks first).

import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { button, h, icon } from './dom';

export interface MarkdownHandlers {
  /** A link or an image's address was activated: the host confirms and opens it. */
  onOpenLink(url: string): void;
  /** A code block's copy button. */
  onCopy?(text: string, what: string): void;
}

/** Longer text is shown raw: parsing megabytes on a click would freeze the panel. */
export const MARKDOWN_LIMIT = 200_000;

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'pre', 'code', 'em', 'strong', 's', 'del',
  'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'sup', 'sub',
];
const ALLOWED_ATTR = ['href', 'src', 'alt', 'title', 'start', 'align'];
const SAFE_URL = /^(?:https?:|mailto:)/i;

let parser: InstanceType<typeof MarkdownIt> | null = null;
let purifier: ReturnType<typeof DOMPurify> | null = null;

function md(): InstanceType<typeof MarkdownIt> {
  // linkify: bare addresses in model output are links too. No typographer: quotes stay as typed.
  parser ??= new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
  return parser;
}

function purify(): ReturnType<typeof DOMPurify> {
  purifier ??= DOMPurify(window);
  return purifier;
}

/** The address a link or image points at, when it may be offered to open (http, https, mailto). */
export function openableUrl(raw: string | null): string | null {
  if (!raw) return null;
  const url = raw.trim();
  return SAFE_URL.test(url) ? url : null;
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol === 'mailto:' ? u.pathname : u.host;
  } catch {
    return url;
  }
}

/** Markdown text as a sanitized DOM subtree (a `div.markdown`). */
export function renderMarkdown(text: string, handlers: MarkdownHandlers, cls = ''): HTMLElement {
  const root = h('div', { class: `markdown${cls ? ` ${cls}` : ''}` });
  // One wrapping element: some DOM implementations drop the element a fragment starts with.
  const html = `<div>${md().render(text)}</div>`;
  const fragment = purify().sanitize(html, {
    ALLOWED_TAGS: [...ALLOWED_TAGS, 'div'],
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: SAFE_URL,
    RETURN_DOM_FRAGMENT: true,
  }) as DocumentFragment;
  const wrapper = fragment.querySelector('div');
  root.append(...[...(wrapper ?? fragment).childNodes].map((n) => document.importNode(n, true)));

  for (const img of [...root.querySelectorAll('img')]) {
    const url = openableUrl(img.getAttribute('src'));
    const alt = img.getAttribute('alt') ?? '';
    const holder = h('span', { class: 'md-image', title: url ?? 'image not shown' }, icon('file-media'), h('span', {}, alt ? `Image: ${alt}` : 'Image'));
    if (url) holder.appendChild(linkEl(url, hostOf(url)));
    img.replaceWith(holder);
  }
  for (const a of [...root.querySelectorAll('a')]) {
    const url = openableUrl(a.getAttribute('href'));
    a.removeAttribute('href');
    if (!url) {
      a.replaceWith(...a.childNodes);
      continue;
    }
    const link = linkEl(url, null, [...a.childNodes]);
    // The words of a link can say anything: where it goes is shown beside them.
    const shown = (a.textContent ?? '').trim();
    if (shown !== url && shown !== url.replace(/^mailto:/i, '')) link.appendChild(h('span', { class: 'md-link-host' }, ` (${hostOf(url)})`));
    a.replaceWith(link);
  }
  for (const pre of [...root.querySelectorAll('pre')]) {
    const code = pre.textContent ?? '';
    const wrap = h('div', { class: 'md-code' });
    pre.replaceWith(wrap);
    wrap.appendChild(pre);
    if (handlers.onCopy) wrap.appendChild(button('', 'copy', () => handlers.onCopy!(code, 'code'), { class: 'icon-button copy-button md-code-copy', title: 'Copy code' }));
  }
  root.addEventListener('click', (e) => {
    const link = (e.target as HTMLElement | null)?.closest<HTMLElement>('.md-link');
    if (!link || !root.contains(link)) return;
    e.preventDefault();
    handlers.onOpenLink(link.dataset.url ?? '');
  });
  root.addEventListener('keydown', (e) => {
    const link = (e.target as HTMLElement | null)?.closest<HTMLElement>('.md-link');
    if (!link || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    handlers.onOpenLink(link.dataset.url ?? '');
  });
  return root;
}

/** A link without an href: focusable, announced as a link, opened by the host on activation. */
function linkEl(url: string, label: string | null, children: Node[] = []): HTMLElement {
  const el = h('span', { class: 'md-link', role: 'link', title: `${url}\nOpens outside VS Code after you confirm`, data: { url }, attrs: { tabindex: 0 } });
  if (label !== null) el.append(' ', icon('link-external'), label);
  else el.append(...children);
  return el;
}

/** Whether a text has markdown worth rendering (so plain text is not wrapped in paragraphs for nothing). */
export function looksLikeMarkdown(text: string): boolean {
  return /(^|\n)\s{0,3}(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|```|~~~|\|.*\|)|\*\*[^*\n]+\*\*|__[^_\n]+__|`[^`\n]+`|\[[^\]\n]+\]\([^)\s]+\)|(^|\s)_[^_\n]+_(\s|$)|(^|\s)\*[^*\n]+\*(\s|$)|https?:\/\//.test(text);
}
