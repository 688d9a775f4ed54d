// The alerts' state over time: a candidate that appears starts firing (its `since` kept while it
// holds, its severity following the condition), one that is gone resolves by itself. Only alerts
// of the rules that were evaluated can resolve: a quick evaluation of the fast rules on new data
// leaves the minute rules' alerts alone.

import type { AlertDto, AlertSeverity, AlertState } from './model';
import type { AlertCandidate } from './rules';

const RANK: Record<AlertSeverity, number> = { P0: 0, P1: 1, P2: 2, P3: 3 };
const MAX_RESOLVED = 200;

export function severityRank(s: AlertSeverity): number {
  return RANK[s];
}

/** Firing before resolved, then worst first, then newest first. */
export function compareAlerts(a: AlertDto, b: AlertDto): number {
  if (a.state !== b.state) return a.state === 'firing' ? -1 : 1;
  return RANK[a.severity] - RANK[b.severity] || b.since - a.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface AlertChanges {
  /** New alerts, and alerts whose severity got worse: what a developer is told about. */
  raised: AlertDto[];
  resolved: AlertDto[];
  /** Anything about the firing list changed (values included). */
  changed: boolean;
}

export class AlertBook {
  private readonly firing = new Map<string, AlertDto>();
  private resolved: AlertDto[] = [];
  evaluatedAt: number | null = null;

  update(candidates: readonly AlertCandidate[], now: number, evaluated: (rule: string) => boolean = () => true): AlertChanges {
    this.evaluatedAt = now;
    const raised: AlertDto[] = [];
    const resolved: AlertDto[] = [];
    let changed = false;
    const seen = new Set<string>();
    for (const c of candidates) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      const old = this.firing.get(c.id);
      const next: AlertDto = {
        id: c.id, rule: c.rule, severity: c.severity, state: 'firing', since: old?.since ?? now, resolvedAt: null,
        value: c.value, threshold: c.threshold, baseline: c.baseline, scope: c.scope, message: c.message, calls: c.calls,
        ...(c.projectedUsd !== undefined ? { projectedUsd: c.projectedUsd } : {}),
      };
      if (!old || RANK[c.severity] < RANK[old.severity]) raised.push(next);
      if (!old || old.severity !== next.severity || old.message !== next.message || old.value !== next.value) changed = true;
      this.firing.set(c.id, next);
    }
    for (const [id, a] of this.firing) {
      if (seen.has(id) || !evaluated(a.rule)) continue;
      this.firing.delete(id);
      const done: AlertDto = { ...a, state: 'resolved', resolvedAt: now };
      resolved.push(done);
      this.resolved.unshift(done);
      changed = true;
    }
    if (this.resolved.length > MAX_RESOLVED) this.resolved.length = MAX_RESOLVED;
    return { raised, resolved, changed };
  }

  list(state: AlertState | 'all' = 'firing'): AlertDto[] {
    const firing = [...this.firing.values()];
    const list = state === 'firing' ? firing : state === 'resolved' ? [...this.resolved] : [...firing, ...this.resolved];
    return list.sort(compareAlerts);
  }

  clear(): void {
    this.firing.clear();
    this.resolved = [];
  }
}
