// A raw HTTP client for receiver tests: sends exactly the bytes and headers given (no automatic
// content-type or compression) and returns the whole answer, even when the server answers early.

import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface PostOptions {
  headers?: Record<string, string>;
  /** Send the body in chunks without content-length (chunked transfer encoding). */
  chunked?: boolean;
}

export function post(port: number, path: string, body: Uint8Array, opts: PostOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (!opts.chunked) headers['content-length'] = body.length;
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is written: that is fine.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    req.on('close', () => {
      if (!answered) reject(new Error(`connection closed without an answer to POST ${path}`));
    });
    if (opts.chunked) {
      const step = 64 * 1024;
      for (let i = 0; i < body.length; i += step) req.write(body.subarray(i, i + step));
      req.end();
    } else {
      req.end(body);
    }
  });
}
