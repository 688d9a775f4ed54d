// `GET /api/dashboard/top?from&to&service&model&prompt&limit`: the dashboard's top tables over the
// whole range (src/store/dashboard-queries.ts).

import { sendJson, type Route } from '../capture/http-server';
import { DashboardQueries } from '../store/dashboard-queries';
import type { Store } from '../store/store';
import { num, str } from './url-params';

export function dashboardRoutes(store: Store): Route[] {
  let queries: DashboardQueries | null = null;
  return [
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
