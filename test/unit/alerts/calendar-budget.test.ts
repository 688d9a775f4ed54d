// Budget periods in real time zones (daylight-saving days are 23 and 25 hours long) against a
// brute-force walk of the wall clock, and the projection against its definition.
import { describe, expect, it } from 'vitest';
import { periodBounds } from '../../../src/core/alerts/calendar';
import { projectBudget } from '../../../src/core/alerts/budget';

/** The wall-clock date of an instant in a zone, the slow and obvious way. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function wallDate(ms: number, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  if (!f) dateFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(new Date(ms));
}

/** The first quarter hour whose wall date is the instant's, walking back (every zone's offset is a whole number of quarter hours). */
function bruteStartOfDay(ms: number, timeZone: string): number {
  const q = 15 * 60_000;
  const day = wallDate(ms, timeZone);
  let t = Math.floor(ms / q) * q;
  while (wallDate(t - q, timeZone) === day) t -= q;
  return t;
}

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago', 'Pacific/Chatham'];

describe('periodBounds', () => {
  it('starts and ends each day at local midnight in every zone, on ordinary and daylight-saving days', () => {
    const instants = [
      Date.UTC(2026, 2, 29, 12), // Europe springs forward
      Date.UTC(2026, 9, 25, 12), // Europe falls back
      Date.UTC(2026, 2, 8, 15), // US springs forward
      Date.UTC(2026, 10, 1, 15), // US falls back
      Date.UTC(2026, 8, 6, 6), // Santiago: clocks jump at midnight
      Date.UTC(2026, 3, 5, 3),
      Date.UTC(2026, 6, 15, 23, 59),
    ];
    for (const zone of ZONES) {
      for (const t of instants) {
        const { start, end } = periodBounds(t, 'day', zone);
        expect(start, `${zone} ${new Date(t).toISOString()}`).toBe(bruteStartOfDay(t, zone));
        expect(end).toBe(bruteStartOfDay(end, zone));
        expect(wallDate(end - 60_000, zone)).toBe(wallDate(t, zone));
        expect(start <= t && t < end).toBe(true);
        const hours = (end - start) / 3_600_000;
        expect([23, 23.5, 24, 24.5, 25]).toContain(hours);
      }
    }
  });

  it('has 23- and 25-hour days where the clocks change', () => {
    const spring = periodBounds(Date.UTC(2026, 2, 29, 12), 'day', 'Europe/Berlin');
    const autumn = periodBounds(Date.UTC(2026, 9, 25, 12), 'day', 'Europe/Berlin');
    expect((spring.end - spring.start) / 3_600_000).toBe(23);
    expect((autumn.end - autumn.start) / 3_600_000).toBe(25);
  });

  it('months start on the first at local midnight', () => {
    for (const zone of ZONES) {
      const t = Date.UTC(2026, 10, 15, 12);
      const { start, end } = periodBounds(t, 'month', zone);
      expect(wallDate(start, zone).endsWith('-11-01')).toBe(true);
      expect(start).toBe(bruteStartOfDay(start, zone));
      expect(wallDate(end, zone).endsWith('-12-01')).toBe(true);
      expect(end).toBe(bruteStartOfDay(end, zone));
    }
  });
});

describe('projectBudget', () => {
  const hour = 3_600_000;
  it('projects the recent rate over what is left of the period', () => {
    const p = projectBudget({ budgetUsd: 25, spentUsd: 12, recentUsd: 2, rateWindowMs: hour, now: 0, periodEnd: 10 * hour });
    expect(p.projectedUsd).toBeCloseTo(32);
    expect(p.status).toBe('projected');
    expect(p.crossesAt).toBeCloseTo(6.5 * hour);
    expect(p.ratePerHour).toBeCloseTo(2);
  });
  it('is ok below the budget, crossed at or above it, and never projects below what was spent', () => {
    expect(projectBudget({ budgetUsd: 25, spentUsd: 1, recentUsd: 0.1, rateWindowMs: hour, now: 0, periodEnd: 10 * hour }).status).toBe('ok');
    const crossed = projectBudget({ budgetUsd: 25, spentUsd: 25, recentUsd: 0, rateWindowMs: hour, now: 0, periodEnd: hour });
    expect(crossed.status).toBe('crossed');
    expect(crossed.projectedUsd).toBe(25);
    expect(crossed.crossesAt).toBeNull();
    expect(projectBudget({ budgetUsd: 5, spentUsd: 3, recentUsd: -1, rateWindowMs: hour, now: 0, periodEnd: hour }).projectedUsd).toBe(3);
  });
  it('agrees with the brute-force sum over random inputs', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 500; i++) {
      const budgetUsd = rnd() * 50;
      const spentUsd = rnd() * 50;
      const recentUsd = rnd() * 5;
      const left = Math.floor(rnd() * 24);
      const p = projectBudget({ budgetUsd, spentUsd, recentUsd, rateWindowMs: hour, now: 0, periodEnd: left * hour });
      let sum = spentUsd;
      for (let h = 0; h < left; h++) sum += recentUsd; // an hour at the recent rate, hour by hour
      expect(p.projectedUsd).toBeCloseTo(sum, 9);
      expect(p.status).toBe(spentUsd >= budgetUsd ? 'crossed' : sum >= budgetUsd ? 'projected' : 'ok');
    }
  });
});
