// The guardrails on a real collector with its real analysis thread: a real app (OpenTelemetry SDK,
// OTLP/HTTP protobuf) sends one call with an e-mail address and an API key in the user's message
// and an instruction hidden in a tool result; the checks run after capture, and the hits come back
// on the span (`guardrails`, where each is), in `GET /api/guardrails` (filters, counts, time
// buckets) and in the trace list's counts. A new configuration changes the analysis version and a
// rerun re-checks the stored call under it; a bad configuration is refused and changes nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../src/collector/collector';
import type { AnalysesDto, ApiError, GuardrailConfigDto, GuardrailPage, SpanDetail, TraceListPage } from '../../src/protocol/api';
import { runApp } from '../e2e/harness/apps';
import { analysed } from '../helpers/analyses-settled';

let dir: string;
let collector: Collector;
let base: string;
let call: { traceId: string; chatSpanId: string };

const getJson = async <T>(p: string): Promise<T> => {
  const res = await fetch(base + p);
  if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};
const put = (p: string, body: unknown, type = 'application/json') => fetch(base + p, { method: 'PUT', headers: { 'content-type': type }, body: JSON.stringify(body) });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-guardrails-'));
  collector = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: path.join(dir, 'spyglass.db') });
  base = `http://127.0.0.1:${collector.httpPort}`;
  call = await runApp(path.join(import.meta.dirname, '..', 'e2e', 'app', 'guarded-app.mjs'), { SPYGLASS_URL: base }, path.join(dir, 'app.log'));
  const deadline = Date.now() + 20_000;
  while (!(await fetch(`${base}/api/traces/${call.traceId}/spans/${call.chatSpanId}`)).ok) {
    if (Date.now() > deadline) throw new Error('the app\'s call was not stored');
    await new Promise((r) => setTimeout(r, 50));
  }
  await analysed(collector, 30_000);
}, 90_000);

