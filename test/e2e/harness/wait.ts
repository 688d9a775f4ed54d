// Waiting on observable conditions with a deadline: the e2e suite never sleeps to synchronise.

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** Polls `probe` until it returns a value other than undefined/null/false, or throws after the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 30_000, intervalMs = 100 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves when `pattern` shows up in the text a stream has produced, rejects at the deadline. */
export function waitForOutput(
  what: string,
  read: () => string,
  subscribe: (onData: () => void) => () => void,
  pattern: RegExp,
  timeoutMs: number,
  onExit?: (cb: (code: number | null) => void) => void,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, m?: RegExpExecArray) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      if (err) reject(err);
      else resolve(m as RegExpExecArray);
    };
    const check = () => {
      const m = pattern.exec(read());
      if (m) finish(null, m);
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output so far:\n${read().slice(-4000)}`)), timeoutMs);
    const unsubscribe = subscribe(check);
    onExit?.((code) => finish(new Error(`process exited (code ${code}) before ${what}; output:\n${read().slice(-4000)}`)));
    check();
  });
}
