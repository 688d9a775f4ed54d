// The last fifteen minutes of calls, kept in memory between alert evaluations and moved forward
// by what was stored since: the calls whose store revision is past the cursor (new calls, new
// readings of stored ones, late exports with old start times) and the stored calls whose start
// time has just come (a clock ahead of the collector's). Each evaluation reads a handful of rows
// instead of the window, and learns exactly which calls it counts for the first time, which it
// counts again with a new reading, and which readings of calls before the window changed.

import type Database from 'better-sqlite3';

export interface CallRow {
  span_row: number;
  store_rev: number;
  revision: number;
  trace_id: string;
  service: string;
  model: string;
  is_error: number;
  start_us: number;
  duration_us: number;
  ttft_ms: number | null;
  output_tokens: number | null;
  input_tokens: number | null;
  cost_usd: number | null;
  input_key: string | null;
}

const CALL_COLUMNS = `span_row, store_rev, revision, trace_id, coalesce(service_name, '') AS service, model, is_error, start_us, duration_us, ttft_ms,
  output_tokens, input_tokens, cost_usd, input_key`;

/** More changes than this in one step (an import, a restore): the window is read again instead. */
const MAX_STEP_ROWS = 5_000;

/** What moving the window told: every call counted since the last step, once. */
export interface WindowStep {
  /** Calls counted for the first time (in the window or, arriving late, before it). */
  added: CallRow[];
  /** New readings of calls counted in the window, with the reading they replace. */
  replaced: { old: CallRow; row: CallRow }[];
  /** New readings of calls that started before the window: what they replaced is not known here. */
  rereadBefore: CallRow[];
}

function byStart(a: CallRow, b: CallRow): number {
  return a.start_us - b.start_us || a.span_row - b.span_row;
}

/** Costliest first, then newest first: the order a fresh read and a moved window agree on. */
function byCost(a: CallRow, b: CallRow): number {
  return (b.cost_usd ?? 0) - (a.cost_usd ?? 0) || -byStart(a, b);
}

