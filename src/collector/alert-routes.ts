// `GET /api/alerts?state=firing|resolved|all`, `GET /api/breakers` and `POST /api/breakers/lift`
// (a JSON body, so no web page can lift a breaker without a CORS preflight the collector refuses).

import { HttpError, sendJson, type Route } from '../capture/http-server';
import type { AlertsDto } from '../protocol/alerts';
import type { AlertService } from './alert-service';
import { oneOf, readJson } from './url-params';

export function alertRoutes(alerts: () => AlertService | null): Route[] {
  const service = (): AlertService => {
    const s = alerts();
    if (!s) throw new HttpError(409, 'alerts are off', 'this collector evaluates no alerts');
    return s;
  };
  return [
    {
      method: 'GET',
      pattern: /^\/api\/alerts$/,
      handler: ({ res, url }) => {
        const state = oneOf(url, 'state', ['firing', 'resolved', 'all'] as const) ?? 'firing';
        const s = service();
        const body: AlertsDto = { alerts: s.list(state), evaluatedAt: s.evaluatedAt };
        sendJson(res, 200, body);
      },
    },
    { method: 'GET', pattern: /^\/api\/breakers$/, handler: ({ res }) => sendJson(res, 200, service().breakersDto()) },
    {
      method: 'POST',
      pattern: /^\/api\/breakers\/lift$/,
      handler: async ({ req, res }) => {
        const body = await readJson(req, 4096);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'invalid request', 'expected a JSON object: {"service": "…"}, or {} for all');
        const name = (body as { service?: unknown }).service;
        if (name !== undefined && typeof name !== 'string') throw new HttpError(400, 'invalid request', 'service must be a string');
        const s = service();
        s.lift(name);
        sendJson(res, 200, s.breakersDto());
      },
    },
  ];
}
