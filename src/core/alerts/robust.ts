// Median and median absolute deviation: a baseline that ignores its own outliers (one slow hour
// in seven days moves a mean and a standard deviation; it does not move these).

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** MAD scaled to estimate the standard deviation of normal data (× 1.4826). */
export function scaledMad(values: readonly number[], center: number): number {
  const m = median(values.map((v) => Math.abs(v - center)));
  return m === null ? 0 : 1.4826 * m;
}
