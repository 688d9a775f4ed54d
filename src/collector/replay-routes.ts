// Replay: the provider request behind a stored call (`GET …/spans/{spanId}/request`), and sending
// it again (`POST /api/replay`) through the collector's own recording proxy, so each replay is
// captured like any proxied call and linked to its original both ways by `replay` annotations.

import type http from 'node:http';
import { HttpError, sendJson, type Route } from '../capture/http-server';
import { REDACTED } from '../capture/credentials';
import { SERVICE_HEADER } from '../capture/proxy';
import type { ReplayTickets } from '../capture/proxy/replay-tickets';
import { BUILTIN_UPSTREAMS, type Upstream, type UpstreamTable } from '../capture/proxy/upstreams';
import type { ProxyCapture } from '../capture/sink';
import { replayCredentials } from '../capture/replay/credentials';
import { sendThroughProxy } from '../capture/replay/send';
import { SOURCE_USER, type NewAnnotation } from '../core/annotations/model';
import { credentialHeaderNames, exactRequest, modelOf, NotReplayable, rebuildRequest, withModel, type WireRequest } from '../core/replay/rebuild';
import type { PromptReplayTag, ReplayOutcome, ReplayRequestDto, ReplayRunRequest, ReplayStreamEvent } from '../protocol/api';
import type { AnnotationOp } from '../store/annotation-writes';
import type { Store } from '../store/store';
import { readJson, spanIdParam, traceIdParam } from './url-params';

export const MAX_REPLAY_COUNT = 20;
/** Replays of one request in flight at once: enough to see variance soon, few enough not to trip rate limits. */
const PARALLEL = 4;

export interface ReplayContext {
  store: Store;
  write(ops: AnnotationOp[]): Promise<void>;
  upstreams: UpstreamTable;
  tickets: ReplayTickets;
  /** The collector's HTTP port (the proxy replays go through). */
  port(): number;
  /** Where keys come from when a request brings none. */
  env: Record<string, string | undefined>;
  maxBodyBytes: number;
}

/** The request behind a stored call, or an HttpError saying why there is none. */
export function requestOf(store: Store, traceId: string, spanId: string): ReplayRequestDto {
  const span = store.queries.getSpan(traceId, spanId);
  if (!span) throw new HttpError(404, 'span not found', `${traceId}/${spanId}`);
  if (!span.llm) throw new HttpError(400, 'not an LLM call', `span ${spanId} (${span.name}) is not a model call, so there is no request to send again`);
  const x = store.queries.proxyExchange(traceId, spanId);
  let r: WireRequest;
  if (x) {
    r = exactRequest(span.llm.provider, x.method, x.path, x.headers, x.requestBody, REDACTED);
  } else {
    try {
      r = rebuildRequest(span.llm);
    } catch (err) {
      if (err instanceof NotReplayable) throw new HttpError(422, 'not replayable', err.message);
      throw err;
    }
  }
  return { ...r, credentialHeaders: x ? credentialHeaderNames(x.headers, REDACTED) : [] };
}

