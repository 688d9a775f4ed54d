// One budget for the bytes of request bodies the collector holds at once. Each body has its own
// size cap, but many connections each holding a body just under it would still fill memory: past
// the budget a request is told to come back later (503 with Retry-After; OTLP exporters retry).
// A request's bytes count from when they are read until its answer is sent, since decoding and
// storing a body keeps it (and what it decodes to) alive that long.

export const DEFAULT_BODY_BUDGET_BYTES = 64 * 1024 * 1024;

export class BodyBudget {
  private used = 0;

  constructor(readonly capacity: number = DEFAULT_BODY_BUDGET_BYTES) {}

  get inUse(): number {
    return this.used;
  }

  /** A hold on the budget for one request; its bytes are given back together when it is released. */
  open(): BudgetHold {
    return new BudgetHold(this);
  }

  /** @internal */
  take(bytes: number): boolean {
    if (bytes > 0 && this.used + bytes > this.capacity) return false;
    this.used += bytes;
    return true;
  }

  /** @internal */
  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/**
 * One request's share of the budget. The server holds it until the answer is sent; whatever keeps
 * the request's bytes longer (the proxy's recording) retains it and releases it when done.
 */
export class BudgetHold {
  private held = 0;
  private holders = 1;

  constructor(private readonly budget: BodyBudget) {}

  get bytes(): number {
    return this.held;
  }

  get capacity(): number {
    return this.budget.capacity;
  }

  /** False (and nothing taken) when the bytes would take the budget past its capacity. */
  take(bytes: number): boolean {
    if (this.holders === 0 || !this.budget.take(bytes)) return false;
    this.held += bytes;
    return true;
  }

  retain(): void {
    if (this.holders > 0) this.holders++;
  }

  /** Gives every byte back once the last holder releases it. */
  release(): void {
    if (this.holders === 0 || --this.holders > 0) return;
    this.budget.give(this.held);
    this.held = 0;
  }
}
