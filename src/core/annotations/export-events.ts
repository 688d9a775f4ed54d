// Annotations out as OTLP span events, so an export carries them and an import (into this
// Spyglass or another) restores them: evaluations as `gen_ai.evaluation.result`, guardrail
// results as `gen_ai.guardrail.result`, the rest as `spyglass.annotation`, each in the standard
// spelling (spellings.ts) plus `spyglass.annotation.*` for what the standard has no key for.

import type { Attributes, SpanEvent } from '../model';
import type { StoredAnnotation } from './model';
import { EXPORT_KEYS, spellingOfKind } from './spellings';

/** True when the annotation was read from the span itself (its event or its attributes), which the export already carries. */
export function carriedBySpan(a: Pick<StoredAnnotation, 'origin'>): boolean {
  return a.origin !== null && (a.origin.startsWith('event:') || a.origin.startsWith('span:'));
}

export function annotationEvent(a: StoredAnnotation): SpanEvent {
  const spelling = spellingOfKind(a.kind);
  const attributes: Attributes = {};
  // Kind-specific facts first, so the standard keys below win over a fact of the same name.
  const shortToKey = new Map(Object.entries(spelling.facts).map(([short, keys]) => [short, keys[0]!]));
  for (const [k, v] of Object.entries(a.attributes)) attributes[shortToKey.get(k) ?? k] = v;
  attributes[spelling.name[0]!] = a.name;
  if (a.label !== null) attributes[spelling.label[0]!.key] = a.label;
  if (a.score !== null) attributes[spelling.score[0]!] = a.score;
  if (a.explanation !== null) attributes[spelling.explanation[0]!] = a.explanation;
  attributes[EXPORT_KEYS.kind] = a.kind;
  attributes[EXPORT_KEYS.source] = a.source;
  attributes[EXPORT_KEYS.createdAt] = a.createdUs;
  if (a.location) attributes[EXPORT_KEYS.location] = JSON.stringify(a.location);
  if (a.callRevision !== null) attributes[EXPORT_KEYS.callRevision] = a.callRevision;
  if (a.spanId === null) attributes[EXPORT_KEYS.scope] = 'trace';
  return { timeUs: a.atUs, name: spelling.events[0]!, attributes };
}
