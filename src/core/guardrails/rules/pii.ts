// Personal data: e-mail addresses, phone numbers, US SSNs, payment cards, IBANs and IP
// addresses. Shapes are found with regular expressions; each candidate is then checked the way
// the number itself can be (Luhn, the IBAN checksum, libphonenumber's per-country metadata) and
// against the words around it, so order numbers, timestamps, versions and UUIDs do not hit.

import type { CallText, GuardrailHit } from '../types';
import { locate } from '../text';
import { after, before, matches, matchesWithin, type RuleContext } from './context';
import { scanOf } from '../scan';

/**
 * The clusters of digits (and ` +().-`) holding at least `minDigits` digits and `minDots` dots:
 * every card, SSN, phone and IPv4 number lies inside one such cluster, so text without one is
 * never searched (read with two characters after, for the lookaheads).
 */
function* clusters(text: string, minDigits: number, minDots = 0): Generator<[number, number]> {
  const c = scanOf(text).clusters;
  for (let k = 0; k < c.length; k += 4) if (c[k + 2]! >= minDigits && c[k + 3]! >= minDots) yield [c[k]!, c[k + 1]!];
}

const PII_ORIGINS = new Set(['system', 'user', 'tool', 'history', 'assistant', 'tool_call', 'reasoning']);

export function piiRule(texts: CallText[], ctx: RuleContext): GuardrailHit[] {
  const out: GuardrailHit[] = [];
  for (const t of texts) {
    if (!PII_ORIGINS.has(t.origin)) continue;
    const taken: Array<[number, number]> = [];
    const add = (rule: string, type: string, start: number, end: number, severity: GuardrailHit['severity'], explanation: string): void => {
      if (taken.some(([s, e]) => start < e && end > s)) return;
      taken.push([start, end]);
      out.push({ rule, category: 'pii', severity, type, location: locate(t, start, end), explanation });
    };
    // Most specific first: a card or IBAN is not also a phone number.
    for (const [s, e] of findEmails(t.text)) add('pii.email', 'email', s, e, 'medium', 'E-mail address');
    for (const [s, e] of findIbans(t.text, ctx)) add('pii.iban', 'iban', s, e, 'high', 'IBAN (checksum valid)');
    for (const [s, e] of findCards(t.text)) add('pii.card', 'card', s, e, 'high', 'Payment card number (Luhn valid)');
    for (const [s, e] of findSsns(t.text)) add('pii.ssn', 'ssn', s, e, 'high', 'US Social Security number');
    for (const [s, e] of findIps(t.text)) add('pii.ip', 'ip', s, e, 'low', 'Public IP address');
    for (const [s, e, country] of findPhones(t.text, ctx)) add('pii.phone', 'phone', s, e, 'medium', `Phone number (${country})`);
  }
  return out;
}

// ---- e-mail ----

const EMAIL = /(?<![\w.+%'-])[A-Za-z0-9](?:[A-Za-z0-9._%+'-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-]|\.[A-Za-z0-9])/g;
/** `icon@2x.png` is a file name, not an address. */
const FILE_TLDS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'css', 'scss', 'json', 'map', 'md', 'txt', 'html', 'pdf', 'zip', 'gz', 'wasm', 'py', 'rb', 'go', 'rs', 'java', 'kt', 'swift', 'lock', 'yaml', 'yml', 'toml', 'xml', 'csv']);

export function findEmails(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (!text.includes('@')) return out;
  for (const m of matches(EMAIL, text)) {
    const start = m.index;
    const end = start + m[0].length;
    const prev = text[start - 1];
    if (prev === ':' || prev === '/') continue; // user:password@host in a URL: the secrets rule's
    const tld = m[0].slice(m[0].lastIndexOf('.') + 1).toLowerCase();
    if (FILE_TLDS.has(tld)) continue;
    if (/^:[\w~/]/.test(text.slice(end, end + 2))) continue; // git@github.com:org/repo
    out.push([start, end]);
  }
  return out;
}

// ---- payment cards ----

