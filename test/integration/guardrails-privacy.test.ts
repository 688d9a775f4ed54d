// Privacy mode on a real collector: a real app (OpenTelemetry SDK, OTLP/HTTP protobuf) sends a
// call with an e-mail address and an API key in the user's message, and the real `openai` client
// sends one through the recording proxy (to a fake OpenAI) with an e-mail address and a card number
// in the request and an address in the answer. What is stored holds typed placeholders; the API
// shows them, the checks report a hit on each placeholder, search finds nothing of the originals,
// and the database's bytes (main file and write-ahead log) hold none of them. With forwarding on,
// the backend gets every span of the app's trace, redacted (re-encoded as OTLP/JSON, with the
// placeholders), and the guardrail hits, and none of the originals.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../src/collector/collector';
import type { SpanDetail, TraceListPage } from '../../src/protocol/api';
import { runApp } from '../e2e/harness/apps';
import type { FakeServer } from '../fakes/fake-server';
import { chatReply, startFakeOpenAI } from '../fakes/openai-fake';
import { analysed } from '../helpers/analyses-settled';

let dir: string;
let dbPath: string;
let collector: Collector;
let fake: FakeServer;
let base: string;
let app: { traceId: string; chatSpanId: string };
/** The team's OTLP backend: every body it receives, by path. */
const forwarded: { url: string; body: Buffer }[] = [];
const backend = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    forwarded.push({ url: req.url ?? '', body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

const EMAIL = 'dana.whitfield@northwind-mail.com';
const KEY_BODY = 'Qm7Vx2Lr9TfK4bZp8NcW1yHs6DjA3uEo'; // a stretch of the app's (never issued) key
const PROXY_EMAIL = 'lena.okafor@brightwater-tools.io';
const CARD = '4539 1488 0343 6467'; // Luhn-valid test number
const ANSWER_EMAIL = 'refunds@kestrel-outfitters.co.uk';

const getJson = async <T>(p: string): Promise<T> => {
  const res = await fetch(base + p);
  if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

async function stored(traceId: string, spanId?: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  const p = spanId ? `/api/traces/${traceId}/spans/${spanId}` : `/api/traces/${traceId}`;
  while (!(await fetch(base + p)).ok) {
    if (Date.now() > deadline) throw new Error(`${p} was not stored`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-privacy-'));
  dbPath = path.join(dir, 'spyglass.db');
  fake = await startFakeOpenAI();
  fake.setHandler((req) => chatReply({ content: `Write to ${ANSWER_EMAIL} and we will refund you.` }, JSON.parse(req.body.toString())));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const forwardEndpoint = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  collector = await Collector.start({ httpPort: 0, grpcPort: null, dbPath, privacyMode: true, upstreams: { oai: fake.url }, forwardEndpoint });
  base = `http://127.0.0.1:${collector.httpPort}`;
  app = await runApp(path.join(import.meta.dirname, '..', 'e2e', 'app', 'guarded-app.mjs'), { SPYGLASS_URL: base }, path.join(dir, 'app.log'));
  await stored(app.traceId, app.chatSpanId);
  const client = new OpenAI({ apiKey: 'sk-test-not-a-real-key', baseURL: `${base}/proxy/oai/v1`, maxRetries: 0 });
  for (const stream of [false, true]) {
    const messages = [{ role: 'user' as const, content: `I am ${PROXY_EMAIL}, card ${CARD}. Where do I send the parcel back?` }];
    if (stream) for await (const _ of await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })) void _;
    else await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
  }
  const deadline = Date.now() + 20_000;
  while ((await getJson<TraceListPage>('/api/traces?limit=10')).traces.length < 3) {
    if (Date.now() > deadline) throw new Error('the proxied calls were not stored');
    await new Promise((r) => setTimeout(r, 50));
  }
  await analysed(collector, 30_000);
}, 90_000);

afterAll(async () => {
  await collector?.stop();
  await fake?.close();
  backend.closeAllConnections();
  await new Promise((r) => backend.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('privacy mode', () => {
  it('stores the call with typed placeholders, and each placeholder is a hit where it is', async () => {
    const span = await getJson<SpanDetail>(`/api/traces/${app.traceId}/spans/${app.chatSpanId}`);
    const user = span.llm!.inputMessages[0]!.parts[0] as { content: string };
    expect(user.content).toContain('send the refund confirmation to [EMAIL].');
    expect(user.content).toContain('our billing API key is [SECRET:openai].');
    expect(user.content).not.toContain('northwind');
    const at = (g: SpanDetail['guardrails'][number]) => (span.llm!.inputMessages[g.messageIndex!]!.parts[g.partIndex!] as { content: string }).content.slice(g.start!, g.end!);
    const byRule = Object.fromEntries(span.guardrails.map((g) => [g.rule, g]));
    expect(Object.keys(byRule).sort()).toEqual(['injection.hidden-text', 'pii.email', 'secret.openai'].sort());
    expect(at(byRule['pii.email']!)).toBe('[EMAIL]');
    expect(byRule['pii.email']).toMatchObject({ category: 'pii', severity: 'medium', location: 'input', messageIndex: 0 });
    expect(at(byRule['secret.openai']!)).toBe('[SECRET:openai]');
    expect(byRule['secret.openai']).toMatchObject({ category: 'secret', severity: 'high' });
    // What is not PII or a secret is kept as it came, and still checked.
    expect(String((span.llm!.inputMessages[2]!.parts[0] as { response: unknown }).response)).toContain('ignore all previous instructions');
  });

  it('redacts proxied calls: request, answer (streamed or not) and the recorded exchange', async () => {
    const list = await getJson<TraceListPage>('/api/traces?limit=10');
    const proxied = list.traces.filter((t) => t.traceId !== app.traceId);
    expect(proxied).toHaveLength(2);
    for (const t of proxied) {
      const detail = await getJson<{ spans: SpanDetail[] }>(`/api/traces/${t.traceId}`);
      const span = detail.spans.find((s) => s.llm)!;
      expect((span.llm!.inputMessages[0]!.parts[0] as { content: string }).content).toBe('I am [EMAIL], card [CARD]. Where do I send the parcel back?');
      expect((span.llm!.outputMessages[0]!.parts[0] as { content: string }).content).toBe('Write to [EMAIL] and we will refund you.');
      expect(span.guardrails.map((g) => `${g.location}:${g.rule}`).sort()).toEqual(['input:pii.card', 'input:pii.email', 'output:pii.email']);
    }
  });

  it('finds nothing of the originals by search, and the database file never held them', async () => {
    expect((await getJson<TraceListPage>('/api/traces?text=parcel')).traces).toHaveLength(2);
    for (const q of ['northwind', 'brightwater', 'kestrel']) {
      expect((await getJson<TraceListPage>(`/api/traces?text=${q}`)).traces).toHaveLength(0);
    }
    const bytes = Buffer.concat([dbPath, `${dbPath}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    expect(bytes.length).toBeGreaterThan(0);
    // Sanity: the placeholders and the rest of the text are in the file, so the search below could succeed.
    expect(bytes.includes('[SECRET:openai]')).toBe(true);
    expect(bytes.includes('Where do I send the parcel back?')).toBe(true);
    for (const original of [EMAIL, 'northwind-mail', KEY_BODY, PROXY_EMAIL, 'brightwater', CARD, CARD.replace(/ /g, ''), ANSWER_EMAIL, 'kestrel-outfitters']) {
      expect(bytes.includes(original), original).toBe(false);
    }
  });

  it('forwards the spans redacted and the guardrail hits to the backend, and nothing of the originals', async () => {
    // The hits follow once the checks ran; the spans go on as they are stored.
    const deadline = Date.now() + 20_000;
    while (!forwarded.some((f) => f.url === '/v1/logs' && f.body.includes('gen_ai.guardrail.result'))) {
      if (Date.now() > deadline) throw new Error(`no guardrail hits forwarded: ${forwarded.map((f) => f.url).join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    type KeyValue = { key: string; value: { stringValue?: string } };
    type OtlpSpan = { traceId: string; spanId: string; name: string; attributes: KeyValue[] };
    const spans = forwarded
      .filter((f) => f.url === '/v1/traces')
      .flatMap((f) => (JSON.parse(f.body.toString()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans)
      .flatMap((r) => r.scopeSpans.flatMap((sc) => sc.spans));
    // Every span of the app's trace, as the store has it.
    const stored = await getJson<{ spans: SpanDetail[] }>(`/api/traces/${app.traceId}`);
    expect(spans.filter((sp) => sp.traceId === app.traceId).map((sp) => sp.spanId).sort()).toEqual(stored.spans.map((sp) => sp.spanId).sort());
    const chat = spans.find((sp) => sp.spanId === app.chatSpanId)!;
    const input = chat.attributes.find((a) => a.key === 'gen_ai.input.messages')!.value.stringValue!;
    expect(input).toContain('send the refund confirmation to [EMAIL].');
    expect(input).toContain('our billing API key is [SECRET:openai].');
    expect(input).toContain('ignore all previous instructions');
    const all = Buffer.concat(forwarded.map((f) => f.body));
    for (const original of [EMAIL, 'northwind-mail', KEY_BODY, PROXY_EMAIL, CARD, ANSWER_EMAIL]) expect(all.includes(original), original).toBe(false);
  });
});
