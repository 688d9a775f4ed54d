// The one set of display formatters: durations, money, token counts, times and short texts.
// Pure and locale-independent, so the tree view, the status bar, tooltips and the webviews show
// the same value the same way and tests can pin it.

const DASH = '—';

function isNum(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** 1234567 → "1,234,567". */
export function formatInteger(value: number | null | undefined): string {
  if (!isNum(value)) return DASH;
  const rounded = Math.round(value);
  const sign = rounded < 0 ? '-' : '';
  return sign + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A duration in milliseconds, three significant figures: 850µs, 12.3ms, 1.24s, 2m 03s, 1h 05m. */
export function formatDuration(ms: number | null | undefined): string {
  if (!isNum(ms)) return DASH;
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0ms';
  if (ms < 1) return `${Math.max(1, Math.round(ms * 1000))}µs`;
  if (ms < 1000) {
    const text = ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
    // 999.6 rounds to "1000": say 1s instead
    return text === '1000' ? '1s' : `${trimZeros(text)}ms`;
  }
  const s = ms / 1000;
  if (s < 60) {
    const text = s < 10 ? s.toFixed(2) : s.toFixed(1);
    return text === '60.0' ? '1m 00s' : `${trimZeros(text)}s`;
  }
  const totalSeconds = Math.round(s);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    return `${m}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  const h = Math.floor(totalMinutes / 60);
  return `${h}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** US dollars: $12.35, $0.042, $0.00123; `~` in front when the cost is estimated. */
export function formatUsd(usd: number | null | undefined, estimated = false): string {
  if (!isNum(usd)) return DASH;
  const mark = estimated ? '~' : '';
  const sign = usd < 0 ? '-' : '';
  const abs = Math.abs(usd);
  let body: string;
  if (abs === 0) body = '0.00';
  else if (abs < 0.000_01) body = '0.00001';
  else if (abs < 0.01) body = trimZeros(abs.toPrecision(3));
  else if (abs < 1) body = trimZeros(abs.toFixed(3)).padEnd(4, '0');
  else {
    const [whole, cents] = abs.toFixed(2).split('.');
    body = `${formatInteger(Number(whole))}.${cents}`;
  }
  const lessThan = abs > 0 && abs < 0.000_01 ? '<' : '';
  return `${mark}${lessThan}${sign}$${body}`;
}

/** Token counts, compact: 950, 12.3k, 1.25M. */
export function formatTokens(count: number | null | undefined): string {
  if (!isNum(count)) return DASH;
  const n = Math.round(count);
  const abs = Math.abs(n);
  if (abs < 1000) return String(n);
  if (abs < 999_950) return `${trimZeros((n / 1000).toFixed(abs < 10_000 ? 2 : 1))}k`;
  if (abs < 999_950_000) return `${trimZeros((n / 1e6).toFixed(abs < 10_000_000 ? 2 : 1))}M`;
  return `${trimZeros((n / 1e9).toFixed(2))}B`;
}

/** A size in bytes, binary units: 512 B, 1.5 KB, 2.25 GB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isNum(bytes)) return DASH;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Math.max(0, bytes);
  let u = 0;
  // 1023.97 KB shows as 1 MB, not "1024 KB".
  while (u < units.length - 1 && v >= (u === 0 ? 1024 : 1023.95)) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${trimZeros(v.toFixed(v < 10 ? 2 : 1))} ${units[u]}`;
}

/** A fraction as a percentage: 0.1234 → "12.3%". */
export function formatPercent(fraction: number | null | undefined): string {
  if (!isNum(fraction)) return DASH;
  const pct = fraction * 100;
  return `${trimZeros(pct.toFixed(Math.abs(pct) < 10 ? 1 : 0))}%`;
}

/**
 * Local wall-clock time, 24 h, "14:03:07.125"; `'s'` leaves the milliseconds out ("14:03:07")
 * where a row has no room for them.
 */
export function formatClock(epochMs: number | null | undefined, precision: 'ms' | 's' = 'ms'): string {
  if (!isNum(epochMs)) return DASH;
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  const seconds = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return precision === 's' ? seconds : `${seconds}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** "3 min ago"; `nowMs` is passed in so tests are exact. */
export function formatAgo(thenMs: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ago`;
  return `${Math.floor(h / 24)}d ago`;
}

/** "1 call", "3 calls". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatInteger(n)} ${n === 1 ? one : many}`;
}

/** At most `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Captured text (span names, model names, session ids) is untrusted: escape everything that
 * Markdown or VS Code's `$(icon)` syntax would interpret before it goes into a tooltip.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Local date and time, "2026-11-22 14:03:07", for an epoch-ms instant. */
export function formatDateTime(epochMs: number | null | undefined): string {
  if (!isNum(epochMs)) return DASH;
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * Pretty JSON for display. Strings that hold JSON (tool-call arguments often arrive that way)
 * are parsed and pretty-printed; other strings are returned unchanged.
 */
export function formatJson(value: unknown): string {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
      try {
        return JSON.stringify(JSON.parse(trimmed), null, 2);
      } catch {
        return value;
      }
    }
    return value;
  }
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value); // cyclic or BigInt: show something rather than nothing
  }
}

/** An attribute value on one line: strings as they are, everything else as compact JSON. */
export function formatAttributeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
