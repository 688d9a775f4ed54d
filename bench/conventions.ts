// What the agent-span table (src/core/conventions/agent-spans.ts) costs the normalizer: the
// bench's realistic LLM-agent traces (bench/lib/spans.ts) read by analyzeSpan, and the table's
// lookup alone on the same spans, by this thread's CPU time. The figure is the table's share of
// analyzeSpan measured in the same run; a round's median and the spread over rounds are printed.
//
//   npm run bench:conventions [-- --spans 50000 --rounds 7]

import { analyzeSpan } from '../src/core/conventions';
import { agentSpanRule } from '../src/core/conventions/agent-spans';
import { exporterBatches } from './lib/spans';
import { machineNote, threadCpuMs } from './lib/timing';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const spans = exporterBatches({ seed: 7, spans: arg('spans', 50_000), startUs: Date.now() * 1000 - 3_600_000_000, gapUs: 2_000, batchSpans: 512 }).flat();
const rounds = arg('rounds', 7);

function cpuPerSpanUs(fn: () => void): number {
  const c0 = threadCpuMs();
  fn();
  return ((threadCpuMs() - c0) * 1000) / spans.length;
}

let sink = 0;
const analyze = () => {
  for (const s of spans) sink += analyzeSpan(s, []).call ? 1 : 0;
};
const table = () => {
  for (const s of spans) sink += agentSpanRule(s) ? 1 : 0;
};
analyze();
table();
const shares: number[] = [];
const perSpan: number[] = [];
for (let r = 0; r < rounds; r++) {
  const a = cpuPerSpanUs(analyze);
  const t = cpuPerSpanUs(table);
  perSpan.push(a);
  shares.push(t / a);
}
const sorted = [...shares].sort((x, y) => x - y);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(machineNote());
console.log(`${spans.length} spans, ${rounds} rounds (checksum ${sink})`);
console.log(`analyzeSpan: ${Math.min(...perSpan).toFixed(2)}–${Math.max(...perSpan).toFixed(2)} µs/span of CPU`);
console.log(`agent-span table / analyzeSpan: median ${(median * 100).toFixed(1)}%, spread ${(sorted[0]! * 100).toFixed(1)}–${(sorted[sorted.length - 1]! * 100).toFixed(1)}%`);
