// How a replay is told apart from any other proxied call: the collector issues a ticket (a random
// token that lives only in its memory), the replay sender passes it in a header, and the proxy
// records that exchange under the ids the ticket holds and says when it is stored. A token a
// client makes up matches nothing, and the header never leaves the collector nor is recorded.

import { randomBytes } from 'node:crypto';
import type { ProxyCapture } from '../sink';
import { newTraceIds, type TraceIds } from './trace-context';

export const REPLAY_HEADER = 'x-spyglass-replay';

export interface ReplayTicket {
  ids: TraceIds;
  /** The span this exchange replays: recorded as a span link too. */
  replayOf: { traceId: string; spanId: string };
  /** Called once the exchange is stored (capture), or could not be (error). */
  settled(capture: ProxyCapture | null, error?: Error): void;
}

export class ReplayTickets {
  private readonly open = new Map<string, ReplayTicket>();

  issue(replayOf: ReplayTicket['replayOf'], settled: ReplayTicket['settled']): { token: string; ids: TraceIds } {
    const token = randomBytes(18).toString('base64url');
    const ids = newTraceIds(undefined);
    this.open.set(token, { ids, replayOf, settled });
    return { token, ids };
  }

  /** The ticket of a token, once: a token is good for one exchange. */
  take(token: string | string[] | undefined): ReplayTicket | undefined {
    if (typeof token !== 'string') return undefined;
    const t = this.open.get(token);
    if (t) this.open.delete(token);
    return t;
  }

  /** Drops a ticket whose request never reached the proxy. */
  cancel(token: string): void {
    this.open.delete(token);
  }
}
