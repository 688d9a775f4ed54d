// Which header names and query parameters carry credentials: their values are never stored.
// The one list, used by the proxy's recording (request headers, the path's query) and by the
// OTLP decoders (headers an HTTP instrumentation captured as `http.request.header.<name>`).

/**
 * Header names that carry credentials by name alone. Beyond these, any name that says key, token,
 * secret, password, auth, cookie, credential, session or signature is one (see isCredentialHeader).
 */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  // Azure API Management's subscription key, in front of Azure OpenAI and many company gateways.
  'ocp-apim-subscription-key',
  'cookie',
  'set-cookie',
]);

/** Words in a header name that mark its value as a credential (x-portkey-api-key, x-auth-token, …). */
const CREDENTIAL_WORDS = /key|token|secret|passw(?:or)?d|auth|cookie|credential|session|signature/i;

/** What a credential's value is stored as; the name stays, so replay knows which auth style was used. */
export const REDACTED = '[redacted]';

/** True when a header's value must never be stored (whatever the spelling of its name). */
export function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return CREDENTIAL_HEADERS.has(lower) || CREDENTIAL_WORDS.test(lower);
}

/** Query parameters that carry credentials (Gemini's key=, Azure SAS signatures, OAuth codes, tokens). */
const CREDENTIAL_PARAMS = /^(key|api[-_]?key|access[-_]?token|token|sig|signature|auth|x-goog-api-key|code|client_secret)$/i;

export function isCredentialParam(name: string): boolean {
  return CREDENTIAL_PARAMS.test(name);
}

/** Span attributes that hold captured HTTP headers (OpenTelemetry semantic conventions, old and new). */
const HEADER_ATTRIBUTE = /^http\.(?:request|response)\.header\.(.+)$/;

/**
 * The value to store for a span attribute: a captured credential header's value is replaced
 * (each element of an array value), anything else is returned as is.
 */
export function redactHeaderAttribute<T>(key: string, value: T): T | string | string[] {
  if (key.charCodeAt(0) !== 104 /* h */) return value;
  const m = HEADER_ATTRIBUTE.exec(key);
  if (m === null || !isCredentialHeader(m[1]!)) return value;
  return Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
}
