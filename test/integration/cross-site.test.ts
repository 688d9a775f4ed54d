// No web page can write into the store. A real Chromium opens a page of another site
// (attacker.test, resolved to 127.0.0.1 by Chromium's host rules, so the requests reach the
// collector with a good Host header) that tries every way a page can send without a preflight:
// an HTML form (text/plain, urlencoded), `fetch(…, {mode: 'no-cors'})`, sendBeacon, an image, and
// a CORS fetch that needs one. The store and the proxy's upstream see nothing; the collector says
// what it refused. A page served from loopback (a dev server) and a VS Code webview still work.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceListPage } from '../../src/protocol/api';
import type { FakeServer } from '../fakes/fake-server';
import { startFakeOpenAI } from '../fakes/openai-fake';
import { rawRequest } from '../fakes/raw-http';
import { eventually, getJson, startCli, type RunningCli } from '../helpers/cli-process';
import { llmTrace } from '../unit/host/otlp-payload';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.resolve(import.meta.dirname, '../../test-output/integration');

let dir: string;
let cli: RunningCli;
let upstream: FakeServer;
let site: http.Server;
let sitePort: number;
let browser: Browser;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-xsite-'));
  upstream = await startFakeOpenAI({ chat: { content: 'hello' } });
  // A permissive upstream: its CORS headers must not reach a browser through the proxy.
  upstream.setHandler(() => ({
    type: 'json',
    headers: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' },
    body: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
  }));
  cli = await startCli(['--db', path.join(dir, 'spyglass.db'), '--upstream', `openai=${upstream.url}`]);
  // The pages themselves: any origin can serve them; what matters is the origin Chromium sees.
  site = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>page</title><body></body>'));
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  sitePort = (site.address() as AddressInfo).port;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP attacker.test 127.0.0.1'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => site?.close(r));
  await cli?.stop();
  await upstream?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function traceCount(): Promise<number> {
  return (await getJson<TraceListPage>(`${cli.base}/api/traces`)).traces.length;
}

async function openPage(origin: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${origin}/`);
  return page;
}

describe('a page of another site', () => {
  it('cannot store, delete or record anything by any request a page can make', async () => {
    const page = await openPage(`http://attacker.test:${sitePort}`);
    const trace = llmTrace({ rootName: 'forged by a web page', model: 'gpt-4o', inputTokens: 900_000 });
    const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'forged' }] });
    const outcome = await page.evaluate(
      async ({ api, traceJson, chatJson }) => {
        const sink = document.createElement('iframe');
        sink.name = 'sink';
        document.body.append(sink);
        // An HTML form: no JavaScript needed by the attacker, no preflight by the browser. With
        // text/plain, `name=value` can spell a JSON document.
        const submit = (action: string, enctype: string, json: string) =>
          new Promise<void>((resolve) => {
            const form = document.createElement('form');
            form.method = 'POST';
            form.action = api + action;
            form.enctype = enctype;
            form.target = 'sink';
            const input = document.createElement('input');
            input.name = `${json.slice(0, -1)},"pad":"`;
            input.value = '"}';
            form.append(input);
            document.body.append(form);
            sink.onload = () => resolve();
            form.submit();
          });
        await submit('/api/import', 'text/plain', traceJson);
        await submit('/proxy/openai/v1/chat/completions', 'text/plain', chatJson);
        await submit('/v1/traces', 'application/x-www-form-urlencoded', traceJson);
        const noCors = (p: string, body: string, method = 'POST') => fetch(api + p, { method, mode: 'no-cors', body }).then((r) => r.type, (e: Error) => e.message);
        const opaque = [
          await noCors('/api/import', traceJson),
          await noCors('/v1/traces', traceJson),
          await noCors('/v1/logs', '{}'),
          await noCors('/proxy/openai/v1/chat/completions', chatJson),
        ];
        const beacon = navigator.sendBeacon(api + '/api/import', traceJson);
        const image = await new Promise<string>((resolve) => {
          const img = new Image();
          img.onload = () => resolve('load');
          img.onerror = () => resolve('error');
          img.src = api + '/proxy/openai/v1/models';
        });
        // With a preflight: a JSON import, a clear, a proxied call.
        const cors = (p: string, method: string, body?: string) =>
          fetch(api + p, { method, body, headers: { 'content-type': 'application/json' } }).then((r) => `status ${r.status}`, (e: Error) => `failed: ${e.message}`);
        const preflighted = [await cors('/api/import', 'POST', traceJson), await cors('/api/traces', 'DELETE'), await cors('/proxy/openai/v1/chat/completions', 'POST', chatJson)];
        return { opaque, beacon, image, preflighted };
      },
      { api: cli.base, traceJson: trace.body, chatJson: chat },
    );
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'cross-site-attacker-page.png') });
    // Chromium sent them all (the opaque answers came back); a page cannot read any of them.
    expect(outcome.opaque).toEqual(['opaque', 'opaque', 'opaque', 'opaque']);
    expect(outcome.beacon).toBe(true);
    expect(outcome.image).toBe('error');
    expect(outcome.preflighted.every((r) => r.startsWith('failed'))).toBe(true);

    // Nothing stored, nothing recorded, nothing reached the provider (preflights neither).
    expect(await traceCount()).toBe(0);
    expect(upstream.requests).toEqual([]);

    // The collector saw and refused each kind: the form post, the beacon and the image included.
    await eventually(async () => (/refused POST \/api\/import from http:\/\/attacker\.test:\d+/.test(cli.stderr()) ? true : undefined));
    await eventually(async () => (/refused GET \/proxy\/openai\/v1\/models from sec-fetch-site: cross-site/.test(cli.stderr()) ? true : undefined));
    await eventually(async () => (/refused OPTIONS \/api\/traces from http:\/\/attacker\.test/.test(cli.stderr()) ? true : undefined));
    expect(cli.stderr()).toMatch(/refused POST \/proxy\/openai\/v1\/chat\/completions from http:\/\/attacker\.test/);
    expect(cli.stderr()).toMatch(/refused POST \/v1\/traces from http:\/\/attacker\.test/);

    await page.context().close();
  });
});