/** Index of the first row not before `key` (rows ascending by start). */
function lowerBound(rows: readonly CallRow[], startUs: number, spanRow = -Infinity): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = rows[mid]!;
    if (r.start_us < startUs || (r.start_us === startUs && r.span_row < spanRow)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class CallWindow {
  /** The window's calls, ascending by start. */
  private rows: CallRow[] = [];
  private readonly byRow = new Map<number, CallRow>();
  /** Costliest first; holds replaced and expired rows until the next compaction (see costliest). */
  private byCost: CallRow[] = [];
  private cursor = 0;
  private loUs = 0;
  /** Every counted call that started at or after this is in the window (above `lo` when the window is full). */
  private keptFrom = 0;
  private hiUs = -1;
  private loaded = false;
  private readonly stmts;

  /** `maxRows`: the newest calls kept (a runaway loop's window would hold millions). */
  constructor(db: Database.Database, private readonly maxRows: number) {
    this.stmts = {
      window: db.prepare(`SELECT ${CALL_COLUMNS} FROM llm_calls WHERE start_us >= ? AND start_us <= ? ORDER BY start_us DESC, span_row DESC LIMIT ?`),
      // Stored or read again since the cursor (llm_calls_by_rev), in revision order.
      since: db.prepare(`SELECT ${CALL_COLUMNS} FROM llm_calls WHERE store_rev > ? AND start_us <= ? ORDER BY store_rev LIMIT ${MAX_STEP_ROWS + 1}`),
      // Stored before the cursor with a start still to come then (llm_calls_by_time).
      arrived: db.prepare(`SELECT ${CALL_COLUMNS} FROM llm_calls WHERE start_us > ? AND start_us <= ? AND store_rev <= ? LIMIT ${MAX_STEP_ROWS + 1}`),
      lastRev: db.prepare('SELECT max(store_rev) FROM llm_calls').pluck(),
    };
  }

  /** The window's start (µs). */
  get lo(): number {
    return this.loUs;
  }

  /** Reads the window [lo, hi] µs from scratch. */
  load(lo: number, hi: number): void {
    this.cursor = (this.stmts.lastRev.get() as number | null) ?? 0;
    this.rows = (this.stmts.window.all(lo, hi, this.maxRows) as CallRow[]).reverse();
    this.byRow.clear();
    this.loUs = this.keptFrom = lo;
    this.hiUs = hi;
    if (this.rows.length >= this.maxRows) this.keepNewest(this.maxRows - 1);
    for (const r of this.rows) this.byRow.set(r.span_row, r);
    this.byCost = [...this.rows].sort(byCost);
    this.loaded = true;
  }

  reset(): void {
    this.loaded = false;
    this.rows = [];
    this.byRow.clear();
    this.byCost = [];
  }

  /**
   * Moves the window to [lo, hi] µs with what was stored since the last step. Null when it
   * cannot (time went back, a longer gap than the window, too many changes): read it again.
   */
  step(lo: number, hi: number, maxGapUs: number): WindowStep | null {
    if (!this.loaded || hi < this.hiUs || lo < this.loUs || hi - this.hiUs > maxGapUs) return null;
    const fresh = this.stmts.since.all(this.cursor, hi) as CallRow[];
    const arrived = hi > this.hiUs ? (this.stmts.arrived.all(this.hiUs, hi, this.cursor) as CallRow[]) : [];
    if (fresh.length > MAX_STEP_ROWS || arrived.length > MAX_STEP_ROWS) return null;
    const step: WindowStep = { added: [], replaced: [], rereadBefore: [] };
    const countedFrom = this.keptFrom;
    for (const r of arrived) this.count(r, countedFrom, lo, step);
    for (const r of fresh) {
      // A call still to start stays past the cursor until it does (then `since` reads it), unless
      // a later revision moves the cursor past it (then `arrived` does).
      if (r.store_rev > this.cursor) this.cursor = r.store_rev;
      this.count(r, countedFrom, lo, step);
    }
    let expired = 0;
    while (expired < this.rows.length && this.rows[expired]!.start_us < lo) this.byRow.delete(this.rows[expired++]!.span_row);
    if (expired > 0) this.rows.splice(0, expired);
    this.loUs = lo;
    this.keptFrom = Math.max(this.keptFrom, lo);
    this.hiUs = hi;
    if (this.rows.length > this.maxRows) {
      for (const r of this.keepNewest(this.maxRows)) this.byRow.delete(r.span_row);
    }
    if (this.byCost.length > 2 * this.rows.length + 256) this.byCost = this.byCost.filter((r) => this.isCurrent(r));
    return step;
  }

  /**
   * Drops the oldest rows down to at most `n`, whole start times at a time, so that every counted
   * call from `keptFrom` on stays in the window. Returns the rows dropped.
   */
  private keepNewest(n: number): CallRow[] {
    let cut = this.rows.length - n;
    if (cut <= 0) return [];
    const edge = this.rows[cut - 1]!.start_us;
    while (cut < this.rows.length && this.rows[cut]!.start_us === edge) cut++;
    this.keptFrom = edge + 1;
    return this.rows.splice(0, cut);
  }

  private count(r: CallRow, countedFrom: number, lo: number, step: WindowStep): void {
    const old = this.byRow.get(r.span_row);
    if (old) {
      step.replaced.push({ old, row: r });
      this.rows.splice(lowerBound(this.rows, old.start_us, old.span_row), 1);
    } else if (r.start_us >= countedFrom || r.revision === 0) {
      // Never counted: a call in the window not seen yet, or a first reading arriving late.
      step.added.push(r);
    } else {
      step.rereadBefore.push(r);
    }
    if (r.start_us < Math.max(lo, this.keptFrom)) {
      if (old) this.byRow.delete(r.span_row);
      return;
    }
    this.byRow.set(r.span_row, r);
    const last = this.rows[this.rows.length - 1];
    if (!last || byStart(last, r) < 0) this.rows.push(r);
    else this.rows.splice(lowerBound(this.rows, r.start_us, r.span_row), 0, r);
    let a = 0;
    let b = this.byCost.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (byCost(this.byCost[mid]!, r) <= 0) a = mid + 1;
      else b = mid;
    }
    this.byCost.splice(a, 0, r);
  }

  private isCurrent(r: CallRow): boolean {
    return this.byRow.get(r.span_row) === r;
  }

  /** The window's calls from `fromUs` on, newest first. */
  newestFirst(fromUs = this.loUs): CallRow[] {
    const out: CallRow[] = [];
    for (let i = this.rows.length - 1, first = lowerBound(this.rows, fromUs); i >= first; i--) out.push(this.rows[i]!);
    return out;
  }

  /** How many of the window's calls started at or after `fromUs`, per service. */
  countSince(fromUs: number): Map<string, number> {
    const out = new Map<string, number>();
    for (let i = lowerBound(this.rows, fromUs); i < this.rows.length; i++) {
      const s = this.rows[i]!.service;
      out.set(s, (out.get(s) ?? 0) + 1);
    }
    return out;
  }

  /** The traces of the costliest calls in the window that pass `filter`, costliest first. */
  costliest(filter: { service?: string; model?: string }, limit: number): string[] {
    const out = new Set<string>();
    for (const r of this.byCost) {
      if (out.size >= limit) break;
      if (!this.isCurrent(r)) continue;
      if ((filter.service && r.service !== filter.service) || (filter.model && r.model !== filter.model)) continue;
      out.add(r.trace_id);
    }
    return [...out];
  }
}
