// Toxicity and profanity in what users write and what the model answers. Words come from the
// `obscenity` English data set (leetspeak, confusables and repeated letters handled there); a fast
// prefilter compiled from the same data set decides which texts obscenity has to read, letters
// spelled out with spaces are joined, and names (Dick Cheney, Mr. Cummings, Penistone) do not hit.
// Threats and insults without a swear word come from data/toxicity.json.

import type { CallText, GuardrailHit } from '../types';
import type { GuardrailLibs } from '../libs';
import { locate } from '../text';
import { matches, type RuleContext } from './context';
import { runAttempts } from './patterns';

const CHECKED = new Set(['user', 'assistant']);
const SLURS = new Set(['nigger', 'nigga', 'kike', 'chink', 'chingchong', 'fag', 'faggot', 'dyke', 'retard', 'tranny', 'abo', 'abeed', 'africoon', 'arabush', 'boonga', 'negro', 'spastic']);
/** What may follow a profane root inside one word and keep it profane. */
const SUFFIX = /^(?:s|es|ed|er|ers|ing|in|in'|y|ies|ier|iest|ty|head|heads|face|faces|hole|holes|wit|wits|tard|tards|bag|bags|stick|sucker|suckers|off|up|show|load|storm|ton|ting|tastic|wad|nut|nuts|ass)$/;
const TITLES = /(?:^|\s)(?:mr|mrs|ms|miss|dr|prof|sir|lord|lady|st|saint|mx|rev|capt|gen|president|senator|judge)\.?\s+$/i;

interface Prefilter {
  /** Each pattern's longest literal piece, in one alternation: cheap to run over every text. */
  pieces: RegExp;
  /** The whole patterns, tried on a word that contains a piece. */
  re: RegExp;
  whitelist: string[];
}

const prefilters = new WeakMap<GuardrailLibs, Prefilter>();

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'i', '€': 'e' };

/**
 * Lower case, leetspeak resolved, marks inside words dropped ("f.u.c.k"), runs of a letter cut
 * to two ("fuuuuck"): roughly what obscenity's transformers do, cheaply, for the prefilter.
 * Line breaks stay, so a candidate can be traced to its line.
 */
/** Look-alike letters from other scripts that people use to get past word lists. */
const CONFUSABLE: Record<string, string> = { а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', к: 'k', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', ο: 'o', ν: 'v', α: 'a', ι: 'i', κ: 'k', τ: 't' };

function squeeze(text: string): string {
  const plain = /[^\x00-\x7f]/.test(text)
    ? text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[аеорсухкіјѕԁɡονακιτ]/g, (c) => CONFUSABLE[c]!)
    : text;
  // NFKD can change the length; only candidate lines are traced back, by counting line breaks.
  return plain
    .toLowerCase()
    .replace(/[013457@$!|€]/g, (c) => LEET[c]!)
    .replace(/[^a-z*?\s]+/g, '')
    .replace(/([a-z])\1{2,}/g, '$1$1');
}

/** The obscenity patterns as regular expressions over squeezed text. */
function prefilterFor(libs: GuardrailLibs): Prefilter {
  let p = prefilters.get(libs);
  if (p) return p;
  const built = libs.obscenity.englishDataset.build();
  type N = { kind: number; chars?: number[]; childNode?: N };
  const esc = (c: number): string => String.fromCharCode(c).replace(/[^a-z0-9]/g, '\\$&');
  const node = (n: N): string => {
    if (n.kind === 2) return n.chars!.map((c) => `${esc(c)}{1,2}`).join('');
    if (n.kind === 1) return '[a-z*?]{1,2}';
    if (n.kind === 0) return `(?:${node(n.childNode!)})?`;
    return '';
  };
  const alts: string[] = [];
  const pieces = new Set<string>();
  for (const t of built.blacklistedTerms) {
    const pat = t.pattern as unknown as { nodes: N[]; requireWordBoundaryAtStart: boolean; requireWordBoundaryAtEnd: boolean };
    alts.push(`${pat.requireWordBoundaryAtStart ? '(?<![a-z])' : ''}${pat.nodes.map(node).join('')}${pat.requireWordBoundaryAtEnd ? '(?![a-z])' : ''}`);
    // Squeezing keeps at most two of a letter, so the piece does too.
    const literal = pat.nodes.filter((n) => n.kind === 2).map((n) => String.fromCharCode(...n.chars!).replace(/(.)\1{2,}/g, '$1$1'));
    const piece = literal.sort((a, b) => b.length - a.length)[0] ?? '';
    pieces.add(piece);
  }
  pieces.delete('');
  p = {
    pieces: new RegExp([...pieces].sort((a, b) => b.length - a.length).map((x) => x.replace(/[^a-z0-9]/g, '\\$&')).join('|'), 'g'),
    re: new RegExp(alts.join('|')),
    whitelist: (built.whitelistedTerms ?? []).map((w) => w.toLowerCase()),
  };
  prefilters.set(libs, p);
  return p;
}

