// Budget periods in the developer's time zone: today and this month start at local midnight, and a
// day is 23 or 25 hours long when the clocks change. Computed with Intl, so any IANA zone can
// be asked for (tests walk daylight-saving days in several) without touching the process's TZ.

export type Period = 'day' | 'month';

interface WallClock {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function wallClock(ms: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The first instant whose wall clock reads the given date. Each offset the zone has around that
 * date gives a candidate; the earliest that falls on the date wins. Where midnight does not exist
 * (a zone that springs forward at 00:00) that is the day's first instant, 01:00.
 */
function startOfWallDate(year: number, month: number, day: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day);
  let best = Number.POSITIVE_INFINITY;
  for (const probe of [guess - 86_400_000, guess, guess + 86_400_000]) {
    const c = guess - offsetAt(probe, timeZone);
    const w = wallClock(c, timeZone);
    if (w.year === year && w.month === month && w.day === day && c < best) best = c;
  }
  return Number.isFinite(best) ? best : guess - offsetAt(guess, timeZone);
}

/** [start, end) of the day or month containing `now`, in epoch ms. */
/** The last bounds found per (period, zone): evaluations every second ask for the same day and month. */
const lastBounds = new Map<string, { start: number; end: number }>();

export function periodBounds(now: number, period: Period, timeZone = localTimeZone()): { start: number; end: number } {
  const key = `${period}\u0000${timeZone}`;
  const last = lastBounds.get(key);
  if (last && now >= last.start && now < last.end) return { ...last };
  const b = computeBounds(now, period, timeZone);
  if (lastBounds.size > 16) lastBounds.clear();
  lastBounds.set(key, b);
  return { ...b };
}

function computeBounds(now: number, period: Period, timeZone: string): { start: number; end: number } {
  const w = wallClock(now, timeZone);
  if (period === 'day') {
    const next = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
    return {
      start: startOfWallDate(w.year, w.month, w.day, timeZone),
      end: startOfWallDate(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
    };
  }
  const next = new Date(Date.UTC(w.year, w.month, 1));
  return {
    start: startOfWallDate(w.year, w.month, 1, timeZone),
    end: startOfWallDate(next.getUTCFullYear(), next.getUTCMonth() + 1, 1, timeZone),
  };
}
