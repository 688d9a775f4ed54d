// "Replay this version's calls with version B" headless: an app calls OpenAI through the
// recording proxy (the real OpenAI SDK against a fake that speaks OpenAI's wire format) with a
// system prompt, then with a one-word edit. A's calls are sent again with B's text, each
// keeping its own user name; the replays are stored as B's calls, linked to their originals,
// and the comparison of A's originals against them tells the edit's effect on the same inputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../src/collector/collector';
import { ApiClient } from '../../src/host/connection/api-client';
import { replayVersionCalls } from '../../src/host/prompts/version-replay';
import type { PromptComparisonDto, PromptDto, PromptReplayPlan, PromptsDto, SpanDetail } from '../../src/protocol/api';
import type { FakeServer } from '../fakes/fake-server';
import { chatReply, startFakeOpenAI } from '../fakes/openai-fake';
import { eventually } from '../helpers/cli-process';

let dir: string;
let collector: Collector;
let base: string;
let fake: FakeServer;
let api: ApiClient;

const USERS = ['Ana', 'Bo', 'Cy', 'Di', 'Ed', 'Flo'];
const KEY = { authorization: 'Bearer sk-test' };

/** The system message of a recorded request to the fake. */
const systemOf = (body: Buffer) => (JSON.parse(body.toString()) as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'system')?.content;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-version-replay-'));
  fake = await startFakeOpenAI();
  // The model answers at length when told to be thorough: the edit's effect the comparison must find.
  fake.setHandler((req) => {
    const body = JSON.parse(req.body.toString()) as Record<string, unknown>;
    return chatReply({ content: 'ok', usage: { prompt: 50, completion: systemOf(req.body)?.includes('thoroughly') ? 400 : 10 } }, body);
  });
  collector = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: path.join(dir, 'spyglass.db'), upstreams: { openai: fake.url } });
  base = `http://127.0.0.1:${collector.httpPort}`;
  api = new ApiClient(collector.httpPort, 30_000);
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/proxy/openai/v1`, maxRetries: 0 });
  const run = async (users: string[], edit: string) => {
    for (const u of users) {
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: `You are ${u}'s planning assistant. Answer ${edit}.` }, { role: 'user', content: `Plan ${u}'s day.` }] });
    }
  };
  await run(USERS, 'briefly');
  await run(['Gil', 'Hu'], 'thoroughly');
});

afterAll(async () => {
  await collector?.stop();
  await fake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function prompt(total: number): Promise<PromptDto> {
  return eventually(async () => {
    const p = (await api.listPrompts()).prompts[0];
    return p && p.versions.reduce((n, v) => n + v.calls, 0) === total ? p : undefined;
  });
}

describe('replaying a prompt version\'s calls with another version', () => {
  it('plans A\'s newest calls with B\'s text and each call\'s own values, and refuses a bad count', async () => {
    const p = await prompt(8);
    const plan = await api.promptReplayPlan({ promptId: p.promptId, version: '1' }, { promptId: p.promptId, version: '2' }, 4);
    expect(plan.items).toHaveLength(4);
    const texts = plan.items.map((i) => (JSON.parse(i.body!) as { messages: { content: string }[] }).messages[0]!.content);
    // Newest first: the last four users of version 1, each now told to be thorough.
    expect(texts).toEqual(['Flo', 'Ed', 'Di', 'Cy'].map((u) => `You are ${u}'s planning assistant. Answer thoroughly.`));
    const bad = await fetch(`${base}/api/prompts/replay-plan?a=${p.promptId}/1&b=${p.promptId}/2&count=500`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid count' });
    const missing = await fetch(`${base}/api/prompts/replay-plan?a=${p.promptId}/1&b=${p.promptId}/9`);
    expect(missing.status).toBe(404);
  });

  it('sends them through the proxy, stores the replays as B\'s calls linked to their originals, and compares like with like', async () => {
    const p = await prompt(8);
    const sentBefore = fake.requests.length;
    const progress: number[] = [];
    const a = { promptId: p.promptId, version: '1' };
    const b = { promptId: p.promptId, version: '2' };
    const result = await replayVersionCalls(api, a, b, 10, { headers: KEY, onProgress: (done) => progress.push(done) });
    expect(result).toMatchObject({ planned: 6, skipped: [], cancelled: false });
    expect(result.replays).toHaveLength(6);
    expect(result.replays.every((r) => r.httpStatus === 200 && !r.error)).toBe(true);
    expect(progress).toEqual([0, 1, 2, 3, 4, 5, 6]);

    // The provider saw B's text with each original's user, and the user's own question untouched.
    const sent = fake.requests.slice(sentBefore).map((r) => JSON.parse(r.body.toString()) as { messages: { content: string }[] });
    expect(sent.map((s) => s.messages[0]!.content).sort()).toEqual(USERS.map((u) => `You are ${u}'s planning assistant. Answer thoroughly.`).sort());
    expect(sent.map((s) => s.messages[1]!.content).sort()).toEqual(USERS.map((u) => `Plan ${u}'s day.`).sort());

    // Each replay is linked both ways.
    const r0 = result.replays[0]!;
    const replay = await eventually(async () => (await api.spanDetail(r0.traceId, r0.spanId).catch(() => null)) ?? undefined);
    expect((replay as SpanDetail).llm?.replayOf).toEqual(r0.original);
    const original = await api.spanDetail(r0.original.traceId, r0.original.spanId);
    expect(original.llm?.replays?.map((x) => x.traceId)).toContain(r0.traceId);

    // B now has its two calls and the six replays; A keeps its six.
    const after = await prompt(14);
    expect(after.versions.map((v) => [v.version, v.calls])).toEqual([['2', 8], ['1', 6]]);

    // A's originals against their replays: the same six inputs on each side.
    const c: PromptComparisonDto = await api.comparePrompts(a, b, { replays: true });
    expect(c.a.stats.calls).toBe(6);
    expect(c.b.stats.calls).toBe(6);
    expect(c.metrics.find((m) => m.metric === 'outputTokens')).toMatchObject({ a: 10, b: 400, verdict: 'higher' });
    // Without the replay pairing, B is every call of B.
    expect((await api.comparePrompts(a, b)).b.stats.calls).toBe(8);
    // A's calls to replay are still its own, not the replays.
    const again: PromptReplayPlan = await api.promptReplayPlan(a, b, 50);
    expect(again.items).toHaveLength(6);
  });

  it('stops at the next call when cancelled, and names a missing key', async () => {
    const p = await prompt(14);
    let sent = 0;
    const result = await replayVersionCalls(api, { promptId: p.promptId, version: '1' }, { promptId: p.promptId, version: '2' }, 5, {
      headers: KEY, onProgress: (done) => (sent = done), isCancelled: () => sent >= 2,
    });
    expect(result.cancelled).toBe(true);
    expect(result.replays).toHaveLength(2);
    await expect(replayVersionCalls(api, { promptId: p.promptId, version: '1' }, { promptId: p.promptId, version: '2' }, 1, { headers: {} }))
      .rejects.toThrow(/missing credentials/);
  });

  it('keeps the list free of a group of the replays\' own', async () => {
    const listed: PromptsDto = await api.listPrompts();
    expect(listed.prompts).toHaveLength(1);
  });
});
