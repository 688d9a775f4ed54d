// A raw HTTP client for tests: no decompression, no parsing, so the exact bytes a server (or the
// proxy) sent can be compared.

import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  /** Arrival time of each chunk (performance.now()), relative to the request start. */
  chunkTimes: number[];
}

export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = [];
      const chunkTimes: number[] = [];
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        chunkTimes.push(performance.now() - start);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks), chunkTimes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Headers that legitimately differ between two answers to the same request. */
const VOLATILE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

export function stableHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!VOLATILE.has(raw[i]!.toLowerCase())) out.push(`${raw[i]!.toLowerCase()}: ${raw[i + 1]}`);
  return out;
}
