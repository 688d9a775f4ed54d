// `GET /api/guardrails` (hits across traces, with counts and, for a chart, time buckets) and
// `GET`/`PUT /api/guardrails/config` (the configuration the checks run with; the host sends the
// workspace's when it starts the collector and whenever it changes).

import { HttpError, sendJson, type Route } from '../capture/http-server';
import type { GuardrailConfigDto, GuardrailConfigRequest, GuardrailQuery } from '../protocol/api';
import type { Store } from '../store/store';
import { num, readJson, str } from './url-params';

export interface GuardrailApiContext {
  store: Store;
  config: () => GuardrailConfigDto;
  /** Applies a configuration; the errors when it is not valid. */
  configure: (req: GuardrailConfigRequest) => Promise<GuardrailConfigDto | { errors: string[] }>;
}

function guardrailQuery(url: URL): GuardrailQuery {
  return {
    category: str(url, 'category'), rule: str(url, 'rule'), severity: str(url, 'severity'),
    from: num(url, 'from'), to: num(url, 'to'), limit: num(url, 'limit'), cursor: str(url, 'cursor'), bucketMs: num(url, 'bucketMs'),
  };
}

export function guardrailRoutes(ctx: GuardrailApiContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/guardrails$/,
      handler: ({ res, url }) => {
        try {
          sendJson(res, 200, ctx.store.queries.guardrails.list(guardrailQuery(url)));
        } catch (err) {
          if (err instanceof RangeError) throw new HttpError(400, 'invalid query', err.message);
          throw err;
        }
      },
    },
    { method: 'GET', pattern: /^\/api\/guardrails\/config$/, handler: ({ res }) => sendJson(res, 200, ctx.config()) },
    {
      method: 'PUT',
      pattern: /^\/api\/guardrails\/config$/,
      handler: async ({ req, res }) => {
        const body = await readJson(req, 1024 * 1024);
        if (typeof body !== 'object' || body === null || Array.isArray(body) || !('config' in body)) {
          throw new HttpError(400, 'invalid request', 'expected {"config": {...}, "privacyMode"?: boolean}');
        }
        const b = body as GuardrailConfigRequest;
        if (b.privacyMode !== undefined && typeof b.privacyMode !== 'boolean') throw new HttpError(400, 'invalid request', 'privacyMode must be true or false');
        const result = await ctx.configure(b);
        if ('errors' in result) throw new HttpError(400, 'invalid guardrails configuration', result.errors.join('; '));
        sendJson(res, 200, result);
      },
    },
  ];
}
