// The one typed client for the collector's JSON API (`/api/...` on its HTTP port), shared by
// the tree, the status bar, every panel and the commands. Every request has a deadline: a
// collector that hangs must never hang the extension host's UI. The port is asked for on each
// request, because it changes when another window takes over the collector.

import * as http from 'node:http';
import type {
  AnalysesDto,
  AnnotationDto,
  AnnotationPage,
  AnnotationQuery,
  GuardrailConfigDto,
  GuardrailConfigRequest,
  GuardrailPage,
  GuardrailQuery,
  HealthDto,
  NewUserAnnotation,
  PromptComparisonDto,
  PromptQuery,
  PromptReplayPlan,
  PromptsDto,
  PromptVersionDetail,
  SessionDetail,
  SessionListPage,
  SessionListQuery,
  ReplayRequestDto,
  ReplayRunRequest,
  ReplayStreamEvent,
  SpanDetail,
  StatsDto,
  StatsQuery,
  StatsSeriesDto,
  TodaySummaryDto,
  TraceDetail,
  TraceListPage,
  TraceListQuery,
  TraceOutline,
} from '../../protocol/api';
import type { AlertsDto, BreakersDto } from '../../protocol/alerts';
import type { DashboardSeries, DashboardSeriesQuery, DashboardTopQuery, DashboardTops } from '../../protocol/dashboard';
import { LOOPBACK_HOST as LOOPBACK } from './loopback';
import { isSpyglassHealth, type HealthProbe } from './ownership-model';

/** Why a request failed, in the terms the views care about. */
export type ApiFailure = 'no-collector' | 'not-found' | 'http' | 'timeout' | 'network' | 'bad-json' | 'too-large';

export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly code: ApiFailure,
    readonly status: number | null = null,
    /** The socket error (`ECONNREFUSED`, …) for network failures. */
    readonly errno: string | null = null,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequest {
  port: number;
  method: string;
  path: string;
  body?: Buffer | string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Refuse bodies larger than this (protects the host against a misbehaving server). */
  maxResponseBytes?: number;
}

/** One HTTP request to 127.0.0.1 with a total deadline (connect + response + body). */
export function rawRequest(req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, res?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res!);
    };
    const headers: Record<string, string | number> = { accept: 'application/json', ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const cr = http.request({ host: LOOPBACK, port: req.port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (req.maxResponseBytes !== undefined && size > req.maxResponseBytes) {
          cr.destroy();
          finish(new ApiRequestError(`Response from ${req.path} is larger than ${req.maxResponseBytes} bytes`, 'too-large', res.statusCode ?? null));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e) => finish(new ApiRequestError(e.message, 'network', res.statusCode ?? null)));
      res.on('aborted', () => finish(new ApiRequestError(`Response from ${req.path} was cut off`, 'network', res.statusCode ?? null, 'ECONNRESET')));
    });
    const timer = setTimeout(() => {
      cr.destroy();
      finish(new ApiRequestError(`${req.method} ${req.path} timed out after ${req.timeoutMs} ms`, 'timeout', null, 'ETIMEDOUT'));
    }, req.timeoutMs);
    cr.on('error', (e: NodeJS.ErrnoException) => finish(new ApiRequestError(`Cannot reach the collector: ${e.code ?? e.message}`, 'network', null, e.code ?? null)));
    if (req.body !== undefined) cr.write(req.body);
    cr.end();
  });
}

type QueryValue = string | number | boolean | undefined | null;

