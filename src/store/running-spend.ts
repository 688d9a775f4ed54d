// Spend since a few instants (the budget periods' starts and the projection's rate window), per
// service and model, carried from one alert evaluation to the next: read from the rollups once,
// then kept exact by adding each call the moving window counts (or the difference of a new
// reading). A new reading of a call from before the window, whose old figures are not at hand,
// drops the sums it belonged to; they are read again when next asked for.

import type { CallRow } from './alert-window';
import type { WindowSum, WindowSums } from './window-sums';

type Sums = Map<string, WindowSum>;

/** A start moved forward by at most this is derived from the sums before it (the rate window, a minute a minute). */
const DERIVE_WITHIN_US = 10 * 60_000_000;

function keyOf(service: string, model: string): string {
  return `${service}\u0000${model}`;
}

function addRow(into: Sums, r: CallRow, sign: 1 | -1): void {
  const k = keyOf(r.service, r.model);
  let a = into.get(k);
  if (!a) into.set(k, (a = { service: r.service, model: r.model, calls: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 }));
  a.calls += sign;
  a.errors += sign * r.is_error;
  a.costUsd += sign * (r.cost_usd ?? 0);
  a.inputTokens += sign * (r.input_tokens ?? 0);
  a.outputTokens += sign * (r.output_tokens ?? 0);
}

function addSum(into: Sums, s: WindowSum, sign: 1 | -1): void {
  const k = keyOf(s.service, s.model);
  let a = into.get(k);
  if (!a) into.set(k, (a = { service: s.service, model: s.model, calls: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 }));
  a.calls += sign * s.calls;
  a.errors += sign * s.errors;
  a.costUsd += sign * s.costUsd;
  a.inputTokens += sign * s.inputTokens;
  a.outputTokens += sign * s.outputTokens;
}

export class RunningSpend {
  /** Per start (µs): the sums of the counted calls that started at or after it. */
  private readonly carried = new Map<number, Sums>();

  constructor(private readonly sums: WindowSums) {}

  /** A call counted (sign 1) or a reading taken back (sign -1). */
  count(r: CallRow, sign: 1 | -1): void {
    for (const [from, sums] of this.carried) if (r.start_us >= from) addRow(sums, r, sign);
  }

  /** The figures of a call that started at `startUs` changed in a way not known here. */
  forget(startUs: number): void {
    for (const from of [...this.carried.keys()]) if (from <= startUs) this.carried.delete(from);
  }

  reset(): void {
    this.carried.clear();
  }

  /** Keeps only the starts asked for last. */
  keep(froms: ReadonlySet<number>): void {
    for (const from of [...this.carried.keys()]) if (!froms.has(from)) this.carried.delete(from);
  }

  /**
   * Sums of the calls that started in [from, hi] µs, every stored call up to `hi` counted. A
   * start a little after a carried one is that one less the rollups between them; any other is
   * read from the rollups (coarsest rows first) and the calls of the last partial minute.
   */
  since(from: number, hi: number): WindowSum[] {
    let sums = this.carried.get(from);
    if (!sums) {
      sums = new Map();
      let base: number | null = null;
      for (const k of this.carried.keys()) if (k < from && from - k <= DERIVE_WITHIN_US && (base === null || k > base)) base = k;
      if (base !== null) {
        for (const s of this.carried.get(base)!.values()) addSum(sums, s, 1);
        for (const s of this.sums.byScopeUs(base, from)) addSum(sums, s, -1);
      } else {
        for (const s of this.sums.byScopeUs(from, hi + 1)) addSum(sums, s, 1);
      }
      this.carried.set(from, sums);
    }
    const out: WindowSum[] = [];
    for (const s of sums.values()) if (s.calls !== 0) out.push(s);
    return out;
  }
}
