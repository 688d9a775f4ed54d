// The JSON API (`/api/...`) and Prometheus `/metrics` on the collector's HTTP port.

import { HttpError, readBody, sendJson, type Route } from '../capture/http-server';
import { OtlpDecodeError } from '../capture/otlp';
import { TRACE_SORT_KEYS, type GenAiMetricsDto, type GenAiMetricsQuery, type HealthDto, type StatsQuery, type TraceListQuery } from '../protocol/api';
import type { Store } from '../store/store';
import type { EventHub } from './events';
import { num, oneOf, spanIdParam, str, traceIdParam } from './url-params';

export interface ApiContext {
  store: Store;
  events: EventHub;
  health: () => HealthDto;
  metricsText: () => string;
  /** Imports OTLP JSON (one request, or JSONL of them); resolves to the spans accepted. */
  importOtlpJson: (text: string) => Promise<number>;
  exportOtlpJson: (traceId?: string) => unknown;
  clear: () => void;
  maxImportBytes: number;
  /** The GenAI client metrics received on /v1/metrics. */
  genAiMetrics: (q: GenAiMetricsQuery) => GenAiMetricsDto;
}

function traceListQuery(url: URL): TraceListQuery {
  return {
    from: num(url, 'from'),
    to: num(url, 'to'),
    service: str(url, 'service'),
    model: str(url, 'model'),
    status: oneOf(url, 'status', ['ok', 'error', 'unset'] as const),
    feedback: oneOf(url, 'feedback', ['up', 'down', 'any'] as const),
    text: str(url, 'text'),
    sort: oneOf(url, 'sort', TRACE_SORT_KEYS),
    order: oneOf(url, 'order', ['asc', 'desc'] as const),
    session: str(url, 'session'),
    user: str(url, 'user'),
    annotation: annotationKind(url),
    minCost: num(url, 'minCost'),
    maxCost: num(url, 'maxCost'),
    minDurationMs: num(url, 'minDurationMs'),
    maxDurationMs: num(url, 'maxDurationMs'),
    limit: num(url, 'limit'),
    cursor: str(url, 'cursor'),
  };
}

/** An annotation kind is a word (`guardrail`, `evaluation`, `my_check`): it becomes a JSON path. */
function annotationKind(url: URL): string | undefined {
  const kind = str(url, 'annotation');
  if (kind !== undefined && !/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(kind)) throw new HttpError(400, 'invalid annotation', 'expected an annotation kind such as guardrail');
  return kind;
}

function statsQuery(url: URL): StatsQuery {
  return { from: num(url, 'from'), to: num(url, 'to'), service: str(url, 'service'), model: str(url, 'model') };
}

export function apiRoutes(ctx: ApiContext): Route[] {
  return [
    { method: 'GET', pattern: /^\/api\/health$/, handler: ({ res }) => sendJson(res, 200, ctx.health()) },
    {
      method: 'GET',
      pattern: /^\/api\/traces$/,
      handler: ({ res, url }) => {
        try {
          sendJson(res, 200, ctx.store.queries.listTraces(traceListQuery(url)));
        } catch (err) {
          if (err instanceof RangeError) throw new HttpError(400, 'invalid query', err.message);
          throw err;
        }
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/traces$/,
      handler: ({ res }) => {
        ctx.clear();
        res.writeHead(204).end();
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/traces\/(?<traceId>[^/]+)$/,
      handler: ({ res, params }) => {
        const id = traceIdParam(params.traceId!);
        const detail = ctx.store.queries.getTrace(id);
        if (!detail) throw new HttpError(404, 'trace not found', id);
        sendJson(res, 200, detail);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/traces\/(?<traceId>[^/]+)\/outline$/,
      handler: ({ res, params, url }) => {
        const id = traceIdParam(params.traceId!);
        const since = num(url, 'since');
        if (since !== undefined && (!Number.isInteger(since) || since < 0)) throw new HttpError(400, 'invalid since', 'expected a store revision');
        const limit = num(url, 'limit');
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new HttpError(400, 'invalid limit', 'expected a positive number of spans');
        if (limit !== undefined && since !== undefined) throw new HttpError(400, 'invalid limit', 'a preview (limit) is of a whole outline, not of a patch (since)');
        const outline = ctx.store.queries.outline(id, since, limit);
        if (!outline) throw new HttpError(404, 'trace not found', id);
        sendJson(res, 200, outline);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/traces\/(?<traceId>[^/]+)\/spans\/(?<spanId>[^/]+)$/,
      handler: ({ res, params }) => {
        const traceId = traceIdParam(params.traceId!);
        const spanId = spanIdParam(params.spanId!);
        const span = ctx.store.queries.getSpan(traceId, spanId);
        if (!span) throw new HttpError(404, 'span not found', `${traceId}/${spanId}`);
        sendJson(res, 200, span);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions$/,
      handler: ({ res, url }) => sendJson(res, 200, ctx.store.queries.listSessions({ from: num(url, 'from'), to: num(url, 'to'), limit: num(url, 'limit') })),
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/(?<sessionId>[^/]+)$/,
      handler: ({ res, params }) => {
        let id: string;
        try {
          id = decodeURIComponent(params.sessionId!);
        } catch {
          throw new HttpError(400, 'invalid session id', 'not valid percent-encoding');
        }
        const detail = ctx.store.queries.getSession(id);
        if (!detail) throw new HttpError(404, 'session not found', id);
        sendJson(res, 200, detail);
      },
    },
    { method: 'GET', pattern: /^\/api\/stats$/, handler: ({ res, url }) => sendJson(res, 200, ctx.store.queries.stats(statsQuery(url))) },
    {
      method: 'GET',
      pattern: /^\/api\/stats\/series$/,
      handler: ({ res, url }) => sendJson(res, 200, ctx.store.queries.series({ ...statsQuery(url), bucketMs: num(url, 'bucketMs') })),
    },
    {
      method: 'GET',
      pattern: /^\/api\/metrics\/genai$/,
      handler: ({ res, url }) =>
        sendJson(res, 200, ctx.genAiMetrics({ from: num(url, 'from'), to: num(url, 'to'), name: str(url, 'name'), model: str(url, 'model'), service: str(url, 'service') })),
    },
    { method: 'GET', pattern: /^\/api\/summary\/today$/, handler: ({ res }) => sendJson(res, 200, ctx.store.queries.todaySummary()) },
    { method: 'GET', pattern: /^\/api\/events$/, handler: ({ res }) => ctx.events.attach(res) },
    {
      method: 'POST',
      pattern: /^\/api\/import$/,
      handler: async ({ req, res }) => {
        const body = await readBody(req, { maxBytes: ctx.maxImportBytes });
        let accepted: number;
        try {
          accepted = await ctx.importOtlpJson(body.toString('utf8'));
        } catch (err) {
          if (err instanceof OtlpDecodeError) throw new HttpError(400, 'not OTLP/JSON', err.message);
          throw err;
        }
        sendJson(res, 200, { acceptedSpans: accepted });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/export$/,
      handler: ({ res, url }) => {
        const traceId = str(url, 'traceId');
        if (traceId !== undefined && !/^[0-9a-f]{32}$/.test(traceId)) throw new HttpError(400, 'invalid trace id');
        sendJson(res, 200, ctx.exportOtlpJson(traceId));
      },
    },
    {
      method: 'GET',
      pattern: /^\/metrics$/,
      handler: ({ res }) => {
        const text = ctx.metricsText();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      },
    },
  ];
}
