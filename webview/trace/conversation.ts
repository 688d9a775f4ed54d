// An LLM call as a conversation: model and usage at the top, then system instructions, the
// input messages and the output messages with their parts. Every captured string is set as
// text; a model's output is untrusted input.

import type { ChatMessage, MessagePart } from '../../src/core/model';
import { formatAttributeValue, formatDuration, formatInteger, formatJson, formatUsd } from '../../src/core/format';
import type { AnnotationDto, LlmCallDto } from '../../src/protocol/api';
import { classToken, h, icon, longText } from '../shared/dom';
import { annotationIcon } from './annotations';
import { partText } from '../../src/core/guardrails/text';

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

export function renderLlmSummary(llm: LlmCallDto): HTMLElement {
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
      ? h('details', { class: 'section llm-params' }, h('summary', {}, `Parameters (${params.length})`), keyValueTable(params, 'llm-params-table'))
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

/** Text with the annotated character ranges (UTF-16 offsets) marked; overlaps are shown once. */
export function markedText(text: string, annotations: readonly AnnotationDto[], cls: string): HTMLElement {
  const ranges = annotations
    .map((a) => ({ a, start: Math.max(0, a.location?.start ?? -1), end: Math.min(text.length, a.location?.end ?? -1) }))
    .filter((r) => r.end > r.start)
    .sort((x, y) => x.start - y.start || y.end - x.end);
  const wholes = annotations.filter((a) => a.location?.start === undefined || a.location?.end === undefined);
  if (ranges.length === 0 || text.length > 200_000) {
    const el = longText(text, 50_000, 'div', cls);
    const badges = annotationBadges(annotations);
    if (badges) el.prepend(badges);
    return el;
  }
  const el = h('div', { class: cls }, annotationBadges(wholes));
  let at = 0;
  for (const r of ranges) {
    const start = Math.max(r.start, at);
    if (start >= r.end) continue;
    if (start > at) el.append(text.slice(at, start));
    const severity = typeof r.a.attributes?.severity === 'string' ? ` severity-${classToken(r.a.attributes.severity)}` : '';
    el.append(h('mark', { class: `annotated kind-${classToken(r.a.kind)}${severity}`, title: annotationTitle(r.a), data: { 'annotation-id': r.a.id } }, text.slice(start, r.end)));
    at = r.end;
  }
  if (at < text.length) el.append(text.slice(at));
  return el;
}

export function renderConversation(llm: LlmCallDto, annotations: readonly AnnotationDto[] = []): HTMLElement {
  const located = new CallAnnotations(annotations);
  const root = h('section', { id: 'conversation', class: 'conversation' });
  if (llm.systemInstructions.length > 0) {
    root.appendChild(h('h3', { class: 'conversation-heading' }, 'System instructions'));
    root.appendChild(renderMessage({ role: 'system', parts: llm.systemInstructions }, 'system', null, located));
  }
  root.appendChild(h('h3', { class: 'conversation-heading' }, `Input (${llm.inputMessages.length})`));
  const input = h('div', { class: 'messages messages-input' });
  llm.inputMessages.forEach((m, i) => input.appendChild(renderMessage(m, 'input', i, located)));
  if (llm.inputMessages.length === 0) input.appendChild(h('div', { class: 'empty' }, 'No input messages captured.'));
  root.appendChild(input);
  root.appendChild(h('h3', { class: 'conversation-heading' }, `Output (${llm.outputMessages.length})`));
  const output = h('div', { class: 'messages messages-output' });
  llm.outputMessages.forEach((m, i) => output.appendChild(renderMessage(m, 'output', i, located)));
  if (llm.outputMessages.length === 0) output.appendChild(h('div', { class: 'empty' }, 'No output captured.'));
  root.appendChild(output);
  return root;
}

export function renderMessage(message: ChatMessage, direction: 'system' | 'input' | 'output', index: number | null = null, located: CallAnnotations = NO_ANNOTATIONS): HTMLElement {
  const role = typeof message.role === 'string' ? message.role : 'unknown';
  const header = h(
    'div',
    { class: 'message-header' },
    icon(ROLE_ICONS[role.toLowerCase()] ?? 'comment'),
    h('span', { class: 'message-role' }, role),
    message.name ? h('span', { class: 'message-name' }, message.name) : null,
    message.finish_reason ? h('span', { class: 'chip finish-reason' }, message.finish_reason) : null,
    direction !== 'system' && index !== null ? annotationBadges(located.forMessage(direction, index)) : null,
  );
  const parts = h('div', { class: 'message-parts' });
  (Array.isArray(message.parts) ? message.parts : []).forEach((part, p) => parts.appendChild(renderPart(part, located.forPart(direction, index, p))));
  return h('div', { class: `message role-${classToken(role)} message-${direction}` }, header, parts);
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

export function renderPart(part: MessagePart, annotations: readonly AnnotationDto[] = []): HTMLElement {
  const p = part as unknown as Record<string, unknown>;
  switch (part.type) {
    case 'text':
      return markedText(str(p.content), annotations, 'part part-text');
    case 'reasoning': {
      const text = str(p.content);
      return h('details', { class: 'part part-reasoning' }, h('summary', {}, icon('lightbulb'), h('span', {}, `Reasoning (${formatInteger(text.length)} characters)`)), longText(text, 50_000, 'div', 'reasoning-text'));
    }
    case 'tool_call':
      if (annotations.some(hasRange)) return toolPartMarked(part, p, annotations);
      return h(
        'div',
        { class: 'part part-tool-call' },
        h('div', { class: 'tool-call-header' }, icon('tools'), h('span', { class: 'tool-name' }, str(p.name) || '(unnamed tool)'), p.id ? h('span', { class: 'tool-call-id' }, str(p.id)) : null),
        longText(formatJson(p.arguments), 50_000, 'pre', 'json tool-arguments'),
      );
    case 'tool_call_response':
      if (annotations.some(hasRange)) return toolPartMarked(part, p, annotations);
      return h(
        'div',
        { class: 'part part-tool-result' },
        h('div', { class: 'tool-call-header' }, icon('output'), h('span', {}, 'Tool result'), p.id ? h('span', { class: 'tool-call-id' }, str(p.id)) : null),
        longText(formatJson(p.response), 50_000, 'pre', 'json tool-response'),
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

export function keyValueTable(entries: [string, unknown][], id?: string): HTMLTableElement {
  const body = h('tbody');
  for (const [k, v] of entries) {
    body.appendChild(h('tr', {}, h('td', { class: 'attr-key' }, k), h('td', {}, longText(formatAttributeValue(v), 10_000, 'div', 'attr-value'))));
  }
  return h('table', { class: 'kv-table', id }, body);
}

function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? formatJson(value) : String(value);
}
