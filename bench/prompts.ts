// Prompt versions (issue 13): what grouping costs at write time, and what `GET /api/prompts`
// and a comparison cost to read, each as a ratio against a reference measured in the same run.
//
//   npm run bench:prompts -- [--calls 50000] [--reps 30]
//
// A store is filled through the real SpanWriter with GenAI chat calls from 8 services, each with
// a system prompt rendered per call (a user name and an order number vary) and edited twice over
// the period (three versions each). Figures:
// - write: the prompt work per stored call (hashing the prompt text while preparing, counting it
//   in prompt_texts while writing) against the whole write of a call (prepare + SQL), thread CPU;
// - list: `GET /api/prompts`'s query over everything, against the scan it replaces (reading and
//   parsing every stored call to find its prompt text), wall clock: as a Prompts view refreshed
//   with nothing new sees it (the last whole-store list kept), and as the first after a write
//   sees it (each version summed from its texts' rollup rows in prompt_texts);
// - compare: two versions compared (all nine figures with their tests) against the list.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAnalyzer } from '../src/collector/analyzer';
import type { IngestSpan, PricedCall } from '../src/core/model';
import { promptHashOf, promptSourceOf, promptTextOf } from '../src/core/prompts/identity';
import { PromptWrites, type PromptCallFigures } from '../src/store/prompt-writes';
import { Store } from '../src/store/store';
import { Rng } from './lib/rng';
import { machineNote, ms, sample, threadCpuMs } from './lib/timing';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const CALLS = arg('calls', 50_000);
const REPS = arg('reps', 30);
const SERVICES = 8;
const BATCH = 500;
const START_US = Date.UTC(2026, 10, 1) * 1000;
const STEP_US = 2_000_000;

const VERSIONS = [
  'You are the support assistant of shop {s}. Help {user} with order {order}. Answer briefly and cite the policy.',
  'You are the support assistant of shop {s}. Help {user} with order {order}. Answer politely and cite the policy.',
  'You are the support assistant of shop {s}. Help {user} with order {order}. Answer politely, cite the policy and offer a refund when due.',
];

