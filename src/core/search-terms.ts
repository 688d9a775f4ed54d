// Full-text terms. The index's tokenizer (SQLite's unicode61) keeps letters, digits and
// private-use characters and splits at everything else, combining marks included. Two
// consequences shape the terms here:
// - A query term must be exactly one token: a quoted string the tokenizer splits is a phrase,
//   which the index (detail=none) refuses. So a typed word is cut where the tokenizer cuts it
//   (at marks too: Thai, Hindi) and its pieces are ANDed.
// - Scripts written without spaces between words (Chinese, Japanese, Thai, …; Korean too, whose
//   particles attach to words) make a whole run one token, so a word inside it could only be found
//   at the run's start. Such a run is also indexed as its overlapping pairs of characters (marks
//   left out, as the tokenizer leaves them) and its last character alone, and a query word in
//   such a script is turned into the same pairs: found where all its pairs are (in one document);
//   a single character where a pair or a last character starts with it. Latin letters and digits
//   inside such a run are indexed on their own too, so "GPT" finds "用GPT翻译".

const DENSE = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}';
const DENSE_CHAR = new RegExp(`[${DENSE}]`, 'u');
/** A word as a person reads it: letters, digits and the marks on them. */
const RUN = /[\p{L}\p{N}\p{Co}\p{M}]+/gu;
/** A token as the index's tokenizer cuts one. */
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;
const MARKS = /\p{M}/gu;
const HAS_TOKEN = /[\p{L}\p{N}\p{Co}]/u;

/** A run's pieces, marks dropped: stretches of dense script and stretches of anything else. */
function pieces(run: string): { dense: boolean; chars: string[] }[] {
  const out: { dense: boolean; chars: string[] }[] = [];
  for (const ch of run.replace(MARKS, '')) {
    const dense = DENSE_CHAR.test(ch);
    const last = out[out.length - 1];
    if (last && last.dense === dense) last.chars.push(ch);
    else out.push({ dense, chars: [ch] });
  }
  return out;
}

/** The extra terms to index for a run with dense script in it. */
function indexTerms(run: string): string[] {
  const out: string[] = [];
  for (const p of pieces(run)) {
    if (!p.dense) {
      out.push(p.chars.join(''));
      continue;
    }
    const c = p.chars;
    for (let i = 0; i + 1 < c.length; i++) out.push(c[i]! + c[i + 1]!);
    out.push(c[c.length - 1]!);
  }
  return out;
}

/** The text to index: as it is, each line with dense script followed by a line of its extra terms. */
export function withDenseScriptTerms(text: string): string {
  if (!DENSE_CHAR.test(text)) return text;
  return text.split('\n').map((line) => {
    if (!DENSE_CHAR.test(line)) return line;
    const terms = new Set<string>();
    for (const run of line.match(RUN) ?? []) if (DENSE_CHAR.test(run)) for (const t of indexTerms(run)) terms.add(t);
    return `${line}\n${[...terms].join(' ')}`;
  }).join('\n');
}

/**
 * One FTS5 match expression per word of what a user typed, its terms quoted (nothing typed is
 * syntax): a word's tokens as prefix terms; a word with dense script as the pairs it was indexed
 * by. Null when there is no word at all.
 */
export function matchExpressions(text: string): string[] | null {
  const runs = text.match(RUN)?.filter((r) => HAS_TOKEN.test(r));
  if (!runs || runs.length === 0) return null;
  return runs.map((run) => {
    if (!DENSE_CHAR.test(run)) return (run.match(TOKEN) ?? []).map((t) => `"${t}"*`).join(' ');
    const terms: string[] = [];
    for (const p of pieces(run)) {
      const c = p.chars;
      if (!p.dense) terms.push(`"${c.join('')}"*`);
      else if (c.length === 1) terms.push(`"${c[0]}"*`);
      else for (let i = 0; i + 1 < c.length; i++) terms.push(`"${c[i]}${c[i + 1]}"`);
    }
    return terms.join(' ');
  });
}
