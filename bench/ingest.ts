// Ingest benchmark (issue 2, "Figures"): spans/s stored through the real OTLP/HTTP receiver
// (protobuf and JSON) against the raw better-sqlite3 insert rate of the same rows into the same
// schema and indexes, measured in one run.
//
//   npm run bench:ingest -- [--spans 100000] [--warmup 10240] [--batch 512] [--concurrency 8]
//                           [--encodings protobuf,json] [--repeat 3] [--analyses on|off]
//                           [--without-index NAME]
//
// --without-index NAME: what one index costs. Each round also runs the receiver with that index
// dropped, and the medians are compared (with / without).
//
// The collector runs in this process with a fresh database file per encoding: its own thread
// answers HTTP and runs SQL, its preparing thread decodes and analyses bodies, its checkpoint
// thread copies the WAL into the file. The senders run in another worker thread (the app's
// process, in real life), posting bodies that were encoded before the clock starts. A run counts
// as stored only when every request got a 200 and the database holds every span and LLM call the
// raw reference holds. Raw inserts run on one thread with SQLite's own checkpoints. The warm-up
// batches are answered before the clock starts (the preparing thread started, the tokenizer tables
// for calls without usage built), so the figure is its steady state.

import { isMainThread } from 'node:worker_threads';
import { captureRaw, clientMain, measureRaw, measureReceiver, medianRates, parseArgs, type Rates } from './lib/ingest-run';
import { int, machineNote } from './lib/timing';

const TARGET_RATIO = 0.75;
const TARGET_RATE = 20_000;

function verdict(r: Rates, raw: Rates, key: keyof Rates): { text: string; met: boolean } {
  const ratio = r[key] / raw[key];
  const met = ratio >= TARGET_RATIO && r[key] >= TARGET_RATE;
  return { text: `${int(r[key])} spans/s = ${ratio.toFixed(2)} of raw (${int(raw[key])} spans/s): ${met ? 'met' : 'MISSED'}`, met };
}

async function main(): Promise<void> {
  const plan = parseArgs(process.argv.slice(2));
  console.log(
    `ingest bench: ${int(plan.spans)} timed spans (+${int(plan.warmup)} warm-up) in batches of ${plan.batch}, ` +
      `${plan.concurrency} concurrent senders, ${plan.repeat} rounds, analysis runner ${plan.analyses ? 'on' : 'off'}, node ${process.version}, ${machineNote()}`,
  );
  console.log(`targets: ≥ ${TARGET_RATIO} of the raw insert rate and ≥ ${int(TARGET_RATE)} spans/s, wall clock; "cpu" rates divide by the writing thread's CPU time, "all cpu" by all the collector's threads`);
  const captured = captureRaw(plan);
  const raws: Rates[] = [];
  const got: Record<string, Rates[]> = {};
  const without: Record<string, Rates[]> = {};
  for (let round = 0; round < plan.repeat; round++) {
    // Rounds interleave the three measures, so a busy spell on the machine hits all of them.
    const raw = measureRaw(captured);
    raws.push(raw);
    console.log(
      `round ${round + 1}: raw better-sqlite3 inserts: wall ${int(raw.rate)} spans/s, cpu ${int(raw.cpuRate)} spans/s ` +
        `(${int(raw.counts.spans)} spans, ${int(raw.counts.calls)} LLM calls, ${int(raw.counts.traces)} traces)`,
    );
    for (const encoding of plan.encodings) {
      const r = await measureReceiver(plan, encoding, raw.counts, { analyses: plan.analyses });
      (got[encoding] ??= []).push(r);
      console.log(`round ${round + 1}: ingest ${encoding}: wall ${int(r.rate)} spans/s, cpu ${int(r.cpuRate)} spans/s, all cpu ${int(r.allCpuRate)} spans/s [${r.mb.toFixed(1)} MB of bodies]`);
      if (plan.withoutIndex) {
        const w = await measureReceiver(plan, encoding, raw.counts, { analyses: plan.analyses }, plan.withoutIndex);
        (without[encoding] ??= []).push(w);
        console.log(`round ${round + 1}: ingest ${encoding} without ${plan.withoutIndex}: wall ${int(w.rate)} spans/s, cpu ${int(w.cpuRate)} spans/s, all cpu ${int(w.allCpuRate)} spans/s; ` +
          `with/without: wall ${(r.rate / w.rate).toFixed(3)}, cpu ${(r.cpuRate / w.cpuRate).toFixed(3)}`);
      }
    }
  }
  const raw = medianRates(raws);
  let ok = true;
  console.log(`medians over ${plan.repeat} round(s):`);
  for (const encoding of plan.encodings) {
    const r = medianRates(got[encoding]!);
    const wall = verdict(r, raw, 'rate');
    const cpu = verdict(r, raw, 'cpuRate');
    ok &&= wall.met;
    console.log(`ingest ${encoding}: wall ${wall.text}; cpu ${cpu.text}; all cpu ${int(r.allCpuRate)} spans/s (${(1e6 / r.allCpuRate).toFixed(0)} µs a span)`);
    if (without[encoding]) {
      const w = medianRates(without[encoding]);
      console.log(`  the index ${plan.withoutIndex}: with/without, medians: wall ${(r.rate / w.rate).toFixed(3)}, cpu ${(r.cpuRate / w.cpuRate).toFixed(3)}, all cpu ${(r.allCpuRate / w.allCpuRate).toFixed(3)} (below 1: the index costs ingest)`);
    }
  }
  console.log(`targets ${ok ? 'all met' : 'NOT all met'} (wall clock); ${machineNote()}`);
  process.exitCode = ok ? 0 : 1;
}

if (isMainThread) {
  main().catch((err) => {
    console.error(err);
    process.exit(2);
  });
} else {
  clientMain().catch((err) => {
    console.error(err);
    process.exit(2);
  });
}
