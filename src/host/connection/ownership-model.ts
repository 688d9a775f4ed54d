// Decisions about who runs the collector, kept pure so every branch is unit-tested.
// Several VS Code windows share one collector: the window that binds the HTTP port owns it
// (a child process it forked); every other window reads from it over the HTTP API.

import type { HealthDto } from '../../protocol/api';
import type { CollectorToHost, StoreUpgrade } from '../../protocol/collector-ipc';

/** What this window's relation to the collector is right now. */
export type CollectorState =
  | { kind: 'stopped' }
  /** `upgrade`: the collector is upgrading an existing store to this version's schema first. */
  | { kind: 'starting'; upgrade?: StoreUpgrade }
  | { kind: 'owner'; httpPort: number; grpcPort: number | null; dbPath: string; pid: number | null }
  | { kind: 'reader'; httpPort: number; grpcPort: number | null; dbPath: string; ownerPid: number }
  | { kind: 'port-conflict'; port: number; setting: 'httpPort' | 'grpcPort'; detail: string }
  | { kind: 'failed'; message: string };

export type CollectorStateKind = CollectorState['kind'];

/** The HTTP port to read the API from, when there is a collector to read. */
export function apiPortOf(state: CollectorState): number | null {
  return state.kind === 'owner' || state.kind === 'reader' ? state.httpPort : null;
}

/** What answered on the configured HTTP port. */
export type HealthProbe =
  | { kind: 'spyglass'; health: HealthDto }
  | { kind: 'other'; detail: string }
  | { kind: 'none' };

/** How other windows recognise a Spyglass collector: `app: 'spyglass'` in `/api/health`. */
export function isSpyglassHealth(value: unknown): value is HealthDto {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.app === 'spyglass' && v.ok === true && typeof v.httpPort === 'number' && typeof v.pid === 'number';
}

export type ProbeDecision =
  | { action: 'read'; health: HealthDto }
  | { action: 'spawn' }
  | { action: 'conflict'; detail: string };

export function decideOnProbe(probe: HealthProbe): ProbeDecision {
  switch (probe.kind) {
    case 'spyglass':
      return { action: 'read', health: probe.health };
    case 'none':
      return { action: 'spawn' };
    case 'other':
      return { action: 'conflict', detail: probe.detail };
  }
}

/** How a forked collector's start ended (see collector-process.ts). */
export type StartOutcome =
  | { kind: 'listening'; httpPort: number; grpcPort: number | null; dbPath: string }
  | Omit<Extract<CollectorToHost, { type: 'start-failed' }>, 'type'> & { kind: 'start-failed' }
  | { kind: 'exited'; exitCode: number | null; signal: string | null; stderrTail: string }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'spawn-error'; message: string };

export type StartDecision =
  | { action: 'own' }
  /** The port was taken between our probe and our bind (another window won): probe again. */
  | { action: 'recheck'; delayMs: number }
  | { action: 'conflict'; port: number; setting: 'httpPort' | 'grpcPort' }
  | { action: 'fail'; message: string };

/**
 * After a fork: `attempt` counts from 0. An EADDRINUSE usually means another window won the
 * race for the port, so we probe again (it will answer as Spyglass and we become a reader);
 * only when it keeps happening do we call it a conflict with some other program.
 */
export function decideOnStartOutcome(
  outcome: StartOutcome,
  attempt: number,
  ports: { httpPort: number; grpcPort: number | null },
  maxAttempts = 4,
): StartDecision {
  switch (outcome.kind) {
    case 'listening':
      return { action: 'own' };
    case 'start-failed': {
      if (outcome.code === 'EADDRINUSE') {
        if (attempt + 1 < maxAttempts) return { action: 'recheck', delayMs: 150 * (attempt + 1) };
        const port = outcome.port ?? ports.httpPort;
        const setting = port === ports.grpcPort && port !== ports.httpPort ? 'grpcPort' : 'httpPort';
        return { action: 'conflict', port, setting };
      }
      if (outcome.code === 'EACCES') {
        return { action: 'fail', message: `Permission denied to listen on port ${outcome.port ?? ports.httpPort}: ${outcome.message}` };
      }
      // Another window starting at the same moment may hold the database (creating its tables):
      // look again before giving up; a database that is really unusable fails the same way again.
      if (outcome.code === 'DB' && attempt < 2) return { action: 'recheck', delayMs: 300 * (attempt + 1) };
      if (outcome.code === 'DB') return { action: 'fail', message: `The trace database could not be opened: ${outcome.message}` };
      return { action: 'fail', message: outcome.message };
    }
    case 'exited': {
      const how = outcome.signal ? `signal ${outcome.signal}` : `exit code ${outcome.exitCode}`;
      const tail = outcome.stderrTail.trim();
      return { action: 'fail', message: `The collector process ended before listening (${how})${tail ? `: ${tail}` : ''}` };
    }
    case 'timeout':
      return { action: 'fail', message: `The collector did not start listening within ${Math.round(outcome.afterMs / 1000)} s` };
    case 'spawn-error':
      return { action: 'fail', message: `The collector process could not be started: ${outcome.message}` };
  }
}

/**
 * A reader whose event stream dropped waits a random moment before trying to take the ports,
 * so that several readers do not all fork at once (one wins anyway; the rest become readers).
 */
export function takeoverDelayMs(random: () => number, minMs = 300, spreadMs = 700): number {
  return Math.round(minMs + random() * spreadMs);
}

/** Restart a crashed owned collector, but give up after `limit` crashes within `windowMs`. */
export function shouldRestartAfterCrash(crashTimes: readonly number[], now: number, limit = 3, windowMs = 60_000): boolean {
  return crashTimes.filter((t) => now - t < windowMs).length < limit;
}

/** Exponential backoff with jitter for reconnecting the event stream. */
export function backoffDelayMs(attempt: number, random: () => number, initialMs = 250, maxMs = 5000): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));
  return Math.round(base / 2 + (random() * base) / 2);
}
