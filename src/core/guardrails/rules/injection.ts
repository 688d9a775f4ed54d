// Prompt injection and jailbreaks, direct (a user's message) and indirect (tool results and
// retrieved documents), including text a human reader would not see: HTML comments, CSS-hidden
// elements, zero-width and Unicode tag characters, and encoded payloads. The phrasing lives in
// data/injection.json; this file decides where to look and what is talk *about* injection.

import type { CallText, GuardrailHit, GuardrailSeverity } from '../types';
import { locate } from '../text';
import { runAttempts, type Attempt, type CompiledPattern } from './patterns';
import { matches, matchesWithin, type RuleContext } from './context';
import { longTokens, scanOf } from '../scan';

/** Direct input is what a user typed; indirect is what reached the prompt from elsewhere. */
const CHECKED = new Set(['user', 'tool']);

export function injectionRule(texts: CallText[], ctx: RuleContext): GuardrailHit[] {
  const out: GuardrailHit[] = [];
  for (const t of texts) {
    if (!CHECKED.has(t.origin)) continue;
    const indirect = t.origin === 'tool';
    const where = indirect ? 'in a tool result or retrieved document (indirect)' : 'in user input (direct)';
    const seen: Array<[number, number]> = [];
    const push = (rule: string, severity: GuardrailSeverity, start: number, end: number, explanation: string): void => {
      if (seen.some(([s, e]) => start < e && end > s)) return;
      seen.push([start, end]);
      out.push({ rule, category: 'injection', severity: indirect ? 'high' : severity, location: locate(t, start, end), explanation: `${explanation} ${where}`, type: rule.slice('injection.'.length) });
    };
    // Hidden text first: when an instruction is also hidden, that is the more telling fact.
    for (const h of hiddenText(t.text, ctx.config.injectionPatterns)) push(h.rule, h.severity, h.start, h.end, h.explanation);
    const attempts = ctx.config.triggers.injection(t.text).filter((a) => indirect || a.pattern.scope !== 'indirect');
    for (const h of scanPatterns(t.text, attempts, indirect)) push(h.rule, h.severity, h.start, h.end, h.explanation);
  }
  return out;
}

interface RawHit {
  rule: string;
  severity: GuardrailSeverity;
  start: number;
  end: number;
  explanation: string;
}

/** The patterns' matches in one text, minus those that quote an attack to talk about it. */
export function scanPatterns(text: string, attempts: Attempt[], indirect: boolean, discussionCheck = true): RawHit[] {
  const out: RawHit[] = [];
  for (const { pattern: p, index, match } of runAttempts(text, attempts)) {
    if (p.scope === 'indirect' && !indirect) continue;
    if (p.negative?.test(match)) continue;
    if (discussionCheck && isDiscussion(text, index, index + match.length)) continue;
    out.push({ rule: p.id, severity: p.severity, start: index, end: index + match.length, explanation: p.explanation });
  }
  return out;
}

/** Every pattern over the whole text: for the small texts hidden in comments, tags and payloads. */
const everywhere = (text: string, patterns: CompiledPattern[]): Attempt[] => patterns.map((pattern) => ({ pattern, start: 0, end: text.length, sticky: false }));

// ---- talk about injection is not injection ----

const META = /(prompt[\s-]*injection|injection|jailbreak|jailbreaking|attack|attacker|adversarial|red[\s-]?team|malicious|exploit|security|secure|detect|detection|detector|classifier|guardrail|defen[cs]e|defend|prevent|mitigat|protect|example|sample|phrase|sanitiz|vulnerab|owasp|threat|inyecci[oó]n|ataque|attaque|angriff|attacco|атак|инъекц|注入|攻击|越狱|インジェクション|攻撃|脱獄)/i;
const REPORTED = /(say|says|said|saying|type|types|typed|typing|write|writes|wrote|writing|send|sends|sent|enter|enters|like|such as|e\.g\.|for example|for instance|called|known as|phrase|string|text|input|payload|contains?|containing|e\.g|como|comme|wie|come|как|如|例如|比如|たとえば|例えば)\W{0,4}$/i;
const QUOTES: Array<[string, string]> = [['"', '"'], ['“', '”'], ['«', '»'], ['„', '“'], ['「', '」'], ['『', '』'], ['`', '`'], ["'", "'"], ['‘', '’']];