function parseRun(b: unknown): ReplayRunRequest {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new HttpError(400, 'invalid replay', 'expected a JSON object {traceId, spanId, body?, model?, upstream?, count?}');
  const x = b as Record<string, unknown>;
  if (typeof x.traceId !== 'string' || typeof x.spanId !== 'string') throw new HttpError(400, 'invalid replay', 'traceId and spanId are required strings');
  const out: ReplayRunRequest = { traceId: traceIdParam(x.traceId), spanId: spanIdParam(x.spanId) };
  if (x.body !== undefined && x.body !== null) {
    if (typeof x.body !== 'string' && (typeof x.body !== 'object' || Array.isArray(x.body))) throw new HttpError(400, 'invalid replay', 'body must be the request body as text or as a JSON object');
    out.body = x.body as string | Record<string, unknown>;
  }
  for (const k of ['model', 'upstream'] as const) {
    if (x[k] === undefined || x[k] === null) continue;
    if (typeof x[k] !== 'string' || x[k] === '') throw new HttpError(400, 'invalid replay', `${k} must be a non-empty string`);
    out[k] = x[k];
  }
  if (x.count !== undefined && x.count !== null) {
    if (typeof x.count !== 'number' || !Number.isInteger(x.count) || x.count < 1 || x.count > MAX_REPLAY_COUNT) {
      throw new HttpError(400, 'invalid replay', `count must be a whole number from 1 to ${MAX_REPLAY_COUNT}`);
    }
    out.count = x.count;
  }
  if (x.service !== undefined && x.service !== null) {
    if (typeof x.service !== 'string' || x.service === '') throw new HttpError(400, 'invalid replay', 'service must be a non-empty string');
    out.service = x.service;
  }
  if (x.prompt !== undefined && x.prompt !== null) out.prompt = promptTagOf(x.prompt);
  return out;
}

function promptTagOf(v: unknown): PromptReplayTag {
  const t = v as Record<string, unknown>;
  const keys = ['promptId', 'version', 'fromPromptId', 'fromVersion'] as const;
  if (typeof v !== 'object' || v === null || keys.some((k) => typeof t[k] !== 'string' || t[k] === '')) {
    throw new HttpError(400, 'invalid replay', 'prompt must be {promptId, version, fromPromptId, fromVersion}, each a non-empty string');
  }
  return { promptId: t.promptId as string, version: t.version as string, fromPromptId: t.fromPromptId as string, fromVersion: t.fromVersion as string };
}

/**
 * A route to a provider's API (a built-in name, or a host Spyglass knows as a provider's) wants a
 * key; a local server under a name of its own (Ollama, vLLM) is asked without one.
 */
function isHostedApi(route: Upstream): boolean {
  return Object.hasOwn(BUILTIN_UPSTREAMS, route.name) || route.provider !== route.name.toLowerCase();
}

