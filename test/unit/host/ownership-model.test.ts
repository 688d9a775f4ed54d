import { describe, expect, it } from 'vitest';
import type { HealthDto } from '../../../src/protocol/api';
import {
  apiPortOf,
  backoffDelayMs,
  decideOnProbe,
  decideOnStartOutcome,
  isSpyglassHealth,
  shouldRestartAfterCrash,
  takeoverDelayMs,
} from '../../../src/host/connection/ownership-model';

const health: HealthDto = { ok: true, app: 'spyglass', version: '0.1.0', pid: 7, httpPort: 4318, grpcPort: 4317, dbPath: '/x.db', startedAt: 1 };
const ports = { httpPort: 4318, grpcPort: 4317 };

describe('who runs the collector', () => {
  it('recognises a Spyglass collector only by its health answer', () => {
    expect(isSpyglassHealth(health)).toBe(true);
    expect(isSpyglassHealth({ ...health, app: 'jaeger' })).toBe(false);
    expect(isSpyglassHealth({ ok: true, app: 'spyglass' })).toBe(false);
    expect(isSpyglassHealth('spyglass')).toBe(false);
    expect(isSpyglassHealth(null)).toBe(false);
  });

  it('reads from a running collector, starts one on a free port, and never fights another program', () => {
    expect(decideOnProbe({ kind: 'spyglass', health })).toEqual({ action: 'read', health });
    expect(decideOnProbe({ kind: 'none' })).toEqual({ action: 'spawn' });
    expect(decideOnProbe({ kind: 'other', detail: 'nginx' })).toEqual({ action: 'conflict', detail: 'nginx' });
  });

  it('after losing the race for the port, probes again a few times before calling it a conflict', () => {
    const lost = { kind: 'start-failed', code: 'EADDRINUSE', port: 4318, message: 'in use' } as const;
    expect(decideOnStartOutcome(lost, 0, ports)).toEqual({ action: 'recheck', delayMs: 150 });
    expect(decideOnStartOutcome(lost, 2, ports)).toEqual({ action: 'recheck', delayMs: 450 });
    expect(decideOnStartOutcome(lost, 3, ports)).toEqual({ action: 'conflict', port: 4318, setting: 'httpPort' });
    expect(decideOnStartOutcome({ ...lost, port: 4317 }, 3, ports)).toEqual({ action: 'conflict', port: 4317, setting: 'grpcPort' });
  });

  it('owns after listening and fails with a readable message otherwise', () => {
    expect(decideOnStartOutcome({ kind: 'listening', httpPort: 1, grpcPort: null, dbPath: 'x' }, 0, ports)).toEqual({ action: 'own' });
    // a database error may be another window creating the tables at the same moment: look again twice
    expect(decideOnStartOutcome({ kind: 'start-failed', code: 'DB', port: null, message: 'SQLITE_BUSY' }, 0, ports)).toEqual({ action: 'recheck', delayMs: 300 });
    expect(decideOnStartOutcome({ kind: 'start-failed', code: 'DB', port: null, message: 'SQLITE_BUSY' }, 1, ports)).toEqual({ action: 'recheck', delayMs: 600 });
    expect(decideOnStartOutcome({ kind: 'start-failed', code: 'DB', port: null, message: 'SQLITE_CANTOPEN' }, 2, ports)).toEqual({
      action: 'fail',
      message: 'The trace database could not be opened: SQLITE_CANTOPEN',
    });
    expect(decideOnStartOutcome({ kind: 'start-failed', code: 'EACCES', port: 80, message: 'denied' }, 0, ports)).toEqual({
      action: 'fail',
      message: 'Permission denied to listen on port 80: denied',
    });
    expect(decideOnStartOutcome({ kind: 'exited', exitCode: 1, signal: null, stderrTail: 'Error: boom\n' }, 0, ports)).toEqual({
      action: 'fail',
      message: 'The collector process ended before listening (exit code 1): Error: boom',
    });
    expect(decideOnStartOutcome({ kind: 'timeout', afterMs: 15_000 }, 0, ports)).toEqual({ action: 'fail', message: 'The collector did not start listening within 15 s' });
    expect(decideOnStartOutcome({ kind: 'spawn-error', message: 'ENOENT' }, 0, ports).action).toBe('fail');
  });

  it('spreads takeover attempts and reconnects with bounded exponential backoff', () => {
    expect(takeoverDelayMs(() => 0)).toBe(300);
    expect(takeoverDelayMs(() => 1)).toBe(1000);
    expect(backoffDelayMs(0, () => 1)).toBe(250);
    expect(backoffDelayMs(3, () => 1)).toBe(2000);
    expect(backoffDelayMs(10, () => 1)).toBe(5000);
    expect(backoffDelayMs(10, () => 0)).toBe(2500);
  });

  it('restarts a crashed collector, but not in a crash loop', () => {
    expect(shouldRestartAfterCrash([], 100_000)).toBe(true);
    expect(shouldRestartAfterCrash([90_000, 95_000], 100_000)).toBe(true);
    expect(shouldRestartAfterCrash([80_000, 90_000, 95_000], 100_000)).toBe(false);
    expect(shouldRestartAfterCrash([10_000, 20_000, 30_000], 100_000)).toBe(true);
  });

  it('has an API port only while owning or reading', () => {
    expect(apiPortOf({ kind: 'owner', httpPort: 1, grpcPort: null, dbPath: '', pid: 1 })).toBe(1);
    expect(apiPortOf({ kind: 'reader', httpPort: 2, grpcPort: null, dbPath: '', ownerPid: 1 })).toBe(2);
    expect(apiPortOf({ kind: 'stopped' })).toBeNull();
    expect(apiPortOf({ kind: 'port-conflict', port: 1, setting: 'httpPort', detail: '' })).toBeNull();
  });
});
