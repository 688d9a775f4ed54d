// `GET /api/analyses` (the registered analyses and how far the runner has come) and
// `POST /api/analyses/rerun` (analyse every stored call again, after a new version).

import { HttpError, sendJson, type Route } from '../capture/http-server';
import type { AnalysesDto, AnalysisRerunRequest } from '../protocol/api';
import type { AnalysisRunner } from './analysis-runner';
import { readJson } from './url-params';

export function analysisRoutes(runner: () => AnalysisRunner | null): Route[] {
  const dto = (r: AnalysisRunner | null): AnalysesDto => ({ analyses: r?.status() ?? [] });
  return [
    { method: 'GET', pattern: /^\/api\/analyses$/, handler: ({ res }) => sendJson(res, 200, dto(runner())) },
    {
      method: 'POST',
      pattern: /^\/api\/analyses\/rerun$/,
      handler: async ({ req, res }) => {
        const body = (await readJson(req, 4096)) as AnalysisRerunRequest | null;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'invalid request', 'expected a JSON object, {} for all analyses');
        if (body.name !== undefined && typeof body.name !== 'string') throw new HttpError(400, 'invalid request', 'name must be a string');
        const r = runner();
        if (!r) throw new HttpError(409, 'analyses are off', 'the collector runs with --no-analyses');
        if (!(await r.rerun(body.name))) throw new HttpError(404, 'no such analysis', body.name);
        sendJson(res, 202, dto(r));
      },
    },
  ];
}
