import { describe, expect, it } from 'vitest';
import {
  formatAttributeValue,
  formatClock,
  formatDateTime,
  formatDuration,
  formatInteger,
  formatJson,
  formatPercent,
  formatTokens,
  formatBytes,
  formatUsd,
} from '../../src/core/format';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [0.0004, '1µs'],
    [0.85, '850µs'],
    [1, '1ms'],
    [1.234, '1.23ms'],
    [12.34, '12.3ms'],
    [123.4, '123ms'],
    [999.4, '999ms'],
    [999.7, '1s'],
    [1000, '1s'],
    [1234, '1.23s'],
    [12_340, '12.3s'],
    [59_990, '1m 00s'],
    [123_000, '2m 03s'],
    [3_900_000, '1h 05m'],
    [-12.34, '-12.3ms'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows a dash for missing or non-finite values', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(Infinity)).toBe('—');
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [0.000_001, '<$0.00001'],
    [0.001_234_5, '$0.00123'],
    [0.0042, '$0.0042'],
    [0.042, '$0.042'],
    [0.5, '$0.50'],
    [0.1234, '$0.123'],
    [1.005, '$1.00'],
    [12.345, '$12.35'],
    [1234.5, '$1,234.50'],
    [-2.5, '-$2.50'],
  ])('%s → %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });

  it('marks estimated costs', () => {
    expect(formatUsd(0.042, true)).toBe('~$0.042');
    expect(formatUsd(null, true)).toBe('—');
  });
});

describe('formatTokens', () => {
  it.each([
    [0, '0'],
    [950, '950'],
    [1000, '1k'],
    [1234, '1.23k'],
    [12_345, '12.3k'],
    [999_949, '999.9k'],
    [999_999, '1M'],
    [1_250_000, '1.25M'],
    [45_600_000, '45.6M'],
    [2_000_000_000, '2B'],
  ])('%s → %s', (n, text) => {
    expect(formatTokens(n)).toBe(text);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [1024 * 1023.97, '1 MB'],
    [2.25 * 1024 ** 3, '2.25 GB'],
    [123.4 * 1024 ** 2, '123.4 MB'],
  ])('%s → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('shows a dash for nothing', () => {
    expect(formatBytes(null)).toBe('—');
  });
});

describe('other formats', () => {
  it('groups integers', () => {
    expect(formatInteger(1_234_567)).toBe('1,234,567');
    expect(formatInteger(-1000)).toBe('-1,000');
    expect(formatInteger(999)).toBe('999');
  });

  it('formats percentages', () => {
    expect(formatPercent(0.1234)).toBe('12%');
    expect(formatPercent(0.0123)).toBe('1.2%');
    expect(formatPercent(1)).toBe('100%');
  });

  it('formats local clock and date-time from epoch ms', () => {
    const t = new Date(2026, 10, 22, 9, 3, 7, 45).getTime();
    expect(formatClock(t)).toBe('09:03:07.045');
    expect(formatDateTime(t)).toBe('2026-11-22 09:03:07');
  });

  it('pretty-prints JSON, including JSON held in a string', () => {
    expect(formatJson('{"city":"Paris","days":[1,2]}')).toBe('{\n  "city": "Paris",\n  "days": [\n    1,\n    2\n  ]\n}');
    expect(formatJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(formatJson('{not json}')).toBe('{not json}');
    expect(formatJson('plain text')).toBe('plain text');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatJson(cyclic)).toBe('[object Object]');
  });

  it('formats attribute values on one line', () => {
    expect(formatAttributeValue('x')).toBe('x');
    expect(formatAttributeValue(3)).toBe('3');
    expect(formatAttributeValue(['a', 1])).toBe('["a",1]');
    expect(formatAttributeValue(null)).toBe('null');
  });
});
