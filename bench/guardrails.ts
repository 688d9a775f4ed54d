// `npm run bench:guardrails`: guardrail checks over calls with 4 KB of text (system prompt, user
// message, tool result, answer; realistic prose with an occasional e-mail, key, injection or
// refusal), on one thread, so calls/s is per core. The figure is printed against references
// measured in the same run over the same calls: a bare regular-expression scan of every text
// (one e-mail regex) and JSON.parse of the call. Also: the libraries' one-time load, memory
// (heap and RSS) before and after, each family's cost, prose with a wide vocabulary, two
// adversarial shapes (digit-dense text, long code) and agents' conversations resent call after
// call (where texts already checked are not checked again). Every other figure checks every text
// of every call: the store of checked texts is emptied before each call.
//
// With --instructions it also counts instructions per call under valgrind (callgrind), which do
// not swing with the machine's load: checks, the regex reference, and the digit-dense and code
// calls; with --families, each family alone too. Each count is one valgrind run of this script
// (a minute or two each).
//
//   node scripts/run-ts.mjs bench/guardrails.ts [--calls 2000] [--seconds 3] [--rounds 3] [--instructions [--families] [--n 300]]

import { forgetCheckedTexts, loadGuardrailLibs, runGuardrails, resolveGuardrailsConfig, type GuardrailSubject, type ResolvedGuardrailConfig } from '../src/core/guardrails';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Rng } from './lib/rng';
import { agentTrace, makeCall, type CallKind } from './guardrails-calls';
import { machineNote, threadCpuMs } from './lib/timing';
import { instructionsOf, valgrindAvailable } from './lib/instructions';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const FAMILIES = ['pii', 'secret', 'injection', 'leakage', 'toxicity', 'refusal', 'format', 'truncation'];
const onlyFamily = (only: string): ResolvedGuardrailConfig => resolveGuardrailsConfig({ rules: Object.fromEntries(FAMILIES.map((f) => [f, f === only])) });

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

let sink = 0;
const regexReference = (c: GuardrailSubject): void => {
  for (const t of texts(c)) for (const m of t.matchAll(REFERENCE_RE)) sink += m.index;
};
const jsonReference = (c: GuardrailSubject): void => {
  sink += (JSON.parse(JSON.stringify(c)) as GuardrailSubject).inputMessages.length;
};

const mb = (n: number): string => (n / 1048576).toFixed(1);

/** One call's checks with nothing remembered from earlier calls: every text is checked. */
async function checkAfresh(c: GuardrailSubject, config: ResolvedGuardrailConfig): Promise<unknown> {
  forgetCheckedTexts(config);
  return runGuardrails(c, config);
}

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

const calls = (seed: number, kind: CallKind, count: number): GuardrailSubject[] => {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => makeCall(rng, kind));
};

