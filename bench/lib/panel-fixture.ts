// What the panel benchmarks share: a store holding one large trace per size (the realistic agent
// session of big-trace.ts: LLM calls with their messages, tools, HTTP and DB spans), the real
// collector serving it, and a checkout of the reference code (today's `main`) to measure the same
// thing on, in the same run.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAnalyzer } from '../../src/collector/analyzer';
import { Store } from '../../src/store/store';
import { bigTrace } from './big-trace';
import { encodeJson } from './otlp-payloads';
import { int, ms, nowMs } from './timing';

export interface StoredTrace {
  size: number;
  traceId: string;
}

/** Writes one trace of each size into a new store at `dbPath`, through the real writer. */
export function storeBigTraces(dbPath: string, sizes: readonly number[], log: (s: string) => void = console.log): StoredTrace[] {
  const { analyzer } = createAnalyzer([]);
  const store = new Store(dbPath, analyzer);
  const out: StoredTrace[] = [];
  // Recent, so the traces are in the tree's "Last hour" and the store's retention keeps them.
  let start = (Date.now() - 30 * 60_000) * 1000;
  try {
    for (const size of sizes) {
      const t0 = nowMs();
      const spans = bigTrace(size, start, size);
      for (let i = 0; i < spans.length; i += 2_000) store.writer.write([{ spans: spans.slice(i, i + 2_000), logs: [] }]);
      out.push({ size, traceId: spans[0]!.traceId });
      log(`  stored a ${int(size)}-span trace in ${ms(nowMs() - t0)} ms`);
      start += 60_000_000;
    }
  } finally {
    store.close();
  }
  return out;
}

/** One trace of `size` spans as an OTLP/JSON export request (for `POST /api/import`). */
export function bigTraceOtlpJson(size: number): { traceId: string; body: Buffer } {
  const spans = bigTrace(size, (Date.now() - 30 * 60_000) * 1000, size);
  return { traceId: spans[0]!.traceId, body: encodeJson(spans) };
}

export interface Checkout {
  root: string;
  ref: string;
  commit: string;
  remove(): void;
}

/**
 * The reference code: `--base DIR` (a checkout with its own node_modules), or a temporary git
 * worktree of `--base-ref` (default `main`) sharing this repository's node_modules, removed after.
 */
export function referenceCheckout(repoRoot: string, argv: readonly string[]): Checkout {
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const given = opt('--base');
  if (given) {
    const root = path.resolve(given);
    const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    return { root, ref: root, commit, remove: () => undefined };
  }
  const ref = opt('--base-ref') ?? 'main';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-reference-'));
  fs.rmSync(root, { recursive: true });
  execFileSync('git', ['-C', repoRoot, 'worktree', 'add', '--detach', root, ref], { stdio: 'ignore' });
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  return {
    root,
    ref,
    commit,
    remove: () => {
      try {
        execFileSync('git', ['-C', repoRoot, 'worktree', 'remove', '--force', root], { stdio: 'ignore' });
      } catch {
        fs.rmSync(root, { recursive: true, force: true });
        execFileSync('git', ['-C', repoRoot, 'worktree', 'prune'], { stdio: 'ignore' });
      }
    },
  };
}

/**
 * Waits until the collector's post-capture analyses have looked at every stored call (a store
 * filled just now keeps its analysis thread busy for a while, which is not the panel's cost);
 * resolves to how long that took. A collector without analyses (the reference) resolves at once.
 */
export async function analysesSettled(port: number, timeoutMs = 600_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/api/analyses`).catch(() => null);
    if (!res || !res.ok) return Date.now() - t0;
    const { analyses } = (await res.json()) as { analyses: { pending: number }[] };
    if (analyses.every((a) => a.pending === 0)) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error('the collector\'s analyses did not catch up');
    await new Promise((r) => setTimeout(r, 500));
  }
}
