// Anomalies against a rolling baseline that follows daily patterns and ignores its own outliers.
//
// A signal (latency, cost per call, tokens per call, call rate) is read in short buckets (five
// minutes). Its baseline is the median of the same hour of day on the previous days (the daily
// pattern), or of the preceding hours when fewer than three such days have data; its spread is
// their scaled MAD, floored so a very steady history does not turn every wobble into an alert.
// The current reading is the last three buckets: a signal is anomalous only when at least two of
// them are above the baseline by `threshold` spreads, each with enough calls, so a single noisy
// call (which lands in one bucket) never fires it.

import { median, scaledMad } from './robust';

export type SignalKind = 'latency' | 'costPerCall' | 'tokensPerCall' | 'callRate';

/** One short bucket of a signal: its value (a per-call figure, or the call count for callRate) and how many calls it holds. */
export interface SignalBucket {
  value: number | null;
  calls: number;
}

export interface BaselineInput {
  kind: SignalKind;
  /** The last buckets, oldest first (the detector reads the last three). */
  current: readonly SignalBucket[];
  /** The signal at the same hour of day on previous days (per-call figures; callRate: calls per bucket). */
  seasonal: readonly number[];
  /** The signal in the hours before the current buckets, same units. */
  recent: readonly number[];
}

export interface SignalScore {
  kind: SignalKind;
  /** The current reading: the median of the current buckets that have enough calls. */
  value: number | null;
  baseline: number | null;
  spread: number | null;
  /** How many spreads above the baseline the second-highest qualifying bucket is (0 when not above). */
  score: number;
  /** Buckets (of the last three) with enough calls to be read. */
  readable: number;
}

export const DETECTOR = {
  /** Calls a bucket needs before its per-call figure counts. */
  minCallsPerBucket: 2,
  /** Days with data at this hour before the daily pattern is trusted over the recent hours. */
  minSeasonalDays: 3,
  /** Recent hours needed when there is no daily pattern yet. */
  minRecent: 3,
  /** The spread is at least this fraction of the baseline (per-call signals). */
  relativeFloor: 0.2,
  /** Spreads above baseline for one signal alone to fire. */
  single: 6,
  /** Spreads above baseline each of several signals of one scope need to fire together. */
  joint: 3.5,
  bucketsRead: 3,
  bucketsNeeded: 2,
} as const;

export function baselineOf(seasonal: readonly number[], recent: readonly number[]): { values: readonly number[]; from: 'seasonal' | 'recent' } | null {
  if (seasonal.length >= DETECTOR.minSeasonalDays) return { values: seasonal, from: 'seasonal' };
  if (recent.length >= DETECTOR.minRecent) return { values: recent, from: 'recent' };
  return null;
}

export function scoreSignal(input: BaselineInput): SignalScore {
  const last = input.current.slice(-DETECTOR.bucketsRead);
  const isRate = input.kind === 'callRate';
  const readable = last.filter((b) => b.value !== null && (isRate || b.calls >= DETECTOR.minCallsPerBucket));
  const values = readable.map((b) => b.value!);
  const value = median(values);
  const base = baselineOf(input.seasonal, input.recent);
  if (!base || value === null) return { kind: input.kind, value, baseline: null, spread: null, score: 0, readable: readable.length };
  const center = median(base.values)!;
  const mad = scaledMad(base.values, center);
  // Call counts are Poisson: their spread is at least √mean (and a quarter of it, and 1 call).
  const floor = isRate ? Math.max(1, Math.sqrt(center), 0.25 * center) : Math.max(DETECTOR.relativeFloor * Math.abs(center), 1e-9);
  const spread = Math.max(mad, floor);
  let score = 0;
  if (readable.length >= DETECTOR.bucketsNeeded) {
    const zs = values.map((v) => (v - center) / spread).sort((a, b) => b - a);
    score = Math.max(0, zs[DETECTOR.bucketsNeeded - 1]!);
  }
  return { kind: input.kind, value, baseline: center, spread, score, readable: readable.length };
}

/**
 * Several signals of one scope together: one signal alone fires at `single` spreads; two or
 * more that are each `joint` spreads up fire together, sooner, and a tier higher (see rules.ts).
 */
export function combineScores(scores: readonly SignalScore[]): { fires: boolean; composite: boolean; firing: SignalScore[] } {
  const strong = scores.filter((s) => s.score >= DETECTOR.single);
  const joint = scores.filter((s) => s.score >= DETECTOR.joint);
  if (joint.length >= 2) return { fires: true, composite: true, firing: joint };
  return { fires: strong.length > 0, composite: false, firing: strong };
}