describe('pages this machine serves and VS Code webviews', () => {
  it('a loopback page (a dev server) exports traces and calls a model through the proxy with CORS', async () => {
    const page = await openPage(`http://127.0.0.1:${sitePort}`);
    const trace = llmTrace({ rootName: 'from a browser app' });
    const result = await page.evaluate(
      async ({ api, traceJson }) => {
        const otlp = await fetch(api + '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: traceJson });
        const call = await fetch(api + '/proxy/openai/v1/chat/completions', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-browser' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        });
        return { otlp: otlp.status, call: call.status, answer: ((await call.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content };
      },
      { api: cli.base, traceJson: trace.body },
    );
    expect(result).toEqual({ otlp: 200, call: 200, answer: 'hi' });
    // The proxy's preflight was answered by the collector, not forwarded: the upstream saw one POST.
    expect(upstream.requests.map((r) => r.method)).toEqual(['POST']);
    await eventually(async () => ((await traceCount()) === 2 ? true : undefined));
    await page.context().close();
  });

  it('a webview origin may import; the literal origin "null" (sandboxed frames, files) may not', async () => {
    const body = llmTrace({ rootName: 'imported from a webview' }).body;
    const json = { 'content-type': 'application/json' };
    expect((await rawRequest(`${cli.base}/api/import`, { body, headers: { ...json, origin: 'vscode-webview://1a2b3c' } })).status).toBe(200);
    const nul = await rawRequest(`${cli.base}/api/import`, { body, headers: { ...json, origin: 'null' } });
    expect(nul.status).toBe(403);
    expect(JSON.parse(nul.body.toString())).toMatchObject({ error: 'cross-site request refused' });
  });
});

describe('the rules, request by request', () => {
  it('a state-changing API request needs a JSON content type, whoever sends it', async () => {
    const body = llmTrace().body;
    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await rawRequest(`${cli.base}/api/import`, { body, headers: type ? { 'content-type': type } : {} });
      expect(r.status, String(type)).toBe(415);
      expect(JSON.parse(r.body.toString())).toMatchObject({ error: 'unsupported media type' });
    }
    // A bodiless DELETE needs no content type: its method alone makes a browser ask first.
    expect((await rawRequest(`${cli.base}/api/traces`, { method: 'DELETE' })).status).toBe(204);
    expect(await traceCount()).toBe(0);
  });

  it('preflights are answered here: CORS headers only for trusted origins on the OTLP and proxy routes', async () => {
    const before = upstream.requests.length;
    const preflight = (p: string, origin: string) =>
      rawRequest(`${cli.base}${p}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
    const foreign = await preflight('/proxy/openai/v1/chat/completions', 'https://evil.example');
    expect(foreign.status).toBe(403);
    expect(Object.keys(foreign.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const local = await preflight('/proxy/openai/v1/chat/completions', 'http://localhost:5173');
    expect(local.status).toBe(204);
    expect(local.headers).toMatchObject({ 'access-control-allow-origin': 'http://localhost:5173', 'access-control-allow-headers': 'content-type,authorization' });
    const api = await preflight('/api/import', 'http://localhost:5173');
    expect(api.status).toBe(204);
    expect(Object.keys(api.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    // Never forwarded, never recorded.
    expect(upstream.requests.length).toBe(before);
  });

  it("the upstream's CORS headers are not passed on; a trusted page gets the collector's own", async () => {
    const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const plain = await rawRequest(`${cli.base}/proxy/openai/v1/chat/completions`, { body: chat, headers: { 'content-type': 'application/json' } });
    expect(plain.status).toBe(200);
    expect(Object.keys(plain.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const fromLocal = await rawRequest(`${cli.base}/proxy/openai/v1/chat/completions`, { body: chat, headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:3000' } });
    expect(fromLocal.headers['access-control-allow-origin']).toBe('http://127.0.0.1:3000');
    expect(fromLocal.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