async function timed(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const count = arg('calls', 2000);
  const seconds = arg('seconds', 3);
  const rounds = arg('rounds', 3);
  const prose = calls(11, 'prose', count);
  const bytes = texts(prose[0]!).reduce((s, t) => s + t.length, 0);
  console.log(`${count} calls of ${bytes} characters of text each; ${machineNote()}`);

  gc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  await loadGuardrailLibs();
  const config = resolveGuardrailsConfig();
  const loadMs = performance.now() - t0;
  await runGuardrails(prose[0]!, config);
  gc();
  const loaded = process.memoryUsage();
  console.log(`libraries loaded once in ${loadMs.toFixed(0)} ms: heap +${mb(loaded.heapUsed - before.heapUsed)} MB, RSS +${mb(loaded.rss - before.rss)} MB`);

  // Warm up the JIT and the schema cache before timing.
  for (let i = 0; i < 300; i++) await runGuardrails(prose[i % count]!, config);

  const results: Array<{ checks: number; regex: number; parse: number }> = [];
  for (let r = 0; r < rounds; r++) {
    const regex = await rate(prose, seconds / 3, regexReference);
    const parse = await rate(prose, seconds / 3, jsonReference);
    const checks = await rate(prose, seconds, (c) => checkAfresh(c, config));
    results.push({ checks, regex, parse });
    console.log(`round ${r + 1}: checks ${checks.toFixed(0)} calls/s per core; bare regex scan ${regex.toFixed(0)}/s (ratio ${(checks / regex).toFixed(3)}); JSON round trip ${parse.toFixed(0)}/s (ratio ${(checks / parse).toFixed(3)})`);
  }
  const sorted = results.map((r) => r.checks).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const mid = results.find((r) => r.checks === median)!;
  const ratios = results.map((r) => r.checks / r.regex).sort((a, b) => a - b);
  console.log(`\nchecks over 4 KB calls: ${median.toFixed(0)} calls/s per core (median of ${rounds}; spread ${sorted[0]!.toFixed(0)}–${sorted[sorted.length - 1]!.toFixed(0)}), target 5,000: ${median >= 5000 ? 'met' : 'NOT met'}`);
  console.log(`  = ${(median / mid.regex).toFixed(3)} × a bare regex scan of the same texts (ratio spread ${ratios[0]!.toFixed(3)}–${ratios[ratios.length - 1]!.toFixed(3)}), ${(median / mid.parse).toFixed(3)} × a JSON round trip of the same calls`);

  gc();
  const after = process.memoryUsage();
  console.log(`memory after ${results.length} rounds: heap ${mb(after.heapUsed)} MB (+${mb(after.heapUsed - loaded.heapUsed)} since load), RSS ${mb(after.rss)} MB (+${mb(after.rss - loaded.rss)})`);

  // Where the time goes: each family alone (CPU µs per call), same calls; the shared text scan
  // is paid by whichever family reads a text first, so it is in each figure.
  const parts: string[] = [];
  for (const only of FAMILIES) {
    const alone = onlyFamily(only);
    for (let i = 0; i < 100; i++) await runGuardrails(prose[i]!, alone);
    parts.push(`${only} ${(1e6 / (await rate(prose, Math.max(0.5, seconds / 4), (c) => checkAfresh(c, alone)))).toFixed(0)}`);
  }
  console.log(`each family alone, CPU µs per call: ${parts.join(', ')}`);

  // Other shapes of text, each against the bare regex scan of its own calls.
  for (const kind of ['wide', 'digits', 'code'] as const) {
    const other = calls(kind === 'wide' ? 12 : kind === 'digits' ? 13 : 14, kind, kind === 'wide' ? count : 200);
    for (let i = 0; i < 50; i++) await runGuardrails(other[i]!, config);
    const regex = await rate(other, 0.5, regexReference);
    const r = await rate(other, 1, (c) => checkAfresh(c, config));
    const label = kind === 'wide' ? 'prose, wide vocabulary' : kind === 'digits' ? 'adversarial digit-dense' : 'adversarial code';
    console.log(`${label.padEnd(24)} 4 KB calls: ${r.toFixed(0)} calls/s per core (${(r / median).toFixed(2)} × the prose figure; ${(r / regex).toFixed(3)} × a bare regex scan of the same texts)`);
  }

  // Agents' conversations: every call resends the conversation so far plus one new turn. Each
  // conversation is checked once, call after call, with and without the store of checked texts.
  const traces = Array.from({ length: 6 }, (_, k) => agentTrace(new Rng(100 + k), 30));
  const traceCalls = traces.flat();
  const perCall = (c: GuardrailSubject): number => texts(c).reduce((a, t) => a + t.length, 0);
  const avgKb = traceCalls.reduce((a, c) => a + perCall(c), 0) / traceCalls.length / 1024;
  const once = async (reuse: boolean): Promise<number> => {
    forgetCheckedTexts(config);
    const c0 = threadCpuMs();
    for (const c of traceCalls) {
      if (!reuse) forgetCheckedTexts(config);
      await runGuardrails(c, config);
    }
    return traceCalls.length / ((threadCpuMs() - c0) / 1000);
  };
  await once(true);
  const reused = await once(true);
  const every = await once(false);
  const traceRegex = await rate(traceCalls, 0.5, regexReference);
  console.log(`agent conversations (${traces.length} × ${traces[0]!.length} calls, ${avgKb.toFixed(0)} KB of text per call on average, ~2 KB of it new): ${reused.toFixed(0)} calls/s per core (${(reused / traceRegex).toFixed(3)} × a bare regex scan of the same calls); checking every text again: ${every.toFixed(0)} calls/s (${(reused / every).toFixed(1)} × faster with the store)`);
  if (sink === -1) console.log('');
}

