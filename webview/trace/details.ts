// The selected span: facts, error, "go to source", its annotations, the user's feedback and
// the LLM conversation when it is a call, then attributes, events, resource and links. While
// its detail is on its way, the facts the outline has are shown.

import type { WaterfallRow } from '../../src/core/span-tree';
import { formatAttributeValue, formatClock, formatDuration } from '../../src/core/format';
import type { SpanDto } from '../../src/protocol/api';
import { button, h, icon, longText } from '../shared/dom';
import { renderAnnotationList, kindCount } from './annotations';
import { categoryIcon, SPAN_KIND_NAMES } from './categories';
import { copyButton, keyValueTable, renderConversation, renderLlmSummary, valueBlock, type Reading } from './conversation';
import { renderCallActions, type CallActionHandlers } from './call-actions';
import { toolIo } from '../../src/core/tool-io';
import type { OutlineSpan } from './outline';

export interface DetailsHandlers {
  onOpenSource: (path: string, line: number | null) => void;
  onSelect: (spanId: string) => void;
  onDeleteAnnotation: (annotationId: string) => void;
  onOpenJson: (spanId: string) => void;
  /** The feedback control for an LLM call (the view keeps its state across renders). */
  feedback: (span: SpanDto) => HTMLElement | null;
  /** Replay, compare, copy as code: run by the host. */
  callActions?: CallActionHandlers;
  /** Copy, links and the raw/rendered choice per message. */
  reading: Reading;
  /** Actions other features add to the span's action bar (replay, compare, …), after the built-in ones. */
  actions?: (span: SpanDto) => HTMLElement[];
}

/** What the header and facts need: the outline has it before the detail arrives. */
type SpanFacts = Pick<OutlineSpan, 'spanId' | 'parentSpanId' | 'name' | 'category' | 'status' | 'durationMs' | 'startTime'> & { service: string | null };

function renderHeader(span: SpanFacts, row: WaterfallRow<OutlineSpan> | undefined, parentName: string | null, handlers: Pick<DetailsHandlers, 'onSelect'>): HTMLElement[] {
  const isError = span.status === 'error';
  const header = h(
    'div',
    { class: 'details-header' },
    icon(categoryIcon(span.category), 'span-icon'),
    h('h2', { class: 'details-title' }, span.name || '(unnamed)'),
    span.status !== 'unset' ? h('span', { class: `chip status status-${isError ? 'error' : 'ok'}` }, span.status) : null,
    h('span', { class: 'chip category' }, span.category),
  );
  const facts = h('dl', { class: 'span-facts' });
  const fact = (label: string, value: string | HTMLElement) => facts.append(h('dt', {}, label), h('dd', {}, value));
  fact('Duration', formatDuration(span.durationMs));
  fact('Start', `${formatClock(span.startTime)}${row ? `  (+${formatDuration(row.offsetMs)})` : ''}`);
  fact('Span ID', span.spanId);
  if (span.parentSpanId) {
    if (parentName !== null) {
      const link = button(parentName || span.parentSpanId, 'arrow-up', () => handlers.onSelect(span.parentSpanId!), { class: 'link-button parent-link' });
      fact('Parent', link);
    } else fact('Parent', `${span.parentSpanId} (not received)`);
  }
  if (span.service) fact('Service', span.service);
  return [header, facts];
}

/** The outline's facts and a loading line, until the span's detail arrives (or fails). */
export function renderSpanPlaceholder(span: OutlineSpan, row: WaterfallRow<OutlineSpan> | undefined, parentName: string | null, handlers: Pick<DetailsHandlers, 'onSelect'>, error: string | null): HTMLElement {
  const root = h('div', { class: `span-details loading${span.status === 'error' ? ' error' : ''}`, data: { 'span-id': span.spanId }, attrs: { 'aria-busy': error ? null : 'true' } });
  root.append(...renderHeader(span, row, parentName, handlers));
  root.appendChild(
    error
      ? h('div', { class: 'banner banner-error detail-error', role: 'alert' }, icon('error'), h('span', {}, `Cannot load this span: ${error}`))
      : h('div', { class: 'detail-loading' }, icon('loading', 'codicon-modifier-spin'), h('span', {}, 'Loading span details…')),
  );
  return root;
}

