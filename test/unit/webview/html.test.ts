// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, createNonce, renderWebviewHtml, serializeForScript } from '../../../src/host/panels/html';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const HOSTILE = '</script><img src=x onerror=alert(1)><!-- <script>alert(2)</script> \u2028 & "quotes" \'single\'';

function render(initialState: unknown, nonce?: string) {
  return renderWebviewHtml({
    title: 'Trace </title><script>alert(3)</script>',
    cspSource: CSP_SOURCE,
    scriptUri: `${CSP_SOURCE}/ext/dist/webview/trace.js`,
    styleUris: [`${CSP_SOURCE}/ext/dist/webview/codicon.css`, `${CSP_SOURCE}/ext/media/trace.css`],
    initialState,
    panel: 'trace',
    nonce,
  });
}

/** Parsed inert (a template loads no stylesheets or scripts), as the browser's parser sees it. */
function parse(html: string): DocumentFragment {
  const t = document.createElement('template');
  t.innerHTML = html;
  return t.content;
}

function cspOf(html: string): string {
  const doc = parse(html);
  return doc.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')!;
}

describe('renderWebviewHtml', () => {
  it('sets a strict CSP whose script source is only this render\'s nonce', () => {
    const html = render({ ok: true }, 'abcdefghijklmnop0123');
    const csp = cspOf(html);
    const directives = Object.fromEntries(
      csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'nonce-abcdefghijklmnop0123'"]);
    expect(directives['style-src']).toEqual([CSP_SOURCE]);
    expect(directives['font-src']).toEqual([CSP_SOURCE]);
    expect(directives['img-src']).toEqual([CSP_SOURCE, 'data:']);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    // every script element carries the nonce
    const doc = parse(html);
    const scripts = [...doc.querySelectorAll('script')];
    expect(scripts).toHaveLength(2);
    for (const s of scripts) expect(s.getAttribute('nonce')).toBe('abcdefghijklmnop0123');
  });

  it('uses a fresh nonce on every render', () => {
    const a = cspOf(render({}));
    const b = cspOf(render({}));
    expect(a).not.toBe(b);
    expect(createNonce()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('refuses a nonce that could break the policy', () => {
    expect(() => render({}, "x' 'unsafe-inline")).toThrow(/nonce/);
  });

  it('keeps hostile captured text inside the initial-state block and gives it back intact', () => {
    const state = { spans: [{ name: HOSTILE, attributes: { [HOSTILE]: HOSTILE } }] };
    const html = render(state);
    // The raw markup never contains a closing script tag or comment opener from the data.
    const block = html.slice(html.indexOf('id="initial-state"'), html.indexOf('</script>', html.indexOf('id="initial-state"')));
    expect(block).not.toMatch(/<\/?script|<!--|<img/i);
    const doc = parse(html);
    expect(doc.querySelectorAll('img')).toHaveLength(0);
    expect(doc.querySelectorAll('script')).toHaveLength(2);
    const el = doc.getElementById('initial-state')!;
    expect(el.getAttribute('type')).toBe('application/json');
    expect(JSON.parse(el.textContent!)).toEqual(state);
  });

  it('escapes the title and resource URIs', () => {
    const html = render({});
    const doc = parse(html);
    expect(doc.querySelector('title')!.textContent).toBe('Trace </title><script>alert(3)</script>');
    expect(doc.querySelectorAll('script')).toHaveLength(2);
    const links = [...doc.querySelectorAll('link[rel=stylesheet]')].map((l) => l.getAttribute('href'));
    expect(links).toEqual([`${CSP_SOURCE}/ext/dist/webview/codicon.css`, `${CSP_SOURCE}/ext/media/trace.css`]);
    expect(html).toContain('<body data-panel="trace">');
  });

  it('has no inline style attributes or style elements for the CSP to block', () => {
    const html = render({ x: 1 });
    expect(html).not.toMatch(/<style|style=/i);
  });
});

describe('serializeForScript', () => {
  it('escapes the characters that matter in an HTML script data block', () => {
    expect(serializeForScript({ a: '</script>' })).toBe('{"a":"\\u003c/script\\u003e"}');
    expect(serializeForScript('a&b\u2028')).toBe('"a\\u0026b\\u2028"');
    expect(serializeForScript(undefined)).toBe('null');
    expect(JSON.parse(serializeForScript(HOSTILE))).toBe(HOSTILE);
  });

  it('matches the CSP builder used in the page', () => {
    expect(contentSecurityPolicy('vscode-src', 'n0n0n0n0n0n0n0n0')).toContain("script-src 'nonce-n0n0n0n0n0n0n0n0'");
  });
});
