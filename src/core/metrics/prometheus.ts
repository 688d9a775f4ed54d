// Counters and histograms rendered in the Prometheus text exposition format (version 0.0.4):
// just what /metrics needs, no client library. Pure: no I/O.

/** The Content-Type of render()'s output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value escaped for the exposition format: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text escaped for the exposition format: backslash and newline. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** A sample value as Prometheus writes it (`+Inf`, `-Inf`, `NaN`, shortest round-trip decimal otherwise). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs = names.map((n, i) => `${n}="${escapeLabelValue(values[i]!)}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

function header(name: string, help: string, type: 'counter' | 'histogram'): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function checkNames(name: string, labelNames: readonly string[]): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
  for (const l of labelNames) {
    if (!LABEL_NAME.test(l) || l.startsWith('__') || l === 'le') throw new Error(`invalid label name ${l} for ${name}`);
  }
}

// Label values can hold any character (model names are captured text): key series by their JSON.
// A frozen list cannot change, so its key is kept (callers observing often reuse frozen lists).
const frozenKeys = new WeakMap<readonly string[], string>();
function seriesKey(values: readonly string[]): string {
  if (!Object.isFrozen(values)) return JSON.stringify(values);
  let key = frozenKeys.get(values);
  if (key === undefined) frozenKeys.set(values, (key = JSON.stringify(values)));
  return key;
}

/** A monotonically increasing counter with a fixed list of label names. */
export class Counter {
  private readonly series = new Map<string, { values: string[]; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    checkNames(name, labelNames);
  }

  /** Adds `amount` (ignored unless a finite number ≥ 0) to the series for `labelValues`. */
  inc(labelValues: readonly string[], amount = 1): void {
    if (!Number.isFinite(amount) || amount < 0) return;
    const key = seriesKey(labelValues);
    const s = this.series.get(key);
    if (s) s.value += amount;
    else this.series.set(key, { values: [...labelValues], value: amount });
  }

  get(labelValues: readonly string[]): number | undefined {
    return this.series.get(seriesKey(labelValues))?.value;
  }

  render(): string {
    let out = header(this.name, this.help, 'counter');
    for (const s of this.series.values()) out += `${this.name}${labelText(this.labelNames, s.values)} ${formatValue(s.value)}\n`;
    return out;
  }
}

/** A histogram with fixed upper bounds (`le`), cumulative on render, with `_sum` and `_count`. */
export class Histogram {
  private readonly series = new Map<string, { values: string[]; counts: number[]; sum: number; count: number }>();
  readonly buckets: readonly number[];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    buckets: readonly number[],
  ) {
    checkNames(name, labelNames);
    const sorted = [...buckets].filter((b) => Number.isFinite(b)).sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((b, i) => i > 0 && b === sorted[i - 1])) {
      throw new Error(`histogram ${name} needs distinct finite bucket bounds`);
    }
    this.buckets = sorted;
  }

  /** Records one observation (ignored unless a finite number). */
  observe(labelValues: readonly string[], value: number): void {
    if (!Number.isFinite(value)) return;
    const key = seriesKey(labelValues);
    let s = this.series.get(key);
    if (!s) {
      s = { values: [...labelValues], counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    // Per-bucket (non-cumulative) counts; a value above every bound only lands in +Inf (count).
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    let out = header(this.name, this.help, 'histogram');
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i]!;
        out += `${this.name}_bucket${labelText(this.labelNames, s.values, ['le', formatValue(bound)])} ${cumulative}\n`;
      });
      out += `${this.name}_bucket${labelText(this.labelNames, s.values, ['le', '+Inf'])} ${s.count}\n`;
      const labels = labelText(this.labelNames, s.values);
      out += `${this.name}_sum${labels} ${formatValue(s.sum)}\n`;
      out += `${this.name}_count${labels} ${s.count}\n`;
    }
    return out;
  }
}
