// The anomaly detector against synthetic traffic with a daily pattern, quiet nights, single noisy
// calls and known incidents: its detection rate and its false alarms per simulated week. The
// figures are printed; the assertions are the bar (≥ 90% of incidents found, ≤ 1 false alarm a week).
import { describe, expect, it } from 'vitest';
import { combineScores, scoreSignal, type BaselineInput, type SignalKind } from '../../../src/core/alerts/baseline';
import { median, scaledMad } from '../../../src/core/alerts/robust';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const normal = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const poisson = (l: number) => {
    let k = 0;
    let p = Math.exp(-l);
    let sum = p;
    const u = next();
    while (u > sum && k < 1000) p *= l / ++k, (sum += p);
    return k;
  };
  return { next, normal, poisson };
}

interface Call { t: number; latency: number; cost: number; tokens: number }
interface Incident { from: number; to: number; kind: string; latency: number; cost: number; tokens: number }

/** Two weeks of one model's calls: busy days, quiet nights, a slow afternoon every day. */
function simulate(seed: number, incidents: Incident[], spikes: number[]): Call[] {
  const r = rng(seed);
  const calls: Call[] = [];
  for (let m = 0; m < 14 * 24 * 60; m++) {
    const t = m * MIN;
    const hod = (t % DAY) / HOUR;
    const busy = hod >= 8 && hod < 20;
    const perMinute = busy ? 4 + 2 * Math.sin(((hod - 8) / 12) * Math.PI) : 0.1;
    const dailyLatency = 700 * (1 + 0.4 * Math.sin(((hod - 6) / 24) * 2 * Math.PI)); // slower afternoons
    const inc = incidents.find((i) => t >= i.from && t < i.to);
    for (let k = r.poisson(perMinute); k > 0; k--) {
      const tokens = Math.max(10, 900 * Math.exp(0.25 * r.normal()) * (inc?.tokens ?? 1));
      calls.push({
        t: t + r.next() * MIN,
        latency: dailyLatency * Math.exp(0.3 * r.normal()) * (inc?.latency ?? 1),
        cost: tokens * 2e-6 * Math.exp(0.1 * r.normal()) * (inc?.cost ?? 1),
        tokens,
      });
    }
  }
  for (const t of spikes) calls.push({ t, latency: 90_000, cost: 0.5, tokens: 120_000 });
  return calls.sort((a, b) => a.t - b.t);
}

function valueOf(kind: SignalKind, cs: Call[], perHour: boolean): number | null {
  if (kind === 'callRate') return perHour ? (cs.length > 0 ? cs.length / 12 : null) : cs.length;
  if (cs.length < (perHour ? 3 : 1)) return null;
  if (kind === 'latency') return median(cs.map((c) => c.latency));
  if (kind === 'costPerCall') return cs.reduce((s, c) => s + c.cost, 0) / cs.length;
  return cs.reduce((s, c) => s + c.tokens, 0) / cs.length;
}

/** Runs the detector every 5 minutes over the second week, as the collector reads its figures. */
function run(calls: Call[]): { at: number; fired: boolean; composite: boolean }[] {
  const byHour = new Map<number, Call[]>();
  for (const c of calls) {
    const h = Math.floor(c.t / HOUR) * HOUR;
    let list = byHour.get(h);
    if (!list) byHour.set(h, (list = []));
    list.push(c);
  }
  const hourValues = new Map<string, number | null>();
  const hourValue = (kind: SignalKind, h: number) => {
    const key = `${kind}${h}`;
    if (!hourValues.has(key)) hourValues.set(key, valueOf(kind, byHour.get(h) ?? [], true));
    return hourValues.get(key)!;
  };
  const out: { at: number; fired: boolean; composite: boolean }[] = [];
  let lo = 0;
  for (let now = 7 * DAY; now < 14 * DAY; now += 5 * MIN) {
    while (lo < calls.length && calls[lo]!.t < now - 15 * MIN) lo++;
    let hi = lo;
    while (hi < calls.length && calls[hi]!.t < now) hi++;
    const win = calls.slice(lo, hi);
    const buckets: Call[][] = [[], [], []];
    for (const c of win) buckets[Math.min(2, Math.floor((c.t - (now - 15 * MIN)) / (5 * MIN)))]!.push(c);
    const hourNow = Math.floor((now - 7.5 * MIN) / HOUR) * HOUR;
    const signals: BaselineInput[] = (['latency', 'costPerCall', 'tokensPerCall', 'callRate'] as SignalKind[]).map((kind) => ({
      kind,
      current: buckets.map((b) => ({ value: valueOf(kind, b, false), calls: b.length })),
      seasonal: [1, 2, 3, 4, 5, 6, 7].map((d) => hourValue(kind, hourNow - d * DAY)).filter((v): v is number => v !== null),
      recent: kind === 'callRate' ? [] : [1, 2, 3, 4, 5, 6].map((h) => hourValue(kind, hourNow - h * HOUR)).filter((v): v is number => v !== null),
    }));
    const scores = signals.map(scoreSignal);
    const verdict = combineScores(scores);
    out.push({ at: now, fired: verdict.fires, composite: verdict.composite });
  }
  return out;
}

