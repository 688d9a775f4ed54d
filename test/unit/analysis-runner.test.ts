// The runner on the collector's own thread (no worker: one core, an in-memory store): it analyses
// in small batches, keeps one durable cursor per analysis, survives an analysis that throws, and
// re-runs one analysis without the others.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inThreadBackend } from '../../src/collector/analysis-backends';
import { AnalysisRunner, STATE_KEY } from '../../src/collector/analysis-runner';
import type { Analysis } from '../../src/core/analyses/analysis';
import type { AnnotationOp } from '../../src/store/annotation-writes';
import { Store } from '../../src/store/store';
import { span } from '../helpers/spans';
import { testAnalyzer } from '../helpers/test-analyzer';

let store: Store;
beforeEach(() => {
  store = new Store(':memory:', testAnalyzer);
});
afterEach(() => store.close());

const long: Analysis = {
  name: 'long', version: 1, description: 'calls over 5 output tokens',
  analyse: ({ call }) => ((call.outputTokens ?? 0) > 5 ? [{ kind: 'evaluation', name: 'long', label: 'long', score: call.outputTokens, explanation: null, location: null, attributes: {} }] : []),
};
const broken: Analysis = {
  name: 'broken', version: 1, description: 'throws on every call',
  analyse: () => {
    throw new Error('bug');
  },
};

function runner(analyses: Analysis[]) {
  const write = async (ops: AnnotationOp[]) => void store.writer.writePrepared([{ resources: [], spans: [], logs: [], annotations: [], ops }]);
  return new AnalysisRunner({ store, analyses, backend: async () => inThreadBackend(store.db, analyses), write, idleMs: 10 });
}

const calls = (n: number, tokens: (i: number) => number) => Array.from({ length: n }, (_, i) =>
  span({ attributes: { 'gen_ai.request.model': 'm', 'gen_ai.usage.output_tokens': tokens(i) } }));

describe('analysis runner, on this thread', () => {
  it('analyses every stored call in batches, past an analysis that throws, and resumes from its stored cursor', async () => {
    const spans = calls(100, (i) => i % 10);
    store.writer.write([{ spans, logs: [] }]);
    const r = runner([broken, long]);
    r.start();
    await r.idle();
    expect(r.callsAnalysed).toBe(100);
    const hits = store.db.prepare("SELECT count(*) FROM annotations WHERE source = 'rule:long'").pluck().get();
    expect(hits).toBe(40);
    expect(r.status().map((s) => [s.name, s.pending, s.stale])).toEqual([['broken', 0, false], ['long', 0, false]]);
    const state = JSON.parse(store.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(STATE_KEY) as string);
    expect(state.long).toMatchObject({ version: 1 });
    await r.close();

    store.writer.write([{ spans: calls(3, () => 9), logs: [] }]);
    const again = runner([broken, long]);
    again.start();
    await again.idle();
    expect(again.callsAnalysed).toBe(3);
    await again.close();
  });

  it('tries again after its backend fails (a worker lost), from where it stood', async () => {
    store.writer.write([{ spans: calls(5, () => 9), logs: [] }]);
    let starts = 0;
    const warnings: string[] = [];
    const write = async (o: AnnotationOp[]) => void store.writer.writePrepared([{ resources: [], spans: [], logs: [], annotations: [], ops: o }]);
    const r = new AnalysisRunner({
      store, analyses: [long], write, warn: (m) => warnings.push(m),
      backend: async () => {
        starts += 1;
        if (starts === 1) return { analyse: () => Promise.reject(new Error('the analysis thread stopped')), close: async () => undefined };
        return inThreadBackend(store.db, [long]);
      },
    });
    r.start();
    const deadline = Date.now() + 15_000;
    while (r.callsAnalysed < 5) {
      if (Date.now() > deadline) throw new Error(`not analysed after a failure: ${warnings.join('; ')}`);
      await r.idle();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(starts).toBe(2);
    expect(warnings).toEqual([expect.stringContaining('the analysis thread stopped')]);
    expect(store.db.prepare("SELECT count(*) FROM annotations WHERE source = 'rule:long'").pluck().get()).toBe(5);
    await r.close();
  });

  it('stands aside while capture is busy, then analyses what came', async () => {
    store.writer.write([{ spans: calls(3, () => 9), logs: [] }]);
    let asked = 0;
    let askedBeforeFirstBatch = -1;
    const inner = inThreadBackend(store.db, [long]);
    const write = async (o: AnnotationOp[]) => void store.writer.writePrepared([{ resources: [], spans: [], logs: [], annotations: [], ops: o }]);
    const r = new AnalysisRunner({
      store, analyses: [long], write,
      busy: () => ++asked <= 3, // busy for three looks, as during a burst
      backend: async () => ({
        analyse: (req) => {
          if (askedBeforeFirstBatch < 0) askedBeforeFirstBatch = asked;
          return inner.analyse(req);
        },
        close: async () => undefined,
      }),
    });
    r.start();
    await r.idle();
    expect(askedBeforeFirstBatch).toBe(4);
    expect(r.callsAnalysed).toBe(3);
    await r.close();
  });

  it('re-runs one analysis over stored calls, leaving the others where they are', async () => {
    store.writer.write([{ spans: calls(10, () => 7), logs: [] }]);
    const r = runner([broken, long]);
    r.start();
    await r.idle();
    const ids = () => store.db.prepare("SELECT id FROM annotations WHERE source = 'rule:long' ORDER BY id").pluck().all() as number[];
    const first = ids();
    expect(await r.rerun('nope')).toBe(false);
    expect(await r.rerun('long')).toBe(true);
    await r.idle();
    const second = ids();
    expect(second).toHaveLength(10);
    expect(second[0]).toBeGreaterThan(first[first.length - 1]!);
    expect(r.callsAnalysed).toBe(20);
    await r.close();
  });
});
