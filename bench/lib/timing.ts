// Latency sampling and the printing conventions shared by the bench scripts.

import os from 'node:os';

export interface Latency {
  reps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of ascending `sorted` (q in [0,1]). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function summarize(samplesMs: number[]): Latency {
  const s = [...samplesMs].sort((a, b) => a - b);
  return {
    reps: s.length,
    p50: percentile(s, 0.5),
    p95: percentile(s, 0.95),
    p99: percentile(s, 0.99),
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
  };
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * CPU time of the calling thread, in ms. On a machine shared with other busy processes the wall
 * clock measures the scheduler as much as the code; the thread's CPU time measures the code.
 */
export function threadCpuMs(): number {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
}

/** One-line note on how busy the machine was (load average against cores). */
export function machineNote(): string {
  const [l1] = os.loadavg();
  return `load average ${l1!.toFixed(1)} on ${os.cpus().length} cores`;
}

export interface Sampled {
  /** Wall-clock milliseconds per call. */
  wall: Latency;
  /**
   * Mean CPU milliseconds of this thread per call, over all repetitions (the thread clock ticks
   * too coarsely to time one short call): what the mean would be on an idle machine.
   */
  cpuMean: number;
}

/**
 * Runs `fn(i)` `warmup` times untimed, then `reps` times timed, one at a time. `sink` keeps
 * results alive so nothing is optimised away.
 */
export function sample(fn: (i: number) => unknown, reps: number, warmup = Math.min(20, reps)): Sampled {
  const sink: unknown[] = [];
  for (let i = 0; i < warmup; i++) sink.push(fn(i));
  const wall: number[] = [];
  const c0 = threadCpuMs();
  for (let i = 0; i < reps; i++) {
    const t0 = nowMs();
    const r = fn(i);
    wall.push(nowMs() - t0);
    sink[i % 4] = r;
  }
  const cpuMean = (threadCpuMs() - c0) / reps;
  if (sink.length < 0) console.log(sink);
  return { wall: summarize(wall), cpuMean };
}

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const ms = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));

export function describeLatency(l: Latency): string {
  return `p50 ${ms(l.p50)} ms, p95 ${ms(l.p95)} ms, p99 ${ms(l.p99)} ms (n=${l.reps})`;
}
