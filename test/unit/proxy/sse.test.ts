import { describe, expect, it } from 'vitest';
import { parseSse, parseSseBytes } from '../../../src/capture/proxy/sse';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('parseSse', () => {
  it('splits events with event names and multi-line data, with the byte offset where each was dispatched', () => {
    const text = 'event: message_start\ndata: {"a":1}\n\n: comment\ndata: line1\ndata: line2\n\n';
    const r = parseSse(b(text));
    expect(r.events).toEqual([
      { event: 'message_start', data: '{"a":1}', end: text.indexOf('\n\n') + 2 },
      { event: null, data: 'line1\nline2', end: text.length },
    ]);
    expect(r.strayLines).toBe(0);
    expect(r.truncated).toBe(false);
  });

  it('reads CRLF endings (Gemini) and lone CR endings', () => {
    expect(parseSse(b('data: {"x":1}\r\n\r\ndata: {"x":2}\r\n\r\n')).events.map((e) => e.data)).toEqual(['{"x":1}', '{"x":2}']);
    expect(parseSse(b('data: a\r\rdata: b\r\r')).events.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('gives byte offsets, not character offsets, for multi-byte text', () => {
    const first = 'data: "héllo ✓"\n\n';
    const r = parseSse(b(`${first}data: x\n\n`));
    expect(r.events[0]!.end).toBe(Buffer.byteLength(first));
    expect(r.events[0]!.data).toBe('"héllo ✓"');
  });

  it('keeps the value exactly: one optional space after the colon, none trimmed beyond', () => {
    expect(parseSse(b('data:no-space\n\ndata:  two\n\n')).events.map((e) => e.data)).toEqual(['no-space', ' two']);
  });

  it('flags stray lines and a stream cut inside an event', () => {
    const r = parseSse(b('data: {"ok":true}\n\nnot an sse line\n\ndata: {"cut'));
    expect(r.events).toHaveLength(1);
    expect(r.strayLines).toBe(1);
    expect(r.truncated).toBe(true);
    expect(parseSse(b('data: {"x":1}\n')).truncated).toBe(true);
  });

  it('ignores id and retry fields, and a leading byte-order mark', () => {
    const r = parseSse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b('id: 7\nretry: 100\ndata: z\n\n')]));
    expect(r.events.map((e) => e.data)).toEqual(['z']);
    expect(r.strayLines).toBe(0);
  });

  it('reads ASCII bodies on its fast path exactly as on the general one', () => {
    const inputs = [
      'event: a\ndata: 1\n\n: c\ndata: x\ndata: y\n\nid: 3\nretry: 9\nbogus\ndata:z\n\ndata: cut',
      'data: {"x":1}\r\n\r\nevent: e\r\ndata:  two\r\n\r\n',
      'data\n\nevent\n\ndata: [DONE]\n\n',
      '',
      '\n\n\n',
    ];
    for (const text of inputs) expect(parseSse(b(text))).toEqual(parseSseBytes(b(text)));
  });
});
