import { describe, expect, it } from 'vitest';
import { escapeMarkdown, formatAgo, formatClock, formatDuration, formatTokens, formatUsd, plural, truncate } from '../../../src/core/format';
import { statusView } from '../../../src/host/status/status-model';

// The tree, the status bar and the webviews share these (src/core/format.ts): one value, one text.
describe('formatting shared by the host and the webviews', () => {
  it('prints costs, durations, tokens and ages the same way everywhere', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(0.0421)).toBe('$0.042');
    expect(formatUsd(3.14159)).toBe('$3.14');
    expect(formatUsd(0.5, true)).toBe('~$0.50');
    expect(formatUsd(null)).toBe('—');
    expect(formatDuration(231.6)).toBe('232ms');
    expect(formatDuration(1234)).toBe('1.23s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatTokens(1234)).toBe('1.23k');
    expect(formatTokens(2_500_000)).toBe('2.5M');
    expect(formatAgo(0, 2_000)).toBe('just now');
    expect(formatAgo(0, 30_000)).toBe('30s ago');
    expect(formatAgo(0, 90_000)).toBe('1 min ago');
    expect(formatAgo(0, 3 * 3600_000)).toBe('3h ago');
    expect(formatAgo(0, 50 * 3600_000)).toBe('2d ago');
    expect(plural(1, 'call')).toBe('1 call');
    expect(plural(1234, 'call')).toBe('1,234 calls');
    expect(truncate('abcdef', 4)).toBe('abc…');
    const t = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
    expect(formatClock(t)).toBe('03:04:05.006');
    expect(formatClock(t, 's')).toBe('03:04:05');
  });

  it('escapes Markdown, links and codicon syntax', () => {
    expect(escapeMarkdown('a_b [x](y) $(bug)\nz')).toBe('a\\_b \\[x\\]\\(y\\) \\$\\(bug\\) z');
  });
});

describe('status bar view', () => {
  const summary = { calls: 12, costUsd: 0.0421, errors: 0, guardrailHits: 0 };

  it('shows the port, calls and cost when this window owns the collector', () => {
    const v = statusView({ kind: 'owner', httpPort: 4318, grpcPort: 4317, dbPath: '/data/spyglass.db', pid: 4242 }, summary);
    expect(v.text).toBe('$(telescope) :4318 · 12 calls · $0.042');
    expect(v.accessibilityLabel).toBe('Spyglass: listening on port 4318, 12 calls today, $0.042 spent');
    expect(v.tooltip).toContain('This window runs the collector (pid 4242).');
    expect(v.tooltip).toContain('OTLP/gRPC on `127.0.0.1:4317`');
    expect(v.background).toBe('none');
  });

  it('says "shared" and who owns it when reading from another window', () => {
    const v = statusView({ kind: 'reader', httpPort: 4318, grpcPort: null, dbPath: '/d/s.db', ownerPid: 99 }, { ...summary, calls: 1 });
    expect(v.text).toBe('$(telescope) :4318 (shared) · 1 call · $0.042');
    expect(v.tooltip).toContain('another window (pid 99)');
    expect(v.tooltip).toContain('gRPC off');
  });

  it('adds error and guardrail markers only when there are some', () => {
    const v = statusView({ kind: 'owner', httpPort: 4318, grpcPort: null, dbPath: 'x', pid: 1 }, { calls: 3, costUsd: 0, errors: 2, guardrailHits: 5 });
    expect(v.text).toBe('$(telescope) :4318 · 3 calls · $0.00 $(error) 2 $(shield) 5');
    expect(v.accessibilityLabel).toContain('2 errors, 5 guardrail hits');
  });

  it('without a summary yet, shows the port alone', () => {
    expect(statusView({ kind: 'owner', httpPort: 5000, grpcPort: null, dbPath: 'x', pid: 1 }, null).text).toBe('$(telescope) :5000');
  });

  it('warns about a port conflict and errors on failure, with actions in the tooltip', () => {
    const c = statusView({ kind: 'port-conflict', port: 4318, setting: 'httpPort', detail: 'port 4318 is used by nginx' }, null);
    expect(c.text).toBe('$(warning) Spyglass: port 4318 in use');
    expect(c.background).toBe('warning');
    expect(c.tooltip).toContain('command:spyglass.choosePort');
    const f = statusView({ kind: 'failed', message: 'database is locked' }, null);
    expect(f.background).toBe('error');
    expect(f.accessibilityLabel).toBe('Spyglass: capture failed: database is locked');
    expect(statusView({ kind: 'stopped' }, null).text).toBe('$(telescope) Spyglass: off');
    expect(statusView({ kind: 'starting' }, null).text).toBe('$(loading~spin) Spyglass');
    const upgrading = statusView({ kind: 'starting', upgrade: { fromSchema: 15, toSchema: 17, bytes: 2.25 * 1024 ** 3 } }, null);
    expect(upgrading.text).toBe('$(loading~spin) Spyglass: upgrading store');
    expect(upgrading.tooltip).toContain('upgrading the trace store (2.25 GB) for this version');
    expect(upgrading.tooltip).toContain('(schema 15 → 17)');
    expect(upgrading.tooltip).toContain('command:spyglass.showLog');
  });

  it('escapes the database path in the trusted tooltip', () => {
    const v = statusView({ kind: 'owner', httpPort: 1, grpcPort: null, dbPath: '/tmp/[x](command:workbench.action.quit)', pid: 1 }, null);
    expect(v.tooltip).not.toContain('[x](command:workbench');
  });
});