function sentenceAround(text: string, start: number, end: number): [number, number] {
  let s = start;
  while (s > 0 && !/[.!?。！？\n]/.test(text[s - 1]!)) s--;
  let e = end;
  while (e < text.length && !/[.!?。！？\n]/.test(text[e]!)) e++;
  return [s, Math.min(text.length, e + 1)];
}

function quoted(text: string, sentenceStart: number, start: number, end: number): boolean {
  const pre = text.slice(sentenceStart, start);
  const post = text.slice(end, end + 200);
  for (const [open, close] of QUOTES) {
    const opened = open === close ? (pre.split(open).length - 1) % 2 === 1 : pre.lastIndexOf(open) > pre.lastIndexOf(close);
    if (opened && post.includes(close)) return true;
  }
  return false;
}

export function isDiscussion(text: string, start: number, end: number): boolean {
  const [ss, se] = sentenceAround(text, start, end);
  const sentence = text.slice(ss, se);
  // The whole message counts for meta words: a question can set the topic a sentence earlier.
  const window = text.slice(Math.max(0, ss - 300), Math.min(text.length, se + 300));
  if (!META.test(window)) return false;
  if (quoted(text, ss, start, end)) return true;
  if (REPORTED.test(text.slice(Math.max(ss, start - 30), start))) return true;
  return /\?\s*$/.test(sentence) && META.test(sentence) && /\b(what|how|why|is|are|does|do|can|should|could|would|explain|qué|cómo|comment|pourquoi|was|wie|warum|o que|como|cosa|come|что|как|什么|如何|怎么|なに|どう)\b/i.test(sentence);
}

// ---- text a reader does not see ----

