// Which pieces of a prompt's text to look for in the workspace's sources: the longest lines (or
// runs between variables) that are fixed text, long enough not to match by chance. Code quotes
// and escapes text its own way, so a piece never spans a line break or a variable.

import { SLOT } from './versions';

const MIN_CHARS = 16;

/** Up to `max` search strings, most distinctive (longest) first. */
export function distinctivePieces(template: string, max = 3): string[] {
  const pieces = new Set<string>();
  for (const line of template.split(/\r?\n/)) {
    for (const run of line.split(SLOT)) {
      // Quotes and backslashes are escaped differently in every language: search the text between them.
      for (const part of run.split(/["'`\\{}]/)) {
        const t = part.trim();
        if (t.length >= MIN_CHARS) pieces.add(t);
      }
    }
  }
  return [...pieces].sort((a, b) => b.length - a.length).slice(0, max);
}
