// The alerts API's types (`GET /api/alerts`, `GET /api/breakers`, `alerts-changed`), defined with
// the rules in core.

export type { AlertCalls, AlertConfig, AlertDto, AlertScope, AlertSeverity, AlertState, AlertsDto, BreakerDto, BreakersDto } from '../core/alerts/model';
export { DEFAULT_ALERT_CONFIG } from '../core/alerts/model';