/** `code.filepath` / `code.lineno` (and the newer `code.file.path` / `code.line.number`). */
export function sourceLocation(span: SpanDto): { path: string; line: number | null } | null {
  const a = span.attributes ?? {};
  const path = a['code.file.path'] ?? a['code.filepath'];
  if (typeof path !== 'string' || path.length === 0) return null;
  const rawLine = a['code.line.number'] ?? a['code.lineno'];
  const line = typeof rawLine === 'number' ? rawLine : typeof rawLine === 'string' && /^\d+$/.test(rawLine) ? Number(rawLine) : null;
  return { path, line };
}

export function renderSpanDetails(span: SpanDto, row: WaterfallRow<OutlineSpan> | undefined, parentName: string | null, handlers: DetailsHandlers): HTMLElement {
  const isError = span.status === 'error';
  const root = h('div', { class: `span-details${isError ? ' error' : ''}`, data: { 'span-id': span.spanId } });
  const [header, facts] = renderHeader({ ...span, service: span.serviceName }, row, parentName, handlers);
  const { reading } = handlers;
  header.append(
    h('span', { class: 'spacer' }),
    h('div', { class: 'span-actions', id: 'span-actions', role: 'toolbar', attrs: { 'aria-label': 'Span actions' } },
      copyButton('span as JSON', () => JSON.stringify(span, null, 2), reading, 'copy-span-json'),
      button('', 'json', () => handlers.onOpenJson(span.spanId), { class: 'icon-button', id: 'open-span-json', title: 'Open this span as JSON in an editor' }),
      ...(handlers.actions?.(span) ?? [])),
  );
  root.appendChild(header);
  facts.append(h('dt', {}, 'Kind'), h('dd', {}, SPAN_KIND_NAMES[span.kind] ?? String(span.kind)));
  if (span.scopeName) facts.append(h('dt', {}, 'Scope'), h('dd', {}, span.scopeName));
  root.appendChild(facts);

  if (isError) root.appendChild(renderError(span));

  const source = sourceLocation(span);
  if (source) {
    root.appendChild(
      button(`Go to ${source.path}${source.line ? `:${source.line}` : ''}`, 'go-to-file', () => handlers.onOpenSource(source.path, source.line), {
        class: 'source-button',
        id: 'go-to-source',
      }),
    );
  }

  if (span.llm && handlers.callActions) root.appendChild(renderCallActions(span.spanId, span.llm, handlers.callActions));

  const feedback = handlers.feedback(span);
  if (feedback) root.appendChild(feedback);

  const annotations = span.annotations ?? [];
  if (annotations.length > 0) {
    const counts = new Map<string, number>();
    for (const a of annotations) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
    const summary = [...counts].map(([k, n]) => kindCount(k, n)).join(', ');
    root.appendChild(
      h(
        'details',
        { class: 'section annotations-section', id: 'annotations', attrs: { open: true } },
        h('summary', {}, `Annotations (${summary})`),
        renderAnnotationList(annotations, span.llm?.revision ?? null, { onDelete: (a) => handlers.onDeleteAnnotation(a.id) }),
      ),
    );
  }

  if (span.llm) {
    root.appendChild(renderLlmSummary(span.llm, reading));
    root.appendChild(renderConversation(span.llm, span.annotations ?? [], reading, span.spanId));
  } else {
    const tool = renderToolCall(span, reading);
    if (tool) root.appendChild(tool);
  }

  const attrs = Object.entries(span.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  root.appendChild(
    h('details', { class: 'section', attrs: { open: !span.llm } }, h('summary', {}, `Attributes (${attrs.length})`), keyValueTable(attrs, 'attributes', reading)),
  );

  const events = span.events ?? [];
  if (events.length > 0) {
    const list = h('ol', { id: 'events', class: 'events' });
    for (const ev of events) {
      const evAttrs = Object.entries(ev.attributes ?? {});
      list.appendChild(
        h(
          'li',
          { class: `event${ev.name === 'exception' ? ' event-exception' : ''}` },
          h('div', { class: 'event-header' }, h('span', { class: 'event-time' }, `+${formatDuration(ev.timeUs / 1000 - span.startTime)}`), h('span', { class: 'event-name' }, ev.name)),
          evAttrs.length > 0 ? keyValueTable(evAttrs, undefined, reading) : null,
        ),
      );
    }
    root.appendChild(h('details', { class: 'section', attrs: { open: true } }, h('summary', {}, `Events (${events.length})`), list));
  }

  const resource = Object.entries(span.resource ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (resource.length > 0) {
    root.appendChild(h('details', { class: 'section' }, h('summary', {}, `Resource (${resource.length})`), keyValueTable(resource, 'resource', reading)));
  }

  const links = span.links ?? [];
  if (links.length > 0) {
    const list = h('ul', { class: 'links' });
    for (const l of links) list.appendChild(h('li', {}, `${l.traceId} / ${l.spanId}`, Object.keys(l.attributes ?? {}).length > 0 ? keyValueTable(Object.entries(l.attributes), undefined, reading) : null));
    root.appendChild(h('details', { class: 'section' }, h('summary', {}, `Links (${links.length})`), list));
  }
  return root;
}

/** A tool span's arguments and result, from whichever convention carries them, as formatted blocks. */
function renderToolCall(span: SpanDto, reading: Reading): HTMLElement | null {
  const io = toolIo(span.attributes ?? {}, span.events ?? [], span.category === 'tool');
  if (!io) return null;
  const block = (title: string, iconName: string, id: string, v: NonNullable<typeof io.arguments>) => h(
    'div',
    { class: `tool-io-block ${id}`, id },
    h('div', { class: 'tool-call-header' }, icon(iconName), h('span', {}, title), h('span', { class: 'tool-io-source', title: 'Captured from' }, v.source),
      h('span', { class: 'spacer' }), copyButton(title.toLowerCase(), () => (typeof v.value === 'string' ? v.value : JSON.stringify(v.value, null, 2)), reading)),
    valueBlock(v.value, id === 'tool-io-arguments' ? 'tool-arguments' : 'tool-response'),
  );
  return h(
    'section',
    { class: 'tool-io', id: 'tool-io' },
    h('h3', { class: 'conversation-heading' }, icon('tools'), h('span', {}, io.name ? `Tool ${io.name}` : 'Tool call'), io.callId ? h('span', { class: 'tool-call-id' }, io.callId) : null),
    io.arguments ? block('Arguments', 'symbol-parameter', 'tool-io-arguments', io.arguments) : h('div', { class: 'empty' }, 'No arguments captured.'),
    io.result ? block('Result', 'output', 'tool-io-result', io.result) : h('div', { class: 'empty' }, span.status === 'error' ? 'No result: the tool failed.' : 'No result captured.'),
  );
}

function renderError(span: SpanDto): HTMLElement {
  const box = h('div', { class: 'error-box', role: 'alert' }, h('div', { class: 'error-title' }, icon('error'), h('span', {}, span.statusMessage || 'The span ended with an error.')));
  for (const ev of span.events ?? []) {
    if (ev.name !== 'exception') continue;
    const a = ev.attributes ?? {};
    const type = a['exception.type'];
    const message = a['exception.message'];
    const stack = a['exception.stacktrace'];
    if (type !== undefined || message !== undefined) {
      box.appendChild(h('div', { class: 'exception' }, [type, message].filter((x) => x !== undefined).map(formatAttributeValue).join(': ')));
    }
    if (typeof stack === 'string') box.appendChild(longText(stack, 20_000, 'pre', 'stacktrace'));
  }
  return box;
}
