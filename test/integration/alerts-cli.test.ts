// Alerts and the circuit breaker as a user meets them: `dist/cli.js serve` with budget, hard-limit
// and webhook flags, the official OpenAI SDK looping through the recording proxy against a fake
// OpenAI, and what the collector says about it (GET /api/alerts, /api/breakers, stderr, the
// webhook), read back from the real store.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertDto, AlertsDto, BreakersDto } from '../../src/protocol/alerts';
import type { TraceDetail, TraceListPage } from '../../src/protocol/api';
import type { FakeServer } from '../fakes/fake-server';
import { startFakeOpenAI } from '../fakes/openai-fake';
import { eventually, getJson, startCli, type RunningCli } from '../helpers/cli-process';

let dir: string;
let cli: RunningCli;
let fake: FakeServer;
let hook: http.Server;
const posted: { event: string; alert: AlertDto }[] = [];
const LIMIT = 20;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-alerts-cli-'));
  fake = await startFakeOpenAI();
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      posted.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  cli = await startCli([
    '--db', path.join(dir, 'spyglass.db'),
    '--upstream', `openai=${fake.url}`,
    '--max-calls-per-minute', String(LIMIT),
    '--budget-daily-usd', '0.00002',
    '--alert-webhook', `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`,
  ]);
});

