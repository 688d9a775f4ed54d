// Passes each distinct message on at most once a minute (a page retrying a refused request must
// not flood the log), and says how many were held back.

const WINDOW_MS = 60_000;
const MAX_KEYS = 1_000;

export class OncePerMinute {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly emit: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  note(message: string): void {
    const t = this.now();
    const seen = this.last.get(message);
    if (seen && t - seen.at < WINDOW_MS) {
      seen.held++;
      return;
    }
    if (this.last.size >= MAX_KEYS) this.last.clear();
    this.last.set(message, { at: t, held: 0 });
    this.emit(seen && seen.held > 0 ? `${message} (and ${seen.held} more like it in the last minute)` : message);
  }
}
