// Annotations in the trace panel: the small marks on a waterfall row (counts by kind, from the
// outline) and the list on a span's details (from its detail). Every field of an annotation may
// come from an app (an evaluation's explanation is model output): all of it is set as text.

import { formatDateTime, formatInteger, plural } from '../../src/core/format';
import type { AnnotationDto, AnnotationKind, AnnotationLocation } from '../../src/protocol/api';
import { button, classToken, h, icon, longText } from '../shared/dom';

const KIND_ICONS: Record<string, string> = {
  feedback: 'feedback',
  evaluation: 'beaker',
  guardrail: 'shield',
  note: 'note',
  replay: 'debug-rerun',
};

/** Kinds in the order their marks appear. */
const KIND_ORDER = ['guardrail', 'evaluation', 'feedback', 'note', 'replay'];

const KIND_NAMES: Record<string, [string, string]> = {
  feedback: ['feedback', 'feedback'],
  evaluation: ['evaluation', 'evaluations'],
  guardrail: ['guardrail hit', 'guardrail hits'],
  note: ['note', 'notes'],
  replay: ['replay', 'replays'],
};

export function annotationIcon(kind: string): string {
  return KIND_ICONS[kind] ?? 'tag';
}

export function kindCount(kind: string, n: number): string {
  const [one, many] = KIND_NAMES[kind] ?? [kind, kind];
  return plural(n, one, many);
}

function orderedKinds(counts: Partial<Record<AnnotationKind, number>>): string[] {
  const kinds = Object.keys(counts).filter((k) => (counts[k] ?? 0) > 0);
  return kinds.sort((a, b) => {
    const ia = KIND_ORDER.indexOf(a);
    const ib = KIND_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : 1);
  });
}

/** Icons with counts for a waterfall row; null when the span has no annotations. */
export function annotationMarks(counts: Partial<Record<AnnotationKind, number>> | null): HTMLElement | null {
  if (!counts) return null;
  const kinds = orderedKinds(counts);
  if (kinds.length === 0) return null;
  const label = kinds.map((k) => kindCount(k, counts[k] ?? 0)).join(', ');
  const el = h('span', { class: 'annotation-marks', title: label, attrs: { 'aria-label': label } });
  for (const k of kinds) {
    const n = counts[k] ?? 0;
    el.appendChild(h('span', { class: `annotation-mark kind-${classToken(k)}` }, icon(annotationIcon(k)), n > 1 ? h('span', { class: 'annotation-count' }, formatInteger(n)) : null));
  }
  return el;
}

export function locationText(loc: AnnotationLocation | null): string | null {
  if (!loc) return null;
  const where: string[] = [loc.side === 'system' ? 'system instructions' : loc.side];
  if (loc.messageIndex !== undefined) where.push(`message ${loc.messageIndex + 1}`);
  if (loc.partIndex !== undefined) where.push(`part ${loc.partIndex + 1}`);
  if (loc.start !== undefined && loc.end !== undefined) where.push(`characters ${loc.start}–${loc.end}`);
  return where.join(', ');
}

function scoreText(score: number | null): string | null {
  if (score === null || !Number.isFinite(score)) return null;
  return Number.isInteger(score) ? String(score) : String(Number(score.toPrecision(4)));
}

export interface AnnotationListHandlers {
  /** Removes one of the user's own annotations. */
  onDelete: (a: AnnotationDto) => void;
}

/** The span's annotations, oldest first, each with what it says, who said it and where. */
export function renderAnnotationList(annotations: readonly AnnotationDto[], callRevision: number | null, handlers: AnnotationListHandlers): HTMLElement {
  const list = h('ul', { class: 'annotation-list', role: 'list' });
  for (const a of annotations) {
    const label = a.kind === 'feedback' && (a.label === 'up' || a.label === 'down') ? (a.label === 'up' ? 'thumbs up' : 'thumbs down') : a.label;
    const iconName = a.kind === 'feedback' && a.label === 'up' ? 'thumbsup' : a.kind === 'feedback' && a.label === 'down' ? 'thumbsdown' : annotationIcon(a.kind);
    const stale = callRevision !== null && a.callRevision !== null && a.callRevision < callRevision;
    // A thumb's score (1 or 0) only repeats its label.
    const score = a.kind === 'feedback' ? null : scoreText(a.score);
    const where = locationText(a.location);
    const severity = typeof a.attributes?.severity === 'string' ? a.attributes.severity : null;
    const head = h(
      'div',
      { class: 'annotation-head' },
      icon(iconName, 'annotation-icon'),
      h('span', { class: 'annotation-name' }, a.kind === 'feedback' ? 'Feedback' : a.name || a.kind),
      label ? h('span', { class: `chip annotation-label label-${classToken(label)}` }, label) : null,
      score !== null ? h('span', { class: 'chip annotation-score', title: 'Score' }, score) : null,
      severity ? h('span', { class: `chip severity-${classToken(severity)}` }, severity) : null,
      stale ? h('span', { class: 'chip annotation-stale', title: 'Made on an earlier reading of this call; the call changed since' }, 'stale') : null,
      h('span', { class: 'spacer' }),
      a.source === 'user' ? button('', 'trash', () => handlers.onDelete(a), { class: 'icon-button annotation-delete', title: 'Remove', attrs: { 'aria-label': `Remove this ${a.kind}` } }) : null,
    );
    const meta = [sourceText(a.source), formatDateTime(a.createdAt), where].filter((x): x is string => !!x).join(' · ');
    list.appendChild(
      h(
        'li',
        { class: `annotation kind-${classToken(a.kind)}`, data: { 'annotation-id': a.id } },
        head,
        a.explanation ? longText(a.explanation, 10_000, 'div', 'annotation-explanation') : null,
        h('div', { class: 'annotation-meta' }, meta),
      ),
    );
  }
  return list;
}

function sourceText(source: string): string {
  if (source === 'user') return 'you';
  if (source === 'instrumentation') return 'sent by the app';
  if (source.startsWith('rule:')) return `rule ${source.slice(5)}`;
  return source;
}
