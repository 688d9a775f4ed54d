// An LLM call as a conversation: model and usage at the top, then system instructions, the
// input messages and the output messages with their parts. Every captured string is set as
// text; a model's output is untrusted input.

import type { ChatMessage, MessagePart } from '../../src/core/model';
import { formatAttributeValue, formatDuration, formatInteger, formatJson, formatUsd } from '../../src/core/format';
import type { AnnotationDto, LlmCallDto } from '../../src/protocol/api';
import { textRuns } from '../../src/core/text-runs';
import { readJsonish } from '../../src/core/tool-io';
import { button, classToken, h, icon, longText } from '../shared/dom';
import { jsonView } from '../shared/json-view';
import { looksLikeMarkdown, MARKDOWN_LIMIT, renderMarkdown } from '../shared/markdown';
import { annotationIcon } from './annotations';
import { partText } from '../../src/core/guardrails/text';

/**
 * What reading a call needs from the view: copying through the host, opening a link through the
 * host, and which messages the reader switched to raw text (kept across re-renders by key).
 */
export interface Reading {
  copy(text: string, what: string): void;
  openLink(url: string): void;
  isRaw(key: string): boolean;
  setRaw(key: string, raw: boolean): void;
}

/** Reading with nothing behind it: copy and links do nothing, text renders as markdown. */
export const PLAIN_READING: Reading = { copy: () => undefined, openLink: () => undefined, isRaw: () => false, setRaw: () => undefined };

/** A copy button; `text` is computed on click (a whole span's JSON is not built until asked for). */
export function copyButton(what: string, text: () => string, reading: Reading, id?: string): HTMLButtonElement {
  return button('', 'copy', () => reading.copy(text(), what), { class: 'icon-button copy-button', title: `Copy ${what}`, id, attrs: { 'aria-label': `Copy ${what}` } });
}

const ROLE_ICONS: Record<string, string> = {
  system: 'settings-gear',
  developer: 'settings-gear',
  user: 'account',
  assistant: 'sparkle',
  model: 'sparkle',
  tool: 'tools',
  function: 'tools',
};

const IMAGE_MIME = /^image\/(png|jpe?g|gif|webp)$/;
const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}$/;

function metric(key: string, label: string, value: string, extra?: HTMLElement | null): HTMLElement {
  return h('div', { class: 'metric', data: { metric: key } }, h('div', { class: 'metric-label' }, label), h('div', { class: 'metric-value' }, value, extra ?? null));
}

export function renderLlmSummary(llm: LlmCallDto, reading: Reading = PLAIN_READING): HTMLElement {
  const model = llm.responseModel ?? llm.requestModel ?? 'unknown model';
  const requested = llm.requestModel && llm.responseModel && llm.requestModel !== llm.responseModel ? ` (requested ${llm.requestModel})` : '';
  const header = h(
    'div',
    { class: 'llm-model' },
    icon('sparkle'),
    h('span', { class: 'llm-model-name' }, model + requested),
    llm.provider ? h('span', { class: 'chip llm-provider' }, llm.provider) : null,
    h('span', { class: 'chip llm-operation' }, llm.operation),
    h('span', { class: 'chip llm-convention', title: 'Captured from' }, llm.convention),
  );
  const estimated = llm.costEstimated ? h('span', { class: 'estimated', title: 'Tokens counted locally or price guessed' }, 'estimated') : null;
  const metrics = h(
    'div',
    { class: 'llm-metrics' },
    metric('input-tokens', 'Input tokens', formatInteger(llm.inputTokens)),
    metric('cached-tokens', 'Cached input', formatInteger(llm.cachedInputTokens)),
    llm.cacheWriteTokens ? metric('cache-write-tokens', 'Cache write', formatInteger(llm.cacheWriteTokens)) : null,
    metric('output-tokens', 'Output tokens', formatInteger(llm.outputTokens)),
    metric('reasoning-tokens', 'Reasoning', formatInteger(llm.reasoningTokens)),
    metric('cost', 'Cost', formatUsd(llm.costUsd), estimated),
    metric('ttft', 'Time to first token', formatDuration(llm.ttftMs)),
    metric('finish-reasons', 'Finish', llm.finishReasons.length > 0 ? llm.finishReasons.join(', ') : '—'),
  );
  const params = Object.entries(llm.params ?? {});
  return h(
    'section',
    { id: 'llm-summary', class: 'llm-summary' },
    header,
    metrics,
    llm.errorType ? h('div', { class: 'llm-error' }, icon('error'), h('span', {}, `Error: ${llm.errorType}`)) : null,
    llm.httpStatus ? h('div', { class: 'llm-http' }, `HTTP ${llm.httpStatus}`) : null,
    params.length > 0
      ? h('details', { class: 'section llm-params' }, h('summary', {}, `Parameters (${params.length})`), keyValueTable(params, 'llm-params-table', reading))
      : null,
    llm.toolDefinitions.length > 0
      ? h('details', { class: 'section llm-tools' }, h('summary', {}, `Tool definitions (${llm.toolDefinitions.length})`), longText(formatJson(llm.toolDefinitions), 50_000, 'pre', 'json'))
      : null,
    llm.promptName ? h('div', { class: 'llm-prompt' }, icon('file-code'), h('span', {}, `Prompt ${llm.promptName}${llm.promptVersion ? ` v${llm.promptVersion}` : ''}`)) : null,
  );
}

