// The prompt versions API: prompts (and experiments) with their versions' figures in a window,
// one version's text, and two versions compared figure by figure. Reads only.

import { HttpError, sendJson, type Route } from '../capture/http-server';
import { carryOver } from '../core/prompts/carry-over';
import type { PromptQuery, PromptReplayItem, PromptReplayPlan } from '../protocol/api';
import type { Store } from '../store/store';
import { requestOf } from './replay-routes';
import { num, str } from './url-params';

export const MAX_PROMPT_REPLAY_CALLS = 50;

function promptQuery(url: URL): PromptQuery {
  const q: PromptQuery = { from: num(url, 'from'), to: num(url, 'to'), service: str(url, 'service') };
  if (q.from !== undefined && q.to !== undefined && q.to < q.from) throw new HttpError(400, 'invalid window', '`to` is before `from`');
  const replays = str(url, 'replays');
  if (replays === '1' || replays === 'true') q.replays = true;
  return q;
}

/** `<promptId>/<version>`: the id is hex; the version is whatever follows the first slash. */
function versionRef(url: URL, name: string): { promptId: string; version: string } {
  const raw = str(url, name);
  const slash = raw?.indexOf('/') ?? -1;
  if (raw === undefined || slash <= 0 || slash === raw.length - 1) {
    throw new HttpError(400, `invalid ${name}`, `expected ${name}=<promptId>/<version>`);
  }
  return { promptId: raw.slice(0, slash), version: raw.slice(slash + 1) };
}

/** A's newest calls, each with B's text carried into its request, or why not. */
function replayPlan(store: Store, a: { promptId: string; version: string }, b: { promptId: string; version: string }, count: number): PromptReplayPlan {
  const prompts = store.queries.prompts;
  const va = prompts.version(a.promptId, a.version);
  const vb = prompts.version(b.promptId, b.version);
  if (!va || !vb) throw new HttpError(404, 'prompt version not found', `${a.promptId}/${a.version} or ${b.promptId}/${b.version}`);
  const items: PromptReplayItem[] = (prompts.recentCalls(a.promptId, a.version, count) ?? []).map(({ traceId, spanId, serviceName }) => {
    const item: PromptReplayItem = { traceId, spanId, serviceName };
    const call = store.queries.getSpan(traceId, spanId)?.llm;
    if (!call) return { ...item, error: 'the call is no longer stored' };
    let body: string;
    try {
      body = requestOf(store, traceId, spanId).body;
    } catch (err) {
      return { ...item, error: err instanceof HttpError && err.detail ? err.detail : (err as Error).message };
    }
    const carried = carryOver(body, call, va.text, vb.text);
    return carried.ok ? { ...item, body: carried.body } : { ...item, error: carried.reason };
  });
  return { a, b, items };
}

export function promptRoutes(store: Store): Route[] {
  const prompts = () => store.queries.prompts;
  return [
    {
      method: 'GET',
      pattern: /^\/api\/prompts$/,
      handler: ({ res, url }) => sendJson(res, 200, prompts().list(promptQuery(url))),
    },
    {
      method: 'GET',
      pattern: /^\/api\/prompts\/compare$/,
      handler: ({ res, url }) => {
        const a = versionRef(url, 'a');
        const b = versionRef(url, 'b');
        const dto = prompts().compare(a, b, promptQuery(url));
        if (!dto) throw new HttpError(404, 'prompt version not found', `${a.promptId}/${a.version} or ${b.promptId}/${b.version}`);
        sendJson(res, 200, dto);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/prompts\/replay-plan$/,
      handler: ({ res, url }) => {
        const count = num(url, 'count') ?? 10;
        if (!Number.isInteger(count) || count < 1 || count > MAX_PROMPT_REPLAY_CALLS) {
          throw new HttpError(400, 'invalid count', `count must be a whole number from 1 to ${MAX_PROMPT_REPLAY_CALLS}`);
        }
        sendJson(res, 200, replayPlan(store, versionRef(url, 'a'), versionRef(url, 'b'), count));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/prompts\/(?<promptId>[^/]+)\/versions\/(?<version>[^/]+)$/,
      handler: ({ res, params }) => {
        let version: string;
        try {
          version = decodeURIComponent(params.version!);
        } catch {
          throw new HttpError(400, 'invalid version', 'not a valid percent-encoded string');
        }
        const dto = prompts().version(params.promptId!, version);
        if (!dto) throw new HttpError(404, 'prompt version not found', `${params.promptId}/${version}`);
        sendJson(res, 200, dto);
      },
    },
  ];
}
