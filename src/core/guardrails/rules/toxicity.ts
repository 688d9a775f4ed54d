// Toxicity and profanity in what users write and what the model answers. Words come from the
// `obscenity` English data set (leetspeak, confusables and repeated letters handled there); a fast
// prefilter compiled from the same data set decides which lines obscenity has to read, letters
// spelled out with spaces are joined, and names (Dick Cheney, Mr. Cummings, Penistone) do not hit.
// Threats and insults without a swear word come from data/toxicity.json.

import type { CallText, GuardrailHit } from '../types';
import type { GuardrailLibs } from '../libs';
import { locate } from '../text';
import { matches, type RuleContext } from './context';
import { runAttempts } from './patterns';
import { candidateLines, prefilterFor } from './profanity-words';
import { scanOf } from '../scan';

const CHECKED = new Set(['user', 'assistant']);
const SLURS = new Set(['nigger', 'nigga', 'kike', 'chink', 'chingchong', 'fag', 'faggot', 'dyke', 'retard', 'tranny', 'abo', 'abeed', 'africoon', 'arabush', 'boonga', 'negro', 'spastic']);
/** What may follow a profane root inside one word and keep it profane. */
const SUFFIX = /^(?:s|es|ed|er|ers|ing|in|in'|y|ies|ier|iest|ty|head|heads|face|faces|hole|holes|wit|wits|tard|tards|bag|bags|stick|sucker|suckers|off|up|show|load|storm|ton|ting|tastic|wad|nut|nuts|ass)$/;
const TITLES = /(?:^|\s)(?:mr|mrs|ms|miss|dr|prof|sir|lord|lady|st|saint|mx|rev|capt|gen|president|senator|judge)\.?\s+$/i;

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

/**
 * Numbers are not words: a match whose whole word (between whitespace) holds no letter and no
 * symbol used for one ("Room 455", "code 7175") read as leetspeak is no profanity; "455h0l3" and
 * "@$$" still are.
 */
function onlyDigits(text: string, start: number, end: number): boolean {
  let s = start;
  while (s > 0 && !/\s/.test(text[s - 1]!)) s--;
  let e = end;
  while (e < text.length && !/\s/.test(text[e]!)) e++;
  return !LETTERLIKE.test(text.slice(s, e));
}
const LETTERLIKE = /[\p{L}@$!|*?€]/u;

const isLetter = (c: number): boolean => (c | 32) >= 97 && (c | 32) <= 122;
const isSpelledGap = (c: number): boolean => c === 32 || c === 46 || c === 95 || c === 42 || c === 45;

/**
 * Whether the text may hold letters spelled out one by one, from the shared scan's words: the
 * second letter of such a run is a word of one letter with a gap on each side, a letter beyond
 * each gap and no letter before the first. Most texts have none, and the regular expression
 * that finds them then does not read the text.
 */
function maySpellOut(text: string): boolean {
  const { wordCount, wordStarts, wordEnds } = scanOf(text);
  const n = text.length;
  for (let k = 0; k < wordCount; k++) {
    const s = wordStarts[k]!;
    if (wordEnds[k] !== s + 1 || s < 2 || s + 2 >= n) continue;
    if (!isSpelledGap(text.charCodeAt(s - 1)) || !isSpelledGap(text.charCodeAt(s + 1))) continue;
    if (!isLetter(text.charCodeAt(s)) || !isLetter(text.charCodeAt(s - 2)) || !isLetter(text.charCodeAt(s + 2))) continue;
    if (s >= 3 && isLetter(text.charCodeAt(s - 3))) continue;
    return true;
  }
  return false;
}

export function profanityIn(text: string, libs: GuardrailLibs): Array<{ start: number; end: number; word: string }> {
  const { re, whitelist } = prefilterFor(libs);
  const out: Array<{ start: number; end: number; word: string }> = [];
  // Letters spelled out one by one: "f u c k", "s.h.i.t".
  if (maySpellOut(text) && /(?<![a-z])(?:[a-z][ ._*-]){2,}[a-z](?![a-z])/i.test(text)) {
    for (const m of matches(/(?<![a-zA-Z])(?:[a-zA-Z][ ._*-]){2,}[a-zA-Z](?![a-zA-Z])/g, text)) {
      const joined = m[0].toLowerCase().replace(/[^a-z]/g, '');
      const inner = re.exec(joined);
      if (inner && inner[0].length >= 3 && joined.length <= inner[0].length + 3) out.push({ start: m.index, end: m.index + m[0].length, word: joined });
    }
  }
  const lines = candidateLines(text, libs);
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
        if (onlyDigits(text, start, end) || innocent(text, start, end, word, whitelist)) continue;
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
