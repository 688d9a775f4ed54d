// prompt_texts counts the calls kept, with their figures rolled up: retention and clearing take a
// trace's calls off their texts' rows, a text left without calls goes, and the versions listed
// from the rollups match the same versions summed from the calls themselves. On a real SQLite
// file, through the real writer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/collector/analyzer';
import type { IngestSpan } from '../../src/core/model';
import { Store } from '../../src/store/store';
import { span } from '../helpers/spans';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-prompt-counts-'));
  store = new Store(path.join(dir, 'traces.db'), createAnalyzer([]).analyzer);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000_000;
const MINUTE_US = 60_000_000;
const USERS = ['Ana', 'Bo', 'Cy', 'Di', 'Ed', 'Flo'];

/** `n` calls a minute apart; the first half with one system prompt, the rest with it edited by one word; two calls per trace. */
function calls(n: number): IngestSpan[] {
  const out: IngestSpan[] = [];
  let trace = '';
  for (let i = 0; i < n; i++) {
    const user = USERS[i % USERS.length]!;
    const system = i < n / 2 ? `You help ${user} plan trips. Answer briefly.` : `You help ${user} plan trips. Answer politely.`;
    const s = span({
      name: 'chat gpt-4o-mini', startUs: T0 + i * MINUTE_US, endUs: T0 + i * MINUTE_US + 200_000 + ((i * 7919) % 50) * 30_000,
      statusCode: i % 7 === 3 ? 2 : 0,
      attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 50 + (i % 5) * 17, 'gen_ai.usage.output_tokens': 10 + (i % 3) * 40,
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: system }]),
      },
    });
    if (i % 2 === 1) s.traceId = trace;
    trace = s.traceId;
    out.push(s);
  }
  return out;
}

const counted = () => store.db.prepare('SELECT coalesce(sum(calls), 0) FROM prompt_texts').pluck().get() as number;
const kept = () => store.db.prepare('SELECT count(*) FROM llm_calls WHERE prompt_hash IS NOT NULL').pluck().get() as number;

describe('prompt_texts after pruning and clearing', () => {
  it('uncounts the pruned calls, drops texts left without calls and narrows first seen', () => {
    const spans = calls(48);
    store.writer.write([{ spans, logs: [] }]);
    expect(counted()).toBe(48);
    const before = store.queries.prompts.list();
    expect(before.prompts[0]!.versions.map((v) => v.calls)).toEqual([24, 24]);

    // Retention cuts through the first version: 30 calls (15 traces) go.
    const cutMs = (T0 + 30 * MINUTE_US) / 1000;
    expect(store.prune({ olderThanMs: cutMs })).toBe(15);
    expect(kept()).toBe(18);
    expect(counted()).toBe(18);
    expect(store.db.prepare('SELECT count(*) FROM prompt_texts WHERE calls <= 0').pluck().get()).toBe(0);
    expect(store.db.prepare('SELECT min(first_us) FROM prompt_texts').pluck().get()).toBeGreaterThanOrEqual(cutMs * 1000);

    const after = store.queries.prompts.list();
    expect(after.prompts).toHaveLength(1);
    const versions = after.prompts[0]!.versions;
    expect(versions.map((v) => v.calls)).toEqual([18]);
    expect(versions[0]!.firstSeen).toBeGreaterThanOrEqual(cutMs);
    // The version's detail (its call count from prompt_texts) agrees with the calls left.
    const detail = store.queries.prompts.version(after.prompts[0]!.promptId, versions[0]!.version);
    expect(detail?.calls).toBe(18);
  });

  it('keeps counting right when calls come after a prune, and clearing empties the counts', () => {
    const spans = calls(20);
    store.writer.write([{ spans: spans.slice(0, 10), logs: [] }]);
    store.prune({ olderThanMs: (T0 + 4 * MINUTE_US) / 1000 });
    expect(counted()).toBe(kept());
    store.writer.write([{ spans: spans.slice(10), logs: [] }]);
    expect(counted()).toBe(kept());
    expect(kept()).toBe(16);
    store.clear();
    expect(counted()).toBe(0);
    expect(store.queries.prompts.list().prompts).toEqual([]);
  });

  it('prunes by size the same way', () => {
    store.writer.write([{ spans: calls(200), logs: [] }]);
    store.prune({ maxBytes: Math.floor(store.sizeBytes() / 2) });
    expect(kept()).toBeLessThan(200);
    expect(counted()).toBe(kept());
  });
});

