// Find, in the details pane: every occurrence of the query in the shown text is wrapped in a
// <mark>, folded sections holding one are opened, and the first is returned so the view can
// scroll to it. Text nodes are split, never re-parsed: captured text stays text.

import { findRanges, textRuns } from '../../src/core/text-runs';

/** More would slow a keystroke down for no reader's benefit. */
const MAX_MARKS = 500;

/** Removes earlier marks (joining the text back), then marks `query`; returns the first mark or null. */
export function highlightText(root: HTMLElement, query: string): HTMLElement | null {
  for (const m of [...root.querySelectorAll('mark.find-match')]) {
    const parent = m.parentNode!;
    m.replaceWith(...m.childNodes);
    parent.normalize();
  }
  if (!query) return null;
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => ((n.parentElement?.closest('button, .codicon') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT)),
  });
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  let count = 0;
  let first: HTMLElement | null = null;
  for (const node of nodes) {
    if (count >= MAX_MARKS) break;
    const text = node.data;
    const ranges = findRanges(text, query, true, MAX_MARKS - count);
    if (ranges.length === 0) continue;
    const pieces: Node[] = [];
    for (const run of textRuns(text.length, ranges)) {
      const piece = text.slice(run.start, run.end);
      if (run.marks.length === 0) pieces.push(doc.createTextNode(piece));
      else {
        const mark = doc.createElement('mark');
        mark.className = 'find-match';
        mark.textContent = piece;
        pieces.push(mark);
        first ??= mark;
        count++;
      }
    }
    // Open what folds the match away (the attributes section, a JSON node, reasoning).
    for (let el = node.parentElement; el && el !== root; el = el.parentElement) {
      if (el instanceof HTMLDetailsElement && !el.open) el.open = true;
    }
    node.replaceWith(...pieces);
  }
  return first;
}