/**
 * Annotations that point inside the call (a guardrail hit on an e-mail address, an evaluation of
 * one message), placed where they point: character ranges are marked in the text, a whole part
 * or message gets a mark at its start.
 */
export class CallAnnotations {
  private readonly located: AnnotationDto[];

  constructor(annotations: readonly AnnotationDto[]) {
    this.located = annotations.filter((a) => a.location !== null);
  }

  /** On one part: `messageIndex` is null for the system instructions (their parts are counted). */
  forPart(side: 'system' | 'input' | 'output', messageIndex: number | null, partIndex: number): AnnotationDto[] {
    return this.located.filter((a) => {
      const l = a.location!;
      if (l.side !== side) return false;
      if (side !== 'system' && l.messageIndex !== messageIndex) return false;
      return l.partIndex === partIndex;
    });
  }

  /** On a whole message (no part given). */
  forMessage(side: 'input' | 'output', messageIndex: number): AnnotationDto[] {
    return this.located.filter((a) => a.location!.side === side && a.location!.messageIndex === messageIndex && a.location!.partIndex === undefined);
  }
}

const NO_ANNOTATIONS = new CallAnnotations([]);

function annotationTitle(a: AnnotationDto): string {
  // A guardrail hit: its rule, category and severity, then why.
  const severity = typeof a.attributes?.severity === 'string' ? a.attributes.severity : null;
  if (a.kind === 'guardrail') {
    const facts = [a.label, severity].filter((x) => x).join(', ');
    return `${a.name}${facts ? ` (${facts})` : ''}${a.explanation ? `: ${a.explanation}` : ''}`;
  }
  return [a.name, a.label, a.explanation].filter((x) => x !== null && x !== '').join(': ');
}

const hasRange = (a: AnnotationDto) => a.location?.start !== undefined && a.location?.end !== undefined && a.location.end > a.location.start;

function annotationBadges(list: readonly AnnotationDto[]): HTMLElement | null {
  if (list.length === 0) return null;
  return h('span', { class: 'inline-annotations' }, ...list.map((a) => h('span', { class: `inline-annotation kind-${classToken(a.kind)}`, title: annotationTitle(a), attrs: { role: 'note', 'aria-label': `${a.kind}: ${annotationTitle(a)}` } }, icon(annotationIcon(a.kind)))));
}

/**
 * Text as a sequence of runs: unmarked text nodes and a <mark> per run that annotations cover
 * (UTF-16 ranges; overlapping ones split the text so each run lists all that cover it). Other
 * features add their own marks the same way: a range, and the run carries it.
 */
