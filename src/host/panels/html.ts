// The one HTML shell every Spyglass webview gets. It is set once per panel; data then goes as
// messages. No vscode import here (URIs arrive resolved), so it is tested in plain Node.
//
// Security: a strict CSP (scripts only with this render's nonce, no inline styles, resources
// only from the webview's own origin), and the first state inlined as a JSON data block that
// captured text cannot break out of.

export interface WebviewHtmlOptions {
  title: string;
  /** `webview.cspSource`. */
  cspSource: string;
  /** The panel's script bundle (dist/webview/<panel>.js), as a webview URI. */
  scriptUri: string;
  /** Stylesheets in order (codicons, base, panel), as webview URIs. */
  styleUris: readonly string[];
  /** The first state, so the first paint needs no round trip. */
  initialState: unknown;
  /** One fresh nonce per render; generated when omitted. */
  nonce?: string;
  /** Which panel this is, for `body[data-panel]`. */
  panel: string;
}

/** 128 random bits, base64url: fresh for every render so a leaked nonce is worth nothing later. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&` become
 * \u escapes (so `</script>` and `<!--` cannot appear), and U+2028/2029 too. `JSON.parse`
 * of the element's text gives back the original value.
 */
export function serializeForScript(value: unknown): string {
  const json = JSON.stringify(value ?? null) ?? 'null';
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderWebviewHtml(options: WebviewHtmlOptions): string {
  const nonce = options.nonce ?? createNonce();
  if (!/^[A-Za-z0-9_-]{16,}$/.test(nonce)) throw new Error('nonce must be at least 16 base64url characters');
  const styles = options.styleUris
    .map((href) => `    <link rel="stylesheet" href="${escapeHtml(href)}">`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(options.cspSource, nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeHtml(options.title)}</title>
${styles}
  </head>
  <body data-panel="${escapeHtml(options.panel)}">
    <div id="app"></div>
    <script type="application/json" id="initial-state" nonce="${nonce}">${serializeForScript(options.initialState)}</script>
    <script nonce="${nonce}" src="${escapeHtml(options.scriptUri)}"></script>
  </body>
</html>
`;
}
