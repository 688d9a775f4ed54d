// Concurrent OTLP/HTTP senders: `concurrency` keep-alive connections, each posting the next
// pre-encoded body as soon as its previous request is answered, as several exporters (or one
// exporter with concurrent exports) would. Every answer must be a 200 with no rejected spans.

import http from 'node:http';
import { nowMs } from './timing';

export interface LoadResult {
  elapsedMs: number;
  requests: number;
  failures: string[];
}

function post(agent: http.Agent, port: number, body: Buffer, contentType: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function sendAll(port: number, bodies: Buffer[], contentType: string, concurrency: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const failures: string[] = [];
  let next = 0;
  const t0 = nowMs();
  const lane = async () => {
    while (next < bodies.length) {
      const i = next++;
      try {
        const r = await post(agent, port, bodies[i]!, contentType);
        // A JSON answer with rejectedSpans, or any non-200, means spans were not stored.
        if (r.status !== 200 || /rejectedSpans"\s*:\s*"?[1-9]/.test(r.text)) failures.push(`request ${i}: ${r.status} ${r.text.slice(0, 200)}`);
      } catch (err) {
        failures.push(`request ${i}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsedMs = nowMs() - t0;
  agent.destroy();
  return { elapsedMs, requests: bodies.length, failures };
}
