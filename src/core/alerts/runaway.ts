// Runaway loops: an agent that has gone wrong calls far faster than it did a moment ago, or calls
// the same model with the same input over and over. Both are P1 at once (rules.ts).

import { hashString } from '../hash';

export const RUNAWAY = {
  /** A burst: at least this many calls in the last minute from one service … */
  minBurstCalls: 30,
  /** … and this many times its recent per-minute rate (the median minute of the half hour before). */
  burstFactor: 10,
  /** The same model and input within one trace this many times in the window. */
  repeatsInTrace: 5,
  /** The same model and input from one service (across traces) this many times in the window. */
  repeatsInService: 12,
  windowMs: 5 * 60_000,
} as const;

export interface ServiceRate {
  service: string;
  lastMinute: number;
  /** Calls in each of the preceding minutes (up to 30). */
  before: readonly number[];
}

export interface BurstFinding {
  service: string;
  lastMinute: number;
  usualPerMinute: number;
}

export function findBursts(rates: readonly ServiceRate[]): BurstFinding[] {
  const out: BurstFinding[] = [];
  for (const r of rates) {
    const sorted = [...r.before].sort((a, b) => a - b);
    const usual = sorted.length ? sorted[sorted.length >> 1]! : 0;
    if (r.lastMinute >= RUNAWAY.minBurstCalls && r.lastMinute >= RUNAWAY.burstFactor * Math.max(usual, 1)) {
      out.push({ service: r.service, lastMinute: r.lastMinute, usualPerMinute: usual });
    }
  }
  return out;
}

/** One recent call, reduced to what a repeat is recognised by. */
export interface RecentCall {
  traceId: string;
  service: string;
  model: string;
  /** A hash of the call's input (system instructions and messages). */
  inputKey: string;
  startMs: number;
}

export interface RepeatFinding {
  service: string;
  model: string;
  /** Set when the repeats are within one trace. */
  traceId: string | null;
  count: number;
  traceIds: string[];
  since: number;
}

export function findRepeats(calls: readonly RecentCall[]): RepeatFinding[] {
  const groups = new Map<string, { f: RepeatFinding; traces: Set<string> }>();
  const add = (key: string, c: RecentCall, traceId: string | null) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { f: { service: c.service, model: c.model, traceId, count: 0, traceIds: [], since: c.startMs }, traces: new Set() }));
    g.f.count += 1;
    g.f.since = Math.min(g.f.since, c.startMs);
    if (!g.traces.has(c.traceId) && g.traces.size < 10) g.traces.add(c.traceId);
  };
  for (const c of calls) {
    if (!c.inputKey) continue;
    add(`t\u0000${c.traceId}\u0000${c.model}\u0000${c.inputKey}`, c, c.traceId);
    add(`s\u0000${c.service}\u0000${c.model}\u0000${c.inputKey}`, c, null);
  }
  const inTrace: RepeatFinding[] = [];
  const inService: RepeatFinding[] = [];
  for (const { f, traces } of groups.values()) {
    f.traceIds = [...traces];
    if (f.traceId !== null && f.count >= RUNAWAY.repeatsInTrace) inTrace.push(f);
    else if (f.traceId === null && f.count >= RUNAWAY.repeatsInService) inService.push(f);
  }
  // One finding per service and model: a loop within a trace is also a loop of its service.
  const seen = new Set(inTrace.map((f) => `${f.service}\u0000${f.model}`));
  return [...inTrace, ...inService.filter((f) => !seen.has(`${f.service}\u0000${f.model}`))];
}

/** A short, stable key for an input: repeats are compared by it, not by text. */
export function inputKeyOf(text: string): string {
  return hashString(text);
}
