import { afterEach, describe, expect, it, vi } from 'vitest';
import { SseParser } from '../../../src/host/connection/sse-parser';
import { Throttle } from '../../../src/host/connection/throttle';

describe('SseParser', () => {
  const stream = ': keep-alive\n\ndata: {"type":"hello"}\n\nevent: x\nid: 3\ndata: {"a":\ndata: 1}\n\r\ndata:no-space\r\n\r\n';
  const expected = ['{"type":"hello"}', '{"a":\n1}', 'no-space'];

  it('parses events, comments, multi-line data and CRLF', () => {
    expect(new SseParser().push(stream)).toEqual(expected);
  });

  it('gives the same events however the stream is split into chunks', () => {
    for (let i = 0; i <= stream.length; i++) {
      for (const j of [i, Math.min(stream.length, i + 1), Math.min(stream.length, i + 7)]) {
        const p = new SseParser();
        const out = [...p.push(stream.slice(0, i)), ...p.push(stream.slice(i, j)), ...p.push(stream.slice(j))];
        expect(out, `split at ${i}/${j}`).toEqual(expected);
      }
    }
  });

  it('does not emit an event before its blank line', () => {
    const p = new SseParser();
    expect(p.push('data: 1\n')).toEqual([]);
    expect(p.push('\n')).toEqual(['1']);
  });
});

describe('Throttle', () => {
  afterEach(() => vi.useRealTimers());

  it('runs at once, then at most once per interval, always once after the last request', async () => {
    vi.useFakeTimers();
    let now = 0;
    const runs: number[] = [];
    const t = new Throttle(250, () => void runs.push(now), () => now);
    t.schedule();
    expect(runs).toEqual([0]);
    for (let i = 0; i < 10; i++) {
      now += 20;
      t.schedule();
    }
    expect(runs).toEqual([0]);
    now = 250;
    await vi.advanceTimersByTimeAsync(250);
    expect(runs).toEqual([0, 250]);
    now = 1000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual([0, 250]); // nothing pending: no extra run
    t.dispose();
  });

  it('never overlaps runs; a request during a run causes one more run after it', async () => {
    let release!: () => void;
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const t = new Throttle(0, async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => (release = r));
      active--;
    });
    t.schedule();
    t.schedule();
    t.flush();
    expect(runs).toBe(1);
    release();
    await vi.waitFor(() => expect(runs).toBe(2));
    release();
    await vi.waitFor(() => expect(active).toBe(0));
    expect(maxActive).toBe(1);
    expect(runs).toBe(2);
    t.dispose();
  });
});
