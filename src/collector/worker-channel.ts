// One small typed request/reply channel for the collector's worker threads, after
// vscode-hexeditor's MessageHandler (shared/protocol.ts, used by its diff worker): messages go in
// an envelope with an id, a reply names the request it answers, and each side handles the
// other's messages with one function. Added here: a failed handler answers with its error, a
// request waits no longer than its timeout, and a closed channel fails what is still waiting.

export interface Envelope<T> {
  id: number;
  /** Set on replies: the id of the request answered. */
  inReplyTo?: number;
  body?: T;
  /** Set on failed replies: the handler's error message. */
  error?: string;
}

export class WorkerChannel<TOut, TIn> {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (m: TIn) => void; reject: (e: Error) => void; timer: NodeJS.Timeout | null }>();

  /**
   * `handle` answers the other side's requests (a reply, or undefined for none); `post` sends
   * an envelope (postMessage of a worker or of a parentPort).
   */
  constructor(
    private readonly post: (m: Envelope<TOut>) => void,
    private readonly handle: (m: TIn) => Promise<TOut | undefined> | TOut | undefined = () => undefined,
  ) {}

  /** Sends a message that needs no answer. */
  notify(body: TOut): void {
    this.post({ id: this.nextId++, body });
  }

  /** Sends a request; resolves with the reply, rejects on the handler's error, a timeout or close. */
  request<R extends TIn>(body: TOut, timeoutMs = 0): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => this.fail(id, new Error(`no answer within ${timeoutMs} ms`)), timeoutMs) : null;
      this.waiting.set(id, { resolve: resolve as (m: TIn) => void, reject, timer });
      this.post({ id, body });
    });
  }

  /** Feed every message from the other side here. */
  async receive(m: Envelope<TIn>): Promise<void> {
    if (m.inReplyTo !== undefined) {
      const w = this.waiting.get(m.inReplyTo);
      if (!w) return;
      this.waiting.delete(m.inReplyTo);
      if (w.timer) clearTimeout(w.timer);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m.body as TIn);
      return;
    }
    try {
      const reply = await this.handle(m.body as TIn);
      if (reply !== undefined) this.post({ id: this.nextId++, inReplyTo: m.id, body: reply });
    } catch (err) {
      this.post({ id: this.nextId++, inReplyTo: m.id, error: (err as Error)?.message ?? String(err) });
    }
  }

  /** Fails every request still waiting (the other side is gone). */
  close(reason: Error): void {
    for (const id of [...this.waiting.keys()]) this.fail(id, reason);
  }

  get pending(): number {
    return this.waiting.size;
  }

  private fail(id: number, err: Error): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    if (w.timer) clearTimeout(w.timer);
    w.reject(err);
  }
}
