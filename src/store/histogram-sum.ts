// Summing many stored histograms fast. Window statistics add up thousands of rollup
// histograms; doing that with JSON.parse into objects keyed by bucket and mergeHistogram cost
// more than reading the rows. Buckets are small non-negative integers, so the sum lives in a
// dense array, and the stored text (always what JSON.stringify writes for a SparseHistogram)
// is scanned in place. The result is the same SparseHistogram a chain of mergeHistogram calls
// gives when every count added is positive, which stored rows and single calls always are.

import { mergeHistogram, type SparseHistogram } from '../core/histogram';

/** Buckets beyond this (values above ~10^8 years) go to the generic sparse path. */
const DENSE_LIMIT = 1 << 16;

export class HistogramSum {
  private dense = new Float64Array(2048);
  private extra: SparseHistogram | null = null;

  add(bucket: number, count: number): void {
    if (bucket >= 0 && bucket < DENSE_LIMIT && Number.isInteger(bucket)) {
      if (bucket >= this.dense.length) {
        const grown = new Float64Array(Math.min(DENSE_LIMIT, Math.max(bucket + 1, this.dense.length * 2)));
        grown.set(this.dense);
        this.dense = grown;
      }
      this.dense[bucket] += count;
    } else {
      this.extra ??= {};
      mergeHistogram(this.extra, { [bucket]: count });
    }
  }

  addSparse(h: SparseHistogram): void {
    for (const key in h) this.add(Number(key), h[key]!);
  }

  /** Adds a histogram stored as JSON text. */
  addStored(text: string): void {
    const pairs = storedHistogramPairs(text);
    for (let k = 0; k < pairs.length; k += 2) this.add(pairs[k]!, pairs[k + 1]!);
  }

  toSparse(): SparseHistogram {
    const out: SparseHistogram = {};
    const d = this.dense;
    for (let i = 0; i < d.length; i++) if (d[i]! > 0) out[i] = d[i]!;
    if (this.extra) for (const key in this.extra) out[key as unknown as number] = this.extra[key as unknown as number]!;
    return out;
  }
}

const QUOTE = 34;
const COLON = 58;
const COMMA = 44;
const OPEN = 123;
const CLOSE = 125;
const ZERO = 48;
const NINE = 57;

/**
 * A stored histogram as `[bucket, count, bucket, count, …]`: `{"12":3,"40":1}` (digits only, no
 * spaces, what the writer stores) is read by hand; any other text goes through JSON.parse.
 */
export function storedHistogramPairs(text: string): number[] {
  return scanStored(text) ?? sparsePairs(JSON.parse(text) as SparseHistogram);
}

function sparsePairs(h: SparseHistogram): number[] {
  const out: number[] = [];
  for (const key in h) out.push(Number(key), h[key as unknown as number]!);
  return out;
}

/** The pairs of a text in the writer's shape, or null for any other shape. */
function scanStored(text: string): number[] | null {
  const n = text.length;
  if (n < 2 || text.charCodeAt(0) !== OPEN || text.charCodeAt(n - 1) !== CLOSE) return null;
  const pairs: number[] = [];
  if (n === 2) return pairs;
  let i = 1;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return null;
    i++;
    let bucket = 0;
    const b0 = i;
    for (let c = text.charCodeAt(i); c >= ZERO && c <= NINE; c = text.charCodeAt(++i)) bucket = bucket * 10 + (c - ZERO);
    if (i === b0 || i - b0 > 6 || text.charCodeAt(i) !== QUOTE || text.charCodeAt(i + 1) !== COLON) return null;
    i += 2;
    let count = 0;
    const c0 = i;
    for (let c = text.charCodeAt(i); c >= ZERO && c <= NINE; c = text.charCodeAt(++i)) count = count * 10 + (c - ZERO);
    if (i === c0 || i - c0 > 15) return null;
    pairs.push(bucket, count);
    const sep = text.charCodeAt(i);
    if (sep === CLOSE && i === n - 1) return pairs;
    if (sep !== COMMA) return null;
    i++;
  }
}

/** Adds one stored histogram text to several sums (parsed once). */
export function addStoredTo(text: string, sums: HistogramSum[]): void {
  const pairs = storedHistogramPairs(text);
  for (const s of sums) for (let k = 0; k < pairs.length; k += 2) s.add(pairs[k]!, pairs[k + 1]!);
}
