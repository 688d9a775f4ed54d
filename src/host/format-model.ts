// Short, stable renderings of numbers for the status bar, tree descriptions and tooltips.
// Pure: no vscode, no Node.

/** Costs of LLM calls are often fractions of a cent, so small values keep more digits. */
export function formatCost(usd: number | null | undefined, estimated = false): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '–';
  const prefix = estimated ? '~$' : '$';
  if (usd === 0) return `${prefix}0`;
  const abs = Math.abs(usd);
  if (abs >= 100) return `${prefix}${usd.toFixed(0)}`;
  if (abs >= 1) return `${prefix}${usd.toFixed(2)}`;
  if (abs >= 0.01) return `${prefix}${usd.toFixed(3)}`;
  if (abs >= 0.0001) return `${prefix}${usd.toFixed(4)}`;
  return `<${prefix}0.0001`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (n < 1000) return String(n);
  const trim = (s: string) => s.replace(/\.0$/, '');
  if (n < 1_000_000) return `${trim((n / 1000).toFixed(n < 10_000 ? 1 : 0))}k`;
  return `${trim((n / 1_000_000).toFixed(1))}M`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 min ago", for quick pick details; `now` injected so tests are exact. */
export function formatAgo(thenMs: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** Local wall-clock time, HH:MM:SS (24 h), independent of the host's locale settings. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const pad = (v: number) => String(v).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * Captured text (span names, model names, session ids) is untrusted: escape everything that
 * Markdown or VS Code's `$(icon)` syntax would interpret before putting it into a tooltip.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
