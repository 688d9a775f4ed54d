// What keeps a web page the user happens to visit from writing into the store. The collector
// listens on loopback, but a browser on the same machine reaches loopback too: a page can submit
// a form or fire a `no-cors` fetch at 127.0.0.1, and neither needs the page to read the answer.
// Browsers send no preflight for those only when the method is GET, HEAD or POST and the content
// type is form data or plain text; they always name the page's origin (`Origin`) on a POST and
// mark the request with `Sec-Fetch-Site`. So, for every request on the collector's HTTP port:
//
// - an `Origin` that is not this machine's (loopback, any port) or a VS Code webview is refused;
// - a request the browser marks as coming from another site, without an origin we trust, may
//   read (GET/HEAD) but never change anything (the proxy records every call: all of it counts);
// - a state-changing `/api/` request must carry a JSON content type, which a page can send only
//   after a preflight; the OTLP routes take only their own content types (see otlp/http-routes);
// - preflights are answered here, never passed on: trusted origins get CORS headers for the OTLP
//   and proxy routes (browser apps in development export traces and call models through them),
//   nobody gets them for `/api/`, and other origins get none at all.

import type http from 'node:http';

/** Why a request was refused, for the answer and the collector's log. */
export interface CrossSiteRefusal {
  status: 403 | 415;
  error: string;
  detail: string;
  /** The origin the browser named, or how it marked the request. */
  from: string;
}

const LOOPBACK_HOSTS = /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * True for an origin allowed to talk to the collector: a web page served from this machine's
 * loopback (any port, http or https: a dev server, code-server and its webviews) or a VS Code
 * webview or workbench (`vscode-webview://…`, `vscode-file://…`). `null` (sandboxed frames,
 * files, redirects) is not.
 */
export function isTrustedOrigin(origin: string): boolean {
  const lower = origin.toLowerCase();
  if (lower.startsWith('vscode-webview://') || lower.startsWith('vscode-file://')) return true;
  const m = /^https?:\/\/([^/:?#]+|\[[^\]]+\])(?::\d{1,5})?$/.exec(lower);
  return m !== null && LOOPBACK_HOSTS.test(m[1]!);
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** Media types a state-changing API request may carry: none of them can be sent without a preflight. */
const API_BODY_TYPES = new Set(['application/json', 'application/x-ndjson', 'application/jsonl']);

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

function hasBody(headers: http.IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Routes a trusted browser page may use with CORS: OTLP export and the recording proxy. */
export function corsEnabledPath(path: string): boolean {
  return path.startsWith('/v1/') || path === '/v1' || path.startsWith('/proxy/');
}

/**
 * The refusal for a request that could come from a web page of another site and would change
 * something, or null when it may go on. Not for OPTIONS: see preflightAnswer.
 */
export function crossSiteRefusal(method: string, path: string, headers: http.IncomingHttpHeaders): CrossSiteRefusal | null {
  const origin = headers.origin;
  if (origin !== undefined) {
    if (isTrustedOrigin(origin)) return null;
    return {
      status: 403,
      error: 'cross-site request refused',
      detail: `Spyglass accepts requests from apps on this machine, pages served from loopback and VS Code webviews; not from ${JSON.stringify(origin)}`,
      from: origin,
    };
  }
  const site = String(headers['sec-fetch-site'] ?? '').toLowerCase();
  const changes = !SAFE_METHODS.has(method) || path.startsWith('/proxy/');
  if (changes && (site === 'cross-site' || site === 'same-site')) {
    return {
      status: 403,
      error: 'cross-site request refused',
      detail: `a ${site} ${method} from a web page may not change what Spyglass stores`,
      from: `sec-fetch-site: ${site}`,
    };
  }
  if (path.startsWith('/api/') && !SAFE_METHODS.has(method) && (method === 'POST' || hasBody(headers))) {
    const type = mediaType(headers['content-type']);
    if (!API_BODY_TYPES.has(type)) {
      return {
        status: 415,
        error: 'unsupported media type',
        detail: `${method} ${path} takes application/json (or application/x-ndjson), got ${type === '' ? 'no content-type' : JSON.stringify(type)}`,
        from: type === '' ? 'no content-type' : type,
      };
    }
  }
  return null;
}

export interface PreflightAnswer {
  status: 204 | 403;
  headers: Record<string, string>;
  refusal: CrossSiteRefusal | null;
}

const TOKEN_LIST = /^[!#$%&'*+.^_`|~0-9a-z-]+(?:\s*,\s*[!#$%&'*+.^_`|~0-9a-z-]+)*$/i;

/**
 * The answer to an OPTIONS request, which never reaches a route (nor the proxy's upstream):
 * CORS headers only for a trusted origin on a CORS-enabled route, a 403 for an untrusted origin.
 */
export function preflightAnswer(path: string, headers: http.IncomingHttpHeaders): PreflightAnswer {
  const origin = headers.origin;
  const plain = { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' };
  if (origin === undefined) return { status: 204, headers: plain, refusal: null };
  const refusal = crossSiteRefusal('OPTIONS', path, headers);
  if (refusal) return { status: 403, headers: { vary: 'Origin' }, refusal };
  if (!corsEnabledPath(path)) return { status: 204, headers: { ...plain, vary: 'Origin' }, refusal: null };
  const out: Record<string, string> = {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
  const asked = headers['access-control-request-headers'];
  if (typeof asked === 'string' && TOKEN_LIST.test(asked.trim())) out['access-control-allow-headers'] = asked.trim();
  return { status: 204, headers: out, refusal: null };
}

/** CORS headers for the answer to an actual request (not a preflight), or null for none. */
export function corsResponseHeaders(path: string, headers: http.IncomingHttpHeaders): Record<string, string> | null {
  const origin = headers.origin;
  if (origin === undefined || !corsEnabledPath(path) || !isTrustedOrigin(origin)) return null;
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': '*', vary: 'Origin' };
}
