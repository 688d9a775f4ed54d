// Time buckets on the calendar grid, as Grafana and Datadog draw them: a bucket of width w covers
// [k·w, (k+1)·w) since the epoch (weeks from a Monday), whatever the range asked for, and only the
// first and last buckets are clipped to [from, to). Edges then fall on whole minutes, ten minutes,
// hours and days, so a series reads whole rollup rows everywhere but at the range's two ends.
// Grid times are UTC: a day bucket starts at midnight UTC (the API has no time zone).

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Bucket widths a range is cut into, finest first. */
export const NICE_BUCKET_MS: readonly number[] = [
  SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, WEEK,
];

/** How many buckets the dashboard's charts aim for, at most, over a range. */
export const DASHBOARD_BUCKETS = 30;

/**
 * The finest nice width that cuts `spanMs` into at most `target` buckets; past a week, whole
 * weeks. Counted on the grid, so the clipped buckets at both ends are included.
 */
export function niceBucketMs(spanMs: number, target: number): number {
  const span = Math.max(0, Number.isFinite(spanMs) ? spanMs : 0);
  const max = Math.max(1, Math.floor(target));
  // Off the grid, a range touches up to one bucket more than span / width.
  for (const w of NICE_BUCKET_MS) if (Math.ceil(span / w) + 1 <= max) return w;
  return Math.ceil(span / Math.max(1, max - 1) / WEEK) * WEEK;
}

/** Where a width's grid starts: the epoch, or for whole weeks the first Monday after it (1970-01-05). */
export function gridOrigin(bucketMs: number): number {
  return bucketMs % WEEK === 0 ? 4 * DAY : 0;
}

/** The buckets of [from, to) at `bucketMs` on its grid. */
export class BucketGrid {
  /** The grid index of the first bucket. */
  private readonly first: number;
  private readonly origin: number;
  readonly count: number;

  constructor(
    readonly from: number,
    readonly to: number,
    readonly bucketMs: number,
  ) {
    if (!(bucketMs > 0) || !Number.isFinite(bucketMs)) throw new RangeError('bucketMs must be a positive number');
    this.origin = gridOrigin(bucketMs);
    this.first = Math.floor((from - this.origin) / bucketMs);
    this.count = to > from ? Math.ceil((to - this.origin) / bucketMs) - this.first : 0;
  }

  /** Where bucket `k` starts: on the grid, the first at `from`. */
  start(k: number): number {
    return k <= 0 ? this.from : this.origin + (this.first + k) * this.bucketMs;
  }

  /** Where bucket `k` ends (exclusive): on the grid, the last at `to`. */
  end(k: number): number {
    return k >= this.count - 1 ? this.to : this.origin + (this.first + k + 1) * this.bucketMs;
  }

  /** The bucket a time falls in, or -1 outside [from, to). */
  indexOf(ms: number): number {
    if (!(ms >= this.from && ms < this.to)) return -1;
    return Math.min(this.count - 1, Math.max(0, Math.floor((ms - this.origin) / this.bucketMs) - this.first));
  }

  /** Every bucket's start. */
  starts(): number[] {
    return Array.from({ length: this.count }, (_, k) => this.start(k));
  }
}