describe('versions listed from the rollups', () => {
  /** The list over the whole store (rollups) against the same list with the service filter (every call read). */
  function expectRollupsMatchCalls(): void {
    const fromRollups = store.queries.prompts.list();
    const fromCalls = store.queries.prompts.list({ service: 'test-app' });
    expect(fromRollups.prompts.map((p) => p.promptId)).toEqual(fromCalls.prompts.map((p) => p.promptId));
    fromRollups.prompts.forEach((p, i) => {
      const q = fromCalls.prompts[i]!;
      expect(p.versions.map((v) => v.version)).toEqual(q.versions.map((v) => v.version));
      p.versions.forEach((v, j) => {
        const w = q.versions[j]!;
        expect({ calls: v.calls, errors: v.errors, inputTokens: v.inputTokens, outputTokens: v.outputTokens, guardrailHits: v.guardrailHits, feedbackUp: v.feedbackUp })
          .toEqual({ calls: w.calls, errors: w.errors, inputTokens: w.inputTokens, outputTokens: w.outputTokens, guardrailHits: w.guardrailHits, feedbackUp: w.feedbackUp });
        expect(v.costUsd).toBeCloseTo(w.costUsd, 12);
        // Percentiles from log buckets: within 2% of the exact nearest-rank ones of the version's calls left.
        const ms = spansOf(v.version).map((x) => (x.endUs - x.startUs) / 1000).sort((a, b) => a - b);
        const rank = (q: number) => ms[Math.max(1, Math.ceil(q * ms.length)) - 1]!;
        expect(Math.abs(v.latencyMs.p50! - rank(0.5)) / rank(0.5)).toBeLessThan(0.02);
        expect(Math.abs(v.latencyMs.p95! - rank(0.95)) / rank(0.95)).toBeLessThan(0.02);
      });
    });
  }

  let spans: IngestSpan[] = [];
  const spansOf = (version: string) => {
    const left = new Set(store.db.prepare('SELECT s.span_id FROM llm_calls c JOIN spans s ON s.id = c.span_row').pluck().all() as string[]);
    return spans.filter((x, i) => left.has(x.spanId) && (i < spans.length / 2 ? '1' : '2') === version);
  };

  it('agree with the figures summed from the calls, before and after pruning, with thumbs counted', () => {
    spans = calls(60);
    store.writer.write([{ spans, logs: [] }]);
    const v2call = spans[50]!;
    store.db.prepare(`INSERT INTO annotations (trace_id, span_id, kind, name, label, source, created_us, at_us, store_rev)
      VALUES (?, ?, 'feedback', 'user_feedback', 'up', 'user', ?, ?, 1)`).run(v2call.traceId, v2call.spanId, v2call.startUs, v2call.startUs);
    const listed = store.queries.prompts.list();
    expect(listed.prompts[0]!.versions.map((v) => [v.version, v.calls, v.errors])).toEqual([['2', 30, 5], ['1', 30, 4]]);
    expect(listed.prompts[0]!.versions[0]!.feedbackUp).toBe(1);
    expectRollupsMatchCalls();
    store.prune({ olderThanMs: (T0 + 21 * MINUTE_US) / 1000 });
    expectRollupsMatchCalls();
    expect(store.queries.prompts.list().prompts[0]!.versions.map((v) => v.calls)).toEqual([30, 8]);
  });

  it('counts an older store\'s calls afresh when it is opened (the migration that added the rollups)', () => {
    store.writer.write([{ spans: calls(12), logs: [] }]);
    const rows = () => store.db.prepare('SELECT group_key, hash, version, calls, errors, cost_usd, input_tokens, output_tokens FROM prompt_texts ORDER BY group_key, hash, version').all();
    const expected = rows();
    const file = path.join(dir, 'traces.db');
    store.close();
    // A store of schema 13: migration 14 (the rollup columns, counted afresh) and those after it run.
    const raw = new Database(file);
    raw.exec('DELETE FROM prompt_texts');
    raw.pragma('user_version = 13');
    raw.close();
    store = new Store(file, createAnalyzer([]).analyzer);
    expect(rows()).toEqual(expected);
    expect(counted()).toBe(12);
  });
});
