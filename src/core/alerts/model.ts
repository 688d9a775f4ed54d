// Alerts, budgets and the proxy's circuit breakers: the shapes the rules produce and the collector's
// JSON API shows (`GET /api/alerts`, `GET /api/breakers`), read by the host's status bar,
// notifications and Alerts view (through src/protocol/alerts.ts).

export type AlertSeverity = 'P0' | 'P1' | 'P2' | 'P3';
export type AlertState = 'firing' | 'resolved';

export interface AlertScope {
  service?: string;
  model?: string;
  prompt?: string;
}

/** The calls behind an alert: a time window and filters for `GET /api/traces`, plus a few trace ids. */
export interface AlertCalls {
  from: number;
  to: number;
  service?: string;
  model?: string;
  traceIds: string[];
}

export interface AlertDto {
  /** Stable for one rule and scope: an alert that escalates keeps its id. */
  id: string;
  rule: string;
  severity: AlertSeverity;
  state: AlertState;
  /** Epoch ms: when the condition started holding. */
  since: number;
  resolvedAt: number | null;
  value: number;
  threshold: number | null;
  baseline: number | null;
  scope: AlertScope;
  message: string;
  calls: AlertCalls;
  /** Budgets only: the spend projected for the end of the period at the recent rate. */
  projectedUsd?: number;
}

/** `GET /api/alerts?state=firing|resolved|all` (default firing). Firing first, worst first. */
export interface AlertsDto {
  alerts: AlertDto[];
  /** When the rules were last evaluated (epoch ms), null before the first evaluation. */
  evaluatedAt: number | null;
}

/** A service the recording proxy refuses (HTTP 429) until the developer lifts the breaker. */
export interface BreakerDto {
  service: string;
  reason: string;
  since: number;
  /** Calls refused since it tripped. */
  refused: number;
}

/** `GET /api/breakers`; `POST /api/breakers/lift` with `{service}` (or `{}`: all) answers the same. */
export interface BreakersDto {
  breakers: BreakerDto[];
  maxCallsPerMinute: number | null;
}

/** Alert configuration: settings in VS Code, flags on the CLI. null turns a rule off. */
export interface AlertConfig {
  budgetDailyUsd: number | null;
  budgetMonthlyUsd: number | null;
  /** Budgets per service or model: `{"service:checkout": 5, "model:gpt-4o": 10}` (daily USD). */
  scopedDailyBudgetsUsd: Record<string, number>;
  /** Monthly budgets per service or model, keyed the same way (USD). */
  scopedMonthlyBudgetsUsd?: Record<string, number>;
  latencyP95Ms: number | null;
  ttftP95Ms: number | null;
  tpotP95Ms: number | null;
  /** Fraction 0..1 of calls in error, over the last 15 minutes. */
  errorRate: number | null;
  /** Fraction 0..1 of calls refused by the model (guardrail hits of category `refusal`). */
  refusalRate: number | null;
  /** Guardrail hits in the last 15 minutes. */
  guardrailHits: number | null;
  /** Hard limit: above this many calls in one minute from one service the proxy refuses its calls. */
  maxCallsPerMinute: number | null;
  /** Anomaly detection against the rolling baseline. */
  anomalies: boolean;
  /** POST each new or resolved alert here as JSON. */
  webhookUrl: string | null;
}

export const DEFAULT_ALERT_CONFIG: AlertConfig = {
  budgetDailyUsd: null,
  budgetMonthlyUsd: null,
  scopedDailyBudgetsUsd: {},
  latencyP95Ms: null,
  ttftP95Ms: null,
  tpotP95Ms: null,
  errorRate: 0.5,
  refusalRate: null,
  guardrailHits: null,
  maxCallsPerMinute: null,
  anomalies: true,
  webhookUrl: null,
};