export function markedText(text: string, annotations: readonly AnnotationDto[], cls: string): HTMLElement {
  const ranges = annotations
    .filter((a) => a.location?.start !== undefined && a.location?.end !== undefined)
    .map((a) => ({ start: a.location!.start!, end: a.location!.end!, mark: a }));
  const wholes = annotations.filter((a) => a.location?.start === undefined || a.location?.end === undefined);
  if (ranges.length === 0 || text.length > 200_000) {
    const el = longText(text, 50_000, 'div', cls);
    const badges = annotationBadges(annotations);
    if (badges) el.prepend(badges);
    return el;
  }
  const el = h('div', { class: cls }, annotationBadges(wholes));
  for (const run of textRuns(text.length, ranges)) {
    const piece = text.slice(run.start, run.end);
    if (run.marks.length === 0) {
      el.append(piece);
      continue;
    }
    const top = run.marks[0]!;
    const severity = typeof top.attributes?.severity === 'string' ? ` severity-${classToken(top.attributes.severity)}` : '';
    el.append(h('mark', {
      class: `annotated kind-${classToken(top.kind)}${severity}${run.marks.length > 1 ? ' overlap' : ''}`,
      title: run.marks.map(annotationTitle).join('\n'),
      data: { 'annotation-id': top.id, 'annotation-ids': run.marks.map((m) => m.id).join(' '), start: run.start, end: run.end },
    }, piece));
  }
  return el;
}

/** Text parts of a message, as one string (what "copy message" copies). */
function messageText(message: ChatMessage): string {
  const parts = Array.isArray(message.parts) ? message.parts : [];
  return parts.map((part) => {
    const p = part as unknown as Record<string, unknown>;
    if (part.type === 'text' || part.type === 'reasoning') return str(p.content);
    if (part.type === 'tool_call') return `${str(p.name)}(${formatJson(p.arguments)})`;
    if (part.type === 'tool_call_response') return formatJson(p.response);
    if (part.type === 'uri') return str(p.uri);
    return formatJson(part);
  }).join('\n\n');
}

export function renderConversation(llm: LlmCallDto, annotations: readonly AnnotationDto[] = [], reading: Reading = PLAIN_READING, key = ''): HTMLElement {
  const located = new CallAnnotations(annotations);
  const opts = (side: string, i: number | null): MessageOptions => ({ reading, key: `${key}:${side}:${i ?? 0}` });
  const root = h('section', { id: 'conversation', class: 'conversation' });
  if (llm.systemInstructions.length > 0) {
    root.appendChild(h('h3', { class: 'conversation-heading' }, 'System instructions'));
    root.appendChild(renderMessage({ role: 'system', parts: llm.systemInstructions }, 'system', null, located, opts('system', null)));
  }
  root.appendChild(h('h3', { class: 'conversation-heading' }, `Input (${llm.inputMessages.length})`));
  const input = h('div', { class: 'messages messages-input' });
  llm.inputMessages.forEach((m, i) => input.appendChild(renderMessage(m, 'input', i, located, opts('input', i))));
  if (llm.inputMessages.length === 0) input.appendChild(h('div', { class: 'empty' }, 'No input messages captured.'));
  root.appendChild(input);
  root.appendChild(h('h3', { class: 'conversation-heading' }, `Output (${llm.outputMessages.length})`));
  const output = h('div', { class: 'messages messages-output' });
  llm.outputMessages.forEach((m, i) => output.appendChild(renderMessage(m, 'output', i, located, opts('output', i))));
  if (llm.outputMessages.length === 0) output.appendChild(h('div', { class: 'empty' }, 'No output captured.'));
  root.appendChild(output);
  return root;
}

export interface MessageOptions {
  reading: Reading;
  /** Identifies the message across re-renders (its raw/rendered choice). */
  key: string;
}

