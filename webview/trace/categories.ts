// Codicons and labels for span categories (src/core/model.ts SpanCategory).

import type { SpanCategory } from '../../src/core/model';

const ICONS: Record<SpanCategory, string> = {
  llm: 'sparkle',
  embedding: 'symbol-array',
  tool: 'tools',
  agent: 'hubot',
  retriever: 'search',
  chain: 'link',
  http: 'globe',
  other: 'circle-outline',
};

export function categoryIcon(category: string): string {
  return (ICONS as Record<string, string>)[category] ?? ICONS.other;
}

export function categoryClass(category: string): string {
  return Object.prototype.hasOwnProperty.call(ICONS, category) ? `cat-${category}` : 'cat-other';
}

export const SPAN_KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
