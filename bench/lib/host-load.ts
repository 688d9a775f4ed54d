// The load generator of the host event-loop benchmark: a separate process (an app exporting
// spans), so its CPU time is not charged to the extension host's thread. It encodes realistic
// LLM traces as OTLP/HTTP protobuf before the clock starts, then posts them at a paced rate
// (batch i is due at t0 + spans-before-i / rate) over keep-alive connections. On request it reads
// the collector's stored-span counter from /metrics, so the achieved rate is what was stored.

import http from 'node:http';
import { CONTENT_TYPE, encodeProtobuf } from './otlp-payloads';
import { spanBatches } from './spans';
import { nowMs } from './timing';

export interface LoadPlan {
  port: number;
  rate: number;
  batchSpans: number;
  /** Spans to prepare (the sender stops early when told to). */
  spans: number;
  seed: number;
}

export type ToLoad = { type: 'go' } | { type: 'stop' } | { type: 'count'; id: number };
export type FromLoad =
  | { type: 'ready'; bodies: number; spans: number; mb: number; encodeMs: number }
  | { type: 'count'; id: number; stored: number; atMs: number; error?: string }
  | { type: 'done'; sentSpans: number; ackedSpans: number; requests: number; failures: string[]; maxLagMs: number; elapsedMs: number; exhausted: boolean }
  | { type: 'error'; message: string };

function post(agent: http.Agent, port: number, path: string, body: Buffer | null, contentType?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = body ? { 'content-type': contentType, 'content-length': body.length } : {};
    const req = http.request({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

/** `spyglass_spans_received_total` summed over transports. */
export function storedSpans(metrics: string): number {
  let n = 0;
  for (const m of metrics.matchAll(/^spyglass_spans_received_total(?:\{[^}]*\})?\s+([0-9.e+]+)$/gm)) n += Number(m[1]);
  return n;
}

export async function loadGeneratorMain(): Promise<void> {
  const send = (m: FromLoad) => process.send!(m);
  const plan = await new Promise<LoadPlan>((resolve) => process.once('message', (m) => resolve(m as LoadPlan)));
  const t0 = nowMs();
  // Traces of ~10 spans start ~10 spans / rate apart: span times follow the wall clock of the run.
  const startUs = Date.now() * 1000;
  const bodies: { body: Buffer; spans: number }[] = [];
  let spans = 0;
  let bytes = 0;
  for (const b of spanBatches({ seed: plan.seed, spans: plan.spans, startUs, gapUs: Math.round((10 / plan.rate) * 1e6), batchSpans: plan.batchSpans })) {
    const body = encodeProtobuf(b);
    bodies.push({ body, spans: b.length });
    spans += b.length;
    bytes += body.length;
  }
  send({ type: 'ready', bodies: bodies.length, spans, mb: bytes / 1e6, encodeMs: nowMs() - t0 });

  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const metricsAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let stop = false;
  let go: () => void = () => undefined;
  const started = new Promise<void>((r) => (go = r));
  process.on('message', (m: ToLoad) => {
    if (m.type === 'go') go();
    else if (m.type === 'stop') stop = true;
    else if (m.type === 'count') {
      post(metricsAgent, plan.port, '/metrics', null)
        .then((r) => send({ type: 'count', id: m.id, stored: storedSpans(r.text), atMs: nowMs() }))
        .catch((e: Error) => send({ type: 'count', id: m.id, stored: NaN, atMs: nowMs(), error: `/metrics: ${e.message}` }));
    }
  });
  await started;

  const failures: string[] = [];
  let sentSpans = 0;
  let ackedSpans = 0;
  let requests = 0;
  let maxLagMs = 0;
  let inFlight = 0;
  const inFlightDone: (() => void)[] = [];
  const begin = nowMs();
  let i = 0;
  for (; i < bodies.length && !stop; i++) {
    const due = begin + (sentSpans / plan.rate) * 1000;
    const wait = due - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    while (inFlight >= 16) await new Promise<void>((r) => inFlightDone.push(r));
    maxLagMs = Math.max(maxLagMs, nowMs() - due);
    const { body, spans: n } = bodies[i]!;
    sentSpans += n;
    requests++;
    inFlight++;
    post(agent, plan.port, '/v1/traces', body, CONTENT_TYPE.protobuf)
      .then((r) => {
        if (r.status === 200) ackedSpans += n;
        else failures.push(`HTTP ${r.status}: ${r.text.slice(0, 200)}`);
      })
      .catch((e: Error) => failures.push(e.message))
      .finally(() => {
        inFlight--;
        inFlightDone.shift()?.();
      });
  }
  const elapsedMs = nowMs() - begin;
  while (inFlight > 0) await new Promise<void>((r) => inFlightDone.push(r));
  agent.destroy();
  send({ type: 'done', sentSpans, ackedSpans, requests, failures, maxLagMs, elapsedMs, exhausted: i >= bodies.length && !stop });
  // Stay for /metrics requests until the parent disconnects.
  process.on('disconnect', () => {
    metricsAgent.destroy();
    process.exit(0);
  });
}
