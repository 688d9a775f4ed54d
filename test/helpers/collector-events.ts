// Listens to a collector's `GET /api/events` over real HTTP and waits, with a deadline, for an
// event that satisfies a condition.
import http from 'node:http';
import type { CollectorEvent } from '../../src/protocol/api';

export class EventListener {
  readonly events: CollectorEvent[] = [];
  private req: http.ClientRequest | null = null;
  private waiters: (() => void)[] = [];

  static async open(port: number): Promise<EventListener> {
    const l = new EventListener();
    await new Promise<void>((resolve, reject) => {
      l.req = http.get({ host: '127.0.0.1', port, path: '/api/events', agent: false }, (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
            if (data) l.events.push(JSON.parse(data) as CollectorEvent);
            for (const w of l.waiters.splice(0)) w();
          }
          if (l.events.length > 0) resolve();
        });
      });
      l.req.on('error', reject);
    });
    return l;
  }

  /** Resolves with the first event (seen so far or later) that satisfies `test`; rejects after `ms`. */
  async waitFor<T extends CollectorEvent>(test: (e: CollectorEvent) => e is T, ms?: number): Promise<T>;
  async waitFor(test: (e: CollectorEvent) => boolean, ms?: number): Promise<CollectorEvent>;
  async waitFor(test: (e: CollectorEvent) => boolean, ms = 10_000): Promise<CollectorEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(test);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such event within ${ms} ms; saw ${JSON.stringify(this.events.map((e) => e.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.req?.destroy();
  }
}
