// The dashboard's bucket edges computed the plain way, for brute-force tests of the series: every
// multiple of the width inside [from, to) (whole weeks counted from Monday 1970-01-05), and the two ends.
export function gridEdges(from: number, to: number, width: number): number[] {
  if (!(to > from)) return [];
  const origin = width % (7 * 86_400_000) === 0 ? 4 * 86_400_000 : 0;
  const edges = [from];
  for (let e = origin + width * (Math.floor((from - origin) / width) + 1); e < to; e += width) edges.push(e);
  return [...edges, to];
}
