// "Copy as curl / TypeScript / Python" produce code that runs as copied: the TypeScript (real
// `openai` and `@anthropic-ai/sdk`) and curl snippets are run against strict fake providers
// through the collector and must send exactly the request they were written from and print the
// answer; the Python snippets compile and pass the same body (PyPI is out of reach here, so the
// Python SDKs are stand-ins that record what they are given: test/fakes/python-sdk-stubs).

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../src/collector/collector';
import { codeLanguages, toCurl, toPython, toTypeScript, type CodeRequest } from '../../src/core/replay/codegen';
import type { ReplayRequestDto, SpanDetail, TraceListPage } from '../../src/protocol/api';
import { startFakeAnthropic } from '../fakes/anthropic-fake';
import type { FakeServer } from '../fakes/fake-server';
import { startFakeOpenAI } from '../fakes/openai-fake';

const root = path.resolve(import.meta.dirname, '../..');
const NODE = process.execPath;
let work: string;
let dir: string;
let collector: Collector;
let base: string;
let oai: FakeServer;
let ant: FakeServer;

function exec(file: string, args: string[], env: Record<string, string> = {}, cwd = work): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

async function getJson<T>(p: string): Promise<T> {
  return (await (await fetch(base + p)).json()) as T;
}

async function lastCall(model: string): Promise<SpanDetail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const t = (await getJson<TraceListPage>(`/api/traces?model=${model}&limit=1`)).traces[0];
    if (t) return (await getJson<{ spans: SpanDetail[] }>(`/api/traces/${t.traceId}`)).spans.find((s) => s.llm)!;
    if (Date.now() > deadline) throw new Error(`no ${model} call`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function requestOf(s: SpanDetail): Promise<ReplayRequestDto> {
  return getJson<ReplayRequestDto>(`/api/traces/${s.traceId}/spans/${s.spanId}/request`);
}

async function otlp(attrs: Record<string, string | number>): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const hex = (n: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString('hex');
  await fetch(`${base}/v1/traces`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'x' }, spans: [{
      traceId: hex(16), spanId: hex(8), name: 'chat', kind: 3, startTimeUnixNano: String(now - 1_000_000n), endTimeUnixNano: String(now),
      attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: v } : { stringValue: v } })),
    }] }] }] }),
  });
}

