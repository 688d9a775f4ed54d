// OTLP decode throughput (issue 2, capture): spans/s turned from request bodies into validated
// IngestBatches, for protobuf and for JSON, on this thread. Bodies are the ingest benchmark's
// realistic LLM-agent traces (bench/lib/spans.ts), encoded before the clock starts. For scale it
// also times the protobufjs reference decoder (same schema, same conversion) and JSON.parse alone.
//
//   node_modules/.bin/esbuild bench/otlp-decode.ts --bundle --platform=node --format=cjs \
//     --external:better-sqlite3 --outfile=/tmp/otlp-decode.cjs && node_modules/.bin/node /tmp/otlp-decode.cjs \
//     [--spans 100000] [--batch 512] [--rounds 5]

import { decodeTracesJson, decodeTracesProtobuf } from '../src/capture/otlp';
import { decodeTracesProtobufWithSchema } from '../src/capture/otlp/decode-protobuf-schema';
import { encode, type Encoding } from './lib/otlp-payloads';
import { exporterBatches } from './lib/spans';
import { int, nowMs } from './lib/timing';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const spans = arg('spans', 100_000);
const batch = arg('batch', 512);
const rounds = arg('rounds', 5);
const TARGET = 20_000; // spans/s stored end to end on 2 cores (issue 2)

const batches = exporterBatches({ seed: 11, spans, startUs: Date.now() * 1000 - 3_600_000_000, gapUs: 2_000, batchSpans: batch });
const total = batches.reduce((n, b) => n + b.length, 0);

/**
 * Best of `rounds` passes over every body (after one warm-up pass), in spans/s, by wall clock
 * and by this process's CPU time (user + system, GC threads included). On a shared machine the
 * CPU figure is the steadier one: other processes stretch the wall clock, not our CPU time.
 */
function measure(bodies: Buffer[], fn: (body: Buffer) => number): { rate: number; cpuRate: number; checked: number } {
  let checked = 0;
  for (const b of bodies) checked += fn(b);
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = nowMs();
    const c0 = process.cpuUsage();
    for (const b of bodies) fn(b);
    const c = process.cpuUsage(c0);
    best = Math.min(best, nowMs() - t0);
    bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
  }
  return { rate: (total / best) * 1000, cpuRate: (total / bestCpu) * 1000, checked };
}

console.log(`OTLP decode: ${int(total)} spans in ${batches.length} requests of ${batch}, best of ${rounds} rounds, Node ${process.versions.node}`);
for (const encoding of ['protobuf', 'json'] as Encoding[]) {
  const bodies = batches.map((b) => encode(encoding, b));
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  const full = measure(bodies, (b) => {
    const r = encoding === 'protobuf' ? decodeTracesProtobuf(b) : decodeTracesJson(b);
    if (r.rejectedSpans > 0) throw new Error(`bench data rejected: ${r.errors[0]}`);
    return r.batch.spans.length;
  });
  if (full.checked !== total) throw new Error(`decoded ${full.checked} spans, expected ${total}`);
  // protobuf: the reference decoder (protobufjs' generated code for the same schema, then the
  // same conversion); JSON: JSON.parse alone, the floor under any JSON decoder.
  const other = measure(bodies, (b) => {
    if (encoding === 'protobuf') decodeTracesProtobufWithSchema(b);
    else JSON.parse(b.toString('utf8'));
    return 0;
  });
  const otherName = encoding === 'protobuf' ? 'protobufjs reference decoder' : 'JSON.parse alone';
  const share = (TARGET / full.cpuRate) * 100;
  console.log(
    `${encoding.padEnd(8)} ${int(full.rate).padStart(9)} spans/s wall, ${int(full.cpuRate).padStart(9)} spans/s of CPU time  ` +
      `${((bytes / total) | 0).toString().padStart(5)} B/span  ${(1e6 / full.cpuRate).toFixed(2)} CPU µs/span  ` +
      `(${otherName}: ${int(other.cpuRate)} spans/s)  ` +
      `→ ${TARGET.toLocaleString('en-US')} spans/s costs ${share.toFixed(1)}% of one core`,
  );
}
