// Stored data without capture, with the REAL collector process: the window's one connection
// stops capture and keeps reading through `serve --read-only` (an ephemeral port, no capture
// listeners, no writes), follows writes another process makes to the file, and gives the read
// port back to capture when it starts again.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorEvent } from '../../../src/protocol/api';
import type { CollectorStartOptions } from '../../../src/protocol/collector-ipc';
import { rawRequest } from '../../../src/host/connection/api-client';
import { CollectorConnection } from '../../../src/host/connection/connection';
import { eventually, startCli } from '../../helpers/cli-process';
import { llmTrace } from './otlp-payload';

const CLI = path.resolve(import.meta.dirname, '../../../dist/cli.js');
let dir: string;

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-stored-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function options(dbPath: string): CollectorStartOptions {
  return {
    httpPort: 0, grpcPort: null, dbPath, upstreams: {}, forwardEndpoint: null, storeContent: true, retentionDays: null,
    retentionMaxMb: null, priceOverrides: [], maxBodyBytes: 8 * 1024 * 1024,
  };
}

function post(port: number, pathName: string, body: string) {
  return rawRequest({ port, method: 'POST', path: pathName, body, headers: { 'content-type': 'application/json' }, timeoutMs: 5000 });
}

describe('stored data without capture', () => {
  it('reads the store after capture stops, refuses writes there, follows another writer, and hands back to capture', async () => {
    const dbPath = path.join(dir, 'a.db');
    const logs: string[] = [];
    const conn = new CollectorConnection({
      cliPath: CLI,
      execPath: process.execPath,
      getStartOptions: () => options(dbPath),
      log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
    const events: CollectorEvent[] = [];
    conn.onEvent((e) => events.push(e));
    try {
      const state = await conn.start();
      expect(state.kind).toBe('owner');
      const capturePort = conn.api.port!;
      const first = llmTrace();
      expect((await post(capturePort, '/v1/traces', first.body)).status).toBe(200);
      await eventually(async () => ((await conn.api.listTraces()).traces.length === 1 ? true : undefined));

      await conn.stop();
      expect(conn.state.kind).toBe('stopped');
      expect(conn.readOnly).toBe(true);
      const readPort = conn.api.port!;
      expect(readPort).not.toBe(capturePort);
      const page = await conn.api.listTraces({ sort: 'duration' });
      expect(page.traces.map((t) => t.traceId)).toEqual([first.traceId]);
      expect((await conn.api.traceOutline(first.traceId)).spanId.length).toBeGreaterThan(0);
      expect((await conn.api.health()).readOnly).toBe(true);
      // No capture and no writes on the reader's port.
      expect((await post(readPort, '/v1/traces', llmTrace().body)).status).toBe(404);
      expect((await post(readPort, `/api/traces/${first.traceId}/annotations`, JSON.stringify({ kind: 'note', explanation: 'x' }))).status).toBe(404);
      expect((await rawRequest({ port: readPort, method: 'DELETE', path: '/api/traces', timeoutMs: 5000 })).status).toBe(405);

      // Another process writes the same file (a CLI collector): the reader notices and says so.
      const other = await startCli(['--db', dbPath, '--no-analyses']);
      try {
        const second = llmTrace();
        expect((await post(other.httpPort, '/v1/traces', second.body)).status).toBe(200);
        await eventually(async () => (events.some((e) => e.type === 'traces-changed') ? true : undefined), 15_000);
        expect((await conn.api.listTraces()).traces.map((t) => t.traceId)).toContain(second.traceId);
      } finally {
        await other.stop();
      }

      // Capture again: the reader goes away and capture's collector serves the reads.
      const again = await conn.start();
      expect(again.kind).toBe('owner');
      expect(conn.readOnly).toBe(false);
      expect((await conn.api.listTraces()).traces).toHaveLength(2);
      await eventually(async () => (await rawRequest({ port: readPort, method: 'GET', path: '/api/health', timeoutMs: 1000 }).then(() => undefined, () => true)));
    } finally {
      await conn.dispose();
    }
  }, 60_000);

  it('reads nothing, and says so in the log, when there is no database yet', async () => {
    const logs: string[] = [];
    const conn = new CollectorConnection({
      cliPath: CLI,
      execPath: process.execPath,
      getStartOptions: () => options(path.join(dir, 'missing', 'none.db')),
      log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
    try {
      await conn.readStore();
      expect(conn.connected).toBe(false);
      expect(logs.join('\n')).toMatch(/cannot be read without capture/);
    } finally {
      await conn.dispose();
    }
  }, 30_000);
});
