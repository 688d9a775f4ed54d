// The collector lifecycle against the REAL collector process (dist/cli.js, built by the global
// setup): fork and stop, read through the API client, live events, several windows sharing one
// collector and taking over, and a port held by another program.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorEvent } from '../../../src/protocol/api';
import type { CollectorStartOptions } from '../../../src/protocol/collector-ipc';
import { ApiClient, rawRequest } from '../../../src/host/connection/api-client';
import { CollectorClient } from '../../../src/host/connection/collector-client';
import { forkCollector, type CollectorProcess } from '../../../src/host/connection/collector-process';
import Database from 'better-sqlite3';
import type { CollectorState } from '../../../src/host/connection/ownership-model';
import { SCHEMA_VERSION } from '../../../src/store/schema';
import { llmTrace } from './otlp-payload';
import { namedPort } from '../../helpers/ports';

const CLI = path.resolve(import.meta.dirname, '../../../dist/cli.js');
let dir: string;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-host-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let dbCount = 0;
function options(over: Partial<CollectorStartOptions> = {}): CollectorStartOptions {
  return {
    httpPort: 0,
    grpcPort: null,
    dbPath: path.join(dir, `db-${++dbCount}.sqlite`),
    upstreams: {},
    forwardEndpoint: null,
    storeContent: true,
    retentionDays: null,
    retentionMaxMb: null,
    priceOverrides: [],
    maxBodyBytes: 8 * 1024 * 1024,
    ...over,
  };
}

