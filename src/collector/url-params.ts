// Reading the JSON API's query parameters and bodies: a wrong value is a 400 that says which
// parameter and why, never a silently ignored filter.

import type http from 'node:http';
import { HttpError, readBody } from '../capture/http-server';

export function num(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new HttpError(400, `invalid ${name}`, `expected a number, got ${JSON.stringify(raw)}`);
  return v;
}

export function str(url: URL, name: string): string | undefined {
  const v = url.searchParams.get(name);
  return v === null || v === '' ? undefined : v;
}

/** One of `allowed`, or undefined when absent. */
export function oneOf<T extends string>(url: URL, name: string, allowed: readonly T[]): T | undefined {
  const v = str(url, name);
  if (v !== undefined && !allowed.includes(v as T)) throw new HttpError(400, `invalid ${name}`, `expected ${allowed.join(', ')}`);
  return v as T | undefined;
}

export function traceIdParam(raw: string): string {
  const id = raw.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new HttpError(400, 'invalid trace id', 'expected 32 hex characters');
  return id;
}

export function spanIdParam(raw: string): string {
  const id = raw.toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(id)) throw new HttpError(400, 'invalid span id', 'expected 16 hex characters');
  return id;
}

/**
 * A JSON request body. Only `application/json` is accepted: a web page cannot send that
 * cross-site without a preflight, which the collector does not grant.
 */
export async function readJson(req: http.IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new HttpError(415, 'unsupported content type', 'send the body as application/json');
  }
  const body = await readBody(req, { maxBytes });
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, 'invalid JSON', (err as Error).message);
  }
}
