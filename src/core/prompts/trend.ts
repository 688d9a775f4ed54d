// A version's trend marker against the version before it: which figures got better or worse by
// a proper test (core/stats/compare.ts), summed up in a word the Prompts view can show.

export interface MetricVerdict {
  label: string;
  verdict: 'better' | 'worse' | 'higher' | 'lower' | 'undecided';
}

export interface Trend {
  kind: 'better' | 'worse' | 'mixed' | 'undecided';
  better: string[];
  worse: string[];
}

export function trendOf(metrics: readonly MetricVerdict[]): Trend {
  const better = metrics.filter((m) => m.verdict === 'better').map((m) => m.label);
  const worse = metrics.filter((m) => m.verdict === 'worse').map((m) => m.label);
  const kind = better.length && worse.length ? 'mixed' : better.length ? 'better' : worse.length ? 'worse' : 'undecided';
  return { kind, better, worse };
}

/** "better: latency, cost per call", "worse: error rate", "mixed: …", "no clear difference yet". */
export function trendText(t: Trend, against: string): string {
  const lower = (xs: string[]) => xs.map((x) => x.toLowerCase()).join(', ');
  switch (t.kind) {
    case 'better':
      return `better than ${against}: ${lower(t.better)}`;
    case 'worse':
      return `worse than ${against}: ${lower(t.worse)}`;
    case 'mixed':
      return `against ${against}: better ${lower(t.better)}; worse ${lower(t.worse)}`;
    default:
      return `no clear difference from ${against} yet`;
  }
}