const CARD = /(?<![\w.,-])\d(?:[ -]?\d){12,18}(?![\w-]|[.,]\d)/g;
const CARD_POSITIVE = /(card|visa|master|amex|american express|discover|diners|jcb|maestro|unionpay|credit|debit|\bcc\b|\bpan\b|payment|pay with|tarjeta|carte|karte|cartão|carta|卡|カード|карт)/;
/** A label for an identifier just before the number ("order number is", "ref #"). */
const ID_LABEL = '(?:order|invoice|tracking|ref|reference|id|transaction|txn|account|acct|serial|isbn|sku|ticket|case|awb|shipment|confirmation|booking|package|parcel|request|customer|member|policy|claim|batch|lot|build|version|page|zip|postal|po)';
const CARD_NEGATIVE = new RegExp(`(?:\\b${ID_LABEL}\\b|#)(?:\\W+(?:no|number|nr|num|code|is|was|are|id|#)\\b){0,3}\\W*$`);

export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes of the card networks (ISO/IEC 7812 IIN ranges in use). */
function knownIssuer(d: string): boolean {
  const n2 = Number(d.slice(0, 2));
  const n4 = Number(d.slice(0, 4));
  const n6 = Number(d.slice(0, 6));
  const len = d.length;
  if (d[0] === '4') return len === 13 || len === 16 || len === 19; // Visa
  if ((n2 >= 51 && n2 <= 55) || (n6 >= 222100 && n6 <= 272099)) return len === 16; // Mastercard
  if (n2 === 34 || n2 === 37) return len === 15; // Amex
  if (n4 === 6011 || n2 === 65 || (n4 >= 6440 && n4 <= 6499) || (n6 >= 622126 && n6 <= 622925)) return len >= 16; // Discover
  if (n4 >= 3528 && n4 <= 3589) return len >= 16; // JCB
  if ((n4 >= 3000 && n4 <= 3059) || n2 === 36 || n2 === 38 || n2 === 39) return len >= 14; // Diners
  if (n2 === 62 || n2 === 81) return len >= 16; // UnionPay
  if (n2 === 50 || (n2 >= 56 && n2 <= 69)) return len >= 12; // Maestro
  if (n4 >= 2200 && n4 <= 2204) return len === 16; // Mir
  return false;
}

export function findCards(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of matchesWithin(CARD, text, clusters(text, 13), 2)) {
    const raw = m[0];
    const seps = raw.replace(/\d/g, '');
    if (seps !== '' && !/^( +| *-+ *)$/.test(seps) && !/^-+$/.test(seps)) continue;
    if (seps.length > 0 && new Set(seps).size > 1) continue; // mixed separators: not a card as written
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 13 || digits.length > 19) continue;
    if (/^(\d)\1+$/.test(digits)) continue;
    if (!knownIssuer(digits) || !luhn(digits)) continue;
    const ctx = before(text, m.index, 40);
    if (CARD_NEGATIVE.test(ctx) && !CARD_POSITIVE.test(ctx)) continue;
    out.push([m.index, m.index + raw.length]);
  }
  return out;
}

// ---- US SSN ----

const SSN = /(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-]|[.,]\d)/g;
const SSN_BARE = /(?<![\w-])\d{9}(?![\w-])/g;
const SSN_CONTEXT = /(ssn|social security|soc\.? sec|seguro social|taxpayer)/;

function validSsn(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== '00' && serial !== '0000';
}

export function findSsns(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of matchesWithin(SSN, text, clusters(text, 9), 2)) {
    if (!validSsn(m[1]!, m[3]!, m[4]!)) continue;
    if (/(phone|tel|call|fax|mobile)\W*$/.test(before(text, m.index, 16))) continue;
    out.push([m.index, m.index + m[0].length]);
  }
  for (const m of matchesWithin(SSN_BARE, text, clusters(text, 9), 2)) {
    if (!SSN_CONTEXT.test(before(text, m.index, 32))) continue;
    const d = m[0];
    if (validSsn(d.slice(0, 3), d.slice(3, 5), d.slice(5))) out.push([m.index, m.index + 9]);
  }
  return out;
}

// ---- IBAN ----

const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g;

