// `GET /api/dashboard/top?from&to&service&model&prompt&limit`: the dashboard's top tables over the
// whole range (src/store/dashboard-queries.ts).
// `GET /api/dashboard/series?from&to&bucketMs&service&model&prompt`: the dashboard's charts over
// time, every filter applied to every series (src/store/dashboard-series.ts).

import { HttpError, sendJson, type Route } from '../capture/http-server';
import type { PriceOverride } from '../core/pricing';
import { DashboardQueries } from '../store/dashboard-queries';
import { DashboardSeriesReader } from '../store/dashboard-series';
import type { Store } from '../store/store';
import { num, str } from './url-params';

export function dashboardRoutes(store: Store, options: { priceOverrides?: readonly PriceOverride[] } = {}): Route[] {
  let queries: DashboardQueries | null = null;
  let series: DashboardSeriesReader | null = null;
  return [
    {
      method: 'GET',
      pattern: /^\/api\/dashboard\/series$/,
      handler: ({ res, url }) => {
        const from = num(url, 'from');
        const to = num(url, 'to');
        const bucketMs = num(url, 'bucketMs');
        if (bucketMs !== undefined && !(bucketMs >= 1)) throw new HttpError(400, 'invalid bucketMs', 'expected a bucket width of at least 1 ms');
        if (from !== undefined && to !== undefined && to < from) throw new HttpError(400, 'invalid range', 'to is before from');
        series ??= new DashboardSeriesReader(store.db, options);
        sendJson(res, 200, series.series({ from, to, bucketMs, service: str(url, 'service'), model: str(url, 'model'), prompt: str(url, 'prompt') }));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/dashboard\/top$/,
      handler: ({ res, url }) => {
        queries ??= new DashboardQueries(store.db);
        sendJson(res, 200, queries.tops({
          from: num(url, 'from'), to: num(url, 'to'), service: str(url, 'service'), model: str(url, 'model'), prompt: str(url, 'prompt'), limit: num(url, 'limit'),
        }));
      },
    },
  ];
}
