// Coalesces bursts of work (a collector sends many `traces-changed` events while spans pour in):
// runs at most once per interval, never two runs at once, and always once more after the last
// request so the final state is shown.

export class Throttle {
  private lastRun = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private pending = false;
  private disposed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<void> | void,
    private readonly now: () => number = Date.now,
  ) {}

  schedule(): void {
    if (this.disposed) return;
    this.pending = true;
    if (this.running || this.timer) return;
    const wait = this.lastRun + this.intervalMs - this.now();
    if (wait <= 0) void this.run();
    else this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, wait);
  }

  /** Run now (e.g. a user pressed Refresh), still without overlapping a run in progress. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = true;
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    if (this.disposed || !this.pending) return;
    this.pending = false;
    this.running = true;
    this.lastRun = this.now();
    try {
      await this.task();
    } catch {
      // the task reports its own errors; a failure must not stop later runs
    } finally {
      this.running = false;
      if (this.pending) this.schedule();
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