function postOtlp(port: number, body: string): Promise<number> {
  return rawRequest({ port, method: 'POST', path: '/v1/traces', body, headers: { 'content-type': 'application/json' }, timeoutMs: 5000 }).then((r) => r.status);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function client(opts: CollectorStartOptions): CollectorClient {
  const logs: string[] = [];
  const c = new CollectorClient({
    cliPath: CLI,
    getStartOptions: () => opts,
    takeoverDelay: () => 20 + Math.random() * 200,
    stopTimeoutMs: 5000,
    log: (level, m) => logs.push(`${level}: ${m}`),
  });
  cleanups.push(() => c.dispose());
  return c;
}

describe('collector process (forked dist/cli.js)', () => {
  it('starts, serves health, traces and events through the API client, and stops on shutdown', async () => {
    const result = await forkCollector({ cliPath: CLI, options: options() });
    expect(result.kind).toBe('listening');
    if (result.kind !== 'listening') return;
    const proc: CollectorProcess = result.process;
    cleanups.push(() => proc.stop(3000));
    expect(result.httpPort).toBeGreaterThan(0);
    expect(result.grpcPort).toBeNull();

    const api = new ApiClient(result.httpPort);
    const health = await api.health();
    expect(health).toMatchObject({ ok: true, app: 'spyglass', pid: proc.pid, httpPort: result.httpPort, dbPath: result.dbPath });

    // live events over SSE, as the tree and the status bar get them
    const { SseClient } = await import('../../../src/host/connection/event-stream');
    const events: CollectorEvent[] = [];
    const sse = new SseClient({ port: result.httpPort, reconnect: false, onEvent: (e) => events.push(e) });
    cleanups.push(() => sse.close());
    sse.start();
    await expect.poll(() => events[0]?.type).toBe('hello');

    const t = llmTrace({ rootName: 'support answer', model: 'gpt-4o-mini', tool: 'lookup_order', sessionId: 'conv-1' });
    expect(await postOtlp(result.httpPort, t.body)).toBe(200);
    await expect.poll(() => events.some((e) => e.type === 'traces-changed' && e.traceIds.includes(t.traceId)), { timeout: 5000 }).toBe(true);

    const page = await api.listTraces({ limit: 10 });
    expect(page.traces).toHaveLength(1);
    expect(page.traces[0]).toMatchObject({ traceId: t.traceId, rootName: 'support answer', llmCallCount: 1, models: ['gpt-4o-mini'], sessionId: 'conv-1', inputTokens: 1000, outputTokens: 200 });
    expect(page.traces[0].costUsd).toBeGreaterThan(0);

    const detail = await api.getTrace(t.traceId);
    const llmSpan = detail.spans.find((s) => s.llm);
    expect(llmSpan?.llm).toMatchObject({ requestModel: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 200 });
    expect(detail.spans.some((s) => s.category === 'tool')).toBe(true);

    const summary = await api.todaySummary();
    expect(summary.calls).toBe(1);

    // import and export go through the same client
    const imported = llmTrace({ rootName: 'imported run' });
    expect(await api.importTraces(imported.body, false)).toEqual({ acceptedSpans: 2 });
    const exported = JSON.parse((await api.exportTraces(imported.traceId)).toString('utf8'));
    expect(JSON.stringify(exported)).toContain(imported.traceId);
    expect((await api.listTraces()).traces.map((x) => x.rootName).sort()).toEqual(['imported run', 'support answer']);

    await api.clearAll();
    expect((await api.listTraces()).traces).toEqual([]);

    expect(await proc.stop(5000)).toBe('exited');
    expect(proc.exited).toBe(true);
    expect(isAlive(proc.pid!)).toBe(false);
  });

  it('upgrades an older store past the start deadline, saying so first, and keeps its traces', async () => {
    const opts = options();
    const first = await forkCollector({ cliPath: CLI, options: opts });
    if (first.kind !== 'listening') throw new Error(`first start: ${first.kind}`);
    const t = llmTrace({ rootName: 'kept across the upgrade' });
    expect(await postOtlp(first.httpPort, t.body)).toBe(200);
    await expect.poll(async () => (await new ApiClient(first.httpPort).listTraces()).traces.length, { timeout: 5000 }).toBe(1);
    expect(await first.process.stop(5000)).toBe('exited');
    // The file as the previous version left it, and another process holding its write lock past
    // the start deadline: the upgrade waits for the lock, as a long migration takes its time.
    const older = SCHEMA_VERSION - 1;
    const lock = new Database(opts.dbPath);
    lock.pragma(`user_version = ${older}`);
    lock.exec('BEGIN IMMEDIATE');
    const startTimeoutMs = 2500;
    const states: CollectorState[] = [];
    const c = new CollectorClient({ cliPath: CLI, getStartOptions: () => opts, startTimeoutMs, stopTimeoutMs: 5000, log: () => undefined });
    cleanups.push(() => c.dispose());
    c.onDidChangeState((st) => states.push(st));
    const t0 = Date.now();
    const started = c.start();
    await expect.poll(() => states.some((st) => st.kind === 'starting' && st.upgrade), { timeout: startTimeoutMs }).toBe(true);
    // Let the start deadline pass while the upgrade waits, then let it go on.
    await new Promise((r) => setTimeout(r, startTimeoutMs + 300 - (Date.now() - t0)));
    lock.exec('COMMIT');
    lock.close();
    const state = await started;
    expect(Date.now() - t0).toBeGreaterThan(startTimeoutMs);
    expect(state.kind).toBe('owner');
    const upgrade = states.find((st) => st.kind === 'starting' && st.upgrade);
    expect(upgrade).toMatchObject({ upgrade: { fromSchema: older, toSchema: SCHEMA_VERSION, bytes: fs.statSync(opts.dbPath).size } });
    if (state.kind !== 'owner') return;
    expect((await new ApiClient(state.httpPort).listTraces()).traces.map((x) => x.traceId)).toEqual([t.traceId]);
    const check = new Database(opts.dbPath, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });

  it('reports EADDRINUSE when its port is taken', async () => {
    const blocker = http.createServer((_q, s) => s.end('hi'));
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as net.AddressInfo).port;
    const result = await forkCollector({ cliPath: CLI, options: options({ httpPort: port }) });
    expect(result).toMatchObject({ kind: 'start-failed', code: 'EADDRINUSE', port });
  });

  it('reports a database it cannot open', async () => {
    const file = path.join(dir, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const result = await forkCollector({ cliPath: CLI, options: options({ dbPath: path.join(file, 'db.sqlite') }) });
    expect(result).toMatchObject({ kind: 'start-failed', code: 'DB' });
  });
});

describe('several windows share one collector', () => {
  it('the first window owns the ports, the second reads; when the owner stops, the reader takes over', async () => {
    // The first window takes any free port; the second is set to the port the first reports.
    const opts = options({ httpPort: 0 });
    const a = client(opts);
    const stateA = await a.start();
    expect(stateA.kind).toBe('owner');
    const port = stateA.kind === 'owner' ? stateA.httpPort : -1;
    const b = client({ ...opts, httpPort: port });
    const stateB = await b.start();
    expect(stateB).toMatchObject({ kind: 'reader', httpPort: port, ownerPid: stateA.kind === 'owner' ? stateA.pid : -1 });

    // the reader sees live changes from the owner's collector
    const seen: CollectorEvent[] = [];
    b.onEvent((e) => seen.push(e));
    const t = llmTrace({ rootName: 'before takeover' });
    expect(await postOtlp(port, t.body)).toBe(200);
    await expect.poll(() => seen.some((e) => e.type === 'traces-changed' && e.traceIds.includes(t.traceId)), { timeout: 5000 }).toBe(true);
    expect((await b.apiClient!.listTraces()).traces.map((x) => x.traceId)).toEqual([t.traceId]);

    const ownerPid = stateA.kind === 'owner' ? stateA.pid! : -1;
    await a.stop();
    expect(isAlive(ownerPid)).toBe(false);
    await expect.poll(() => b.state.kind, { timeout: 15_000 }).toBe('owner');
    const newPid = b.state.kind === 'owner' ? b.state.pid : null;
    expect(newPid).not.toBe(ownerPid);
    const health = await b.apiClient!.health();
    expect(health.pid).toBe(newPid);
    expect(health.httpPort).toBe(port);
    // same database: what the first owner stored is still there
    expect((await b.apiClient!.listTraces()).traces.map((x) => x.traceId)).toEqual([t.traceId]);
  });

  it('two windows starting at once end with exactly one owner and one reader', async () => {
    const port = await namedPort();
    const opts = options({ httpPort: port });
    const a = client(opts);
    const b = client(opts);
    const [sa, sb] = await Promise.all([a.start(), b.start()]);
    expect([sa, sb].map((s) => (s.kind === 'failed' ? s.message : s.kind)).sort()).toEqual(['owner', 'reader']);
    const owner = sa.kind === 'owner' ? sa : sb.kind === 'owner' ? sb : null;
    const reader = sa.kind === 'reader' ? sa : sb.kind === 'reader' ? sb : null;
    expect(reader?.kind === 'reader' && reader.ownerPid).toBe(owner?.kind === 'owner' && owner.pid);
  });

  it('restarts its collector when the process dies unexpectedly', async () => {
    const a = client(options());
    const first = await a.start();
    expect(first.kind).toBe('owner');
    const pid = first.kind === 'owner' ? first.pid! : -1;
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => a.state.kind === 'owner' && a.state.pid !== pid, { timeout: 15_000 }).toBe(true);
    expect((await a.apiClient!.health()).pid).not.toBe(pid);
  });
});

describe('a port held by another program', () => {
  it('ends in port-conflict for the HTTP port without starting a collector', async () => {
    const other = http.createServer((_q, s) => s.writeHead(200, { server: 'other-app' }).end('<html>'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => other.close(r)));
    const port = (other.address() as net.AddressInfo).port;
    const a = client(options({ httpPort: port }));
    const state = await a.start();
    expect(state).toMatchObject({ kind: 'port-conflict', port, setting: 'httpPort' });
    expect(state.kind === 'port-conflict' && state.detail).toMatch(/not Spyglass/);
    expect(a.apiClient).toBeNull();
  });

  it('ends in port-conflict for the gRPC port when only that one is taken', async () => {
    const other = net.createServer((s) => s.end());
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => other.close(r)));
    const grpcPort = (other.address() as net.AddressInfo).port;
    const httpPort = await namedPort();
    const a = client(options({ httpPort, grpcPort }));
    const state = await a.start();
    expect(state).toMatchObject({ kind: 'port-conflict', port: grpcPort, setting: 'grpcPort' });
    // nothing is left listening on the HTTP port
    const probe = await import('../../../src/host/connection/api-client').then((m) => m.probeHealth(httpPort));
    expect(probe.kind).toBe('none');
  });
});
