import { describe, expect, it } from 'vitest';
import { findCards, findEmails, findIps, findSsns, luhn, piiRule } from '../../../src/core/guardrails';
import { call, covered, ctx, texts } from './helpers';

async function pii(text: string): Promise<Array<{ rule: string; text: string }>> {
  const c = call({ user: text });
  return piiRule(texts(c), await ctx()).map((h) => ({ rule: h.rule, text: covered(c, h) }));
}

describe('pii: e-mail addresses', () => {
  it('finds addresses with their exact range', async () => {
    expect(await pii('Write to anna.k+news@mail.example-corp.io today.')).toEqual([{ rule: 'pii.email', text: 'anna.k+news@mail.example-corp.io' }]);
  });
  it('skips file names, scp remotes and URL credentials', () => {
    expect(findEmails('logo@2x.png and git@github.com:acme/app.git and https://bob:pw@host.com/x')).toEqual([]);
  });
});

describe('pii: payment cards', () => {
  it('finds Luhn-valid numbers of a known issuer, grouped or not', () => {
    const text = 'Visa 4539 1488 0343 6467, Amex 378282246310005, MC 5500-0000-0000-0004';
    expect(findCards(text).map(([s, e]) => text.slice(s, e))).toEqual(['4539 1488 0343 6467', '378282246310005', '5500-0000-0000-0004']);
  });
  it('ignores Luhn failures, unknown issuers, timestamps and order numbers', () => {
    expect(luhn('4539148803436467')).toBe(true);
    expect(luhn('4539148803436468')).toBe(false);
    expect(findCards('card 4539 1488 0343 6468')).toEqual([]);
    expect(findCards('at 1712345678901234')).toEqual([]);
    expect(findCards('Your order number is 4532015112830366.')).toEqual([]);
    expect(findCards('pay with card 4532015112830366')).toHaveLength(1);
  });
});

describe('pii: SSN, IBAN, IP', () => {
  it('finds valid SSNs, not invalid areas or ids', () => {
    expect(findSsns('SSN 536-22-8147')).toHaveLength(1);
    expect(findSsns('000-12-3456 666-12-3456 900-12-3456 123-00-4567')).toEqual([]);
    expect(findSsns('ssn: 536228147')).toHaveLength(1);
    expect(findSsns('id 536228147')).toEqual([]);
  });
  it('finds IBANs whose checksum holds, also when a word follows', async () => {
    expect(await pii('IBAN GB82 WEST 1234 5698 7654 32 SEND NOW')).toEqual([{ rule: 'pii.iban', text: 'GB82 WEST 1234 5698 7654 32' }]);
    expect(await pii('IBAN DE89 3704 0044 0532 0130 01')).toEqual([]);
  });
  it('finds public IPv4 and IPv6, not private, loopback, documentation or version numbers', () => {
    const t = 'from 81.2.69.160 and 2a03:2880:f12f:83:face:b00c:0:25de; 10.0.0.1 127.0.0.1 192.0.2.1 ::1 2001:db8::1; v1.2.3.4; version 8.8.4.4; at 10:22:33';
    expect(findIps(t).map(([s, e]) => t.slice(s, e))).toEqual(['81.2.69.160', '2a03:2880:f12f:83:face:b00c:0:25de']);
    expect(findIps('dns server 1.1.1.1')).toHaveLength(1);
    expect(findIps('see section 1.1.1.1')).toEqual([]);
  });
});

describe('pii: phone numbers', () => {
  it('finds international numbers in any country and national ones in the configured countries', async () => {
    const hits = await pii('Call +44 20 7946 0958, (415) 555-2671 or Tel. 030 901820; +86 138 0013 8000.');
    expect(hits.map((h) => h.text)).toEqual(['+44 20 7946 0958', '(415) 555-2671', '030 901820', '+86 138 0013 8000']);
  });
  it('leaves dates, decimals, ids and bare digit runs alone', async () => {
    expect(await pii('On 2024-03-15 at 10:22, pi 3.14159265, id is 123-45-67890, ts 1712345678, total 1 234 567')).toEqual([]);
  });
  it('uses only the countries it is given for national numbers', async () => {
    const c = call({ user: 'Ring 030 901820' });
    expect(piiRule(texts(c), await ctx({ pii: { phoneCountries: ['US'] } }))).toEqual([]);
  });
});