export function renderMessage(message: ChatMessage, direction: 'system' | 'input' | 'output', index: number | null = null, located: CallAnnotations = NO_ANNOTATIONS, options: MessageOptions = { reading: PLAIN_READING, key: '' }): HTMLElement {
  const { reading, key } = options;
  const role = typeof message.role === 'string' ? message.role : 'unknown';
  const parts = Array.isArray(message.parts) ? message.parts : [];
  const texts = parts.filter((p) => p.type === 'text').map((p) => str((p as unknown as Record<string, unknown>).content));
  // Markdown is worth a toggle only where some text has it; raw is what was captured.
  const markdownish = texts.some((t) => t.length <= MARKDOWN_LIMIT && looksLikeMarkdown(t));
  const raw = reading.isRaw(key);
  const body = h('div', { class: 'message-parts' });
  const fill = (asRaw: boolean) => {
    body.replaceChildren();
    parts.forEach((part, p) => body.appendChild(renderPart(part, located.forPart(direction, index, p), { reading, markdown: markdownish && !asRaw })));
  };
  const toggle = markdownish
    ? button('', raw ? 'markdown' : 'code', () => {
      const next = !reading.isRaw(key);
      reading.setRaw(key, next);
      fill(next);
      toggle!.replaceChildren(icon(next ? 'markdown' : 'code'));
      toggle!.title = next ? 'Show rendered markdown' : 'Show raw text';
      toggle!.setAttribute('aria-pressed', String(next));
    }, { class: 'icon-button markdown-toggle', title: raw ? 'Show rendered markdown' : 'Show raw text', attrs: { 'aria-pressed': String(raw) } })
    : null;
  const header = h(
    'div',
    { class: 'message-header' },
    icon(ROLE_ICONS[role.toLowerCase()] ?? 'comment'),
    h('span', { class: 'message-role' }, role),
    message.name ? h('span', { class: 'message-name' }, message.name) : null,
    message.finish_reason ? h('span', { class: 'chip finish-reason' }, message.finish_reason) : null,
    direction !== 'system' && index !== null ? annotationBadges(located.forMessage(direction, index)) : null,
    h('span', { class: 'spacer' }),
    toggle,
    copyButton(`${role} message`, () => messageText(message), reading),
  );
  fill(raw);
  return h('div', { class: `message role-${classToken(role)} message-${direction}`, data: { key } }, header, body);
}

/**
 * A tool call or result with hits inside it: shown as the text the ranges count in (the value as
 * it came when a string, else its compact JSON), so each hit is marked where it is.
 */
function toolPartMarked(part: MessagePart, p: Record<string, unknown>, annotations: readonly AnnotationDto[]): HTMLElement {
  const call = part.type === 'tool_call';
  return h(
    'div',
    { class: `part ${call ? 'part-tool-call' : 'part-tool-result'}` },
    h('div', { class: 'tool-call-header' }, icon(call ? 'tools' : 'output'), h('span', call ? { class: 'tool-name' } : {}, call ? str(p.name) || '(unnamed tool)' : 'Tool result'), p.id ? h('span', { class: 'tool-call-id' }, str(p.id)) : null),
    markedText(partText(part) ?? '', annotations, `json ${call ? 'tool-arguments' : 'tool-response'} marked-text`),
  );
}

export interface PartOptions {
  reading: Reading;
  /** Text parts as rendered markdown (else raw text). */
  markdown: boolean;
}

/** A value that may be JSON (tool arguments, results): a foldable tree when it is, text when not. */
export function valueBlock(value: unknown, cls: string): HTMLElement {
  const { value: v, json } = readJsonish(value);
  if (json) return h('div', { class: `value-block ${cls}` }, jsonView(v));
  return longText(typeof v === 'string' ? v : formatJson(v), 50_000, 'pre', `json ${cls}`);
}

