// Alert evaluation inside the collector, off the capture path: every minute all rules, and on new
// calls (at most every FAST_EVERY_MS) the fast ones (runaway loops, budgets, open breakers), so a
// loop is seen within seconds. Each evaluation reads the store through one AlertFigureReader, kept
// for the service's life (it reads only what was stored since the evaluation before, and is reset
// when the store is cleared), and keeps the alerts' state in an AlertBook; what
// changes is broadcast as `alerts-changed`, printed for the operator and posted to a webhook.

import { AlertBook } from '../core/alerts/alert-book';
import { CircuitBreakers } from '../core/alerts/breaker';
import { alertId, evaluateRules, FAST_RULES, type AlertCandidate } from '../core/alerts/rules';
import type { AlertConfig, AlertDto, AlertState, BreakersDto } from '../protocol/alerts';
import { AlertFigureReader } from '../store/alert-figures';
import type { Store } from '../store/store';
import type { EventHub } from './events';

const FULL_EVERY_MS = 60_000;
const FAST_EVERY_MS = 1_000;

export interface AlertServiceOptions {
  store: Store;
  events: EventHub;
  config: AlertConfig;
  /** One line per raised or resolved alert (the CLI's stderr, the extension's log). */
  report?: (line: string) => void;
  warn?: (message: string) => void;
  now?: () => number;
  timeZone?: string;
  /** Posts JSON to the webhook; injectable for tests. */
  post?: (url: string, body: unknown) => Promise<void>;
}

export class AlertService {
  readonly breakers: CircuitBreakers;
  private readonly book = new AlertBook();
  private readonly reader: AlertFigureReader;
  private readonly now: () => number;
  private fullTimer: NodeJS.Timeout | null = null;
  private fastTimer: NodeJS.Timeout | null = null;
  private lastFast = 0;
  private closed = false;
  /** Time spent evaluating (ms), for the footprint figure. */
  readonly cost = { evaluations: 0, totalMs: 0, lastMs: 0, lastFullMs: 0 };

  constructor(private readonly opts: AlertServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.reader = new AlertFigureReader(opts.store.db);
    this.breakers = new CircuitBreakers(opts.config.maxCallsPerMinute, () => this.soon());
  }

  get config(): AlertConfig {
    return this.opts.config;
  }

  start(): void {
    this.evaluate(false);
    this.fullTimer = setInterval(() => this.evaluate(false), FULL_EVERY_MS);
    this.fullTimer.unref();
  }

  /** New calls were stored: the fast rules look at them within FAST_EVERY_MS. */
  onNewCalls(): void {
    this.soon();
  }

  private soon(): void {
    if (this.fastTimer || this.closed) return;
    const wait = Math.max(0, this.lastFast + FAST_EVERY_MS - this.now());
    this.fastTimer = setTimeout(() => {
      this.fastTimer = null;
      this.evaluate(true);
    }, wait);
    this.fastTimer.unref();
  }

  /** Evaluates the rules (all, or the fast ones) and publishes what changed. */
  evaluate(fast: boolean): AlertDto[] {
    if (this.closed) return [];
    const t0 = performance.now();
    const now = this.now();
    if (fast) this.lastFast = now;
    let candidates: AlertCandidate[];
    try {
      const figures = this.opts.store.db.transaction(() => this.reader.read(this.opts.config, now, { fast, timeZone: this.opts.timeZone }))();
      candidates = evaluateRules(this.opts.config, figures, fast ? FAST_RULES : undefined);
    } catch (err) {
      // What the reader carried may be half moved: the next evaluation reads afresh.
      this.reader.reset();
      this.opts.warn?.(`alert evaluation failed: ${(err as Error).message}`);
      return [];
    }
    for (const b of this.breakers.list()) {
      candidates.push({
        id: alertId('circuit-open', { service: b.service }), rule: 'circuit-open', severity: 'P1', value: b.refused, threshold: this.breakers.maxCallsPerMinute,
        baseline: null, scope: { service: b.service }, calls: { from: b.since, to: now, service: b.service, traceIds: [] },
        message: `proxy refuses calls of service ${b.service} (${b.refused} refused): ${b.reason}`,
      });
    }
    const changes = this.book.update(candidates, now, fast ? (rule) => FAST_RULES.has(rule) || rule === 'circuit-open' : undefined);
    const ms = performance.now() - t0;
    this.cost.evaluations++;
    this.cost.totalMs += ms;
    this.cost.lastMs = ms;
    if (!fast) this.cost.lastFullMs = ms;
    if (changes.changed) {
      const firing = this.book.list('firing');
      this.opts.events.broadcast({
        type: 'alerts-changed', firing: firing.length, worst: firing[0]?.severity ?? null, raised: changes.raised, at: now,
      });
    }
    for (const a of changes.raised) this.announce('raised', a);
    for (const a of changes.resolved) this.announce('resolved', a);
    return changes.raised;
  }

  private announce(event: 'raised' | 'resolved', a: AlertDto): void {
    this.opts.report?.(event === 'raised' ? `alert ${a.severity} ${a.rule}: ${a.message}` : `resolved ${a.severity} ${a.rule}: ${a.message}`);
    const url = this.opts.config.webhookUrl;
    if (!url) return;
    const post = this.opts.post ?? postJson;
    post(url, { event, alert: a }).catch((err: Error) => this.opts.warn?.(`alert webhook ${url} failed: ${err.message}`));
  }

  list(state: AlertState | 'all' = 'firing'): AlertDto[] {
    return this.book.list(state);
  }

  get evaluatedAt(): number | null {
    return this.book.evaluatedAt;
  }

  breakersDto(): BreakersDto {
    return { breakers: this.breakers.list(), maxCallsPerMinute: this.breakers.maxCallsPerMinute };
  }

  /** Lifts a service's breaker (or all) and re-evaluates, so its alert resolves at once. */
  lift(service?: string): number {
    const n = this.breakers.lift(service);
    if (n > 0) this.evaluate(true);
    return n;
  }

  /** The store was cleared: its alerts go with it. */
  clear(): void {
    this.book.clear();
    this.reader.reset();
    this.evaluate(false);
  }

  close(): void {
    this.closed = true;
    if (this.fullTimer) clearInterval(this.fullTimer);
    if (this.fastTimer) clearTimeout(this.fastTimer);
  }
}

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  await res.arrayBuffer();
}
