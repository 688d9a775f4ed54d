import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(f) ? [p] : [];
  });
}

describe('webview sources', () => {
  it('never parse strings as HTML (captured text is untrusted)', () => {
    const files = [...sources(path.join(root, 'webview')), ...sources(path.join(root, 'src/host/panels'))];
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((f) => /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|new Function|\beval\(/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('import nothing but the protocol, pure core helpers and chart.js', () => {
    const bad: string[] = [];
    for (const f of sources(path.join(root, 'webview'))) {
      for (const [, spec] of readFileSync(f, 'utf8').matchAll(/from '([^']+)'/g)) {
        const ok = spec.startsWith('./') || spec.startsWith('../shared') || spec.startsWith('../trace') || spec.startsWith('../dashboard') || spec.startsWith('../prompt-compare')
          || /^(\.\.\/)+src\/(protocol\/(webview|api|outline|explorer|prompt-compare|alerts|dashboard)|core\/(dashboard\/buckets|span-tree|format|model|agent-run|waterfall-zoom|text-runs|tool-io|guardrails\/text))$/.test(spec)
          // Markdown in captured text: parsed with raw HTML off, then sanitized into DOM nodes (webview/shared/markdown.ts).
          || spec === 'chart.js' || spec === 'markdown-it' || spec === 'dompurify';
        if (!ok) bad.push(`${path.relative(root, f)}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
