// A large store for the read benchmarks, built once through the real SpanWriter (so traces and
// minute rollups are exactly what ingest would have left) and cached under
// node_modules/.cache/bench, keyed by generator version and size. A cached file made by an
// older schema is upgraded by the store's own migrations when it is opened, as a user's is.

import fs from 'node:fs';
import path from 'node:path';
import { createAnalyzer } from '../../src/collector/analyzer';
import { Store } from '../../src/store/store';
import { GENERATOR_VERSION, spanBatches } from './spans';
import { int, nowMs } from './timing';

export interface BenchDbSpec {
  spans: number;
  days: number;
  /** Data ends here (fixed, so a cached file stays valid): 2026-11-01T00:00:00Z. */
  endUs?: number;
}

export const DEFAULT_END_US = Date.UTC(2026, 10, 1) * 1000;

/**
 * Bump when the store's file layout changes in a way migrations do not bring to an existing
 * file (page size, the full-text index's form), so the cached file is built anew.
 */
const LAYOUT_VERSION = 2;

export function benchDbPath(root: string, spec: BenchDbSpec): string {
  return path.join(root, 'node_modules/.cache/bench', `reads-g${GENERATOR_VERSION}-l${LAYOUT_VERSION}-${spec.spans}-${spec.days}d.db`);
}

/** Returns the cached database file, building it first when missing. */
export function ensureBenchDb(root: string, spec: BenchDbSpec, log: (s: string) => void = console.log): string {
  const file = benchDbPath(root, spec);
  if (fs.existsSync(file)) {
    new Store(file, null).close(); // runs any pending migration
    return file;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.building-${process.pid}`;
  for (const s of ['', '-wal', '-shm']) fs.rmSync(tmp + s, { force: true });
  const endUs = spec.endUs ?? DEFAULT_END_US;
  const spanUs = spec.days * 86_400_000_000;
  // Steady traffic over the whole period: about ten spans per trace.
  const gapUs = spanUs / (spec.spans / 10);
  const { analyzer } = createAnalyzer([]);
  const store = new Store(tmp, analyzer);
  const t0 = nowMs();
  let done = 0;
  let nextReport = 100_000;
  for (const batch of spanBatches({ seed: 2024, spans: spec.spans, startUs: endUs - spanUs, gapUs, batchSpans: 10_000 })) {
    store.writer.write([{ spans: batch, logs: [] }]);
    done += batch.length;
    if (done >= nextReport) {
      log(`  building ${path.basename(file)}: ${int(done)} spans, ${int((done / (nowMs() - t0)) * 1000)} spans/s`);
      nextReport += 100_000;
    }
  }
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  fs.renameSync(tmp, file);
  for (const s of ['-wal', '-shm']) fs.rmSync(tmp + s, { force: true });
  log(`  built ${int(done)} spans in ${((nowMs() - t0) / 1000).toFixed(0)} s`);
  return file;
}

/** The repository root, found from the running (bundled) file upwards. */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'spyglass') return dir;
    } catch {
      // no package.json here
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the spyglass repository root');
    dir = up;
  }
}
