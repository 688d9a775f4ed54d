// The recording proxy's circuit breaker: above a hard limit of calls per minute from one service,
// every further call of that service is refused until the developer lifts the breaker. Counts
// are kept as it admits calls, so a loop is stopped at the limit, not after the next evaluation.

import type { BreakerDto } from './model';

export interface Admission {
  ok: boolean;
  /** Why a call is refused. */
  reason?: string;
}

const WINDOW_MS = 60_000;

export class CircuitBreakers {
  private readonly recent = new Map<string, number[]>();
  private readonly open = new Map<string, BreakerDto>();

  constructor(
    private limit: number | null,
    private readonly onChange: () => void = () => {},
  ) {}

  get maxCallsPerMinute(): number | null {
    return this.limit;
  }

  setLimit(limit: number | null): void {
    this.limit = limit && limit > 0 ? Math.floor(limit) : null;
    if (this.limit === null) this.recent.clear();
  }

  /** Called once per proxied call before it is forwarded. */
  admit(service: string, now: number): Admission {
    const tripped = this.open.get(service);
    if (tripped) {
      tripped.refused += 1;
      return { ok: false, reason: tripped.reason };
    }
    if (this.limit === null) return { ok: true };
    let times = this.recent.get(service);
    if (!times) this.recent.set(service, (times = []));
    let drop = 0;
    while (drop < times.length && times[drop]! <= now - WINDOW_MS) drop++;
    if (drop > 0) times.splice(0, drop);
    if (times.length >= this.limit) {
      const reason = `service "${service}" made more than ${this.limit} calls in one minute (hard limit); lift the breaker to let it call again`;
      this.open.set(service, { service, reason, since: now, refused: 1 });
      this.recent.delete(service);
      this.onChange();
      return { ok: false, reason };
    }
    times.push(now);
    return { ok: true };
  }

  /** Lifts one service's breaker, or all; returns how many were lifted. */
  lift(service?: string): number {
    let n = 0;
    for (const key of [...this.open.keys()]) {
      if (service !== undefined && key !== service) continue;
      this.open.delete(key);
      n++;
    }
    if (n > 0) this.onChange();
    return n;
  }

  list(): BreakerDto[] {
    return [...this.open.values()].map((b) => ({ ...b })).sort((a, b) => a.since - b.since);
  }
}