async function runReplays(ctx: ReplayContext, req: http.IncomingMessage, run: ReplayRunRequest, emit: (e: ReplayStreamEvent) => void): Promise<ReplayOutcome[]> {
  const original = requestOf(ctx.store, run.traceId, run.spanId);
  let wire: WireRequest = original;
  if (run.body !== undefined) wire = { ...wire, body: typeof run.body === 'string' ? run.body : JSON.stringify(run.body) };
  if (run.model !== undefined) {
    try {
      wire = withModel(wire, run.model);
    } catch (err) {
      throw new HttpError(400, 'invalid replay', (err as Error).message);
    }
  }
  const routeName = run.upstream ?? wire.upstream;
  const known = ctx.upstreams.names().join(', ');
  if (!routeName) throw new HttpError(400, 'no upstream', `the call's provider (${original.provider ?? 'unknown'}) has no proxy route: name one with "upstream" (known: ${known})`);
  const route = ctx.upstreams.get(routeName);
  if (!route) throw new HttpError(400, 'unknown upstream', `Spyglass has no upstream named "${routeName}" (known: ${known}); add one with --upstream ${routeName}=<baseURL> or the spyglass.proxy.upstreams setting`);
  const creds = replayCredentials({
    api: wire.api,
    incoming: req.headers,
    originalNames: original.credentialHeaders,
    needsKey: original.credentialHeaders.length > 0 || (!original.exact && isHostedApi(route)),
    env: ctx.env,
    upstream: routeName,
  });
  if (!creds.ok) throw new HttpError(400, 'missing credentials', creds.detail);
  const model = modelOf(wire);
  const original$ = ctx.store.queries.getSpan(run.traceId, run.spanId)!;
  const count = run.count ?? 1;
  const outcomes: ReplayOutcome[] = new Array(count);

  const one = async (index: number): Promise<void> => {
    let settle!: (v: { capture: ProxyCapture | null; error?: Error }) => void;
    const stored = new Promise<{ capture: ProxyCapture | null; error?: Error }>((r) => (settle = r));
    const { token, ids } = ctx.tickets.issue({ traceId: run.traceId, spanId: run.spanId }, (capture, error) => settle({ capture, error }));
    emit({ type: 'started', index, traceId: ids.traceId, spanId: ids.spanId });
    let sent: { status: number; error: string | null };
    try {
      sent = await sendThroughProxy({
        port: ctx.port(), upstream: routeName, method: wire.method, path: wire.path, headers: { ...wire.headers, ...creds.headers, ...(run.service ? { [SERVICE_HEADER]: run.service } : {}) }, body: wire.body, token, api: wire.api,
        onText: (text) => emit({ type: 'text', index, text }),
      });
    } catch (err) {
      ctx.tickets.cancel(token);
      const o: ReplayOutcome = { traceId: ids.traceId, spanId: ids.spanId, httpStatus: null, error: `could not reach the collector's proxy: ${(err as Error).message}` };
      outcomes[index] = o;
      emit({ type: 'done', index, ...o });
      return;
    }
    const { capture, error } = await stored;
    const httpStatus = capture?.httpStatus ?? sent.status;
    const failed = capture ? capture.outcome === 'error' : sent.status >= 400;
    const o: ReplayOutcome = { traceId: ids.traceId, spanId: ids.spanId, httpStatus };
    if (failed || error) o.error = error ? `not recorded: ${error.message}` : sent.error ?? capture?.span.statusMessage ?? `HTTP ${httpStatus}`;
    if (capture) {
      const link = (traceId: string, spanId: string, name: string, atUs: number, attributes: NewAnnotation['attributes']): NewAnnotation => ({
        kind: 'replay', name, label: httpStatus === null ? 'no answer' : String(httpStatus), score: null, explanation: null, location: null,
        attributes, traceId, spanId, source: SOURCE_USER, atUs, origin: null,
      });
      await ctx.write([{
        op: 'add',
        annotations: [
          link(ids.traceId, ids.spanId, 'replay_of', capture.span.startUs, { traceId: run.traceId, spanId: run.spanId, ...run.prompt }),
          link(run.traceId, run.spanId, 'replayed_as', Math.round(original$.startTime * 1000), { traceId: ids.traceId, spanId: ids.spanId, model, httpStatus }),
        ],
      }]);
    }
    outcomes[index] = o;
    emit({ type: 'done', index, ...o });
  };

  let next = 0;
  await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, async () => {
    while (next < count) await one(next++);
  }));
  return outcomes;
}

export function replayRoutes(ctx: ReplayContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/traces\/(?<traceId>[^/]+)\/spans\/(?<spanId>[^/]+)\/request$/,
      handler: ({ res, params }) => sendJson(res, 200, requestOf(ctx.store, traceIdParam(params.traceId!), spanIdParam(params.spanId!))),
    },
    {
      method: 'POST',
      pattern: /^\/api\/replay$/,
      handler: async ({ req, res }) => {
        const run = parseRun(await readJson(req, ctx.maxBodyBytes));
        const streamed = String(req.headers.accept ?? '').includes('text/event-stream');
        if (!streamed) {
          const replays = await runReplays(ctx, req, run, () => {});
          sendJson(res, 200, { replays });
          return;
        }
        // Checks that fail before anything is sent still answer a JSON error with its status.
        let opened = false;
        const write = (e: ReplayStreamEvent) => {
          if (!opened) {
            opened = true;
            res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
          }
          if (!res.destroyed) res.write(`data: ${JSON.stringify(e)}\n\n`);
        };
        try {
          const replays = await runReplays(ctx, req, run, write);
          write({ type: 'end', replays });
        } catch (err) {
          if (!opened) throw err;
          write({ type: 'error', error: (err as Error).message, ...(err instanceof HttpError && err.detail ? { detail: err.detail } : {}) });
        }
        res.end();
      },
    },
  ];
}
