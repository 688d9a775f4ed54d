// The anomaly baselines of every model and service for one hour of the day, from the hour rollups:
// each signal's per-call figure at the same hour on the previous days and in the hours before
// (core/alerts/baseline.ts reads them). A few hundred rows, each with a latency histogram of a
// few hundred buckets: each histogram is read once from its JSON text and summed into dense
// arrays (JSON.parse into objects keyed by bucket, merged per scope, took most of the time).

import type Database from 'better-sqlite3';
import type { SignalKind } from '../core/alerts/baseline';
import { bucketValue } from '../core/histogram';
import { storedHistogramPairs } from './histogram-sum';
import { HOUR_US } from './rollups';

const SEASONAL_DAYS = 7;
const RECENT_HOURS = 6;
const DAY_US = 24 * HOUR_US;
/** Calls an hour needs before its per-call figures count. */
const MIN_CALLS = 3;
const BUCKET_MS = 5 * 60_000;

export type SignalSeries = Record<SignalKind, number[]>;

/** One scope's baseline: each signal's per-call figures at the same hour on previous days, and in the hours before. */
export interface ScopeBaseline {
  seasonal: SignalSeries;
  recent: SignalSeries;
}

export interface Baselines {
  hourNow: number;
  /** Every hour read: a call stored later into one of them makes these stale. */
  hours: Set<number>;
  /** By scope key: `m\0model` or `s\0service`. */
  scopes: Map<string, ScopeBaseline>;
}

interface HourRow {
  hour_us: number;
  service: string | null;
  model: string;
  calls: number;
  cost_usd: number;
  tokens: number;
  latency_hist: string;
}

class HourAcc {
  calls = 0;
  cost = 0;
  tokens = 0;
  latency = new Float64Array(1024);

  /** Median latency by nearest rank over the summed buckets, as core/histogram's quantiles. */
  medianLatency(): number | null {
    let total = 0;
    for (let b = 0; b < this.latency.length; b++) total += this.latency[b]!;
    if (total <= 0) return null;
    const rank = Math.max(1, Math.ceil(0.5 * total));
    let seen = 0;
    for (let b = 0; b < this.latency.length; b++) {
      seen += this.latency[b]!;
      if (this.latency[b]! > 0 && seen >= rank) return bucketValue(b);
    }
    return null;
  }

  /** Adds `[bucket, count, bucket, count, …]`. */
  addPairs(pairs: readonly number[]): void {
    for (let k = 0; k < pairs.length; k += 2) this.addBucket(pairs[k]!, pairs[k + 1]!);
  }

  addBucket(b: number, n: number): void {
    if (!(b >= 0) || !Number.isInteger(b)) return;
    if (b >= this.latency.length) {
      const grown = new Float64Array(Math.max(b + 1, 2 * this.latency.length));
      grown.set(this.latency);
      this.latency = grown;
    }
    this.latency[b] += n;
  }
}

function series(hours: Map<number, HourAcc>): SignalSeries {
  const out: SignalSeries = { latency: [], costPerCall: [], tokensPerCall: [], callRate: [] };
  for (const a of hours.values()) {
    // Calls per five-minute bucket, as the current reading counts them.
    if (a.calls > 0) out.callRate.push((a.calls * BUCKET_MS) / 3_600_000);
    if (a.calls < MIN_CALLS) continue;
    const median = a.medianLatency();
    if (median !== null) out.latency.push(median);
    out.costPerCall.push(a.cost / a.calls);
    out.tokensPerCall.push(a.tokens / a.calls);
  }
  return out;
}

export class BaselineReader {
  private readonly hours: Database.Statement;

  constructor(db: Database.Database) {
    this.hours = db.prepare(`SELECT hour_us, service_name AS service, model, calls, cost_usd, input_tokens + output_tokens AS tokens, latency_hist
      FROM llm_rollup_hour WHERE hour_us IN (SELECT value FROM json_each(?))`);
  }

  /** The baselines for the hour starting at `hourNow` (µs). */
  read(hourNow: number): Baselines {
    const seasonalHours = Array.from({ length: SEASONAL_DAYS }, (_, k) => hourNow - (k + 1) * DAY_US);
    const recentHours = Array.from({ length: RECENT_HOURS }, (_, k) => hourNow - (k + 1) * HOUR_US);
    const seasonalSet = new Set(seasonalHours);
    const accs = new Map<string, { seasonal: Map<number, HourAcc>; recent: Map<number, HourAcc> }>();
    for (const h of this.hours.all(JSON.stringify([...seasonalHours, ...recentHours])) as HourRow[]) {
      const latency = storedHistogramPairs(h.latency_hist);
      for (const key of h.service ? [`m\u0000${h.model}`, `s\u0000${h.service}`] : [`m\u0000${h.model}`]) {
        let s = accs.get(key);
        if (!s) accs.set(key, (s = { seasonal: new Map(), recent: new Map() }));
        const into = seasonalSet.has(h.hour_us) ? s.seasonal : s.recent;
        let a = into.get(h.hour_us);
        if (!a) into.set(h.hour_us, (a = new HourAcc()));
        a.calls += h.calls;
        a.cost += h.cost_usd;
        a.tokens += h.tokens;
        a.addPairs(latency);
      }
    }
    const scopes = new Map<string, ScopeBaseline>();
    for (const [key, s] of accs) scopes.set(key, { seasonal: series(s.seasonal), recent: series(s.recent) });
    return { hourNow, hours: new Set([...seasonalHours, ...recentHours]), scopes };
  }
}
