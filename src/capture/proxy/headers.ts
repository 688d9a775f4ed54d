// Header handling for the proxy: what is forwarded (everything but hop-by-hop headers) and what
// is recorded (never a credential: not in headers, not in the query string; see credentials.ts).

import { isCredentialHeader, isCredentialParam, REDACTED } from '../credentials';

/** RFC 9110 §7.6.1 connection-specific headers, plus the legacy ones proxies drop. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Filters a raw header list (name, value, name, value…) for forwarding: drops hop-by-hop headers,
 * those the Connection header names, and `skip` (lowercase names the caller sets itself).
 * Names keep their spelling and order, repeated headers stay repeated.
 */
export function forwardableHeaders(raw: string[], skip?: ReadonlySet<string>): string[] {
  let named: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toLowerCase() === 'connection') {
      named ??= new Set();
      for (const t of raw[i + 1]!.split(',')) named.add(t.trim().toLowerCase());
    }
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named?.has(lower) || skip?.has(lower)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/**
 * Request headers as recorded for replay: lowercase names, repeated values joined with ', ',
 * credential values replaced by a marker (the name stays, so replay knows which auth style the
 * app used), hop-by-hop headers dropped.
 */
export function recordableHeaders(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const fwd = forwardableHeaders(raw);
  for (let i = 0; i < fwd.length; i += 2) {
    const name = fwd[i]!.toLowerCase();
    const value = isCredentialHeader(name) ? REDACTED : fwd[i + 1]!;
    out[name] = name in out && value !== REDACTED ? `${out[name]}, ${value}` : value;
  }
  return out;
}

/**
 * An upstream's response headers as passed to the client: forwardable ones, minus the upstream's
 * CORS headers (the collector's HTTP layer answers for which pages may read what it serves).
 */
export function responseHeadersToForward(raw: string[]): string[] {
  const out = forwardableHeaders(raw);
  for (let i = out.length - 2; i >= 0; i -= 2) {
    if (out[i]!.toLowerCase().startsWith('access-control-')) out.splice(i, 2);
  }
  return out;
}

/**
 * A path with query, minus every credential-bearing parameter. The other parameters keep their
 * exact bytes and order (no re-encoding).
 */
export function redactPathQuery(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  if (q === -1) return pathAndQuery;
  const kept = pathAndQuery
    .slice(q + 1)
    .split('&')
    .filter((pair) => {
      if (pair === '') return false;
      const eq = pair.indexOf('=');
      let name = eq === -1 ? pair : pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // An undecodable name is compared as written.
      }
      return !isCredentialParam(name);
    });
  return kept.length === 0 ? pathAndQuery.slice(0, q) : `${pathAndQuery.slice(0, q)}?${kept.join('&')}`;
}
