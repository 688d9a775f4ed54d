// `spyglass replay` as a script or CI job runs it: the real CLI (dist/cli.js) against a collector
// serving on its own, and on a database with no collector running (it then runs its own). A call
// that failed is replayed after the provider recovered; the output, status and trace id print.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanDetail, TraceListPage } from '../../src/protocol/api';
import type { FakeServer } from '../fakes/fake-server';
import { openaiError, startFakeOpenAI } from '../fakes/openai-fake';
import { CLI, eventually, getJson, startCli, type RunningCli } from '../helpers/cli-process';

let dir: string;
let fake: FakeServer;
let cli: RunningCli;
let traceId: string;

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'replay', ...args], { env: { ...process.env, OPENAI_API_KEY: '', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-replay-cli-'));
  fake = await startFakeOpenAI({ strict: true, chat: { content: 'Recovered answer.' } });
  cli = await startCli(['--db', path.join(dir, 'spyglass.db'), '--upstream', `openai=${fake.url}`]);
  fake.enqueue(openaiError(503, 'The engine is currently overloaded, please try again later'));
  const client = new OpenAI({ apiKey: 'sk-app', baseURL: `${cli.base}/proxy/openai/v1`, maxRetries: 0 });
  await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello?' }] })).rejects.toThrow(/overloaded/);
  traceId = await eventually(async () => (await getJson<TraceListPage>(`${cli.base}/api/traces?status=error`)).traces[0]?.traceId);
});

afterAll(async () => {
  await cli?.stop();
  await fake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('spyglass replay', () => {
  it('replays the failed call through the running collector and prints id, status and output', async () => {
    const r = await run([traceId, '--port', String(cli.httpPort), '--count', '2'], { OPENAI_API_KEY: 'sk-ci' });
    expect(r.stderr).toContain('replaying chat gpt-4o-mini');
    expect(r.code).toBe(0);
    const heads = [...r.stdout.matchAll(/^replay (\d)\/2 {2}trace ([0-9a-f]{32}) {2}span ([0-9a-f]{16}) {2}HTTP 200/gm)];
    expect(heads).toHaveLength(2);
    expect(r.stdout.match(/^Recovered answer\.$/gm)).toHaveLength(2);
    expect(fake.lastRequest.headers.authorization).toBe('Bearer sk-ci');
    const span = await getJson<SpanDetail>(`${cli.base}/api/traces/${heads[0]![2]}/spans/${heads[0]![3]}`);
    expect(span.llm!.replayOf!.traceId).toBe(traceId);
  });

  it('--json, --model; a failing replay exits 1; a missing key says how to set it', async () => {
    const j = await run([traceId, '--port', String(cli.httpPort), '--model', 'gpt-4.1-mini', '--json'], { OPENAI_API_KEY: 'sk-ci' });
    expect(j.code).toBe(0);
    const out = JSON.parse(j.stdout) as { replays: Array<{ httpStatus: number; output: string }> };
    expect(out.replays).toEqual([expect.objectContaining({ httpStatus: 200, output: 'Recovered answer.' })]);
    expect(JSON.parse(fake.lastRequest.body.toString()).model).toBe('gpt-4.1-mini');

    fake.enqueue(openaiError(429, 'Rate limit reached'));
    const failed = await run([traceId, '--port', String(cli.httpPort)], { OPENAI_API_KEY: 'sk-ci' });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/HTTP 429[\s\S]*error: Rate limit reached/);

    const nokey = await run([traceId, '--port', String(cli.httpPort)]);
    expect(nokey.code).toBe(2);
    expect(nokey.stderr).toContain('OPENAI_API_KEY');
  });

  it('without a running collector it runs its own on the database', async () => {
    const copy = path.join(dir, 'copy.db');
    await cli.stop();
    fs.copyFileSync(path.join(dir, 'spyglass.db'), copy);
    for (const ext of ['-wal', '-shm']) if (fs.existsSync(path.join(dir, `spyglass.db${ext}`))) fs.copyFileSync(path.join(dir, `spyglass.db${ext}`), `${copy}${ext}`);
    const r = await run([traceId, '--db', copy, '--port', '1', '--upstream', `openai=${fake.url}`], { OPENAI_API_KEY: 'sk-ci' });
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/HTTP 200[\s\S]*Recovered answer\./);
  });
});