function wordAround(text: string, start: number, end: number): [number, number] {
  let s = start;
  while (s > 0 && /[\p{L}\p{N}'’*@$!]/u.test(text[s - 1]!)) s--;
  let e = end;
  while (e < text.length && /[\p{L}\p{N}*]/u.test(text[e]!)) e++;
  return [s, e];
}

const collapse = (w: string): string => w.toLowerCase().replace(/(.)\1+/g, '$1');

/**
 * A match that is only part of an ordinary word or name: the word, repeats collapsed, is the
 * profane root plus something other than an inflection or compound part (Penistone, Cummings,
 * Dickinson, shiitake), or a whitelisted word; or a capitalised name (Dick Cheney, Mr. Dick).
 */
function innocent(text: string, start: number, end: number, root: string, whitelist: string[]): boolean {
  const [ws, we] = wordAround(text, start, end);
  const word = collapse(text.slice(ws, we).replace(/[^\p{L}]/gu, ''));
  const r = collapse(root);
  // Whitelist entries with a space guard phrases across words ("s hit"); within a word only single words count.
  if (whitelist.some((w) => !/\s/.test(w) && w.length > r.length && word.includes(collapse(w)))) return true;
  const at = word.indexOf(r);
  if (at > 0 && !/^(?:mother|bull|dumb|jack|horse|dip|ape|bat|chicken|smart|fat|lard|wise|kick|hard|mind|cluster|cock|cluster|ass|dick|shit|fuck|piss|cum|butt|god|holy|dog)/.test(word)) return true;
  if (at >= 0 && word.length > at + r.length && !SUFFIX.test(word.slice(at + r.length))) return true;
  const original = text.slice(ws, we);
  if (!/^\p{Lu}\p{Ll}+$/u.test(original) || word !== r) return false;
  const sentenceStart = /(?:^|[.!?:]\s*|\n\s*)$/.test(text.slice(Math.max(0, ws - 3), ws));
  if (TITLES.test(text.slice(Math.max(0, ws - 12), ws))) return true;
  if (/^(?:['’]s)?\s+\p{Lu}\p{Ll}/u.test(text.slice(we, we + 5))) return true; // first name of a full name, or a name's possessive before a proper noun
  return !sentenceStart && /\p{Lu}\p{Ll}+\s+$/u.test(text.slice(Math.max(0, ws - 20), ws)); // last name
}

export function profanityIn(text: string, libs: GuardrailLibs): Array<{ start: number; end: number; word: string }> {
  const { pieces, re, whitelist } = prefilterFor(libs);
  const out: Array<{ start: number; end: number; word: string }> = [];
  // Letters spelled out one by one: "f u c k", "s.h.i.t".
  if (/(?<![a-z])(?:[a-z][ ._*-]){2,}[a-z](?![a-z])/i.test(text)) {
    for (const m of matches(/(?<![a-zA-Z])(?:[a-zA-Z][ ._*-]){2,}[a-zA-Z](?![a-zA-Z])/g, text)) {
      const joined = m[0].toLowerCase().replace(/[^a-z]/g, '');
      const inner = re.exec(joined);
      if (inner && inner[0].length >= 3 && joined.length <= inner[0].length + 3) out.push({ start: m.index, end: m.index + m[0].length, word: joined });
    }
  }
  const squeezed = squeeze(text);
  const lines = new Set<number>();
  const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11;
  pieces.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = pieces.exec(squeezed)) !== null) {
    // The whole word around the piece, tried against every pattern; then on to the next word.
    let ws = m.index;
    while (ws > 0 && !isSpace(squeezed.charCodeAt(ws - 1))) ws--;
    let we = m.index + m[0].length;
    while (we < squeezed.length && !isSpace(squeezed.charCodeAt(we))) we++;
    pieces.lastIndex = we;
    // Patterns with a space in them ("double penetra") need the next word too.
    let next = we + 1;
    while (next < squeezed.length && !isSpace(squeezed.charCodeAt(next))) next++;
    const word = squeezed.slice(ws, m[0].includes(' ') ? next : we);
    if (!re.test(word)) continue;
    if (whitelist.some((w) => w.length > 3 && !w.includes(' ') && word.includes(w))) continue;
    let line = 0;
    for (let i = squeezed.indexOf('\n'); i >= 0 && i < ws; i = squeezed.indexOf('\n', i + 1)) line++;
    lines.add(line);
  }
  if (lines.size === 0) return out;
  // obscenity confirms each candidate line, with its own whitelist and transformers.
  let lineStart = 0;
  let index = 0;
  for (const line of text.split('\n')) {
    if (lines.has(index)) {
      for (const r of libs.profanity.getAllMatches(line, true)) {
        const start = lineStart + r.startIndex;
        const end = lineStart + r.endIndex + 1;
        if (out.some((o) => start < o.end && end > o.start)) continue;
        const meta = libs.obscenity.englishDataset.getPayloadWithPhraseMetadata(r).phraseMetadata as { originalWord?: string } | undefined;
        const word = meta?.originalWord ?? text.slice(start, end).toLowerCase();
        if (innocent(text, start, end, word, whitelist)) continue;
        out.push({ start, end, word });
      }
    }
    lineStart += line.length + 1;
    index++;
  }
  return out;
}

export function toxicityRule(texts: CallText[], ctx: RuleContext): GuardrailHit[] {
  const out: GuardrailHit[] = [];
  for (const t of texts) {
    if (!CHECKED.has(t.origin)) continue;
    const who = t.origin === 'user' ? 'in user input' : 'in the model output';
    for (const p of profanityIn(t.text, ctx.libs)) {
      const slur = SLURS.has(p.word);
      out.push({
        rule: slur ? 'toxicity.slur' : 'toxicity.profanity',
        category: 'toxicity',
        severity: slur ? 'high' : 'medium',
        location: locate(t, p.start, p.end),
        explanation: `${slur ? 'Slur' : 'Profanity'} (${p.word}) ${who}`,
        type: slur ? 'slur' : 'profanity',
      });
    }
    for (const { pattern: p, index, match } of runAttempts(t.text, ctx.config.triggers.toxicity(t.text))) {
      if (p.negative?.test(match)) continue;
      out.push({ rule: p.id, category: 'toxicity', severity: p.severity, location: locate(t, index, index + match.length), explanation: `${p.explanation} ${who}`, type: p.id.slice('toxicity.'.length) });
    }
  }
  return out;
}
