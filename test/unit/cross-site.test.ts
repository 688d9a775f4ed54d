// The cross-site policy of the collector's HTTP layer (src/capture/cross-site.ts), rule by rule;
// test/integration/cross-site.test.ts drives it with a real browser.
import { describe, expect, it } from 'vitest';
import { corsResponseHeaders, crossSiteRefusal, isTrustedOrigin, preflightAnswer } from '../../src/capture/cross-site';
import { OncePerMinute } from '../../src/collector/once-per-minute';

describe('trusted origins', () => {
  it.each([
    'http://127.0.0.1:5173', 'http://localhost:3000', 'https://localhost', 'http://LOCALHOST:8080', 'http://127.1.2.3:9',
    'http://[::1]:4000', 'http://app.localhost:3000', 'vscode-webview://0a1b2c3d', 'vscode-file://vscode-app',
  ])('%s is trusted', (o) => expect(isTrustedOrigin(o)).toBe(true));

  it.each([
    'null', 'https://evil.example', 'http://attacker.test:4318', 'http://127.0.0.1.evil.example', 'http://localhost.evil.example',
    'http://0.0.0.0:4318', 'file://', 'chrome-extension://abc', 'http://[::2]:80', 'http://127.0.0.1:80/path', '', 'http://10.0.0.5:3000',
  ])('%s is not', (o) => expect(isTrustedOrigin(o)).toBe(false));
});

describe('refusals', () => {
  const json = { 'content-type': 'application/json' };
  it('refuses any request naming an untrusted origin, reads included', () => {
    expect(crossSiteRefusal('GET', '/api/traces', { origin: 'https://evil.example' })).toMatchObject({ status: 403 });
    expect(crossSiteRefusal('POST', '/v1/traces', { ...json, origin: 'https://evil.example' })).toMatchObject({ status: 403, from: 'https://evil.example' });
  });

  it('lets apps (no origin, no fetch metadata) do everything', () => {
    expect(crossSiteRefusal('POST', '/api/import', json)).toBeNull();
    expect(crossSiteRefusal('POST', '/proxy/openai/v1/chat/completions', { 'content-type': 'multipart/form-data; boundary=x' })).toBeNull();
    expect(crossSiteRefusal('DELETE', '/api/traces', {})).toBeNull();
  });

  it('refuses what a browser marks as cross-site when it would change something, without an origin too', () => {
    expect(crossSiteRefusal('GET', '/proxy/openai/v1/models', { 'sec-fetch-site': 'cross-site' })).toMatchObject({ status: 403 });
    expect(crossSiteRefusal('POST', '/api/import', { ...json, 'sec-fetch-site': 'same-site' })).toMatchObject({ status: 403 });
    expect(crossSiteRefusal('GET', '/api/traces', { 'sec-fetch-site': 'cross-site' })).toBeNull();
    expect(crossSiteRefusal('GET', '/proxy/openai/v1/models', { 'sec-fetch-site': 'none' })).toBeNull();
  });

  it('needs a JSON content type on a state-changing API request, and none on a bodiless DELETE', () => {
    for (const type of [undefined, 'text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      expect(crossSiteRefusal('POST', '/api/import', type ? { 'content-type': type } : {}), String(type)).toMatchObject({ status: 415 });
    }
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/x-ndjson']) {
      expect(crossSiteRefusal('POST', '/api/traces/x/annotations', { 'content-type': type }), type).toBeNull();
    }
    expect(crossSiteRefusal('DELETE', '/api/annotations/7', {})).toBeNull();
    expect(crossSiteRefusal('DELETE', '/api/annotations/7', { 'content-length': '5', 'content-type': 'text/plain' })).toMatchObject({ status: 415 });
    expect(crossSiteRefusal('PUT', '/api/anything', { 'transfer-encoding': 'chunked' })).toMatchObject({ status: 415 });
  });
});

describe('preflights', () => {
  const ask = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-stainless-os' };
  it('a trusted page may use the OTLP and proxy routes', () => {
    for (const p of ['/v1/traces', '/v1/logs', '/proxy/anthropic/v1/messages']) {
      const a = preflightAnswer(p, { ...ask, origin: 'http://localhost:5173' });
      expect(a.status).toBe(204);
      expect(a.headers).toMatchObject({ 'access-control-allow-origin': 'http://localhost:5173', 'access-control-allow-headers': 'content-type, x-stainless-os', vary: 'Origin' });
    }
  });

  it('nobody gets CORS headers for the API, and a foreign page gets a 403 without any', () => {
    expect(Object.keys(preflightAnswer('/api/import', { ...ask, origin: 'http://localhost:5173' }).headers).some((h) => h.startsWith('access-control'))).toBe(false);
    const foreign = preflightAnswer('/v1/traces', { ...ask, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(Object.keys(foreign.headers).some((h) => h.startsWith('access-control'))).toBe(false);
  });

  it('does not echo request headers that are not a plain token list', () => {
    const a = preflightAnswer('/v1/traces', { origin: 'http://localhost:1', 'access-control-request-headers': 'x\r\nset-cookie: a=b' });
    expect(a.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('answers to actual requests carry CORS headers only for a trusted origin on those routes', () => {
    expect(corsResponseHeaders('/v1/traces', { origin: 'http://127.0.0.1:3000' })).toMatchObject({ 'access-control-allow-origin': 'http://127.0.0.1:3000' });
    expect(corsResponseHeaders('/api/traces', { origin: 'http://127.0.0.1:3000' })).toBeNull();
    expect(corsResponseHeaders('/v1/traces', {})).toBeNull();
    expect(corsResponseHeaders('/v1/traces', { origin: 'https://evil.example' })).toBeNull();
  });
});

describe('the refusal log', () => {
  it('passes each message once a minute and counts what it held back', () => {
    let now = 0;
    const out: string[] = [];
    const log = new OncePerMinute((m) => out.push(m), () => now);
    log.note('refused A');
    log.note('refused A');
    log.note('refused B');
    now = 30_000;
    log.note('refused A');
    now = 61_000;
    log.note('refused A');
    expect(out).toEqual(['refused A', 'refused B', 'refused A (and 2 more like it in the last minute)']);
  });
});
