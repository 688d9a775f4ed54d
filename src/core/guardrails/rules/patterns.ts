// Pattern rules kept as data (JSON in the repository, extended by the user's configuration):
// each entry is a regular expression with {placeholders} expanded from a lexicon of words, so a
// new phrasing or language is a data change, not a release.

import type { GuardrailSeverity } from '../types';

export interface PatternEntry {
  id: string;
  pattern: string;
  flags?: string;
  severity?: GuardrailSeverity;
  lang?: string;
  explanation?: string;
  /** `indirect`: only in tool results and retrieved documents. */
  scope?: 'any' | 'indirect';
  /** A hit whose matched text matches this (expanded the same way) is dropped. */
  negative?: string;
}

export interface PatternData {
  version: number;
  lexicon: Record<string, string[]>;
  patterns: PatternEntry[];
}

export interface CompiledPattern {
  id: string;
  re: RegExp;
  severity: GuardrailSeverity;
  lang: string;
  explanation: string;
  scope: 'any' | 'indirect';
  negative: RegExp | null;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lexicon words are literal text with spaces standing for any separator, unless the entry is a raw regex (B, E, S, W). */
function alternation(words: string[], raw: boolean): string {
  if (raw) return words.join('|');
  // Longest first, so "do not follow" wins over "do".
  const sorted = [...new Set(words)].sort((a, b) => b.length - a.length);
  return sorted.map((w) => escapeRe(w).replace(/\\?\s+/g, '[\\s\\u00a0-]+').replace(/['’]/g, "['’]")).join('|');
}

const RAW_KEYS = new Set(['B', 'E', 'S', 'W']);

export function expandPattern(source: string, lexicon: Record<string, string[]>): string {
  return source.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const words = lexicon[name];
    if (!words) throw new Error(`unknown placeholder {${name}}`);
    return `(?:${alternation(words, RAW_KEYS.has(name))})`;
  });
}

export function mergeLexicons(base: Record<string, string[]>, extra: Record<string, string[]> | undefined): Record<string, string[]> {
  if (!extra) return base;
  const out: Record<string, string[]> = { ...base };
  for (const [k, words] of Object.entries(extra)) out[k] = [...(out[k] ?? []), ...words];
  return out;
}

export function compilePatterns(entries: PatternEntry[], lexicon: Record<string, string[]>, defaults: { explanation: string }): CompiledPattern[] {
  return entries.map((e, i) => {
    const flags = [...new Set(`giu${e.flags ?? ''}`.replace(/[^dgimsuvy]/g, ''))].join('').replace('v', '');
    let re: RegExp;
    let negative: RegExp | null = null;
    try {
      re = new RegExp(expandPattern(e.pattern, lexicon), flags);
      if (e.negative) negative = new RegExp(expandPattern(e.negative, lexicon), flags.replace('g', ''));
    } catch (err) {
      throw new Error(`pattern ${i} (${e.id}): ${(err as Error).message}`);
    }
    return {
      id: e.id,
      re,
      severity: e.severity ?? 'medium',
      lang: e.lang ?? 'any',
      explanation: e.explanation ?? defaults.explanation,
      scope: e.scope ?? 'any',
      negative,
    };
  });
}