export function findIbans(text: string, ctx: RuleContext): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const { iban } = ctx.libs;
  for (const m of matches(IBAN, text)) {
    // A trailing upper-case word can be swallowed with the spaces: drop groups until it checks out.
    let cand = m[0];
    while (cand.length >= 15) {
      const electronic = iban.electronicFormatIBAN(cand) ?? '';
      if (iban.isValidIBAN(electronic)) {
        out.push([m.index, m.index + cand.length]);
        break;
      }
      const cut = cand.lastIndexOf(' ');
      if (cut < 0) break;
      cand = cand.slice(0, cut);
    }
  }
  return out;
}

// ---- IP addresses ----

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.-])${OCTET}(?:\\.${OCTET}){3}(?![\\w-]|\\.\\d)`, 'g');
const IPV6_CANDIDATE = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/g;
const VERSION_CONTEXT = /(?:\b(?:version|ver\.?|release|build|rev\.?|v|section|chapter|step|oid)\s*[:=]?|[@§])\s*$/;
const IP_CONTEXT = /(\bip\b|address|addr|host|server|client|remote|from|source|dst|src|connect|ping|dns|proxy|gateway|ip-адрес|dirección|adresse)/;

function publicIpv4(parts: number[]): boolean {
  const [a, b] = parts as [number, number, number, number];
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false; // this network, private, loopback, multicast, reserved
  if (a === 100 && b >= 64 && b <= 127) return false; // carrier-grade NAT
  if (a === 169 && b === 254) return false; // link-local
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 0 && parts[2] === 2) return false; // documentation (RFC 5737)
  if (a === 198 && b === 51 && parts[2] === 100) return false;
  if (a === 203 && b === 0 && parts[2] === 113) return false;
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  return true;
}

function parseIpv6(s: string): number[] | null {
  if ((s.match(/::/g) ?? []).length > 1) return null;
  let body = s;
  let tail: number[] = [];
  const v4 = /(?:^|:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    if (o.some((x) => x > 255)) return null;
    tail = [(o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!];
    body = s.slice(0, s.length - v4[1]!.length);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const groups = (x: string): number[] | null => {
    if (x === '') return [];
    const out: number[] = [];
    for (const g of x.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const gap = body.indexOf('::');
  const head = groups(gap < 0 ? body : body.slice(0, gap));
  const rest = gap < 0 ? [] : groups(body.slice(gap + 2));
  if (!head || !rest) return null;
  const have = head.length + rest.length + tail.length;
  if (gap < 0) return have === 8 ? [...head, ...tail] : null;
  if (have > 7) return null;
  return [...head, ...new Array<number>(8 - have).fill(0), ...rest, ...tail];
}

function publicIpv6(g: number[]): boolean {
  if (g.every((x) => x === 0)) return false;
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return false; // ::1
  const first = g[0]!;
  if ((first & 0xffc0) === 0xfe80) return false; // link-local
  if ((first & 0xfe00) === 0xfc00) return false; // unique local
  if ((first & 0xff00) === 0xff00) return false; // multicast
  if (first === 0x2001 && g[1] === 0x0db8) return false; // documentation
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return publicIpv4([g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255]);
  return true;
}

/** Whether two colons stand with at most four hex digits between them, as in every IPv6 address. */
function hexColons(text: string): boolean {
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    for (let j = i + 1; j <= i + 5 && j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 58) return true;
      const lower = c | 32;
      if (!((c >= 48 && c <= 57) || (lower >= 97 && lower <= 102))) break;
    }
  }
  return false;
}

export function findIps(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (text.includes('.')) {
    for (const m of matchesWithin(IPV4, text, clusters(text, 4, 3), 2)) {
      const parts = m[0].split('.').map(Number);
      if (!publicIpv4(parts)) continue;
      const ctx = before(text, m.index, 24);
      if (VERSION_CONTEXT.test(ctx)) continue;
      // 1.2.3.4-style strings are versions and section numbers far more often than hosts.
      if (parts.every((p) => p < 10) && !IP_CONTEXT.test(ctx)) continue;
      if (/^-(alpha|beta|rc|dev|snapshot|pre)/.test(after(text, m.index + m[0].length, 8))) continue;
      out.push([m.index, m.index + m[0].length]);
    }
  }
  if (hexColons(text)) {
    for (const m of matches(IPV6_CANDIDATE, text)) {
      if ((m[0].match(/:/g) ?? []).length < 2) continue;
      const g = parseIpv6(m[0]);
      if (!g || !publicIpv6(g)) continue;
      out.push([m.index, m.index + m[0].length]);
    }
  }
  return out;
}

// ---- phone numbers ----

const PHONE = /(?<![\w+@#$/=.:-])(?:\+|\b00)?\(?\d[\d .()\u00a0-]{5,22}\d(?![\w@-]|[.,]\d)/g;
const PHONE_POSITIVE = /(phone|tel\b|tel\.|telephone|call|mobile|cell|fax|whatsapp|sms|text me|contact|reach|dial|ring|hotline|teléfono|telefono|téléphone|portable|telefon|handy|rufnummer|telefone|celular|电话|手机|電話|телефон|тел\.|номер)/;
const PHONE_NEGATIVE = new RegExp(`(?:\\b(?:${ID_LABEL.slice(3, -1)}|amount|total|price|p)\\b|#|\\$|€|£)(?:\\W+(?:no|number|nr|num|code|is|was|are|id|#)\\b){0,3}\\W*$`);
const DATE_LIKE = /^(\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2,4})$/;

