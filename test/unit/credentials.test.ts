// The one list of what counts as a credential (src/capture/credentials.ts): its values are never
// stored, by the proxy's recording or by the OTLP decoders.
import { describe, expect, it } from 'vitest';
import { decodeTracesJson, decodeTracesProtobuf } from '../../src/capture/otlp';
import { isCredentialHeader, isCredentialParam, REDACTED, redactHeaderAttribute } from '../../src/capture/credentials';
import { recordableHeaders } from '../../src/capture/proxy/headers';
import { encodeTraceRequest, jsonBody, oneSpan } from './otlp/fixtures';

const CREDENTIALS = [
  'Authorization', 'Proxy-Authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'Ocp-Apim-Subscription-Key', 'Cookie',
  'Set-Cookie', 'X-Portkey-Api-Key', 'x-helicone-auth', 'X-Auth-Token', 'x-amz-security-token', 'X-Client-Secret',
  'x-db-password', 'x-passwd', 'anthropic-admin-key', 'x-session-id', 'x-goog-user-project-credential', 'x-amz-signature',
  'X-Vault-Token', 'apikey', 'subscription_key', 'cf-access-token',
];
const ORDINARY = [
  'content-type', 'accept', 'user-agent', 'openai-organization', 'openai-project', 'anthropic-version', 'anthropic-beta',
  'x-stainless-lang', 'traceparent', 'x-request-id', 'host', 'content-length', 'accept-encoding', 'x-ms-client-request-id',
];

describe('credential headers', () => {
  it.each(CREDENTIALS)('%s is a credential, whatever its case', (name) => {
    expect(isCredentialHeader(name)).toBe(true);
    expect(isCredentialHeader(name.toUpperCase())).toBe(true);
  });

  it.each(ORDINARY)('%s is not', (name) => {
    expect(isCredentialHeader(name)).toBe(false);
  });

  it('the proxy records the name with the value redacted, for every credential header', () => {
    const raw = CREDENTIALS.flatMap((name, i) => [name, `secret-value-${i}`]).concat(ORDINARY.flatMap((n) => [n, `plain-${n}`]));
    const recorded = recordableHeaders(raw);
    // Proxy-Authorization is hop-by-hop: not forwarded, not recorded at all.
    for (const name of CREDENTIALS.filter((n) => n !== 'Proxy-Authorization')) expect(recorded[name.toLowerCase()], name).toBe(REDACTED);
    expect(recorded['proxy-authorization']).toBeUndefined();
    expect(JSON.stringify(recorded)).not.toMatch(/secret-value/);
    expect(recorded['openai-organization']).toBe('plain-openai-organization');
  });
});

describe('credential query parameters', () => {
  it.each(['key', 'api_key', 'api-key', 'access_token', 'token', 'sig', 'signature', 'code', 'client_secret', 'KEY'])('%s is one', (p) => {
    expect(isCredentialParam(p)).toBe(true);
  });
  it.each(['alt', 'api-version', 'monkey', 'model', 'stream'])('%s is not', (p) => {
    expect(isCredentialParam(p)).toBe(false);
  });
});

describe('captured HTTP headers in OTLP attributes', () => {
  it('redacts credential headers an HTTP instrumentation captured, keeps the rest', () => {
    expect(redactHeaderAttribute('http.request.header.authorization', ['Bearer sk-1'])).toEqual([REDACTED]);
    expect(redactHeaderAttribute('http.request.header.ocp-apim-subscription-key', 'k')).toBe(REDACTED);
    expect(redactHeaderAttribute('http.response.header.set-cookie', ['a=1', 'b=2'])).toEqual([REDACTED, REDACTED]);
    expect(redactHeaderAttribute('http.request.header.content-type', ['application/json'])).toEqual(['application/json']);
    expect(redactHeaderAttribute('gen_ai.request.model', 'gpt-4o')).toBe('gpt-4o');
    expect(redactHeaderAttribute('api_key', 'not a header attribute')).toBe('not a header attribute');
  });

  it('never stores them, in either encoding', () => {
    const req = oneSpan({
      attributes: [
        { key: 'http.request.header.x-api-key', value: { arrayValue: { values: [{ stringValue: 'sk-ant-secret' }] } } },
        { key: 'http.request.header.ocp-apim-subscription-key', value: { stringValue: 'apim-secret' } },
        { key: 'http.request.header.accept', value: { arrayValue: { values: [{ stringValue: 'application/json' }] } } },
      ],
    });
    for (const decoded of [decodeTracesJson(jsonBody(req)), decodeTracesProtobuf(encodeTraceRequest(req))]) {
      const attrs = decoded.batch.spans[0]!.attributes;
      expect(attrs).toEqual({
        'http.request.header.x-api-key': [REDACTED],
        'http.request.header.ocp-apim-subscription-key': REDACTED,
        'http.request.header.accept': ['application/json'],
      });
    }
  });
});
