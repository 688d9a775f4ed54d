// Bad input at the real collector process (its preparing thread included): bodies nested past
// the depth cap are refused at the door with a 400 that says so, leave nothing behind (later
// batches are answered as fast as before, export keeps working), repeated span ids are reported in
// the partial-success answer, and the proxy always sends the upstream a well-formed target.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceListPage } from '../../src/protocol/api';
import { startFakeOpenAI } from '../fakes/openai-fake';
import { startProxyHarness } from '../fakes/proxy-harness';
import { rawRequest } from '../fakes/raw-http';
import { CLI, getJson, startCli, type RunningCli } from '../helpers/cli-process';
import { post } from '../helpers/http-post';
import { llmTrace } from '../unit/host/otlp-payload';

let dir: string;
let dbPath: string;
let cli: RunningCli;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-bad-'));
  dbPath = path.join(dir, 'spyglass.db');
  cli = await startCli(['--db', dbPath]);
});
afterAll(async () => {
  await cli?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const JSON_TYPE = { 'content-type': 'application/json' };

function nestedValue(levels: number): string {
  return '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(levels) + '{"stringValue":"x"}' + '}]}}'.repeat(levels);
}

function logsBody(body: string): Buffer {
  const now = String(BigInt(Date.now()) * 1_000_000n);
  return Buffer.from(`{"resourceLogs":[{"scopeLogs":[{"scope":{"name":"s"},"logRecords":[{"timeUnixNano":"${now}","body":${body}}]}]}]}`);
}

async function roundTrips(n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await post(cli.httpPort, '/v1/logs', logsBody('{"stringValue":"an ordinary log line"}'), { headers: JSON_TYPE });
    times.push(performance.now() - t0);
    expect(r.status).toBe(200);
  }
  return times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('bodies nested past the cap', () => {
  it('a /v1/logs body 2,000 levels deep gets a prompt 400, and later batches are answered as fast as before', async () => {
    // Steady state first: batches until five in a row are answered quickly (start-up work done).
    const deadline = Date.now() + 15_000;
    while (median(await roundTrips(5)) > 25 && Date.now() < deadline);
    const before = median(await roundTrips(15));
    const t0 = performance.now();
    const r = await post(cli.httpPort, '/v1/logs', logsBody(nestedValue(2000)), { headers: JSON_TYPE });
    const took = performance.now() - t0;
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body.toString()).message).toMatch(/nested deeper than 100 levels/);
    expect(took).toBeLessThan(5_000);
    const after = median(await roundTrips(15));
    console.log(`median round trip of a small log batch: ${before.toFixed(1)} ms before, ${after.toFixed(1)} ms after the deep body`);
    // Before the fix every later batch waited ~50 ms on the reply that never came.
    expect(after).toBeLessThan(Math.max(2 * before, before + 20));
  });

  it('the 1,500-level trace body (74 KB) is refused, and export still works, over HTTP and from the CLI', async () => {
    const trace = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${'ab'.repeat(16)}","spanId":"${'cd'.repeat(8)}","name":"deep","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000","attributes":[{"key":"a","value":${nestedValue(1500)}}]}]}]}]}`;
    expect(trace.length).toBeGreaterThan(70_000);
    const r = await post(cli.httpPort, '/v1/traces', Buffer.from(trace), { headers: JSON_TYPE });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body.toString()).message).toMatch(/^attribute "a\.k\.k.*nested deeper than 100 levels/);
    const imported = await rawRequest(`${cli.base}/api/import`, { body: trace, headers: JSON_TYPE });
    expect(imported.status).toBe(400);
    expect(JSON.parse(imported.body.toString())).toMatchObject({ error: 'not OTLP/JSON', detail: expect.stringMatching(/nested deeper than 100 levels/) });
    // Ordinary traces go on being stored and exported.
    const ok = llmTrace({ rootName: 'ordinary' });
    expect((await post(cli.httpPort, '/v1/traces', Buffer.from(ok.body), { headers: JSON_TYPE })).status).toBe(200);
    const exported = await rawRequest(`${cli.base}/api/export`, { method: 'GET' });
    expect(exported.status).toBe(200);
    expect(exported.body.toString()).toContain(ok.traceId);
    const fromCli = execFileSync(process.execPath, [CLI, 'export', '--db', dbPath], { encoding: 'utf8' });
    expect(fromCli).toContain(ok.traceId);
    expect(fromCli).not.toContain('abababab');
  });
});

describe('the OTLP answer', () => {
  it('reports spans repeated in one request as rejected, with the reason', async () => {
    const t = llmTrace({ rootName: 'repeated' });
    const doc = JSON.parse(t.body) as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] };
    const spans = doc.resourceSpans[0]!.scopeSpans[0]!.spans;
    spans.push({ ...spans[0]!, name: 'the same span again' });
    const r = await post(cli.httpPort, '/v1/traces', Buffer.from(JSON.stringify(doc)), { headers: JSON_TYPE });
    expect(r.status).toBe(200);
    const answer = JSON.parse(r.body.toString()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(answer.partialSuccess.rejectedSpans).toBe('1');
    expect(answer.partialSuccess.errorMessage).toMatch(/"the same span again".*the same trace and span id came earlier in this request; the first one was kept/);
    const list = await getJson<TraceListPage>(`${cli.base}/api/traces?text=${t.traceId}`);
    expect(list.traces[0]!.spanCount).toBe(spans.length - 1);
  });
});

describe('the proxy', () => {
  it('sends `/proxy/<name>?query` to the upstream as `/?query`, and keeps a base path', async () => {
    const upstream = await startFakeOpenAI();
    const h = await startProxyHarness({ upstreams: { bare: upstream.url, based: `${upstream.url}/openai/v1` } });
    try {
      upstream.setHandler(() => ({ type: 'json', body: { ok: true } }));
      expect((await rawRequest(`${h.base('bare')}?x=1`, { method: 'GET' })).status).toBe(200);
      expect(upstream.lastRequest.url).toBe('/?x=1');
      expect((await rawRequest(`${h.base('based')}?api-version=2024-10-21`, { method: 'GET' })).status).toBe(200);
      expect(upstream.lastRequest.url).toBe('/openai/v1?api-version=2024-10-21');
      expect((await rawRequest(`${h.base('bare')}/v1/models?x=1`, { method: 'GET' })).status).toBe(200);
      expect(upstream.lastRequest.url).toBe('/v1/models?x=1');
    } finally {
      await h.close();
      await upstream.close();
    }
  });
});
