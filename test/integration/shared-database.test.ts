// Two collectors on one database file (the CLI beside the editor, both on the default path):
// after one of them clears the store, the other must not go on using the resource rows it
// remembered, which are gone and whose ids the next resources reuse.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceDetail, TraceListPage } from '../../src/protocol/api';
import { rawRequest } from '../fakes/raw-http';
import { getJson, startCli, type RunningCli } from '../helpers/cli-process';
import { post } from '../helpers/http-post';
import { llmTrace } from '../unit/host/otlp-payload';

let dir: string;
let a: RunningCli;
let b: RunningCli;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-shared-'));
  const db = path.join(dir, 'spyglass.db');
  a = await startCli(['--db', db]);
  b = await startCli(['--db', db]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function send(to: RunningCli, service: string): Promise<string> {
  const t = llmTrace({ service, rootName: `from ${service}` });
  const r = await post(to.httpPort, '/v1/traces', Buffer.from(t.body), { headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(200);
  return t.traceId;
}

async function servicesOf(from: RunningCli, traceId: string): Promise<unknown[]> {
  const detail = await getJson<TraceDetail>(`${from.base}/api/traces/${traceId}`);
  return detail.spans.map((s) => s.resource['service.name']);
}

describe('two collectors on one file', () => {
  it("keep each span's own resource after the other one clears the store", async () => {
    const first = await send(a, 'alpha');
    expect(await servicesOf(a, first)).toEqual(['alpha', 'alpha']);

    // The other process clears everything, then stores a trace of another service: its resource
    // takes the first free row id, the one collector A remembers for alpha.
    expect((await rawRequest(`${b.base}/api/traces`, { method: 'DELETE' })).status).toBe(204);
    const beta = await send(b, 'beta');
    expect(await servicesOf(b, beta)).toEqual(['beta', 'beta']);

    // A stores alpha again: it must find (or make) alpha's row, not reuse the stale id.
    const second = await send(a, 'alpha');
    expect(await servicesOf(a, second)).toEqual(['alpha', 'alpha']);
    expect(await servicesOf(b, second)).toEqual(['alpha', 'alpha']);
    expect(await servicesOf(a, beta)).toEqual(['beta', 'beta']);
    const list = await getJson<TraceListPage>(`${a.base}/api/traces`);
    expect(list.traces.map((t) => [t.rootName, t.serviceName]).sort()).toEqual([['from alpha', 'alpha'], ['from beta', 'beta']]);
  });

  it('also after a clear that leaves no resource behind for the next write to find', async () => {
    const x = await send(a, 'gamma');
    expect((await rawRequest(`${b.base}/api/traces`, { method: 'DELETE' })).status).toBe(204);
    // A writes first this time: its cached row for gamma is gone; it must make a new one.
    const y = await send(a, 'gamma');
    expect(await servicesOf(a, y)).toEqual(['gamma', 'gamma']);
    expect((await rawRequest(`${a.base}/api/traces/${x}`, { method: 'GET' })).status).toBe(404);
  });
});