export function findPhones(text: string, ctx: RuleContext): Array<[number, number, string]> {
  const out: Array<[number, number, string]> = [];
  const { phone } = ctx.libs;
  // Fewer than 7 digits is never a phone number (checked below).
  for (const m of matchesWithin(PHONE, text, clusters(text, 7), 2)) {
    let raw = m[0];
    let start = m.index;
    // A parenthesis opened before the match or left dangling at its end is not part of the number.
    while (raw.endsWith(')') && (raw.match(/\(/g) ?? []).length < (raw.match(/\)/g) ?? []).length) raw = raw.slice(0, -1);
    raw = raw.replace(/[ .(\u00a0-]+$/, '');
    if (raw.startsWith('(') && !raw.includes(')')) {
      raw = raw.slice(1);
      start++;
    }
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15) continue;
    if (DATE_LIKE.test(raw)) continue;
    if (/^\d{3}-\d{2}-\d{4}$/.test(raw)) continue; // SSN shape
    const dots = (raw.match(/\./g) ?? []).length;
    if (dots === 1 && !/[ ()-]/.test(raw)) continue; // a decimal number
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(raw)) continue; // an IPv4 address
    const ctxBefore = before(text, start, 32);
    const positive = PHONE_POSITIVE.test(ctxBefore);
    if (!positive && /^\d{1,3}( \d{3})+$/.test(raw) && !raw.startsWith('0')) continue; // 1 234 567: a number with thousands spaces
    if (!positive && PHONE_NEGATIVE.test(ctxBefore)) continue;
    const international = raw.startsWith('+') || raw.startsWith('00');
    // Digits that continue a code before them ("1Z 999 AA1 01 2345 6784") are part of that code.
    if (!international && !positive && /[A-Za-z]*\d[A-Za-z0-9]*[ -]$/.test(text.slice(Math.max(0, start - 12), start))) continue;
    let country: string | null = null;
    if (international) {
      const p = phone.parsePhoneNumberFromString(raw.startsWith('00') ? `+${raw.slice(2)}` : raw);
      if (p?.isValid()) country = p.country ?? `+${p.countryCallingCode}`;
    } else {
      // A national number needs the look of one (grouped digits or an area code in
      // parentheses) or a word saying it is a phone number; bare digit runs are ids and times.
      const grouped = /[\d)][ .\u00a0-]+\d/.test(raw) || /^\(\d+\)/.test(raw);
      if (!grouped && !positive) continue;
      for (const c of ctx.config.pii.phoneCountries) {
        const p = phone.parsePhoneNumberFromString(raw, c as Parameters<typeof phone.parsePhoneNumberFromString>[1] & string);
        if (p?.isValid()) {
          country = p.country ?? c;
          break;
        }
      }
    }
    if (country) out.push([start, start + raw.length, country]);
  }
  return out;
}
