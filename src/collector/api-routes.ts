// The JSON API (`/api/...`) and Prometheus `/metrics` on the collector's HTTP port.

import { HttpError, readBody, sendJson, type Route } from '../capture/http-server';
import { OtlpDecodeError } from '../capture/otlp';
import type { GenAiMetricsDto, GenAiMetricsQuery, HealthDto, StatsQuery, TraceListQuery, TraceStatus } from '../protocol/api';
import type { Store } from '../store/store';
import type { EventHub } from './events';

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

function num(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new HttpError(400, `invalid ${name}`, `expected a number, got ${JSON.stringify(raw)}`);
  return v;
}

function str(url: URL, name: string): string | undefined {
  const v = url.searchParams.get(name);
  return v === null || v === '' ? undefined : v;
}

function traceListQuery(url: URL): TraceListQuery {
  const status = str(url, 'status');
  if (status !== undefined && !['ok', 'error', 'unset'].includes(status)) {
    throw new HttpError(400, 'invalid status', 'expected ok, error or unset');
  }
  return {
    from: num(url, 'from'),
    to: num(url, 'to'),
    service: str(url, 'service'),
    model: str(url, 'model'),
    status: status as TraceStatus | undefined,
    text: str(url, 'text'),
    limit: num(url, 'limit'),
    cursor: str(url, 'cursor'),
  };
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
        const id = params.traceId!.toLowerCase();
        if (!/^[0-9a-f]{32}$/.test(id)) throw new HttpError(400, 'invalid trace id', 'expected 32 hex characters');
        const detail = ctx.store.queries.getTrace(id);
        if (!detail) throw new HttpError(404, 'trace not found', id);
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
