// One prompt's versions from the distinct texts its calls were sent with. Where instrumentation
// names a version, that is the version. Where it gives the template, each distinct template is
// one. Where only the rendered system instructions are known, the template has to be recovered:
// the texts are aligned token by token on a reference, and each place where they differ is
// either a variable (values interleave in time, or nearly every call has its own) or an edit of
// the fixed text (few values, each used by a run of calls before the next takes over). Texts that
// agree on every edited place are one version; variables become `{{…}}` in its template. Texts
// too unlike each other to align (a rewrite) are versions of their own. Pure.

import { diffArrays } from 'diff';
import { hashString } from '../hash';
import { tokenize } from './text';

/** A distinct text a prompt's calls were sent with (one hash). */
export interface SeenText {
  hash: string;
  text: string;
  /** The version an instrumentation named for the calls with this text, if any. */
  declaredVersion: string | null;
  calls: number;
  firstUs: number;
  lastUs: number;
}

export interface DerivedVersion {
  /** The declared version, else 1, 2, … in order of first appearance. */
  version: string;
  /** Hash of the version's template text. */
  hash: string;
  /** The fixed text, with `{{…}}` where a variable goes (or the declared template as given). */
  template: string;
  /** The `hash`es (as the caller named its texts) this version covers. */
  textHashes: string[];
  calls: number;
  firstUs: number;
  lastUs: number;
  /** How many places vary between this version's calls. */
  variables: number;
}

export const SLOT = '{{…}}';
/** Below this share of common words, two texts are not one template with other values: a rewrite. */
const MIN_SIMILARITY = 0.5;

interface Hunk {
  start: number;
  end: number;
  text: string;
}

/**
 * Tokens (and words) the two texts could have in common at most: their multisets' intersection.
 * An alignment shares no more, so a pair below the bars cannot align and is not diffed (a diff of
 * two unlike texts runs to its whole edit budget: it was seconds over a few hundred texts).
 */
function mostInCommon(ref: string[], tokens: string[]): { tokens: number; words: number } {
  const counts = new Map<string, number>();
  for (const t of ref) counts.set(t, (counts.get(t) ?? 0) + 1);
  let shared = 0;
  let sharedWords = 0;
  for (const t of tokens) {
    const n = counts.get(t);
    if (!n) continue;
    counts.set(t, n - 1);
    shared++;
    if (t.trim() !== '') sharedWords++;
  }
  return { tokens: shared, words: sharedWords };
}

/** Where `tokens` differs from `ref`, as ranges of `ref` with their replacement; null when too unlike. */
function hunks(ref: string[], tokens: string[]): Hunk[] | null {
  const words = (xs: string[]) => xs.filter((t) => t.trim() !== '').length;
  const budget = Math.ceil((1 - MIN_SIMILARITY) * (ref.length + tokens.length)) + 1;
  const most = mostInCommon(ref, tokens);
  const totalWords = words(ref) + words(tokens);
  if (ref.length + tokens.length - 2 * most.tokens > budget) return null;
  if (totalWords > 0 && (2 * most.words) / totalWords < MIN_SIMILARITY) return null;
  const changes = diffArrays(ref, tokens, { maxEditLength: budget });
  if (!changes) return null;
  const out: Hunk[] = [];
  let pos = 0;
  let common = 0;
  let open: Hunk | null = null;
  for (const c of changes) {
    if (!c.added && !c.removed) {
      if (open) out.push(open);
      open = null;
      pos += c.value.length;
      common += words(c.value);
      continue;
    }
    open ??= { start: pos, end: pos, text: '' };
    if (c.removed) {
      pos += c.value.length;
      open.end = pos;
    } else {
      open.text += c.value.join('');
    }
  }
  if (open) out.push(open);
  const total = words(ref) + words(tokens);
  return total === 0 || (2 * common) / total >= MIN_SIMILARITY ? out : null;
}

interface Region {
  start: number;
  end: number;
}

