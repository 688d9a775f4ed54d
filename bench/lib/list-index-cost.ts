// What the trace list's indexes (schema 11: one per sort and filter) cost the writing thread:
// the same spans written through the real SpanWriter into a store with them and into one with
// them dropped (the reference), rounds interleaved so a busy spell hits both. Spans arrive in the
// order they end, as an SDK's batch processor exports them, so a trace's row is written over
// several exports (its root, last, names its session and extends its duration).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAnalyzer } from '../../src/collector/analyzer';
import type { IngestSpan } from '../../src/core/model';
import { Store } from '../../src/store/store';
import { exporterBatches } from './spans';
import { threadCpuMs } from './timing';

const LIST_INDEXES = ['traces_by_duration', 'traces_by_cost', 'traces_by_tokens', 'traces_by_calls', 'traces_by_errors', 'traces_by_session',
  'traces_by_user', 'traces_by_service', 'traces_annotated', 'traces_rated'];

export interface IndexCost {
  withMs: number[];
  withoutMs: number[];
}

export function measureListIndexCost(spans: number, rounds: number): IndexCost {
  const all: IngestSpan[] = exporterBatches({ seed: 11, spans, startUs: Date.now() * 1000 - 3_600_000_000, gapUs: 2_000, batchSpans: 512 }).flat();
  all.sort((a, b) => a.endUs - b.endUs);
  const batches: IngestSpan[][] = [];
  for (let i = 0; i < all.length; i += 512) batches.push(all.slice(i, i + 512));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-index-cost-'));
  const out: IndexCost = { withMs: [], withoutMs: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const withIndexes of [true, false]) {
        const file = path.join(dir, `r${round}-${withIndexes}.db`);
        const { analyzer } = createAnalyzer([]);
        const store = new Store(file, analyzer);
        if (!withIndexes) for (const name of LIST_INDEXES) store.db.exec(`DROP INDEX ${name}`);
        const writer = store.writer;
        const t0 = threadCpuMs();
        for (const spansOfBatch of batches) writer.write([{ spans: spansOfBatch, logs: [] }]);
        (withIndexes ? out.withMs : out.withoutMs).push(threadCpuMs() - t0);
        store.close();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
