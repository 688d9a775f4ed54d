// The worker channel: requests get their own replies (in any order), a handler's error comes
// back as a rejection, a request times out, and closing fails what still waits.
import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { WorkerChannel, type Envelope } from '../../src/collector/worker-channel';

function pair() {
  const { port1, port2 } = new MessageChannel();
  const a = new WorkerChannel<number, string>((m) => port1.postMessage(m));
  const b = new WorkerChannel<string, number>((m) => port2.postMessage(m), async (n) => {
    if (n < 0) throw new Error('negative');
    if (n === 0) return undefined;
    await new Promise((r) => setTimeout(r, 50 - n));
    return `n=${n}`;
  });
  port1.on('message', (m: Envelope<string>) => void a.receive(m));
  port2.on('message', (m: Envelope<number>) => void b.receive(m));
  return { a, close: () => (port1.close(), port2.close()) };
}

describe('worker channel', () => {
  it('pairs replies with their requests, and passes errors back', async () => {
    const { a, close } = pair();
    const [x, y] = await Promise.all([a.request(1), a.request(40)]);
    expect([x, y]).toEqual(['n=1', 'n=40']);
    await expect(a.request(-1)).rejects.toThrow('negative');
    expect(a.pending).toBe(0);
    close();
  });

  it('times out a request that gets no answer, and fails the waiting ones on close', async () => {
    const { a, close } = pair();
    await expect(a.request(0, 100)).rejects.toThrow('no answer within 100 ms');
    const waiting = a.request(0);
    a.close(new Error('worker gone'));
    await expect(waiting).rejects.toThrow('worker gone');
    close();
  });
});
