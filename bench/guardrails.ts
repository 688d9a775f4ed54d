// `npm run bench:guardrails`: guardrail checks over calls with 4 KB of text (system prompt, user
// message, tool result, answer; realistic prose with an occasional e-mail, key, injection or
// refusal), on one thread, so calls/s is per core. The figure is printed against references
// measured in the same run over the same calls: a bare regular-expression scan of every text
// (one e-mail regex) and JSON.parse of the call. Also: the libraries' one-time load, memory
// (heap and RSS) before and after, and two adversarial shapes (digit-dense text, long code).
//
//   node scripts/run-ts.mjs bench/guardrails.ts [--calls 2000] [--seconds 3] [--rounds 3]

import { loadGuardrailLibs, runGuardrails, resolveGuardrailsConfig, type GuardrailSubject } from '../src/core/guardrails';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Rng } from './lib/rng';
import { makeCall } from './guardrails-calls';
import { machineNote, threadCpuMs } from './lib/timing';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const REFERENCE_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
function texts(c: GuardrailSubject): string[] {
  const out: string[] = [];
  for (const p of c.systemInstructions) out.push((p as { content: string }).content);
  for (const m of [...c.inputMessages, ...c.outputMessages]) for (const p of m.parts) {
    const v = (p as { content?: unknown; response?: unknown; arguments?: unknown }).content ?? (p as { response?: unknown }).response ?? (p as { arguments?: unknown }).arguments;
    out.push(typeof v === 'string' ? v : JSON.stringify(v));
  }
  return out;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (n: number): string => (n / 1048576).toFixed(1);

async function rate(calls: GuardrailSubject[], seconds: number, fn: (c: GuardrailSubject) => unknown): Promise<number> {
  let n = 0;
  const c0 = threadCpuMs();
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    const r = fn(calls[n % calls.length]!);
    if (r instanceof Promise) await r;
    n++;
  }
  return n / ((threadCpuMs() - c0) / 1000); // per CPU second of this thread: per core
}

async function main(): Promise<void> {
  const count = arg('calls', 2000);
  const seconds = arg('seconds', 3);
  const rounds = arg('rounds', 3);
  const rng = new Rng(11);
  const calls = Array.from({ length: count }, () => makeCall(rng, 'prose'));
  const bytes = texts(calls[0]!).reduce((s, t) => s + t.length, 0);
  console.log(`${count} calls of ${bytes} characters of text each; ${machineNote()}`);

  gc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  await loadGuardrailLibs();
  const config = resolveGuardrailsConfig();
  const loadMs = performance.now() - t0;
  await runGuardrails(calls[0]!, config);
  gc();
  const loaded = process.memoryUsage();
  console.log(`libraries loaded once in ${loadMs.toFixed(0)} ms: heap +${mb(loaded.heapUsed - before.heapUsed)} MB, RSS +${mb(loaded.rss - before.rss)} MB`);

  // Warm up the JIT and the schema cache before timing.
  for (let i = 0; i < 300; i++) await runGuardrails(calls[i % count]!, config);

  let sink = 0;
  const results: Array<{ checks: number; regex: number; parse: number }> = [];
  for (let r = 0; r < rounds; r++) {
    const regex = await rate(calls, seconds / 3, (c) => {
      for (const t of texts(c)) for (const m of t.matchAll(REFERENCE_RE)) sink += m.index;
    });
    const parse = await rate(calls, seconds / 3, (c) => {
      sink += (JSON.parse(JSON.stringify(c)) as GuardrailSubject).inputMessages.length;
    });
    const checks = await rate(calls, seconds, (c) => runGuardrails(c, config));
    results.push({ checks, regex, parse });
    console.log(`round ${r + 1}: checks ${checks.toFixed(0)} calls/s per core; bare regex scan ${regex.toFixed(0)}/s (ratio ${(checks / regex).toFixed(3)}); JSON round trip ${parse.toFixed(0)}/s (ratio ${(checks / parse).toFixed(3)})`);
  }
  const sorted = results.map((r) => r.checks).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const mid = results.find((r) => r.checks === median)!;
  console.log(`\nchecks over 4 KB calls: ${median.toFixed(0)} calls/s per core (median of ${rounds}; spread ${sorted[0]!.toFixed(0)}–${sorted[sorted.length - 1]!.toFixed(0)}), target 5,000: ${median >= 5000 ? 'met' : 'NOT met'}`);
  console.log(`  = ${(median / mid.regex).toFixed(3)} × a bare regex scan of the same texts, ${(median / mid.parse).toFixed(3)} × a JSON round trip of the same calls`);

  gc();
  const after = process.memoryUsage();
  console.log(`memory after ${results.length} rounds: heap ${mb(after.heapUsed)} MB (+${mb(after.heapUsed - loaded.heapUsed)} since load), RSS ${mb(after.rss)} MB (+${mb(after.rss - loaded.rss)})`);

  // Where the time goes: each family alone (CPU µs per call), same calls.
  const families = ['pii', 'secret', 'injection', 'leakage', 'toxicity', 'refusal', 'format', 'truncation'];
  const parts: string[] = [];
  for (const only of families) {
    const rules = Object.fromEntries(families.map((f) => [f, f === only]));
    const alone = resolveGuardrailsConfig({ rules });
    for (let i = 0; i < 100; i++) await runGuardrails(calls[i]!, alone);
    parts.push(`${only} ${(1e6 / (await rate(calls, Math.max(0.5, seconds / 4), (c) => runGuardrails(c, alone)))).toFixed(0)}`);
  }
  console.log(`each family alone, CPU µs per call: ${parts.join(', ')}`);

  for (const kind of ['digits', 'code'] as const) {
    const adv = Array.from({ length: 200 }, () => makeCall(rng, kind));
    for (let i = 0; i < 50; i++) await runGuardrails(adv[i]!, config);
    const r = await rate(adv, 1, (c) => runGuardrails(c, config));
    console.log(`adversarial ${kind.padEnd(6)} 4 KB calls: ${r.toFixed(0)} calls/s per core`);
  }
  if (sink === -1) console.log('');
}

void main();
