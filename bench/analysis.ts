// Per-span analysis cost (issue 2, ingest): what the store's writer spends on each span beyond
// SQLite — its category, its reading as an LLM call, and the call's price — over the ingest
// benchmark's realistic agent traces (bench/lib/spans.ts). Prints CPU µs per span for each stage
// and for the whole, and a fingerprint of every result so a change that should not alter results
// can be checked against the previous run's.
//
//   node scripts/run-ts.mjs bench/analysis.ts [--spans 50000] [--rounds 5]

import { createHash } from 'node:crypto';
import { analyzeSpan, categorizeSpan, normalizeSpan } from '../src/core/conventions';
import type { IngestSpan, LlmCall } from '../src/core/model';
import { pricedCall } from '../src/core/pricing';
import { countTextTokens } from '../src/core/tokens';
import { exporterBatches } from './lib/spans';
import { machineNote, threadCpuMs } from './lib/timing';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const spanCount = arg('spans', 50_000);
const rounds = arg('rounds', 5);
// Fixed so the fingerprint is the same from run to run (prices are looked up as of each span's start).
const START_US = Date.UTC(2026, 10, 23, 12) * 1000 - 3_600_000_000;

const spans: IngestSpan[] = exporterBatches({ seed: 11, spans: spanCount, startUs: START_US, gapUs: 2_000, batchSpans: 512 }).flat();
const noLogs = [] as const;

/**
 * CPU µs per span of the first pass (caches as cold as this process has them: the writer prices
 * each span once) and the best of `rounds` further passes.
 */
function timed(label: string, pass: () => void): number {
  const perSpan = (c0: number): number => ((threadCpuMs() - c0) * 1000) / spans.length;
  const c0 = threadCpuMs();
  pass();
  const first = perSpan(c0);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c1 = threadCpuMs();
    pass();
    best = Math.min(best, perSpan(c1));
  }
  console.log(`${label.padEnd(34)} ${best.toFixed(2).padStart(7)} µs/span (first pass ${first.toFixed(2)})`);
  return best;
}

async function main(): Promise<void> {
  // Both tokenizer tables built before timing (each is built on its first count).
  countTextTokens('warm', 'gpt-4o');
  countTextTokens('warm', 'gpt-4');
  const calls: Array<LlmCall | null> = spans.map((s) => normalizeSpan(s, [...noLogs]));
  const llm = calls.filter((c) => c !== null).length;
  const estimated = calls.filter((c) => c !== null && (c.inputTokens === null || c.outputTokens === null)).length;
  console.log(`${spans.length} spans, ${llm} LLM calls, ${estimated} with a token count missing; ${machineNote()}`);

  let sink = 0;
  timed('categorizeSpan', () => {
    for (const s of spans) sink += categorizeSpan(s).length;
  });
  timed('normalizeSpan', () => {
    for (const s of spans) sink += normalizeSpan(s, []) ? 1 : 0;
  });
  timed('pricedCall (calls only, per span)', () => {
    for (let i = 0; i < spans.length; i++) {
      const c = calls[i];
      if (c) sink += pricedCall(c, { at: new Date(spans[i]!.startUs / 1000) }).costUsd ?? 0;
    }
  });
  timed('categorize + normalize + price', () => {
    for (const s of spans) {
      sink += categorizeSpan(s).length;
      const c = normalizeSpan(s, []);
      if (c) sink += pricedCall(c, { at: new Date(s.startUs / 1000) }).costUsd ?? 0;
    }
  });
  timed('analyzeSpan + price', () => {
    for (const s of spans) {
      const { category, call } = analyzeSpan(s, []);
      sink += category.length;
      if (call) sink += pricedCall(call, { at: new Date(s.startUs / 1000) }).costUsd ?? 0;
    }
  });

  // Every result, in order: a change that keeps results keeps this hash.
  const hash = createHash('sha256');
  for (const s of spans) {
    const category = categorizeSpan(s);
    const call = normalizeSpan(s, []);
    const both = analyzeSpan(s, []);
    if (both.category !== category || JSON.stringify(both.call) !== JSON.stringify(call)) {
      throw new Error(`analyzeSpan disagrees with categorizeSpan/normalizeSpan on span ${s.spanId}`);
    }
    hash.update(category).update(JSON.stringify(call ? pricedCall(call, { at: new Date(s.startUs / 1000) }) : null));
  }
  console.log(`results fingerprint ${hash.digest('hex').slice(0, 16)}${sink < 0 ? ' ' : ''}`);
}

void main();
