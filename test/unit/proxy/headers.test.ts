import { describe, expect, it } from 'vitest';
import { forwardableHeaders, recordableHeaders, redactPathQuery } from '../../../src/capture/proxy/headers';

describe('forwardableHeaders', () => {
  it('drops hop-by-hop headers and those the Connection header names, keeping spelling, order and repeats', () => {
    const raw = ['Content-Type', 'application/json', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'Transfer-Encoding', 'chunked', 'X-Multi', 'a', 'X-Multi', 'b', 'Keep-Alive', 'timeout=5', 'TE', 'trailers'];
    expect(forwardableHeaders(raw)).toEqual(['Content-Type', 'application/json', 'X-Multi', 'a', 'X-Multi', 'b']);
  });

  it('skips names the caller sets itself', () => {
    expect(forwardableHeaders(['Host', 'localhost:4318', 'Accept', '*/*'], new Set(['host']))).toEqual(['Accept', '*/*']);
  });
});

describe('recordableHeaders', () => {
  it('never keeps a credential value', () => {
    const raw = [
      'Authorization', 'Bearer sk-live-123',
      'x-api-key', 'sk-ant-456',
      'api-key', 'azure-789',
      'x-goog-api-key', 'AIza-000',
      'Cookie', 'session=abc',
      'X-Portkey-Api-Key', 'pk-1',
      'OpenAI-Organization', 'org-1',
      'Content-Type', 'application/json',
    ];
    const h = recordableHeaders(raw);
    expect(h).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      'api-key': '[redacted]',
      'x-goog-api-key': '[redacted]',
      cookie: '[redacted]',
      'x-portkey-api-key': '[redacted]',
      'openai-organization': 'org-1',
      'content-type': 'application/json',
    });
    for (const secret of ['sk-live-123', 'sk-ant-456', 'azure-789', 'AIza-000', 'session=abc', 'pk-1']) expect(JSON.stringify(h)).not.toContain(secret);
  });
});

describe('redactPathQuery', () => {
  it('removes key= and other credential parameters, keeping the rest byte for byte', () => {
    expect(redactPathQuery('/v1beta/models/g:generateContent?key=AIza123&alt=sse')).toBe('/v1beta/models/g:generateContent?alt=sse');
    expect(redactPathQuery('/x?alt=sse&key=AIza123')).toBe('/x?alt=sse');
    expect(redactPathQuery('/x?key=AIza123')).toBe('/x');
    expect(redactPathQuery('/x?api-version=2024-10-21&api_key=s&sig=abc&q=a%20b')).toBe('/x?api-version=2024-10-21&q=a%20b');
    expect(redactPathQuery('/x?%6Bey=encoded')).toBe('/x');
    expect(redactPathQuery('/x?monkey=1')).toBe('/x?monkey=1');
    expect(redactPathQuery('/plain')).toBe('/plain');
  });
});
