// A small typed client for the collector's JSON API (`/api/...` on its HTTP port). Every
// request has a deadline: a collector that hangs must never hang the extension host's UI.

import * as http from 'node:http';
import type {
  HealthDto,
  StatsDto,
  StatsQuery,
  TodaySummaryDto,
  TraceDetail,
  TraceListPage,
  TraceListQuery,
} from '../protocol/api';
import { isSpyglassHealth, type HealthProbe } from './ownership-model';

import { LOOPBACK_HOST } from './loopback';

export const LOOPBACK = LOOPBACK_HOST;

export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null = null,
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
          finish(new ApiRequestError(`Response from ${req.path} is larger than ${req.maxResponseBytes} bytes`, res.statusCode ?? null));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e) => finish(e));
      res.on('aborted', () => finish(new ApiRequestError(`Response from ${req.path} was cut off`, res.statusCode ?? null, 'ECONNRESET')));
    });
    const timer = setTimeout(() => {
      cr.destroy();
      finish(new ApiRequestError(`${req.method} ${req.path} timed out after ${req.timeoutMs} ms`, null, 'ETIMEDOUT'));
    }, req.timeoutMs);
    cr.on('error', (e: NodeJS.ErrnoException) => finish(new ApiRequestError(e.message, null, e.code ?? null)));
    if (req.body !== undefined) cr.write(req.body);
    cr.end();
  });
}

function queryString(params: object): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
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
    if (typeof json.error === 'string') return `${json.error}${typeof json.detail === 'string' ? `: ${json.detail}` : ''}`;
  } catch {
    // not JSON: fall through to the raw text
  }
  return `HTTP ${res.status} from ${path}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

export interface ImportResult {
  acceptedSpans: number;
}

export class ApiClient {
  constructor(
    readonly port: number,
    private readonly timeoutMs = 5000,
  ) {}

  get baseUrl(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  private async json<T>(method: string, path: string, body?: { data: Buffer | string; contentType: string }, timeoutMs = this.timeoutMs): Promise<T> {
    const res = await rawRequest({
      port: this.port,
      method,
      path,
      body: body?.data,
      headers: body ? { 'content-type': body.contentType } : undefined,
      timeoutMs,
    });
    if (res.status < 200 || res.status >= 300) throw new ApiRequestError(errorMessage(res, path), res.status);
    if (res.status === 204 || res.body.length === 0) return undefined as T;
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch {
      throw new ApiRequestError(`${path} did not answer with JSON`, res.status);
    }
  }

  health(): Promise<HealthDto> {
    return this.json('GET', '/api/health');
  }

  listTraces(query: TraceListQuery = {}): Promise<TraceListPage> {
    return this.json('GET', `/api/traces${queryString(query)}`);
  }

  getTrace(traceId: string): Promise<TraceDetail> {
    return this.json('GET', `/api/traces/${encodeURIComponent(traceId)}`);
  }

  stats(query: StatsQuery = {}): Promise<StatsDto> {
    return this.json('GET', `/api/stats${queryString(query)}`);
  }

  todaySummary(): Promise<TodaySummaryDto> {
    return this.json('GET', '/api/summary/today');
  }

  async clearAll(): Promise<void> {
    await this.json<void>('DELETE', '/api/traces');
  }

  /** OTLP JSON (one ExportTraceServiceRequest) or JSONL of them. */
  importTraces(data: Buffer | string, jsonLines: boolean): Promise<ImportResult> {
    return this.json('POST', '/api/import', { data, contentType: jsonLines ? 'application/x-ndjson' : 'application/json' }, Math.max(this.timeoutMs, 120_000));
  }

  /** The raw OTLP JSON bytes, written to a file as they are. */
  async exportTraces(traceId?: string): Promise<Buffer> {
    const path = `/api/export${queryString({ traceId })}`;
    const res = await rawRequest({ port: this.port, method: 'GET', path, timeoutMs: Math.max(this.timeoutMs, 120_000) });
    if (res.status !== 200) throw new ApiRequestError(errorMessage(res, path), res.status);
    return res.body;
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
    if (err.code === 'ECONNREFUSED') return { kind: 'none' };
    if (err.code === 'ETIMEDOUT') return { kind: 'other', detail: `a program on port ${port} accepted the connection but did not answer within ${timeoutMs} ms` };
    return { kind: 'other', detail: `port ${port} answered with something that is not HTTP (${err.code ?? err.message})` };
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
