import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store';
import { hexId, logRecord, span } from '../helpers/spans';
import { testAnalyzer } from '../helpers/test-analyzer';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-store-'));
  store = new Store(path.join(dir, 'traces.db'), testAnalyzer);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000_000;

describe('store', () => {
  it('stores a trace whose child arrives before its root, and names the trace after the root', () => {
    const traceId = hexId(16);
    const root = span({ traceId, name: 'agent run', startUs: T0, endUs: T0 + 5_000 });
    const child = span({
      traceId, parentSpanId: root.spanId, name: 'chat gpt-4o', startUs: T0 + 1_000, endUs: T0 + 4_000,
      attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 },
    });
    store.writer.write([{ spans: [child], logs: [] }]);
    expect(store.queries.getTrace(traceId)!.trace.rootName).toBe('chat gpt-4o');
    store.writer.write([{ spans: [root], logs: [] }]);
    const detail = store.queries.getTrace(traceId)!;
    expect(detail.trace).toMatchObject({
      rootName: 'agent run', spanCount: 2, llmCallCount: 1, inputTokens: 100, outputTokens: 20, durationMs: 5, models: ['gpt-4o'],
    });
    expect(detail.trace.costUsd).toBeCloseTo(120e-6, 12);
    expect(detail.spans.map((s) => s.name)).toEqual(['agent run', 'chat gpt-4o']);
    expect(detail.spans[1]!.llm).toMatchObject({ requestModel: 'gpt-4o', inputTokens: 100, costUsd: expect.closeTo(120e-6, 12) });
  });

  it('stores a re-delivered span once', () => {
    const s = span({ attributes: { 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 5 } });
    const first = store.writer.write([{ spans: [s], logs: [] }]);
    const again = store.writer.write([{ spans: [s, s], logs: [] }]);
    expect(first).toMatchObject({ stored: 1, duplicates: 0, llmCalls: 1 });
    expect(again).toMatchObject({ stored: 0, duplicates: 2 });
    expect(store.queries.getTrace(s.traceId)!.trace).toMatchObject({ spanCount: 1, llmCallCount: 1, inputTokens: 5 });
    expect(store.queries.stats().calls).toBe(1);
  });

  it('joins log records to their span whether they come before or after it', () => {
    const early = span({ attributes: { 'gen_ai.request.model': 'm' } });
    const late = span({ attributes: { 'gen_ai.request.model': 'm' } });
    const msg = (s: typeof early, text: string) =>
      logRecord({ traceId: s.traceId, spanId: s.spanId, eventName: 'gen_ai.user.message', body: { content: text } });
    store.writer.write([{ spans: [], logs: [msg(early, 'hello before')] }]);
    store.writer.write([{ spans: [early, late], logs: [] }]);
    store.writer.write([{ spans: [], logs: [msg(late, 'hello after')] }]);
    const content = (id: string) => store.queries.getTrace(id)!.spans[0]!.llm!.inputMessages[0]!.parts[0];
    expect(content(early.traceId)).toEqual({ type: 'text', content: 'hello before' });
    expect(content(late.traceId)).toEqual({ type: 'text', content: 'hello after' });
    expect(store.queries.getTrace(late.traceId)!.trace.llmCallCount).toBe(1);
    expect(store.queries.stats().calls).toBe(2);
    expect(store.queries.listTraces({ text: 'after' }).traces.map((t) => t.traceId)).toEqual([late.traceId]);
  });

  it('lists traces newest first with filters and cursor paging', () => {
    const spans = Array.from({ length: 25 }, (_, i) =>
      span({
        startUs: T0 + i * 1_000_000, endUs: T0 + i * 1_000_000 + 500, name: `run ${i}`, statusCode: i % 5 === 0 ? 2 : 0,
        attributes: { 'gen_ai.request.model': i % 2 ? 'gpt-4o' : 'claude' },
      }),
    );
    store.writer.write([{ spans, logs: [] }]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = store.queries.listTraces({ limit: 10, cursor });
      seen.push(...page.traces.map((t) => t.rootName!));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(spans.map((s) => s.name).reverse());
    expect(store.queries.listTraces({ status: 'error' }).traces).toHaveLength(5);
    expect(store.queries.listTraces({ model: 'claude' }).traces).toHaveLength(13);
    expect(store.queries.listTraces({ from: (T0 + 20_000_000) / 1000 }).traces).toHaveLength(5);
    expect(store.queries.listTraces({ text: 'run 7' }).traces.map((t) => t.rootName)).toContain('run 7');
    expect(() => store.queries.listTraces({ cursor: 'garbage' })).toThrow(/cursor/);
  });

  it('computes window percentiles from rollups plus the partial minutes at the edges', () => {
    const durationsMs = Array.from({ length: 300 }, (_, i) => 10 + i * 7);
    const spans = durationsMs.map((d, i) => {
      const start = T0 + i * 1_000_000; // one call per second across five minutes
      return span({ startUs: start, endUs: start + d * 1000, attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1 } });
    });
    store.writer.write([{ spans, logs: [] }]);
    const from = (T0 + 30_000_000) / 1000; // not on a minute boundary
    const to = (T0 + 250_500_000) / 1000;
    const inWindow = spans.filter((s) => s.startUs >= from * 1000 && s.startUs < to * 1000).map((s) => (s.endUs - s.startUs) / 1000).sort((a, b) => a - b);
    const stats = store.queries.stats({ from, to });
    expect(stats.calls).toBe(inWindow.length);
    expect(stats.inputTokens).toBe(inWindow.length);
    const exact = (q: number) => inWindow[Math.ceil(q * inWindow.length) - 1]!;
    for (const [q, got] of [[0.5, stats.latencyMs.p50], [0.95, stats.latencyMs.p95], [0.99, stats.latencyMs.p99]] as const) {
      expect(Math.abs(got! - exact(q)) / exact(q)).toBeLessThanOrEqual(0.01);
    }
    expect(stats.byModel).toHaveLength(1);
    expect(store.queries.stats({ model: 'nope' }).calls).toBe(0);
  });

  it('lets a second connection read while the writer holds a transaction open', () => {
    const s = span({ attributes: { 'gen_ai.request.model': 'm' } });
    store.writer.write([{ spans: [s], logs: [] }]);
    const reader = new Store(store.file, null, { readonly: true });
    store.db.exec('BEGIN IMMEDIATE');
    store.db.prepare("UPDATE traces SET root_name = 'changing'").run();
    expect(reader.queries.getTrace(s.traceId)!.trace.rootName).toBe('span');
    store.db.exec('COMMIT');
    expect(reader.queries.getTrace(s.traceId)!.trace.rootName).toBe('changing');
    reader.close();
  });

  it('prunes old traces and clears everything', () => {
    const old = span({ startUs: T0, endUs: T0 + 10, attributes: { 'gen_ai.request.model': 'm' } });
    const fresh = span({ startUs: T0 + 3_600_000_000, endUs: T0 + 3_600_000_010, attributes: { 'gen_ai.request.model': 'm' } });
    store.writer.write([{ spans: [old, fresh], logs: [] }]);
    expect(store.prune({ olderThanMs: (T0 + 1_000_000) / 1000 })).toBe(1);
    expect(store.queries.listTraces().traces.map((t) => t.traceId)).toEqual([fresh.traceId]);
    expect(store.queries.stats().calls).toBe(1);
    store.clear();
    expect(store.queries.listTraces().traces).toEqual([]);
  });
});

describe('migrations', () => {
  it('lets two processes open a new file at the same moment', async () => {
    const { spawn } = await import('node:child_process');
    const file = path.join(dir, 'race.db');
    const script = `const { openDatabase } = require(${JSON.stringify(path.resolve('node_modules/.cache/race/database.cjs'))});
      openDatabase(${JSON.stringify(file)}).close(); process.stdout.write('ok');`;
    const esbuild = await import('esbuild');
    await esbuild.build({
      entryPoints: [path.resolve('src/store/database.ts')], bundle: true, platform: 'node', format: 'cjs',
      outfile: path.resolve('node_modules/.cache/race/database.cjs'), external: ['better-sqlite3'], logLevel: 'silent',
    });
    const run = () =>
      new Promise<string>((resolve) => {
        const p = spawn(process.execPath, ['-e', script]);
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (out += d));
        p.on('exit', () => resolve(out));
      });
    const results = await Promise.all([run(), run(), run(), run()]);
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});