function incidentsFor(seed: number): Incident[] {
  const r = rng(seed * 31);
  const list: Incident[] = [];
  for (let d = 7; d < 14; d++) {
    const start = d * DAY + (9 + Math.floor(r.next() * 9)) * HOUR + Math.floor(r.next() * 4) * 15 * MIN;
    const kinds: Incident[] = [
      { from: start, to: start + HOUR, kind: 'provider slower', latency: 3, cost: 1, tokens: 1 },
      { from: start, to: start + 45 * MIN, kind: 'cost per call up', latency: 1, cost: 4, tokens: 1 },
      { from: start, to: start + 45 * MIN, kind: 'slower and longer together', latency: 1.9, cost: 1, tokens: 1.9 },
    ];
    list.push(kinds[d % 3]!);
  }
  return list;
}

describe('anomaly detector on simulated weeks', () => {
  it('finds the incidents within their span and raises few false alarms, ignoring single noisy calls and quiet nights', () => {
    let found = 0;
    let total = 0;
    let falseAlarms = 0;
    let weeks = 0;
    const delays: number[] = [];
    for (const seed of [1, 2, 3, 4]) {
      const incidents = incidentsFor(seed);
      const r = rng(seed * 7);
      const spikes = Array.from({ length: 30 }, () => 7 * DAY + Math.floor(r.next() * 7 * DAY));
      const evals = run(simulate(seed, incidents, spikes));
      weeks++;
      for (const inc of incidents) {
        total++;
        const hit = evals.find((e) => e.fired && e.at > inc.from && e.at <= inc.to + 5 * MIN);
        if (hit) {
          found++;
          delays.push((hit.at - inc.from) / MIN);
        }
      }
      // A false alarm: a firing episode that starts outside every incident (and the 15 minutes after it).
      let firing = false;
      for (const e of evals) {
        if (e.fired && !firing) {
          const explained = incidents.some((i) => e.at > i.from && e.at <= i.to + 15 * MIN);
          if (!explained) falseAlarms++;
        }
        firing = e.fired;
      }
    }
    const rate = found / total;
    const perWeek = falseAlarms / weeks;
    console.log(`detector: found ${found}/${total} incidents (${(rate * 100).toFixed(0)}%), median delay ${median(delays)} min, ${perWeek.toFixed(2)} false alarms per simulated week`);
    expect(rate).toBeGreaterThanOrEqual(0.9);
    expect(perWeek).toBeLessThanOrEqual(1);
  });

  it('fires several weaker signals together (composite) where none alone would', () => {
    const seasonal = [100, 104, 96, 101, 99, 103, 98];
    const recent = [100, 100, 100];
    const up = (v: number) => ({ value: v, calls: 10 });
    const lat: BaselineInput = { kind: 'latency', current: [up(190), up(192), up(188)], seasonal, recent };
    const tok: BaselineInput = { kind: 'tokensPerCall', current: [up(185), up(190), up(195)], seasonal, recent };
    const alone = combineScores([scoreSignal(lat)]);
    expect(alone.fires).toBe(false);
    const both = combineScores([scoreSignal(lat), scoreSignal(tok)]);
    expect(both).toMatchObject({ fires: true, composite: true });
  });

  it('one noisy call (one bucket) never fires; a baseline ignores its own outliers', () => {
    const seasonal = [100, 102, 98, 5000, 101, 99, 97];
    const s = scoreSignal({ kind: 'latency', current: [{ value: 100, calls: 9 }, { value: 9000, calls: 9 }, { value: 101, calls: 9 }], seasonal, recent: [] });
    expect(s.baseline).toBe(100);
    expect(s.score).toBeCloseTo(0.05, 9); // the second-highest bucket: barely above the baseline
    expect(combineScores([s]).fires).toBe(false);
    const few = scoreSignal({ kind: 'latency', current: [{ value: 9000, calls: 1 }, { value: 9000, calls: 1 }, { value: 9000, calls: 1 }], seasonal, recent: [] });
    expect(few.readable).toBe(0);
  });

  it('median and MAD agree with brute force over random data', () => {
    const r = rng(99);
    for (let i = 0; i < 200; i++) {
      const xs = Array.from({ length: 1 + Math.floor(r.next() * 30) }, () => Math.round(r.normal() * 100));
      const sorted = [...xs].sort((a, b) => a - b);
      // Brute force: the value with as many at or below as at or above.
      const candidates = sorted.length % 2 ? [sorted[(sorted.length - 1) / 2]!] : [sorted[sorted.length / 2 - 1]!, sorted[sorted.length / 2]!];
      const m = candidates.reduce((a, b) => a + b, 0) / candidates.length;
      expect(median(xs)).toBeCloseTo(m, 12);
      const dev = xs.map((x) => Math.abs(x - m)).sort((a, b) => a - b);
      const md = dev.length % 2 ? dev[(dev.length - 1) / 2]! : (dev[dev.length / 2 - 1]! + dev[dev.length / 2]!) / 2;
      expect(scaledMad(xs, m)).toBeCloseTo(1.4826 * md, 9);
    }
  });
});
