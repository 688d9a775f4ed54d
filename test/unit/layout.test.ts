// The import directions from DESIGN.md, checked on the sources: `vscode` only in the host,
// pure core/protocol (no Node I/O), and each layer importing only the layers below it.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** Module specifiers a file imports; `typesOnly` keeps only `import type` ones (erased at build). */
function imports(file: string, typesOnly = false): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(import|export)(\s+type)?\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    if (typesOnly && !m[2]) continue;
    found.push(m[3] ?? m[4]!);
  }
  return found;
}

/** The top-level project area a relative import lands in: core, protocol, store, … or null for a package. */
function areaOf(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = path.relative(root, path.resolve(root, path.dirname(file), spec));
  const [top, second] = target.split(path.sep);
  return top === 'src' ? (second === 'extension' ? 'host' : second!) : top!;
}

const allowed: Record<string, string[]> = {
  core: ['core'],
  protocol: ['protocol', 'core'],
  store: ['store', 'core'],
  capture: ['capture', 'core', 'store'],
  collector: ['collector', 'capture', 'core', 'store', 'protocol'],
  host: ['host', 'core', 'store', 'capture', 'collector', 'protocol'],
  webview: ['webview', 'protocol', 'core'],
};

/** The store builds the API's answer types, so it may name them; it may not run protocol code. */
const typeOnly: Record<string, string[]> = { store: ['protocol'] };

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

describe('layout and import directions', () => {
  const files = [...sources('src'), ...sources('webview')];

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  for (const [area, ok] of Object.entries(allowed)) {
    it(`${area} imports only ${ok.join(', ')}`, () => {
      const bad: string[] = [];
      for (const f of files) {
        const own = f.startsWith('webview') ? 'webview' : f === path.join('src', 'extension.ts') ? 'host' : f.split(path.sep)[1];
        if (own !== area) continue;
        const typeSpecs = new Set(imports(f, true));
        for (const spec of imports(f)) {
          const target = areaOf(f, spec);
          if (target === null || ok.includes(target)) continue;
          if (typeSpecs.has(spec) && typeOnly[area]?.includes(target)) continue;
          bad.push(`${f} → ${spec}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }

  it('keeps vscode out of everything but the host', () => {
    const bad = files.filter((f) => !f.startsWith(path.join('src', 'host')) && f !== path.join('src', 'extension.ts'))
      .filter((f) => imports(f).includes('vscode'));
    expect(bad).toEqual([]);
  });

  it('keeps Node I/O out of core, protocol and webview', () => {
    const bad: string[] = [];
    for (const f of files.filter((f) => /^(src[/\\](core|protocol)|webview)/.test(f))) {
      for (const spec of imports(f)) if (nodeBuiltins.has(spec)) bad.push(`${f} → ${spec}`);
    }
    expect(bad).toEqual([]);
  });
});
