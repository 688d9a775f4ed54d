// Reads the collector's JSON API for the panels. The base URL comes from the host (it changes
// when another window takes over the ports), so it is asked for on every call.

import type { ApiError } from '../../protocol/api';

export type ApiFailure = 'no-collector' | 'not-found' | 'http' | 'timeout' | 'network' | 'bad-json';

export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly code: ApiFailure,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export type QueryValue = string | number | undefined | null;

export class ApiClient {
  constructor(
    private readonly getBase: () => string | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  get base(): string | undefined {
    return this.getBase()?.replace(/\/+$/, '');
  }

  async getJson<T>(path: string, query: Record<string, QueryValue> = {}): Promise<T> {
    const base = this.base;
    if (!base) throw new ApiRequestError('The Spyglass collector is not running.', 'no-collector');
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));

    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const name = (err as { name?: string })?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new ApiRequestError(`The collector did not answer ${path} within ${this.timeoutMs} ms.`, 'timeout');
      }
      throw new ApiRequestError(`Cannot reach the collector at ${base}: ${describe(err)}`, 'network');
    }

    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw new ApiRequestError(`Reading ${path} failed: ${describe(err)}`, 'network', response.status);
    }
    if (!response.ok) {
      const detail = parseApiError(text);
      const code: ApiFailure = response.status === 404 ? 'not-found' : 'http';
      throw new ApiRequestError(detail ?? `${path} answered HTTP ${response.status}`, code, response.status);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiRequestError(`${path} did not answer JSON`, 'bad-json', response.status);
    }
  }
}

function parseApiError(text: string): string | null {
  try {
    const body = JSON.parse(text) as Partial<ApiError>;
    if (typeof body.error === 'string') return body.detail ? `${body.error}: ${body.detail}` : body.error;
  } catch {
    // not JSON: fall back to the status line
  }
  return null;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  return err instanceof Error ? err.message : String(err);
}
