// Dashboard data at 1,000,000 stored calls (issue 15, "Figures"): everything the dashboard loads
// for a range (totals and percentiles, top tables and filter options, the charts over time) for a
// 10% window (target ≤ 40 ms) and for all of it (≤ 200 ms), each as a ratio against a COUNT/SUM
// scan of the same rows, measured in the same run. The range ends where the dashboard's does, at
// an arbitrary instant ("now", off every grid: 20 min 34.567 s before the store's end). The store
// (bench/lib/calls-db.ts) is built on first use.
//
//   npm run bench:dashboard -- [--calls 1000000] [--days 14] [--reps 20]

import { DASHBOARD_BUCKETS, niceBucketMs } from '../src/core/dashboard/buckets';
import { DashboardQueries } from '../src/store/dashboard-queries';
import { DashboardSeriesReader } from '../src/store/dashboard-series';
import { Store } from '../src/store/store';
import { repoRoot } from './lib/bench-db';
import { CALLS_DB_END_MS, ensureCallsDb } from './lib/calls-db';
import { int, machineNote, ms, sample } from './lib/timing';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const calls = arg('calls', 1_000_000);
const days = arg('days', 14);
const reps = arg('reps', 20);

const file = ensureCallsDb(repoRoot(), { calls, days });
const store = new Store(file, null, { readonly: true });
const tops = new DashboardQueries(store.db);
const span = days * 86_400_000;
const scanStmt = store.db.prepare('SELECT count(*), sum(cost_usd), sum(input_tokens), sum(output_tokens) FROM llm_calls WHERE start_us >= ? AND start_us < ?');

const seriesReader = new DashboardSeriesReader(store.db);
const now = CALLS_DB_END_MS - 1_234_567;
console.log(`bench:dashboard — ${int(calls)} stored calls over ${days} days; ${machineNote()}`);
for (const [label, from, target] of [['10% window', now - span / 10, 40], ['all of it', now - span, 200]] as const) {
  const to = now;
  // The width the dashboard picks for the range (buckets on the calendar grid).
  const bucketMs = niceBucketMs(to - from, DASHBOARD_BUCKETS);
  // What the panel asks the collector for (dashboard-controller.ts; besides the first page of the
  // trace list and the firing alerts, which do not grow with the store).
  const load = () => ({
    stats: store.queries.stats({ from, to }),
    tops: tops.tops({ from, to }),
    charts: seriesReader.series({ from, to, bucketMs }),
  });
  const filtered = () => ({
    stats: store.queries.stats({ from, to, model: 'gpt-4o' }),
    tops: tops.tops({ from, to, model: 'gpt-4o', prompt: 'prompt-3@v1' }),
    charts: seriesReader.series({ from, to, bucketMs, model: 'gpt-4o', prompt: 'prompt-3@v1' }),
  });
  const all = sample(load, reps, 2);
  const one = sample(filtered, reps, 2);
  const topsOnly = sample(() => tops.tops({ from, to }), reps, 2);
  // Top tables of one group: each filter column leads an index (schema 16).
  const topsFiltered = (['service', 'model', 'prompt'] as const).map((by) => {
    const filter = { service: { service: 'support-bot' }, model: { model: 'gpt-4o' }, prompt: { prompt: 'prompt-3@v1' } }[by];
    return [by, sample(() => tops.tops({ from, to, ...filter }), reps, 1)] as const;
  });
  const scan = sample(() => scanStmt.get(from * 1000, to * 1000), reps, 2);
  const rows = (scanStmt.get(from * 1000, to * 1000) as Record<string, number>)['count(*)']!;
  console.log(`  ${label} (${int(rows)} calls):`);
  console.log(`    dashboard data: p50 ${ms(all.wall.p50)} ms, p95 ${ms(all.wall.p95)} ms — target ${target} ms (${(target / all.wall.p50).toFixed(2)}x under); ${(all.wall.p50 / scan.wall.p50).toFixed(2)}x the scan`);
  console.log(`    of which top tables: p50 ${ms(topsOnly.wall.p50)} ms`);
  console.log(`    top tables of one ${topsFiltered.map(([by, t]) => `${by}: p50 ${ms(t.wall.p50)} ms (${(t.wall.p50 / scan.wall.p50).toFixed(2)}x)`).join(', ')}`);
  console.log(`    filtered (model + prompt): p50 ${ms(one.wall.p50)} ms; ${(one.wall.p50 / scan.wall.p50).toFixed(2)}x the scan`);
  console.log(`    reference: COUNT/SUM scan of the same rows: p50 ${ms(scan.wall.p50)} ms`);
}

// The charts over time alone (GET /api/dashboard/series): unfiltered from the rollups (whole rows
// inside the grid's buckets, minute rows and calls only at the range's two ends), filtered from
// that group's calls by its index, against the same COUNT/SUM scan. Widths: the dashboard's
// (DASHBOARD_BUCKETS), twice as many buckets, and whole minutes for 60 buckets (34 min at 10%, off
// the ten-minute grid, as an API caller may ask).
const widthName = (w: number) => (w % 3_600_000 === 0 ? `${w / 3_600_000} h` : `${w / 60_000} min`);
console.log('  series charts (cost stacks, rates, latency percentiles, histograms, spend groups):');
for (const [label, from] of [['10% window', now - span / 10], ['all of it', now - span]] as const) {
  const to = now;
  const scan = sample(() => scanStmt.get(from * 1000, to * 1000), reps, 2);
  const ratio = (t: number) => `${(t / scan.wall.p50).toFixed(2)}x`;
  const widths = [niceBucketMs(to - from, DASHBOARD_BUCKETS), niceBucketMs(to - from, 2 * DASHBOARD_BUCKETS), Math.round((to - from) / 60 / 60_000) * 60_000];
  widths.forEach((bucketMs, i) => {
    const series = sample(() => seriesReader.series({ from, to, bucketMs }), reps, 1);
    const n = seriesReader.series({ from, to, bucketMs }).buckets.length;
    const what = i === 0 ? "the dashboard's" : i === 1 ? 'twice as many' : 'explicit';
    let line = `    ${label}, ${what} (${n} buckets of ${widthName(bucketMs)}): p50 ${ms(series.wall.p50)} ms (p95 ${ms(series.wall.p95)}), ${ratio(series.wall.p50)} the scan`;
    if (i === 0) {
      const filtered = sample(() => seriesReader.series({ from, to, bucketMs, model: 'gpt-4o', prompt: 'prompt-3@v1' }), reps, 1);
      line += `; filtered (model + prompt) p50 ${ms(filtered.wall.p50)} ms, ${ratio(filtered.wall.p50)}`;
    }
    console.log(line);
  });
  console.log(`    reference: COUNT/SUM scan of the same rows: p50 ${ms(scan.wall.p50)} ms`);
}
store.close();