// ---- instruction counts (valgrind) ----

const N_DEFAULT = 300;

/** Child mode: the same warm-up in every run, then `n` repetitions of one workload. */
async function child(workload: string, n: number): Promise<void> {
  const prose = calls(11, 'prose', 600);
  const digits = calls(13, 'digits', 100);
  const code = calls(14, 'code', 100);
  await loadGuardrailLibs();
  const config = resolveGuardrailsConfig();
  const alone = new Map(FAMILIES.map((f) => [f, onlyFamily(f)]));
  for (let i = 0; i < 200; i++) await runGuardrails(prose[i]!, config);
  for (let i = 0; i < 50; i++) {
    await runGuardrails(digits[i]!, config);
    await runGuardrails(code[i]!, config);
  }
  for (const c of alone.values()) for (let i = 0; i < 30; i++) await runGuardrails(prose[200 + i]!, c);
  for (let i = 0; i < 200; i++) {
    regexReference(prose[i]!);
    jsonReference(prose[i]!);
  }
  const at = (list: GuardrailSubject[], i: number, from: number): GuardrailSubject => list[from + (i % (list.length - from))]!;
  for (let i = 0; i < n; i++) {
    if (workload === 'checks') await checkAfresh(at(prose, i, 300), config);
    else if (workload === 'regex') regexReference(at(prose, i, 300));
    else if (workload === 'json') jsonReference(at(prose, i, 300));
    else if (workload === 'digits') await checkAfresh(at(digits, i, 50), config);
    else if (workload === 'code') await checkAfresh(at(code, i, 50), config);
    else if (workload.startsWith('family:')) await checkAfresh(at(prose, i, 300), alone.get(workload.slice(7))!);
    else if (workload !== 'none') throw new Error(`unknown workload ${workload}`);
  }
}

function instructions(): void {
  if (!valgrindAvailable()) {
    console.log('\nvalgrind is not installed: no instruction counts.');
    return;
  }
  const n = arg('n', N_DEFAULT);
  console.log(`\ninstructions per call (valgrind --tool=callgrind, ${n} calls after the same warm-up, minus a run without them):`);
  const base = instructionsOf(['--child', 'none', '--n', String(n)]);
  const per = (workload: string): number => (instructionsOf(['--child', workload, '--n', String(n)]) - base) / n;
  const regex = per('regex');
  const json = per('json');
  const checks = per('checks');
  const k = (x: number): string => `${(x / 1000).toFixed(0)}k`;
  console.log(`  checks ${k(checks)} per 4 KB call; bare regex scan ${k(regex)} (checks = ${(checks / regex).toFixed(1)} × the regex scan); JSON round trip ${k(json)} (${(checks / json).toFixed(1)} ×)`);
  for (const w of ['digits', 'code']) {
    const x = per(w);
    console.log(`  adversarial ${w.padEnd(6)} ${k(x)} per call (${(x / checks).toFixed(2)} × the prose calls)`);
  }
  if (flag('families')) console.log(`  each family alone: ${FAMILIES.map((f) => `${f} ${k(per(`family:${f}`))}`).join(', ')}`);
}

async function main(): Promise<void> {
  const c = process.argv.indexOf('--child');
  if (c >= 0) return child(process.argv[c + 1]!, arg('n', N_DEFAULT));
  await timed();
  if (flag('instructions')) instructions();
}

void main();