export function queryString(params: object): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params) as [string, QueryValue][]) {
    if (v === undefined || v === null || v === '') continue;
    sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

function errorMessage(res: RawResponse, path: string): string {
  const text = res.body.toString('utf8');
  try {
    const json = JSON.parse(text) as { error?: unknown; detail?: unknown };
    if (typeof json.error === 'string') return `${json.error}${typeof json.detail === 'string' && json.detail ? `: ${json.detail}` : ''}`;
  } catch {
    // not JSON: fall through to the raw text
  }
  return `HTTP ${res.status} from ${path}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

const seg = encodeURIComponent;

export interface ImportResult {
  acceptedSpans: number;
}

export class ApiClient {
  private readonly getPort: () => number | null;

  /** `port`: fixed, or asked for on every request (null: no collector to talk to). */
  constructor(
    port: number | (() => number | null),
    private readonly timeoutMs = 10_000,
  ) {
    this.getPort = typeof port === 'number' ? () => port : port;
  }

  get port(): number | null {
    return this.getPort();
  }

  get connected(): boolean {
    return this.getPort() !== null;
  }

  get baseUrl(): string | null {
    const port = this.getPort();
    return port === null ? null : `http://${LOOPBACK}:${port}`;
  }

  private async request(method: string, path: string, body?: { data: Buffer | string; contentType: string }, timeoutMs = this.timeoutMs): Promise<RawResponse> {
    const port = this.getPort();
    if (port === null) throw new ApiRequestError('The Spyglass collector is not running.', 'no-collector');
    const res = await rawRequest({ port, method, path, body: body?.data, headers: body ? { 'content-type': body.contentType } : undefined, timeoutMs });
    if (res.status < 200 || res.status >= 300) {
      throw new ApiRequestError(errorMessage(res, path), res.status === 404 ? 'not-found' : 'http', res.status);
    }
    return res;
  }

  private async json<T>(method: string, path: string, body?: { data: Buffer | string; contentType: string }, timeoutMs?: number): Promise<T> {
    const res = await this.request(method, path, body, timeoutMs);
    if (res.status === 204 || res.body.length === 0) return undefined as T;
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch {
      throw new ApiRequestError(`${path} did not answer with JSON`, 'bad-json', res.status);
    }
  }

  health(): Promise<HealthDto> {
    return this.json('GET', '/api/health');
  }

  listTraces(query: TraceListQuery = {}): Promise<TraceListPage> {
    return this.json('GET', `/api/traces${queryString(query)}`);
  }

  listSessions(query: SessionListQuery = {}): Promise<SessionListPage> {
    return this.json('GET', `/api/sessions${queryString(query)}`);
  }

  /** A session's traces as turns, oldest first. */
  getSession(sessionId: string): Promise<SessionDetail> {
    return this.json('GET', `/api/sessions/${encodeURIComponent(sessionId)}`);
  }

  /** The whole trace, every span in full: for exports and text search, not for display. */
  getTrace(traceId: string, timeoutMs = this.timeoutMs): Promise<TraceDetail> {
    return this.json('GET', `/api/traces/${seg(traceId)}`, undefined, timeoutMs);
  }

  /** The light span list; with `since`, what changed after that store revision. */
  async traceOutline(traceId: string, since?: number): Promise<TraceOutline> {
    return (await this.traceOutlineJson(traceId, since)).outline;
  }

  /** The outline, and its JSON text as the collector sent it (to pass on without writing it again). */
  async traceOutlineJson(traceId: string, since?: number, limit?: number): Promise<{ outline: TraceOutline; json: string }> {
    const path = `/api/traces/${seg(traceId)}/outline${queryString({ since, limit })}`;
    const res = await this.request('GET', path);
    const json = res.body.toString('utf8');
    try {
      return { outline: JSON.parse(json) as TraceOutline, json };
    } catch {
      throw new ApiRequestError(`${path} did not answer with JSON`, 'bad-json', res.status);
    }
  }

  spanDetail(traceId: string, spanId: string): Promise<SpanDetail> {
    return this.json('GET', `/api/traces/${seg(traceId)}/spans/${seg(spanId)}`);
  }

  /** The provider request behind an LLM call: exact (proxied) or rebuilt. */
  callRequest(traceId: string, spanId: string): Promise<ReplayRequestDto> {
    return this.json('GET', `/api/traces/${seg(traceId)}/spans/${seg(spanId)}/request`);
  }

  /**
   * Sends a call again (POST /api/replay), its progress told to `onEvent` as it arrives (SSE).
   * `headers` carry the provider key, passed through by the collector and never stored. A
   * refusal before anything was sent (a missing key, an unknown upstream) rejects with its message.
   */
  replay(run: ReplayRunRequest, headers: Record<string, string>, onEvent: (e: ReplayStreamEvent) => void, timeoutMs = 15 * 60_000): Promise<void> {
    const port = this.getPort();
    if (port === null) return Promise.reject(new ApiRequestError('The Spyglass collector is not running.', 'no-collector'));
    const body = JSON.stringify(run);
    return new Promise((resolve, reject) => {
      const cr = http.request({
        host: LOOPBACK, port, method: 'POST', path: '/api/replay', agent: false,
        headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        let pending = '';
        const chunks: Buffer[] = [];
        const ok = res.statusCode === 200;
        res.on('data', (c: Buffer) => {
          if (!ok) return void chunks.push(c);
          pending += c.toString('utf8');
          for (let end = pending.indexOf('\n\n'); end !== -1; end = pending.indexOf('\n\n')) {
            const block = pending.slice(0, end);
            pending = pending.slice(end + 2);
            if (block.startsWith('data: ')) onEvent(JSON.parse(block.slice(6)) as ReplayStreamEvent);
          }
        });
        res.on('end', () => {
          clearTimeout(timer);
          if (ok) resolve();
          else reject(new ApiRequestError(errorMessage({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }, '/api/replay'), 'http', res.statusCode ?? null));
        });
        res.on('error', (e) => reject(new ApiRequestError(e.message, 'network', res.statusCode ?? null)));
      });
      const timer = setTimeout(() => cr.destroy(new Error(`replay timed out after ${timeoutMs} ms`)), timeoutMs);
      cr.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new ApiRequestError(`Cannot reach the collector: ${e.code ?? e.message}`, 'network', null, e.code ?? null));
      });
      cr.end(body);
    });
  }

  /** A user's feedback or note, on a span or (spanId null) on the whole trace. */
  addAnnotation(traceId: string, spanId: string | null, annotation: NewUserAnnotation): Promise<AnnotationDto> {
    const path = spanId === null ? `/api/traces/${seg(traceId)}/annotations` : `/api/traces/${seg(traceId)}/spans/${seg(spanId)}/annotations`;
    return this.json('POST', path, { data: JSON.stringify(annotation), contentType: 'application/json' });
  }

  async deleteAnnotation(id: string): Promise<void> {
    await this.request('DELETE', `/api/annotations/${seg(id)}`);
  }

  listAnnotations(query: AnnotationQuery = {}): Promise<AnnotationPage> {
    return this.json('GET', `/api/annotations${queryString(query)}`);
  }

  listGuardrails(query: GuardrailQuery = {}): Promise<GuardrailPage> {
    return this.json('GET', `/api/guardrails${queryString(query)}`);
  }

  /** Sends the workspace's guardrails configuration; a 400 carries the validation errors. */
  putGuardrailConfig(req: GuardrailConfigRequest): Promise<GuardrailConfigDto> {
    return this.json('PUT', '/api/guardrails/config', { data: JSON.stringify(req), contentType: 'application/json' });
  }

  analyses(): Promise<AnalysesDto> {
    return this.json('GET', '/api/analyses');
  }

  /** Analyses every stored call again (one analysis by name, or all). */
  rerunAnalyses(name?: string): Promise<AnalysesDto> {
    return this.json('POST', '/api/analyses/rerun', { data: JSON.stringify(name === undefined ? {} : { name }), contentType: 'application/json' });
  }

  stats(query: StatsQuery = {}): Promise<StatsDto> {
    return this.json('GET', `/api/stats${queryString(query)}`);
  }

  statsSeries(query: StatsQuery & { bucketMs?: number } = {}): Promise<StatsSeriesDto> {
    return this.json('GET', `/api/stats/series${queryString(query)}`);
  }

  listPrompts(query: PromptQuery = {}): Promise<PromptsDto> {
    return this.json('GET', `/api/prompts${queryString(query)}`);
  }

  promptVersion(promptId: string, version: string): Promise<PromptVersionDetail> {
    return this.json('GET', `/api/prompts/${seg(promptId)}/versions/${seg(version)}`);
  }

  /** A's newest calls with B's text carried into their requests, ready to replay. */
  promptReplayPlan(a: { promptId: string; version: string }, b: { promptId: string; version: string }, count: number): Promise<PromptReplayPlan> {
    return this.json('GET', `/api/prompts/replay-plan${queryString({ a: `${a.promptId}/${a.version}`, b: `${b.promptId}/${b.version}`, count })}`);
  }

  /** Version B against version A, figure by figure. */
  comparePrompts(a: { promptId: string; version: string }, b: { promptId: string; version: string }, query: PromptQuery = {}): Promise<PromptComparisonDto> {
    return this.json('GET', `/api/prompts/compare${queryString({ a: `${a.promptId}/${a.version}`, b: `${b.promptId}/${b.version}`, ...query })}`);
  }

  dashboardTops(query: DashboardTopQuery = {}): Promise<DashboardTops> {
    return this.json('GET', `/api/dashboard/top${queryString(query)}`);
  }

  dashboardSeries(query: DashboardSeriesQuery = {}): Promise<DashboardSeries> {
    return this.json('GET', `/api/dashboard/series${queryString(query)}`);
  }

  alerts(state: 'firing' | 'resolved' | 'all' = 'firing'): Promise<AlertsDto> {
    return this.json('GET', `/api/alerts?state=${state}`);
  }

  breakers(): Promise<BreakersDto> {
    return this.json('GET', '/api/breakers');
  }

  /** Lets a service's calls through the proxy again (all services without one). */
  liftBreaker(service?: string): Promise<BreakersDto> {
    return this.json('POST', '/api/breakers/lift', { data: JSON.stringify(service === undefined ? {} : { service }), contentType: 'application/json' });
  }

  todaySummary(): Promise<TodaySummaryDto> {
    return this.json('GET', '/api/summary/today');
  }

  async clearAll(): Promise<void> {
    await this.request('DELETE', '/api/traces');
  }

  /** OTLP JSON (one ExportTraceServiceRequest) or JSONL of them. */
  importTraces(data: Buffer | string, jsonLines: boolean): Promise<ImportResult> {
    return this.json('POST', '/api/import', { data, contentType: jsonLines ? 'application/x-ndjson' : 'application/json' }, Math.max(this.timeoutMs, 120_000));
  }

  /** The raw OTLP JSON bytes, written to a file as they are. */
  async exportTraces(traceId?: string): Promise<Buffer> {
    return (await this.request('GET', `/api/export${queryString({ traceId })}`, undefined, Math.max(this.timeoutMs, 120_000))).body;
  }
}

