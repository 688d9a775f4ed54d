// Incremental parser for `text/event-stream` (the subset the collector sends: `data:` lines,
// comments, blank-line separated events). Pure so chunk boundaries can be tested exhaustively.

export class SseParser {
  private buffer = '';
  private dataLines: string[] = [];

  /** Feeds a decoded chunk; returns the `data` payloads of every event completed by it. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const events: string[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      // A lone '\r' at the very end may be the first half of '\r\n': wait for more input.
      if (this.buffer[nl] === '\r' && nl === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, nl);
      const sepLen = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      this.buffer = this.buffer.slice(nl + sepLen);
      if (line === '') {
        if (this.dataLines.length > 0) events.push(this.dataLines.join('\n'));
        this.dataLines = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.dataLines.push(value);
    }
    return events;
  }

  reset(): void {
    this.buffer = '';
    this.dataLines = [];
  }
}
