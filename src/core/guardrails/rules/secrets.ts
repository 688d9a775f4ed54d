// Secrets: provider API keys and tokens from secretlint's recommended rule set (OpenAI,
// Anthropic, AWS, GitHub, Slack, GCP, Stripe, …, connection strings, basic auth, private keys),
// plus what that set lacks (JWTs, Google API keys, private keys in any PEM flavour, connection
// strings of any scheme). Placeholders and lookups (`sk-xxxx…`, `<your-key>`,
// `${OPENAI_API_KEY}`, `process.env.X`) are not secrets.

import type { CallText, GuardrailHit } from '../types';
import { locate } from '../text';
import { matchesWithin, type RuleContext } from './context';
import { longTokens } from '../scan';

/** Context secretlint's rules read around a token (`aws_secret_access_key = …`, `Authorization: Bearer …`). */
const CONTEXT = 100;

/**
 * The parts of a text where a secret can be: long tokens, credentials in URLs and PEM blocks,
 * each with the text around it, merged. Every secret this rule knows lies inside one of them, so
 * the rule's own patterns read only these (`all`); secretlint reads the fewer of them that can
 * hold what its rules report (`lint`, a subset). Both from one pass over the text.
 */
function secretWindows(text: string): { all: Array<[number, number]>; lint: Array<[number, number]> } {
  const all: Array<[number, number]> = longTokens(text, 16);
  const lint = all.filter(([s, e]) => generatedLike(text, s, e));
  // A URL's credentials reach up to 200 characters past the scheme; secretlint's URL rules all
  // want them (`user:password@`), so it reads a URL only when an @ follows in it.
  for (let i = text.indexOf('://'); i >= 0; i = text.indexOf('://', i + 3)) {
    const end = Math.min(text.length, i + 200);
    all.push([i, end]);
    if (credentialsIn(text, i + 3, end)) lint.push([i, end]);
  }
  for (let i = text.indexOf('-----BEGIN'); i >= 0; i = text.indexOf('-----BEGIN', i + 10)) {
    const end = text.indexOf('-----END', i);
    const pem: [number, number] = [i, end < 0 ? text.length : Math.min(text.length, text.indexOf('-----', end + 8) + 5)];
    all.push(pem);
    lint.push(pem);
  }
  return { all: withContext(text, all), lint: withContext(text, lint) };
}

/** The spans widened by CONTEXT on each side, in order, overlapping ones merged. */
function withContext(text: string, spans: Array<[number, number]>): Array<[number, number]> {
  if (spans.length === 0) return [];
  spans.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of spans) {
    const ws = Math.max(0, s - CONTEXT);
    const we = Math.min(text.length, e + CONTEXT);
    const last = out[out.length - 1];
    if (last && ws <= last[1]) last[1] = Math.max(last[1], we);
    else out.push([ws, we]);
  }
  return out;
}

/**
 * Whether a run of key-like characters can hold what a secretlint rule reports, so that it is
 * worth a run of secretlint (per call) over its surroundings:
 * - not hex digits, dots and dashes only (a number, date, version, UUID or hash): none of
 *   secretlint's rules reads one as a secret (each wants a prefix with other letters, a PEM block,
 *   a password in a URL or a key name beside the value, which are windows of their own);
 * - a digit or a capital letter in it. Every rule's secret is a fixed prefix with one (`AKIA`,
 *   `SG.`, `T3BlbkFJ`, `xoxb-1-`) or a generated part of 16 and more letters and digits, which is
 *   all lower-case letters once in 10^6 at 16 characters (and ever more rarely when longer); a
 *   path or a host name (`//example.org/releases`) is neither.
 */
function generatedLike(text: string, s: number, e: number): boolean {
  let upperOrDigit = false;
  let notHex = false;
  for (let k = s; k < e && !(upperOrDigit && notHex); k++) {
    const c = text.charCodeAt(k);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90)) upperOrDigit = true;
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46 || c === 45)) notHex = true;
  }
  return upperOrDigit && notHex;
}

/** Whether an @ stands in the URL whose scheme ends at `from` (before whitespace or a quote). */
function credentialsIn(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 64) return true;
    if (c <= 32 || c === 34 || c === 39 || c === 96 || c === 60 || c === 62) return false;
  }
  return false;
}