/**
 * Who answers on `port`: a Spyglass collector (→ read from it), nothing (→ start one), or some
 * other program (→ tell the user; never fight it for the port).
 */
export async function probeHealth(port: number, timeoutMs = 1500): Promise<HealthProbe> {
  let res: RawResponse;
  try {
    res = await rawRequest({ port, method: 'GET', path: '/api/health', timeoutMs, maxResponseBytes: 64 * 1024 });
  } catch (e) {
    const err = e as ApiRequestError;
    if (err.errno === 'ECONNREFUSED') return { kind: 'none' };
    if (err.code === 'timeout') return { kind: 'other', detail: `a program on port ${port} accepted the connection but did not answer within ${timeoutMs} ms` };
    return { kind: 'other', detail: `port ${port} answered with something that is not HTTP (${err.errno ?? err.message})` };
  }
  if (res.status === 200) {
    try {
      const json: unknown = JSON.parse(res.body.toString('utf8'));
      if (isSpyglassHealth(json)) return { kind: 'spyglass', health: json };
    } catch {
      // not JSON: some other web server
    }
  }
  const server = typeof res.headers.server === 'string' ? ` (server: ${res.headers.server})` : '';
  return { kind: 'other', detail: `port ${port} is used by another program that is not Spyglass: GET /api/health answered HTTP ${res.status}${server}` };
}