export function renderPart(part: MessagePart, annotations: readonly AnnotationDto[] = [], options: PartOptions = { reading: PLAIN_READING, markdown: false }): HTMLElement {
  const p = part as unknown as Record<string, unknown>;
  const { reading } = options;
  switch (part.type) {
    case 'text': {
      const text = str(p.content);
      // Ranges point into the captured text: they are shown on it, not on the rendered markdown.
      const ranged = annotations.some((a) => a.location?.start !== undefined);
      if (options.markdown && !ranged && text.length <= MARKDOWN_LIMIT && looksLikeMarkdown(text)) {
        const el = renderMarkdown(text, { onOpenLink: (url) => reading.openLink(url), onCopy: (t, what) => reading.copy(t, what) }, 'part part-text part-markdown');
        const badges = annotationBadges(annotations);
        if (badges) el.prepend(badges);
        return el;
      }
      return markedText(text, annotations, 'part part-text');
    }
    case 'reasoning': {
      const text = str(p.content);
      return h('details', { class: 'part part-reasoning' }, h('summary', {}, icon('lightbulb'), h('span', {}, `Reasoning (${formatInteger(text.length)} characters)`)), longText(text, 50_000, 'div', 'reasoning-text'));
    }
    case 'tool_call':
      if (annotations.some(hasRange)) return toolPartMarked(part, p, annotations);
      return h(
        'div',
        { class: 'part part-tool-call' },
        h('div', { class: 'tool-call-header' }, icon('tools'), h('span', { class: 'tool-name' }, str(p.name) || '(unnamed tool)'), p.id ? h('span', { class: 'tool-call-id' }, str(p.id)) : null,
          h('span', { class: 'spacer' }), copyButton('tool arguments', () => formatJson(p.arguments), reading)),
        valueBlock(p.arguments, 'tool-arguments'),
      );
    case 'tool_call_response':
      if (annotations.some(hasRange)) return toolPartMarked(part, p, annotations);
      return h(
        'div',
        { class: 'part part-tool-result' },
        h('div', { class: 'tool-call-header' }, icon('output'), h('span', {}, 'Tool result'), p.id ? h('span', { class: 'tool-call-id' }, str(p.id)) : null,
          h('span', { class: 'spacer' }), copyButton('tool result', () => formatJson(p.response), reading)),
        valueBlock(p.response, 'tool-response'),
      );
    case 'blob':
      return renderBlob(p);
    case 'uri':
      return h('div', { class: 'part part-uri' }, icon('link'), h('span', { class: 'uri' }, str(p.uri)), p.mime_type ? h('span', { class: 'chip' }, str(p.mime_type)) : null);
    case 'file':
      return h('div', { class: 'part part-file' }, icon('file'), h('span', {}, `File ${str(p.file_id)}`));
    default:
      return h('div', { class: 'part part-other' }, h('div', { class: 'part-type' }, str(part.type) || 'unknown part'), longText(formatJson(part), 20_000, 'pre', 'json'));
  }
}

function renderBlob(p: Record<string, unknown>): HTMLElement {
  const mime = str(p.mime_type);
  const content = str(p.content);
  const label = h('div', { class: 'blob-label' }, icon('file-media'), h('span', {}, `${mime || str(p.modality) || 'binary'} · ${formatInteger(Math.floor((content.length * 3) / 4))} bytes`));
  const el = h('div', { class: 'part part-blob' }, label);
  // Only raster images, and only well-formed base64: a data: URL of those cannot run script.
  if (IMAGE_MIME.test(mime) && content.length < 8_000_000 && BASE64.test(content)) {
    const img = h('img', { class: 'blob-image', attrs: { alt: 'captured image' } });
    img.src = `data:${mime};base64,${content.replace(/\s+/g, '')}`;
    el.appendChild(img);
  }
  return el;
}

/**
 * Keys and values as a table: JSON values (objects, arrays, JSON text) as foldable trees, long
 * text wrapped at word boundaries, each value with a copy button.
 */
export function keyValueTable(entries: [string, unknown][], id?: string, reading: Reading = PLAIN_READING): HTMLTableElement {
  const body = h('tbody');
  for (const [k, v] of entries) {
    const { value, json } = readJsonish(v);
    const shown = json ? h('div', { class: 'attr-value attr-json' }, jsonView(value, { openDepth: 1, budget: 500 })) : longText(formatAttributeValue(v), 10_000, 'div', 'attr-value');
    body.appendChild(h('tr', { data: { key: k } },
      h('th', { class: 'attr-key', attrs: { scope: 'row' } }, k),
      h('td', { class: 'attr-cell' }, shown),
      h('td', { class: 'attr-copy' }, copyButton(`value of ${k}`, () => (json ? formatJson(value) : formatAttributeValue(v)), reading))));
  }
  return h('table', { class: 'kv-table', id }, h('thead', { class: 'visually-hidden' }, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value'), h('th', {}, 'Copy'))), body);
}

function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? formatJson(value) : String(value);
}