afterAll(async () => {
  await cli?.stop();
  await fake?.close();
  hook?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const client = (service?: string) =>
  new OpenAI({ apiKey: 'sk-test', baseURL: `${cli.base}/proxy/openai/v1`, maxRetries: 0, defaultHeaders: service ? { 'x-spyglass-service': service } : {} });

async function firing(): Promise<AlertDto[]> {
  return (await getJson<AlertsDto>(`${cli.base}/api/alerts?state=firing`)).alerts;
}

describe('alerts and the circuit breaker in the headless collector', () => {
  it('names a proxied call by its header (never forwarded), by the trace it joins, else by its route', async () => {
    await client('checkout').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'first' }] });
    expect(fake.requests.at(-1)!.headers['x-spyglass-service']).toBeUndefined();
    // A trace whose root span an app exported as service "billing", then a proxied call joining it.
    const traceId = 'ab'.repeat(16);
    const res = await fetch(`${cli.base}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] },
        scopeSpans: [{ spans: [{ traceId, spanId: '11'.repeat(8), name: 'handle', kind: 2, startTimeUnixNano: String(Date.now() * 1e6), endTimeUnixNano: String((Date.now() + 5) * 1e6) }] }] }] }),
    });
    expect(res.status).toBe(200);
    await eventually(async () => ((await getJson<TraceListPage>(`${cli.base}/api/traces?service=billing`)).traces.length > 0 ? true : undefined));
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'joined' }] }, { headers: { traceparent: `00-${traceId}-${'11'.repeat(8)}-01` } });
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'plain' }] });
    const services = await eventually(async () => {
      const t = await getJson<TraceDetail>(`${cli.base}/api/traces/${traceId}`);
      const proxied = t.spans.find((s) => s.llm);
      return proxied ? proxied.serviceName : undefined;
    });
    expect(services).toBe('billing');
    // The plain call's trace is stored after its answer: wait for it rather than read once.
    const byRoute = await eventually(async () => {
      const page = await getJson<TraceListPage>(`${cli.base}/api/traces?service=openai`);
      return page.traces.length > 0 ? page : undefined;
    });
    expect(byRoute.traces.length).toBe(1);
    expect((await getJson<TraceListPage>(`${cli.base}/api/traces?service=checkout`)).traces.length).toBe(1);
  });

  it('a loop with the same input is a P1 at once; the hard limit refuses its calls with a recorded JSON 429 until lifted', async () => {
    const looper = client('looper');
    const before = fake.requests.length;
    let refused: InstanceType<typeof OpenAI.APIError> | null = null;
    for (let i = 0; i < LIMIT + 5 && !refused; i++) {
      try {
        await looper.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Try again until it works.' }] });
      } catch (err) {
        refused = err as InstanceType<typeof OpenAI.APIError>;
      }
    }
    expect(refused).not.toBeNull();
    expect(refused!.status).toBe(429);
    expect(refused!.code).toBe('circuit_open');
    expect(refused!.message).toMatch(/looper.*more than 20 calls in one minute/);
    // The refused call never reached the provider.
    expect(fake.requests.length - before).toBe(LIMIT);

    const breakers = await getJson<BreakersDto>(`${cli.base}/api/breakers`);
    expect(breakers.breakers.map((b) => b.service)).toEqual(['looper']);
    expect(breakers.maxCallsPerMinute).toBe(LIMIT);

    const alerts = await eventually(async () => {
      const a = await firing();
      return a.some((x) => x.rule === 'runaway-repeat') && a.some((x) => x.rule === 'circuit-open') ? a : undefined;
    });
    const loop = alerts.find((a) => a.rule === 'runaway-repeat')!;
    expect(loop.severity).toBe('P1');
    expect(loop.scope).toEqual({ service: 'looper', model: 'gpt-4o-mini' });
    expect(loop.value).toBeGreaterThanOrEqual(12);
    expect(loop.calls.traceIds.length).toBeGreaterThan(0);
    expect(alerts.find((a) => a.rule === 'circuit-open')!.severity).toBe('P1');

    // The refusal is stored as an error call of that service, with the reason.
    const errors = await eventually(async () => {
      const page = await getJson<TraceListPage>(`${cli.base}/api/traces?service=looper&status=error`);
      return page.traces.length > 0 ? page.traces : undefined;
    });
    const refusedCall = (await getJson<TraceDetail>(`${cli.base}/api/traces/${errors[0]!.traceId}`)).spans.find((s) => s.llm)!;
    expect(refusedCall.llm!.httpStatus).toBe(429);
    expect(String(refusedCall.attributes['spyglass.proxy.refused'])).toMatch(/hard limit/);

    // Other services go on.
    await client('other').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });

    const lifted = await fetch(`${cli.base}/api/breakers/lift`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: 'looper' }) });
    expect(lifted.status).toBe(200);
    expect(((await lifted.json()) as BreakersDto).breakers).toEqual([]);
    await looper.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'after the lift' }] });
    await eventually(async () => ((await firing()).some((a) => a.rule === 'circuit-open') ? undefined : true));
    const resolved = await getJson<AlertsDto>(`${cli.base}/api/alerts?state=resolved`);
    expect(resolved.alerts.some((a) => a.rule === 'circuit-open' && a.resolvedAt !== null)).toBe(true);
  });

  it('a crossed daily budget fires with its projection; alerts reach stderr and the webhook', async () => {
    const budget = await eventually(async () => (await firing()).find((a) => a.rule === 'budget-daily'));
    expect(budget.severity).toBe('P1');
    expect(budget.threshold).toBe(0.00002);
    expect(budget.value).toBeGreaterThan(0.00002);
    expect(budget.projectedUsd).toBeGreaterThanOrEqual(budget.value);
    expect(budget.message).toMatch(/crossed the budget .*at this rate today ends at/);
    await eventually(async () => (/alert P1 runaway-repeat/.test(cli.stderr()) ? true : undefined));
    await eventually(async () => (posted.some((p) => p.event === 'raised' && p.alert.rule === 'budget-daily') ? true : undefined));
  });

  it('answers bad requests with a clear JSON error', async () => {
    const bad = await fetch(`${cli.base}/api/alerts?state=loud`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid state' });
    const notJson = await fetch(`${cli.base}/api/breakers/lift`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1]' });
    expect(notJson.status).toBe(400);
    const crossSite = await fetch(`${cli.base}/api/breakers/lift`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(crossSite.status).toBe(415);
  });
});
