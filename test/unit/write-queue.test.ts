// Group commit over a real SQLite file: a batch is answered only once committed; a transaction
// stays open while more batches are on their way, commits when nothing more is coming, when it
// is big enough, or after a short while; and a failure rejects exactly what it held.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteQueue } from '../../src/collector/write-queue';
import type { PreparedBatch } from '../../src/store/prepare';
import { Store } from '../../src/store/store';
import type { WriteResult } from '../../src/store/writer';
import { span } from '../helpers/spans';
import { testAnalyzer } from '../helpers/test-analyzer';

let dir: string;
let store: Store;
let reader: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-queue-'));
  store = new Store(path.join(dir, 'traces.db'), testAnalyzer);
  reader = new Store(path.join(dir, 'traces.db'), null, { readonly: true });
});
afterEach(() => {
  reader.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const committedSpans = () => reader.db.prepare('SELECT count(*) FROM spans').pluck().get() as number;
const batch = (n: number): PreparedBatch => store.writer.prepare({ spans: Array.from({ length: n }, () => span()), logs: [] });
const settled = <T>(p: Promise<T>) => {
  const state = { done: false };
  p.then(() => (state.done = true), () => (state.done = true));
  return state;
};
const turn = () => new Promise((r) => setImmediate(r));

describe('write queue', () => {
  it('commits at once when nothing more is on its way', async () => {
    const commits: WriteResult[] = [];
    const queue = new WriteQueue(() => store.writer, (r) => commits.push(r));
    await queue.enqueue(batch(3));
    expect(committedSpans()).toBe(3);
    expect(commits.map((c) => c.stored)).toEqual([3]);
  });

  it('keeps the transaction open while batches are on their way, answering none before the commit', async () => {
    let coming = true;
    const commits: WriteResult[] = [];
    const queue = new WriteQueue(() => store.writer, (r) => commits.push(r), () => coming);
    const first = queue.enqueue(batch(2));
    const state = settled(first);
    await turn();
    await turn();
    // Written, not committed: not answered, and not visible to another connection.
    expect(store.writer.inTransaction).toBe(true);
    expect(state.done).toBe(false);
    expect(committedSpans()).toBe(0);
    coming = false;
    const second = queue.enqueue(batch(3));
    await Promise.all([first, second]);
    // One transaction for both.
    expect(commits.map((c) => c.stored)).toEqual([5]);
    expect(committedSpans()).toBe(5);
  });

  it('commits a transaction left open after a short while, even if what was coming never comes', async () => {
    const queue = new WriteQueue(() => store.writer, () => undefined, () => true);
    const started = Date.now();
    await queue.enqueue(batch(1));
    expect(committedSpans()).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('commits once the open transaction is big enough', async () => {
    const commits: WriteResult[] = [];
    const queue = new WriteQueue(() => store.writer, (r) => commits.push(r), () => true);
    await Promise.all([queue.enqueue(batch(3000)), queue.enqueue(batch(1500))]);
    expect(commits.map((c) => c.stored)).toEqual([4500]);
  });

  it('rejects what the failed transaction held, and goes on with the next batches', async () => {
    const queue = new WriteQueue(() => store.writer, () => undefined, () => true);
    const good = queue.enqueue(batch(2));
    await turn();
    await turn();
    const bad = batch(1);
    (bad.spans[0] as { attributes: unknown }).attributes = { not: 'bindable' }; // the insert throws
    const failed = queue.enqueue(bad);
    const outcomes = await Promise.allSettled([good, failed]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/parameter/);
    expect(committedSpans()).toBe(0);
    expect(store.writer.inTransaction).toBe(false);
    const after = new WriteQueue(() => store.writer, () => undefined);
    await after.enqueue(batch(4));
    expect(committedSpans()).toBe(4);
  });
});