/** The union of every text's hunks: places where at least one text differs from the reference. */
function regionsOf(all: Hunk[][]): Region[] {
  const sorted = all.flat().map((h) => ({ start: h.start, end: h.end })).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Region[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** What a text reads at a region: the reference's tokens there with the text's own edits applied. */
function valueAt(ref: string[], own: Hunk[], region: Region): string {
  let value = '';
  let pos = region.start;
  for (const h of own) {
    if (h.start < region.start || h.end > region.end) continue;
    value += ref.slice(pos, h.start).join('') + h.text;
    pos = h.end;
  }
  return value + ref.slice(pos, region.end).join('');
}

interface ValueUse {
  calls: number;
  firstUs: number;
  lastUs: number;
}

/**
 * A place varies with each call (a variable) when its values are used at overlapping times, or
 * when there are three or more and most were used by a single call; otherwise each value held
 * for a stretch of time before the next: an edit of the fixed text.
 */
export function isVariable(uses: readonly ValueUse[]): boolean {
  if (uses.length < 2) return false;
  const singles = uses.filter((u) => u.calls <= 1).length;
  if (uses.length >= 3 && singles * 2 >= uses.length) return true;
  const byStart = [...uses].sort((a, b) => a.firstUs - b.firstUs);
  for (let i = 1; i < byStart.length; i++) if (byStart[i]!.firstUs <= byStart[i - 1]!.lastUs) return true;
  return false;
}

interface Draft {
  template: string;
  texts: SeenText[];
  variables: number;
}

/** Splits one cluster of alignable texts into versions. */
function splitCluster(texts: SeenText[]): Draft[] {
  const ref = tokenize(texts[0]!.text);
  const own = texts.map((t, i) => (i === 0 ? [] : hunks(ref, tokenize(t.text)) ?? []));
  const regions = regionsOf(own);
  const values = texts.map((_, i) => regions.map((r) => valueAt(ref, own[i]!, r)));
  const variable = regions.map((_, ri) => {
    const uses = new Map<string, ValueUse>();
    texts.forEach((t, i) => {
      const v = values[i]![ri]!;
      const u = uses.get(v);
      if (!u) uses.set(v, { calls: t.calls, firstUs: t.firstUs, lastUs: t.lastUs });
      else {
        u.calls += t.calls;
        u.firstUs = Math.min(u.firstUs, t.firstUs);
        u.lastUs = Math.max(u.lastUs, t.lastUs);
      }
    });
    return isVariable([...uses.values()]);
  });
  const byKey = new Map<string, Draft>();
  texts.forEach((t, i) => {
    const key = JSON.stringify(regions.map((_, ri) => (variable[ri] ? null : values[i]![ri])));
    let d = byKey.get(key);
    if (!d) {
      let template = '';
      let pos = 0;
      regions.forEach((r, ri) => {
        template += ref.slice(pos, r.start).join('') + (variable[ri] ? SLOT : values[i]![ri]);
        pos = r.end;
      });
      template += ref.slice(pos).join('');
      d = { template, texts: [], variables: variable.filter(Boolean).length };
      byKey.set(key, d);
    }
    d.texts.push(t);
  });
  return [...byKey.values()];
}

/** Groups texts that align on a cluster's first text; the rest start clusters of their own. */
function clusters(texts: SeenText[]): SeenText[][] {
  const out: { ref: string[]; texts: SeenText[] }[] = [];
  for (const t of texts) {
    const tokens = tokenize(t.text);
    const home = out.find((c) => hunks(c.ref, tokens) !== null);
    if (home) home.texts.push(t);
    else out.push({ ref: tokens, texts: [t] });
  }
  return out.map((c) => c.texts);
}

function finish(drafts: Draft[], declared: boolean): DerivedVersion[] {
  const versions = drafts.map((d) => ({
    version: declared ? d.texts[0]!.declaredVersion! : '',
    hash: hashString(d.template),
    template: d.template,
    textHashes: d.texts.map((t) => t.hash),
    calls: d.texts.reduce((n, t) => n + t.calls, 0),
    firstUs: Math.min(...d.texts.map((t) => t.firstUs)),
    lastUs: Math.max(...d.texts.map((t) => t.lastUs)),
    variables: d.variables,
  }));
  versions.sort((a, b) => a.firstUs - b.firstUs || a.hash.localeCompare(b.hash));
  if (!declared) versions.forEach((v, i) => (v.version = String(i + 1)));
  return versions;
}

/**
 * The versions of one prompt, oldest first. `templates`: the texts are templates as the
 * instrumentation gave them (each distinct one a version); else rendered texts to align.
 */
export function deriveVersions(seen: readonly SeenText[], templates: boolean): DerivedVersion[] {
  if (seen.length === 0) return [];
  const texts = [...seen].sort((a, b) => a.firstUs - b.firstUs || a.hash.localeCompare(b.hash));
  if (texts.every((t) => t.declaredVersion !== null)) {
    const byVersion = new Map<string, SeenText[]>();
    for (const t of texts) byVersion.set(t.declaredVersion!, [...(byVersion.get(t.declaredVersion!) ?? []), t]);
    // The latest text stands for a declared version (a template edited without a version bump still shows as it is now).
    return finish([...byVersion.values()].map((ts) => ({ template: ts[ts.length - 1]!.text, texts: ts, variables: 0 })), true);
  }
  if (templates) {
    const byText = new Map<string, SeenText[]>();
    for (const t of texts) byText.set(t.text, [...(byText.get(t.text) ?? []), t]);
    return finish([...byText.entries()].map(([template, ts]) => ({ template, texts: ts, variables: 0 })), false);
  }
  return finish(clusters(texts).flatMap(splitCluster), false);
}

/** Templates with more variables than this are not matched by pattern (the pattern could backtrack badly). */
const MAX_MATCH_SLOTS = 12;

/**
 * A test for "this rendered text is an instance of that template": its fixed text in order, any
 * text where a variable goes. Null when the template has too many variables to match this way.
 */
export function templateMatcher(template: string): ((text: string) => boolean) | null {
  const re = slotPattern(template);
  return re && ((text) => re.test(text));
}

/** The template as a pattern with a group per variable; null with too many variables. */
function slotPattern(template: string): RegExp | null {
  const pieces = template.split(SLOT);
  if (pieces.length - 1 > MAX_MATCH_SLOTS) return null;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${pieces.map(escape).join('([\\s\\S]*?)')}$`);
}

/** What a rendered text put where its template's variables go, in order; null when it is no instance of it. */
export function slotValues(template: string, text: string): string[] | null {
  const m = slotPattern(template)?.exec(text);
  return m ? m.slice(1) : null;
}