const ASSIGNMENT_WORDS = /key|secret|token|passw|pwd|bearer/gi;
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/g;
const GOOGLE_KEY = /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g;
const PEM = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 )?PRIVATE KEY(?: BLOCK)?)-----([\s\S]{0,10000}?)-----END \1-----/g;
/** OpenAI key shapes secretlint's exact-length pattern misses (project, service-account, admin and legacy keys). */
const OPENAI_KEY = /(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{48})(?![A-Za-z0-9_-])/g;
/** `api_key = "…"`-style assignments of a long random value, for providers no rule knows. */
const ASSIGNED = /(?<![A-Za-z0-9])((?:[a-z0-9]+[_-])*(?:api[_-]?key|apikey|secret(?:[_-]?key)?|access[_-]?key|auth[_-]?token|access[_-]?token|bearer|token|password|passwd|pwd|private[_-]?key|client[_-]?secret))["']?\s*(?:[:=]|=>|:=)\s*["'`]?([A-Za-z0-9_\-+/=.~]{16,200})(?![A-Za-z0-9_\-+/=.~])/gi;
const URL_CREDENTIALS = /(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]{1,24}):\/\/([^\s:@/'"]{1,64}):([^\s@/'"]{1,128})@[^\s/'"]/gi;

/** Words and shapes that mark a value as a stand-in, not a credential. */
const PLACEHOLDER = /x{4,}|\*{4,}|\.{3}|…|<[^>]{0,40}>|\$\{[^}]*\}|\$[A-Z_]{3,}|\{\{[^}]*\}\}|%\([a-z_]+\)s|your[_-]?(?:api[_-]?)?(?:key|token|secret|password)|example|dummy|placeholder|changeme|change[_-]me|redacted|fake|sample|insert|replace|0{8,}|1234567890|abcdefgh|(.)\1{7,}/i;
const ENV_LOOKUP = /process\.env|os\.environ|os\.getenv|getenv\(|System\.getenv|Environment\.GetEnvironmentVariable|ENV\[|env\(|secrets\./;

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export function isPlaceholder(value: string): boolean {
  if (PLACEHOLDER.test(value) || ENV_LOOKUP.test(value)) return true;
  // A token of repeated pieces (`sk-abc123abc123…`) is typed by hand, not generated.
  const body = value.replace(/^[a-z]{2,6}[-_](?:[a-z]{2,8}[-_])?/i, '').replace(/[^A-Za-z0-9]/g, '');
  return body.length >= 16 && entropy(body) < 3;
}

/** Whether a global regex matches somewhere inside [from, to). */
function occursIn(re: RegExp, text: string, from: number, to: number): boolean {
  re.lastIndex = from;
  return re.exec(to < text.length ? text.slice(0, to) : text) !== null;
}

function shortName(ruleId: string): string {
  return ruleId.replace(/^@secretlint\/secretlint-rule-/, '');
}

interface Found {
  start: number;
  end: number;
  type: string;
  what: string;
}

export async function secretRule(texts: CallText[], ctx: RuleContext): Promise<GuardrailHit[]> {
  const windows = texts.map((t) => secretWindows(t.text));
  const candidates = texts.filter((_, i) => windows[i]!.all.length > 0);
  const candidateWindows = windows.filter((w) => w.all.length > 0);
  if (candidates.length === 0) return [];
  const found = candidates.map(() => [] as Found[]);
  const add = (i: number, f: Found): void => {
    const list = found[i]!;
    if (list.some((o) => f.start < o.end && f.end > o.start)) return;
    if (isPlaceholder(candidates[i]!.text.slice(f.start, f.end))) return;
    list.push(f);
  };
  // One secretlint run for the whole call (part of its cost is per run) over the windows of every
  // text, joined by blank lines; each finding is mapped back to its text.
  const pieces: Array<{ at: number; text: number; from: number; to: number }> = [];
  let joined = '';
  candidates.forEach((t, i) => {
    for (const [from, to] of candidateWindows[i]!.lint) {
      pieces.push({ at: joined.length, text: i, from, to });
      joined += `${t.text.slice(from, to)}\n\n`;
    }
  });
  const result =
    joined === ''
      ? null
      : await ctx.libs.lintSource({
          source: { content: joined, filePath: 'call.txt', ext: '.txt', contentType: 'text' },
          options: { config: ctx.libs.secretlintConfig, noPhysicFilePath: true },
        });
  for (const m of result?.messages ?? []) {
    if (m.type !== 'message') continue;
    let k = pieces.length - 1;
    while (k > 0 && pieces[k]!.at > m.range[0]) k--;
    const piece = pieces[k]!;
    const start = piece.from + m.range[0] - piece.at;
    const end = piece.from + m.range[1] - piece.at;
    if (end > piece.to) continue; // across two windows: not one secret
    const type = shortName(m.ruleId);
    // secretlint's message quotes the secret: the explanation is built from its id instead.
    add(piece.text, { start, end, type, what: humanize(m.messageId ?? type) });
  }
  candidates.forEach((t, i) => {
    const text = t.text;
    const w = candidateWindows[i]!.all;
    if (text.includes('-----BEGIN')) {
      for (const m of matchesWithin(PEM, text, w)) {
        const body = m[2]!.replace(/\s|\\n|\\r/g, '');
        if (body.length >= 40) add(i, { start: m.index, end: m.index + m[0].length, type: 'privatekey', what: `${m[1]}` });
      }
    }
    if (text.includes('eyJ')) {
      for (const m of matchesWithin(JWT, text, w)) {
        const header = safeJson(base64UrlDecode(m[0].slice(0, m[0].indexOf('.'))));
        if (header && typeof header === 'object' && 'alg' in header) add(i, { start: m.index, end: m.index + m[0].length, type: 'jwt', what: 'JSON Web Token' });
      }
    }
    if (text.includes('sk-')) for (const m of matchesWithin(OPENAI_KEY, text, w)) add(i, { start: m.index, end: m.index + m[0].length, type: 'openai', what: 'OpenAI API key' });
    if (text.includes('AIza')) for (const m of matchesWithin(GOOGLE_KEY, text, w)) add(i, { start: m.index, end: m.index + m[0].length, type: 'google', what: 'Google API key' });
    if (text.includes('://')) {
      for (const m of matchesWithin(URL_CREDENTIALS, text, w)) {
        const password = m[3]!;
        if (password.length < 3 || isPlaceholder(password) || /^(password|pass|pwd|secret)$/i.test(password)) continue;
        const pwStart = m.index + m[1]!.length + 3 + m[2]!.length + 1;
        add(i, { start: m.index, end: pwStart + password.length + 1, type: 'connection-string', what: `${m[1]!.toLowerCase()} connection string with a password` });
      }
    }
    for (const m of matchesWithin(ASSIGNED, text, w.filter(([s, e]) => occursIn(ASSIGNMENT_WORDS, text, s, e)))) {
      const value = m[2]!;
      // Only values that look generated: mixed classes and high entropy, not words or paths.
      if (entropy(value) < 3.5 || !/\d/.test(value) || !/[A-Za-z]/.test(value) || /^[a-z]+([_.-][a-z]+)+$/i.test(value)) continue;
      const start = m.index + m[0].length - value.length;
      add(i, { start, end: start + value.length, type: 'generic', what: `Credential assigned to ${m[1]}` });
    }
  });
  const out: GuardrailHit[] = [];
  candidates.forEach((t, i) => {
    for (const f of found[i]!) {
      out.push({
        rule: `secret.${f.type}`,
        category: 'secret',
        severity: f.type === 'generic' ? 'medium' : 'high',
        location: locate(t, f.start, f.end),
        explanation: f.what,
        type: f.type,
      });
    }
  });
  return out;
}

/** `AWSSecretAccessKey`, `GITHUB_TOKEN` → "AWS secret access key", "GitHub token"-ish words. */
function humanize(id: string): string {
  const words = id.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').trim().split(/\s+/);
  return words.map((w, i) => (w.length > 1 && w === w.toUpperCase() && !/^(API|AWS|GCP|NPM|JWT|URL|SSH|ID|PAT)$/.test(w) ? (i === 0 ? w[0] + w.slice(1).toLowerCase() : w.toLowerCase()) : w)).join(' ');
}

function base64UrlDecode(s: string): string {
  try {
    return atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  } catch {
    return '';
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
