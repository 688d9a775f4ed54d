// A rollup level checked against the level below it, by SQL over the tables themselves: every
// coarse row must be the exact sum of the finer rows in its bucket (counts, tokens, cost to 9
// decimals, the latency histogram merged bucket by bucket).

import type Database from 'better-sqlite3';
import type { SparseHistogram } from '../../src/core/histogram';

/** Rows of a level against the sums of the finer level's rows, by SQL over the tables themselves. */
export function levelMismatch(db: Database.Database, fine: string, fineKey: string, coarse: string, coarseKey: string, us: number): unknown[] {
  const sums = db.prepare(`SELECT (${fineKey} / ${us}) * ${us} AS b, model, provider, service_name, sum(calls) AS calls, sum(errors) AS errors,
      sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, round(sum(cost_usd), 9) AS cost, group_concat(latency_hist, ';') AS parts
    FROM ${fine} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`).all() as Record<string, unknown>[];
  const days = db.prepare(`SELECT ${coarseKey} AS b, model, provider, service_name, calls, errors, input_tokens, output_tokens, round(cost_usd, 9) AS cost, latency_hist
    FROM ${coarse} ORDER BY 1, 2, 3, 4`).all() as Record<string, unknown>[];
  const bad: unknown[] = [];
  if (sums.length !== days.length) bad.push({ hourGroups: sums.length, dayRows: days.length });
  sums.forEach((h, i) => {
    const d = days[i] ?? {};
    const merged: SparseHistogram = {};
    for (const part of String(h.parts).split(';')) {
      for (const [b, c] of Object.entries(JSON.parse(part) as SparseHistogram)) merged[Number(b)] = (merged[Number(b)] ?? 0) + c;
    }
    const { parts: _, ...hSums } = h;
    const { latency_hist, ...dSums } = d;
    if (JSON.stringify(hSums) !== JSON.stringify(dSums) || JSON.stringify(merged) !== JSON.stringify(JSON.parse(String(latency_hist)))) bad.push({ hours: hSums, day: dSums });
  });
  return bad;
}