afterAll(async () => {
  await collector?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('guardrails on stored calls', () => {
  it('puts each hit on its span, at the characters it found', async () => {
    const span = await getJson<SpanDetail>(`/api/traces/${call.traceId}/spans/${call.chatSpanId}`);
    const byCategory = Object.fromEntries(span.guardrails.map((g) => [g.category, g]));
    expect(span.guardrails.map((g) => g.category).sort()).toEqual(['injection', 'pii', 'secret']);
    const input = span.llm!.inputMessages;
    const textOf = (m: number, p: number) => {
      const part = input[m]!.parts[p] as { content?: string; response?: unknown };
      return typeof part.content === 'string' ? part.content : String(part.response);
    };
    for (const g of span.guardrails) {
      expect(g).toMatchObject({ location: 'input', source: 'rule:guardrails' });
      expect(g.severity).toMatch(/^(low|medium|high)$/);
    }
    const at = (g: (typeof span.guardrails)[number]) => textOf(g.messageIndex!, g.partIndex!).slice(g.start!, g.end!);
    expect(at(byCategory.pii!)).toBe('dana.whitfield@northwind-mail.com');
    expect(byCategory.pii!.rule).toBe('pii.email');
    expect(at(byCategory.secret!)).toMatch(/^sk-proj-/);
    expect(byCategory.injection!.messageIndex).toBe(2); // the tool result, not the user's message
    expect(at(byCategory.injection!)).toContain('ignore all previous instructions');
    // The same hits in the whole trace, and as annotations of kind guardrail.
    const detail = await getJson<{ spans: SpanDetail[] }>(`/api/traces/${call.traceId}`);
    expect(detail.spans.find((s) => s.spanId === call.chatSpanId)!.guardrails).toEqual(span.guardrails);
    expect(span.annotations.filter((a) => a.kind === 'guardrail')).toHaveLength(3);
    const list = await getJson<TraceListPage>('/api/traces');
    expect(list.traces.find((t) => t.traceId === call.traceId)!.annotationCounts.guardrail).toBe(3);
  });

  it('lists hits across traces with filters, counts and time buckets', async () => {
    const all = await getJson<GuardrailPage>('/api/guardrails');
    expect(all.counts).toMatchObject({ total: 3, byCategory: { pii: 1, secret: 1, injection: 1 } });
    expect(all.hits.every((h) => h.traceId === call.traceId && h.spanId === call.chatSpanId && h.spanName === 'chat gpt-4o-mini' && h.model === 'gpt-4o-mini')).toBe(true);
    const secrets = await getJson<GuardrailPage>('/api/guardrails?category=secret');
    expect(secrets.hits.map((h) => h.rule)).toEqual(['secret.openai']);
    expect(secrets.counts.total).toBe(1);
    expect((await getJson<GuardrailPage>('/api/guardrails?category=pii,injection')).counts.total).toBe(2);
    expect((await getJson<GuardrailPage>('/api/guardrails?rule=pii.email')).hits).toHaveLength(1);
    expect((await getJson<GuardrailPage>('/api/guardrails?severity=high')).hits.every((h) => h.severity === 'high')).toBe(true);
    expect((await getJson<GuardrailPage>(`/api/guardrails?to=${all.hits[0]!.at - 1}`)).counts.total).toBe(0);
    // One hit per page, following the cursor, gives all three once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: GuardrailPage = await getJson<GuardrailPage>(`/api/guardrails?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.hits.map((h) => h.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(3);
    const from = Math.floor(all.hits[0]!.at / 60_000) * 60_000 - 60_000;
    const chart = await getJson<GuardrailPage>(`/api/guardrails?from=${from}&to=${from + 3_600_000}&bucketMs=60000`);
    expect(chart.buckets).toEqual([{ bucketStart: from + 60_000, byCategory: { pii: 1, secret: 1, injection: 1 } }]);
    const bad = await fetch(`${base}/api/guardrails?bucketMs=1000`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ApiError).detail).toContain('from');
    expect((await fetch(`${base}/api/guardrails?cursor=nonsense`)).status).toBe(400);
  });

  it('re-checks stored calls under a new configuration on request', async () => {
    const before = await getJson<GuardrailConfigDto>('/api/guardrails/config');
    const res = await put('/api/guardrails/config', { config: { rules: { pii: false }, allow: { values: ['never-matches'] } } });
    expect(res.status).toBe(200);
    const after = (await res.json()) as GuardrailConfigDto;
    expect(after.version).not.toBe(before.version);
    await analysed(collector, 30_000);
    // The stored hits stay until a rerun; the analysis says they came from another version.
    expect((await getJson<AnalysesDto>('/api/analyses')).analyses).toEqual([expect.objectContaining({ name: 'guardrails', version: after.version, stale: true })]);
    expect((await getJson<GuardrailPage>('/api/guardrails')).counts.total).toBe(3);
    const rerun = await fetch(`${base}/api/analyses/rerun`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(rerun.status).toBe(202);
    await analysed(collector, 30_000);
    expect((await getJson<GuardrailPage>('/api/guardrails')).counts.byCategory).toEqual({ secret: 1, injection: 1 });
  });

  it('sends the hits on to the forward endpoint as gen_ai.guardrail.result log records, once found', async () => {
    // The team's backend: another Spyglass (a real OTLP receiver) that checks nothing itself.
    const upstream = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: path.join(dir, 'upstream.db'), analyses: false });
    const local = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: path.join(dir, 'forwarding.db'), forwardEndpoint: `http://127.0.0.1:${upstream.httpPort}` });
    try {
      const sent = await runApp<{ traceId: string; chatSpanId: string }>(path.join(import.meta.dirname, '..', 'e2e', 'app', 'guarded-app.mjs'),
        { SPYGLASS_URL: `http://127.0.0.1:${local.httpPort}` }, path.join(dir, 'app-forwarded.log'));
      const deadline = Date.now() + 30_000;
      let page: GuardrailPage;
      for (;;) {
        page = (await (await fetch(`http://127.0.0.1:${upstream.httpPort}/api/guardrails`)).json()) as GuardrailPage;
        if (page.counts.total >= 3) break;
        if (Date.now() > deadline) throw new Error(`the upstream got ${page.counts.total} hits`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(page.hits.map((h) => h.rule).sort()).toEqual(['injection.hidden-text', 'pii.email', 'secret.openai']);
      expect(page.hits.map((h) => [h.traceId, h.spanId, h.source])).toEqual(Array(3).fill([sent.traceId, sent.chatSpanId, 'rule:guardrails']));
      const pii = page.hits.find((h) => h.category === 'pii')!;
      expect(pii).toMatchObject({ severity: 'medium', location: 'input', messageIndex: 0, partIndex: 0 });
    } finally {
      await local.stop();
      await upstream.stop();
    }
  });

  it('refuses a bad configuration with what is wrong, and keeps the one in force', async () => {
    const before = await getJson<GuardrailConfigDto>('/api/guardrails/config');
    const bad = await put('/api/guardrails/config', { config: { customRules: [{ id: 'x', pattern: '(', category: 'pii' }] } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ApiError).detail).toContain('customRules.0.pattern');
    expect((await put('/api/guardrails/config', { config: { rules: 7 } })).status).toBe(400);
    expect((await put('/api/guardrails/config', { nothing: true })).status).toBe(400);
    // A web page cannot change it: no JSON content type without a preflight the collector never grants.
    expect((await put('/api/guardrails/config', { config: {} }, 'text/plain')).status).toBe(415);
    expect(await getJson<GuardrailConfigDto>('/api/guardrails/config')).toEqual(before);
  });
});