const HTML_COMMENT = /<!--([\s\S]{0,4000}?)-->/g;
const CSS_HIDDEN = /<([a-z][a-z0-9]*)\b[^>]{0,300}?style\s*=\s*["'][^"']{0,300}?(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|em|rem|pt)?\b|opacity\s*:\s*0(?:\.0+)?\b|color\s*:\s*(?:#fff(?:fff)?\b|white\b|transparent\b)|left\s*:\s*-\d{3,}px|height\s*:\s*0)[^"']*["'][^>]*>([\s\S]{0,4000}?)<\/\1>/gi;
const HIDDEN_ATTR = /<([a-z][a-z0-9]*)\b[^>]{0,300}?\b(?:hidden|aria-hidden\s*=\s*["']true["'])[^>]*>([\s\S]{0,4000}?)<\/\1>/gi;
/** Words that make hidden text read as instructions to a model rather than a developer's note. */
const DIRECTIVE = /(?:^|[^\p{L}])(?:ignore|disregard|forget|override|instead|you must|you should|you will|you are|assistant|\bai\b|\bllm\b|language model|model|chatbot|do not|don't|never|always|send|forward|reply|respond|say|tell the user|print|reveal|include|execute|ignora|olvida|oublie|ignoriere|vergiss|esqueça|dimentica|игнорируй|забудь|忽略|無視)(?:[^\p{L}]|$)/iu;
const INVISIBLE = /[\u200B\u2060-\u2064\uFEFF\u180E\u200C\u200D\u202A-\u202E\u2066-\u2069]|\uDB40[\uDC00-\uDC7F]/g;
const BASE64 = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=_-])/g;

function hiddenText(text: string, patterns: CompiledPattern[]): RawHit[] {
  const out: RawHit[] = [];
  const hiddenInstructions = (inner: string): boolean => DIRECTIVE.test(inner) || scanPatterns(inner, everywhere(inner, patterns), true, false).length > 0;
  if (text.includes('<!--')) {
    for (const m of matches(HTML_COMMENT, text)) {
      if (hiddenInstructions(m[1]!)) out.push({ rule: 'injection.hidden-text', severity: 'high', start: m.index, end: m.index + m[0].length, explanation: 'Instructions hidden in an HTML comment' });
    }
  }
  if (text.includes('<') && /style|hidden/i.test(text)) {
    for (const re of [CSS_HIDDEN, HIDDEN_ATTR]) {
      for (const m of matches(re, text)) {
        if (hiddenInstructions(m[2]!)) out.push({ rule: 'injection.hidden-text', severity: 'high', start: m.index, end: m.index + m[0].length, explanation: 'Instructions in HTML that is not displayed' });
      }
    }
  }
  out.push(...invisibleText(text, patterns));
  out.push(...encodedPayloads(text, patterns));
  return out;
}

function isEmojiOrScript(ch: string | undefined): boolean {
  // ZWJ/ZWNJ belong in emoji sequences and in Arabic, Persian and Indic writing.
  return ch !== undefined && /[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F\p{Script=Arabic}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Gujarati}\p{Script=Gurmukhi}\p{Script=Sinhala}\p{Script=Syriac}\p{Script=Hebrew}]/u.test(ch);
}

function invisibleText(text: string, patterns: CompiledPattern[]): RawHit[] {
  if (scanOf(text).ascii || !/[\u200B-\u200D\u2060-\u2064\uFEFF\u180E\u202A-\u202E\u2066-\u2069\uDB40]/.test(text)) return [];
  const out: RawHit[] = [];
  let tagStart = -1;
  let tagText = '';
  let count = 0;
  let first = -1;
  let last = -1;
  const flushTags = (end: number): void => {
    if (tagStart >= 0 && tagText.length > 0) {
      const instructions = DIRECTIVE.test(tagText) || scanPatterns(tagText, everywhere(tagText, patterns), true, false).length > 0;
      out.push({
        rule: 'injection.hidden-text',
        severity: 'high',
        start: tagStart,
        end,
        explanation: `Invisible Unicode tag characters spell out text${instructions ? ' with instructions' : ''}: "${tagText.slice(0, 80)}"`,
      });
    }
    tagStart = -1;
    tagText = '';
  };
  for (const m of matches(INVISIBLE, text)) {
    const ch = m[0];
    if (ch.length === 2) {
      if (tagStart < 0 || m.index !== last) flushTags(last);
      if (tagStart < 0) tagStart = m.index;
      const code = ch.charCodeAt(1) - 0xdc00;
      if (code >= 0x20 && code < 0x7f) tagText += String.fromCharCode(code);
      last = m.index + 2;
      continue;
    }
    if (ch === '\uFEFF' && m.index === 0) continue;
    if ((ch === '\u200C' || ch === '\u200D') && (isEmojiOrScript(text[m.index - 1]) || isEmojiOrScript(text[m.index + 1]) || /[\uD800-\uDFFF]/.test(text[m.index - 1] ?? ''))) continue;
    if (first < 0) first = m.index;
    last = m.index + 1;
    count++;
  }
  flushTags(last);
  const bidi = /[\u202A-\u202E\u2066-\u2069]/.test(text);
  if (count >= 3 || (bidi && count >= 1)) {
    out.push({ rule: 'injection.hidden-text', severity: 'medium', start: first, end: last, explanation: `${count} invisible characters (zero-width or direction overrides) hide or reorder text` });
  }
  return out;
}

function decodeBase64(s: string): string | null {
  try {
    const bin = atob(s.length % 4 === 0 ? s : s + '='.repeat(4 - (s.length % 4)));
    let printable = 0;
    for (let i = 0; i < bin.length; i++) {
      const c = bin.charCodeAt(i);
      if ((c >= 32 && c < 127) || c === 10 || c === 13 || c === 9 || c >= 0xc2) printable++;
    }
    if (printable / bin.length < 0.95) return null;
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

function encodedPayloads(text: string, patterns: CompiledPattern[]): RawHit[] {
  const out: RawHit[] = [];
  const tokens = longTokens(text, 24);
  if (tokens.length === 0) return out;
  let tried = 0;
  // A base64 run is a run of key-like characters: only those are searched.
  for (const m of matchesWithin(BASE64, text, tokens)) {
    if (++tried > 32) break;
    if (!/[0-9+/]/.test(m[0]) && !/[A-Z].*[a-z]|[a-z].*[A-Z]/.test(m[0])) continue;
    const decoded = decodeBase64(m[0]);
    if (!decoded || !/[\p{L}]{3,}[\s][\p{L}]/u.test(decoded)) continue;
    const inner = scanPatterns(decoded, everywhere(decoded, patterns), true, false);
    if (inner.length > 0) out.push({ rule: 'injection.encoded', severity: 'high', start: m.index, end: m.index + m[0].length, explanation: `Base64 payload that decodes to an injection ("${decoded.slice(0, 60)}")` });
  }
  return out;
}