const requests: Record<string, ReplayRequestDto> = {};

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'test-output'), { recursive: true });
  work = fs.mkdtempSync(path.join(root, 'test-output', 'codegen-'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-codegen-'));
  [oai, ant] = await Promise.all([startFakeOpenAI({ strict: true, chat: { content: 'Generated code works.' }, responses: { text: 'Responses work.' } }), startFakeAnthropic({ strict: true, message: { content: [{ type: 'text', text: 'Claude code works.' }] } })]);
  collector = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: path.join(dir, 'db.sqlite'), analyses: false, upstreams: { openai: oai.url, anthropic: ant.url } });
  base = `http://127.0.0.1:${collector.httpPort}`;

  // A proxied, streamed chat call with a tool turn (exact request) …
  const openai = new OpenAI({ apiKey: 'sk-app', baseURL: `${base}/proxy/openai/v1`, maxRetries: 0 });
  const s = await openai.chat.completions.create({
    model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, temperature: 0,
    messages: [
      { role: 'user', content: 'Quote: "it\'s" \\ $HOME `x` ✓ 😀' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"a"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'found' },
    ],
    tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
  });
  for await (const _ of s) void _;
  requests.chat = await requestOf(await lastCall('gpt-4o-mini'));
  // … a proxied, non-streamed Anthropic call …
  await new Anthropic({ apiKey: 'sk-ant', baseURL: `${base}/proxy/anthropic`, maxRetries: 0 }).messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
  requests.anthropic = await requestOf(await lastCall('claude-haiku-4-5'));
  // … and rebuilt ones: Anthropic with a tool turn, and the Responses API.
  const messages = JSON.stringify([
    { role: 'user', parts: [{ type: 'text', content: 'Find it' }] },
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'toolu_9', name: 'lookup', arguments: { q: 'b' } }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'toolu_9', response: 'found b' }] },
  ]);
  await otlp({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-6', 'gen_ai.request.max_tokens': 64, 'gen_ai.input.messages': messages });
  requests.rebuiltAnthropic = await requestOf(await lastCall('claude-sonnet-4-6'));
  await otlp({ 'gen_ai.operation.name': 'responses', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4.1-mini', 'gen_ai.input.messages': messages });
  requests.responses = await requestOf(await lastCall('gpt-4.1-mini'));
});

afterAll(async () => {
  await collector?.stop();
  await Promise.all([oai?.close(), ant?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const CASES: Array<[string, string]> = [
  ['chat', 'Generated code works.'],
  ['anthropic', 'Claude code works.'],
  ['rebuiltAnthropic', 'Claude code works.'],
  ['responses', 'Responses work.'],
];

const routeBase = (r: ReplayRequestDto) => `${base}/proxy/${r.upstream}`;
const fakeOf = (r: ReplayRequestDto) => (r.api === 'anthropic.messages' ? ant : oai);
const keys = { OPENAI_API_KEY: 'sk-env-openai', ANTHROPIC_API_KEY: 'sk-env-anthropic' };

describe('Copy as TypeScript', () => {
  it('every snippet type-checks against the real SDKs', async () => {
    const files = CASES.map(([name]) => {
      const f = path.join(work, `${name}.mts`);
      fs.writeFileSync(f, toTypeScript(requests[name]!, routeBase(requests[name]!)));
      return f;
    });
    const tsc = await exec(NODE, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', ...files], {}, root);
    expect(tsc.stdout + tsc.stderr).toBe('');
  }, 120_000);

  for (const [name, answer] of CASES) {
    it(`${name}: runs as copied, sends the body it was written from, prints the answer`, async () => {
      const r = requests[name]!;
      expect(codeLanguages(r)).toEqual(['curl', 'typescript', 'python']);
      const f = path.join(work, `run-${name}.mts`);
      fs.writeFileSync(f, toTypeScript(r, routeBase(r)));
      const before = fakeOf(r).requests.length;
      const out = await exec(NODE, ['--experimental-strip-types', '--no-warnings', f], keys);
      expect(out.stderr).toBe('');
      expect(out.stdout.trim()).toBe(answer);
      expect(fakeOf(r).requests.length).toBe(before + 1);
      expect(JSON.parse(fakeOf(r).lastRequest.body.toString())).toEqual(JSON.parse(r.body));
      const h = fakeOf(r).lastRequest.headers;
      const auth = r.api === 'anthropic.messages' ? h['x-api-key'] ?? h.authorization : h.authorization;
      expect(auth).toContain(r.api === 'anthropic.messages' ? 'sk-env-anthropic' : 'sk-env-openai');
    }, 60_000);
  }
});

describe('Copy as curl', () => {
  for (const [name, answer] of CASES) {
    it(`${name}: the command sends the same body and headers and gets the answer`, async () => {
      const r = requests[name]!;
      const before = fakeOf(r).requests.length;
      const out = await exec('bash', ['-c', toCurl(r, routeBase(r))], keys);
      expect(out.code).toBe(0);
      expect(fakeOf(r).requests.length).toBe(before + 1);
      const got = fakeOf(r).lastRequest;
      expect(JSON.parse(got.body.toString())).toEqual(JSON.parse(r.body));
      if (r.exact) expect(got.body.toString()).toBe(r.body.replace(/\n$/, '') + '\n');
      if (r.api === 'anthropic.messages') expect(got.headers['anthropic-version']).toBe(r.headers['anthropic-version']);
      // The stream's text deltas spell the answer.
      const text = [...out.stdout.matchAll(/"(?:content|text|delta)":"([^"]*)"/g)].map((m) => m[1]).join('');
      expect(text).toContain(answer.split(' ')[0]);
    }, 60_000);
  }

  it('a Gemini request is offered as curl only', () => {
    const g: CodeRequest = { api: 'gemini.generate_content', method: 'POST', path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', headers: {}, body: '{"contents":[]}' };
    expect(codeLanguages(g)).toEqual(['curl']);
    expect(toCurl(g, 'http://h/proxy/gemini')).toContain('"x-goog-api-key: $GEMINI_API_KEY"');
    expect(() => toTypeScript(g, '')).toThrow();
  });
});

describe('Copy as Python', () => {
  for (const [name] of CASES) {
    it(`${name}: compiles and passes exactly the request body to the SDK`, async () => {
      const r = requests[name]!;
      const f = path.join(work, `snippet_${name}.py`);
      fs.writeFileSync(f, toPython(r, routeBase(r)));
      expect((await exec('python3', ['-m', 'py_compile', f])).code).toBe(0);
      const capture = path.join(work, `capture_${name}.json`);
      const out = await exec('python3', [f], { ...keys, PYTHONPATH: path.join(root, 'test/fakes/python-sdk-stubs'), SPYGLASS_CAPTURE: capture });
      expect(out.stderr).toBe('');
      const got = JSON.parse(fs.readFileSync(capture, 'utf8')) as { sdk: string; base_url: string; api_key: string; body: unknown };
      expect(got.body).toEqual(JSON.parse(r.body));
      expect(got.sdk).toBe(r.api === 'anthropic.messages' ? 'anthropic' : 'openai');
      expect(got.api_key).toBe(r.api === 'anthropic.messages' ? 'sk-env-anthropic' : 'sk-env-openai');
      expect(got.base_url).toBe(r.api === 'anthropic.messages' ? routeBase(r) : `${routeBase(r)}/v1`);
    });
  }
});
