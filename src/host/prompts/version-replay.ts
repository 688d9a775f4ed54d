// "Replay this version's calls with version B", without the editor: the collector plans it (A's
// newest calls, each request carrying B's text), and each planned call is sent through
// `POST /api/replay` tagged with both versions, one after another so a cancel stops at the next
// call and no provider sees a burst. The replays are stored as B's calls linked to their originals.

import type { PromptReplayItem, ReplayOutcome } from '../../protocol/api';
import type { ApiClient } from '../connection/api-client';

export interface VersionRef {
  promptId: string;
  version: string;
}

export interface VersionReplayResult {
  /** Calls planned, sent (with an answer recorded) and failed (sent, the provider or proxy said no). */
  planned: number;
  replays: (ReplayOutcome & { original: { traceId: string; spanId: string } })[];
  /** Calls not sent, with why (the text could not be carried over, the request could not be rebuilt). */
  skipped: { traceId: string; spanId: string; reason: string }[];
  cancelled: boolean;
}

export interface VersionReplayOptions {
  /** Provider key headers, passed through by the collector and never stored. */
  headers: Record<string, string>;
  /** Checked before each call. */
  isCancelled?: () => boolean;
  /** After each call: how many of the planned ones are done. */
  onProgress?: (done: number, total: number) => void;
}

export async function replayVersionCalls(api: ApiClient, a: VersionRef, b: VersionRef, count: number, opts: VersionReplayOptions): Promise<VersionReplayResult> {
  const plan = await api.promptReplayPlan(a, b, count);
  const result: VersionReplayResult = { planned: plan.items.length, replays: [], skipped: [], cancelled: false };
  const sendable = plan.items.filter((i): i is PromptReplayItem & { body: string } => {
    if (i.body !== undefined) return true;
    result.skipped.push({ traceId: i.traceId, spanId: i.spanId, reason: i.error ?? 'no request' });
    return false;
  });
  let done = result.skipped.length;
  opts.onProgress?.(done, plan.items.length);
  for (const item of sendable) {
    if (opts.isCancelled?.()) {
      result.cancelled = true;
      break;
    }
    let outcome: ReplayOutcome | null = null;
    let failure: string | null = null;
    await api.replay({
      traceId: item.traceId, spanId: item.spanId, body: item.body, count: 1,
      prompt: { promptId: b.promptId, version: b.version, fromPromptId: a.promptId, fromVersion: a.version },
      ...(item.serviceName ? { service: item.serviceName } : {}),
    }, opts.headers, (e) => {
      if (e.type === 'done') outcome = { traceId: e.traceId, spanId: e.spanId, httpStatus: e.httpStatus, ...(e.error ? { error: e.error } : {}) };
      else if (e.type === 'error') failure = `${e.error}${e.detail ? `: ${e.detail}` : ''}`;
    });
    if (failure) throw new Error(failure);
    if (outcome) result.replays.push({ ...(outcome as ReplayOutcome), original: { traceId: item.traceId, spanId: item.spanId } });
    opts.onProgress?.(++done, plan.items.length);
  }
  return result;
}