function spans(rng: Rng): IngestSpan[] {
  const out: IngestSpan[] = [];
  for (let i = 0; i < CALLS; i++) {
    const s = i % SERVICES;
    const version = Math.min(2, Math.floor((3 * i) / CALLS));
    const system = VERSIONS[version]!.replace('{s}', String(s)).replace('{user}', `user${rng.int(0, 5000)}`).replace('{order}', `#${rng.int(1000, 99999)}`);
    const startUs = START_US + i * STEP_US;
    const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
    out.push({
      traceId: hex(i + 1, 32), spanId: hex(i + 1, 16), parentSpanId: null, name: 'chat gpt-4o-mini', kind: 3,
      startUs, endUs: startUs + rng.int(200_000, 3_000_000), statusCode: rng.int(0, 50) === 0 ? 2 : 0, statusMessage: '',
      attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': rng.int(100, 900), 'gen_ai.usage.output_tokens': rng.int(10, 400),
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: system }]),
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is my parcel?' }] }]),
      },
      events: [], links: [], resource: { 'service.name': `shop-${s}` }, scope: { name: 'bench' },
    });
  }
  return out;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-bench-prompts-'));
  try {
    const { analyzer } = createAnalyzer([]);
    const store = new Store(path.join(dir, 'spyglass.db'), analyzer);
    const all = spans(new Rng(13));
    console.log(`bench:prompts: ${CALLS.toLocaleString('en-US')} calls, ${SERVICES} services × 3 prompt versions; ${machineNote()}`);

    // ---- write time ----
    const c0 = threadCpuMs();
    for (let i = 0; i < all.length; i += BATCH) store.writer.write([{ spans: all.slice(i, i + BATCH), logs: [] }]);
    const writeCpu = (threadCpuMs() - c0) / CALLS;

    const calls = (store.db.prepare('SELECT call FROM llm_calls ORDER BY span_row').pluck().all() as string[]).map((j) => JSON.parse(j) as PricedCall);
    const h0 = threadCpuMs();
    let sink = 0;
    for (const c of calls) sink += (promptHashOf(c)?.length ?? 0) + (promptSourceOf(c)?.length ?? 0);
    const hashCpu = (threadCpuMs() - h0) / CALLS;
    // The upserts alone, in transactions of a batch, on a scratch table of the same shape.
    const scratch = new Store(path.join(dir, 'scratch.db'), analyzer);
    const writes = new PromptWrites(scratch.db);
    const rows = store.db.prepare(`SELECT c.prompt_name AS promptName, c.prompt_version AS promptVersion, c.prompt_hash AS promptHash,
      c.prompt_source AS promptSource, c.experiment, c.variant, c.service_name AS service, c.start_us AS startUs, c.duration_us AS durationUs, c.span_row AS row,
      c.is_error AS isError, c.cost_usd AS costUsd, c.input_tokens AS inputTokens, c.output_tokens AS outputTokens, c.ttft_ms AS ttftMs
      FROM llm_calls c ORDER BY c.span_row`).all() as (PromptCallFigures & { service: string; startUs: number; durationUs: number; row: number })[];
    const u0 = threadCpuMs();
    for (let i = 0; i < rows.length; i += BATCH) {
      scratch.db.transaction(() => {
        for (const r of rows.slice(i, i + BATCH)) writes.note(r, r.service, 'chat gpt-4o-mini', r.startUs, r.durationUs, r.row, 1);
      })();
    }
    const upsertCpu = (threadCpuMs() - u0) / CALLS;
    scratch.close();
    const share = (hashCpu + upsertCpu) / writeCpu;
    console.log(`write: prompt work ${(1000 * (hashCpu + upsertCpu)).toFixed(1)} µs/call (hash ${(1000 * hashCpu).toFixed(1)}, prompt_texts ${(1000 * upsertCpu).toFixed(1)}) `
      + `against the whole write ${(1000 * writeCpu).toFixed(0)} µs/call: ${(100 * share).toFixed(1)}% of it (thread CPU)`);

    // ---- reads ----
    const prompts = store.queries.prompts;
    const listed = prompts.list();
    const versions = listed.prompts.reduce((n, p) => n + p.versions.length, 0);
    const list = sample(() => prompts.list(), REPS, 3);
    // Without the memo of the last whole-store list: what the first list after a write costs (rollup rows summed).
    const anew = sample(() => (prompts as unknown as { listAnew(q: object): unknown }).listAnew({}), REPS, 3);
    const groupsOnly = sample(() => prompts.groups(), REPS, 3);
    console.log(`(of which grouping p50 ${ms(groupsOnly.wall.p50)} ms)`);
    const windowFrom = (START_US + CALLS * STEP_US * 0.9) / 1000;
    const windowed = sample(() => prompts.list({ from: windowFrom }), REPS, 3);
    const scanStmt = store.db.prepare('SELECT c.call, c.service_name, s.name FROM llm_calls c JOIN spans s ON s.id = c.span_row');
    const scan = sample(() => {
      const groups = new Map<string, number>();
      for (const r of scanStmt.iterate() as IterableIterator<{ call: string; service_name: string; name: string }>) {
        const key = `${r.service_name}\u0000${r.name}\u0000${promptTextOf(JSON.parse(r.call) as PricedCall)}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
      return groups.size;
    }, Math.max(3, Math.floor(REPS / 5)), 1);
    const p = listed.prompts[0]!;
    const compare = sample(() => prompts.compare({ promptId: p.promptId, version: '1' }, { promptId: p.promptId, version: '2' }), REPS, 3);
    console.log(`list: ${listed.prompts.length} prompts, ${versions} versions found (expected ${SERVICES} and ${SERVICES * 3})`);
    console.log(`GET /api/prompts, all time: p50 ${ms(list.wall.p50)} ms (p95 ${ms(list.wall.p95)} ms) against scanning every call's text ${ms(scan.wall.p50)} ms: `
      + `scan ÷ list = ${(scan.wall.p50 / list.wall.p50).toFixed(2)}`);
    console.log(`GET /api/prompts, all time, after a write (rollups summed, no memo): p50 ${ms(anew.wall.p50)} ms (p95 ${ms(anew.wall.p95)} ms): scan ÷ list = ${(scan.wall.p50 / anew.wall.p50).toFixed(2)}`);
    console.log(`GET /api/prompts, last 10%: p50 ${ms(windowed.wall.p50)} ms: scan ÷ list = ${(scan.wall.p50 / windowed.wall.p50).toFixed(2)}`);
    console.log(`compare two versions (${(CALLS / SERVICES / 3) | 0} calls each): p50 ${ms(compare.wall.p50)} ms, ${(compare.wall.p50 / anew.wall.p50).toFixed(2)}× the all-time list after a write`);
    if (sink < 0) console.log(sink);
    store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
