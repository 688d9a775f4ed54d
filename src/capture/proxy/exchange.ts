// The recording side of one proxied exchange. While bytes flow, it only keeps references to
// the chunks and the time each arrived (a push per chunk, no parsing, no copying); when the
// exchange is over it decodes, parses and hands a ProxyCapture to the sink, after the client has
// been served. Nothing here may throw into the proxy: failures become warnings or are reported
// through onError.

import { isUtf8 } from 'node:buffer';
import zlib from 'node:zlib';
import type { BudgetHold } from '../body-budget';
import type { ProxyCapture, SpanSink } from '../sink';
import { buildCapture, type ExchangeFacts } from './capture-builder';
import { redactPathQuery, recordableHeaders } from './headers';
import { parserFor } from './parsers';
import type { ParsedResponse } from './parsers/types';
import { parseSse } from './sse';
import type { ReplayTicket } from './replay-tickets';
import { newTraceIds } from './trace-context';
import type { Upstream } from './upstreams';

export type Outcome = 'ok' | 'error' | 'cancelled';

export interface ExchangeLimits {
  /** Request and response bodies are stored up to this many bytes. */
  maxRecordedBodyBytes: number;
  /** Responses are kept for parsing up to this many bytes; beyond, reassembly stops. */
  maxParsedBodyBytes: number;
}

export interface ProxyFailure {
  /** error.type: upstream_unreachable, upstream_timeout, upstream_disconnected, … */
  type: string;
  message: string;
}

const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

class BodyBuffer {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  /** Total seen, kept or not. */
  seen = 0;
  /** True once the collector's body budget had no room for more of it. */
  starved = false;
  /** Flat pairs: cumulative end offset, arrival time (performance.now ms). */
  readonly marks: number[] = [];

  constructor(
    private readonly cap: number,
    private readonly hold?: BudgetHold,
  ) {}

  push(chunk: Buffer, at: number): void {
    this.seen += chunk.length;
    if (this.bytes >= this.cap || this.starved) return;
    const room = this.cap - this.bytes;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    // Recording keeps what the budget allows; the exchange itself goes on regardless.
    if (this.hold && !this.hold.take(kept.length)) {
      this.starved = true;
      return;
    }
    this.chunks.push(kept);
    this.bytes += kept.length;
    this.marks.push(this.bytes, at);
  }

  get overflowed(): boolean {
    return this.seen > this.bytes;
  }

  concat(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
  }

  /** When the byte at `offset` (exclusive end) had arrived. */
  timeAt(offset: number): number | null {
    const m = this.marks;
    let lo = 0;
    let hi = m.length / 2 - 1;
    if (hi < 0) return null;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (m[mid * 2]! >= offset) hi = mid;
      else lo = mid + 1;
    }
    return m[lo * 2]! >= offset ? m[lo * 2 + 1]! : null;
  }
}

export class Exchange {
  readonly startUs = nowUs();
  readonly startPerf = performance.now();
  private readonly request: BodyBuffer;
  private response: BodyBuffer;
  private decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null = null;
  private decoderDone: Promise<void> | null = null;
  private readonly warnings: string[] = [];
  private status: number | null = null;
  private contentType = '';
  private upstreamRequestId: string | null = null;
  private headAt: number | null = null;
  private firstByteAt: number | null = null;
  private finished = false;
  private undecodable = false;
  private wireBytes = 0;
  /** Set by the proxy before the exchange finishes; the route's name when nothing else names one. */
  service: string | null = null;
  refusedBecause: string | null = null;

  constructor(
    private readonly sink: SpanSink,
    private readonly onError: (err: Error) => void,
    private readonly limits: ExchangeLimits,
    private readonly upstream: Upstream,
    private readonly method: string,
    /** The incoming path and query (/proxy/<name>/…), credentials not yet removed. */
    private readonly incomingPath: string,
    /** The path after the route name, without query: what the parser is chosen by. */
    private readonly rest: string,
    private readonly rawRequestHeaders: string[],
    private readonly traceparent: string | string[] | undefined,
    /** The request's share of the collector's body budget, for the bytes kept to record. */
    private readonly hold?: BudgetHold,
    /** Set when this exchange is a replay the collector sent: its ids, its original, who waits for it. */
    private readonly replay?: ReplayTicket,
  ) {
    this.request = new BodyBuffer(limits.maxRecordedBodyBytes, hold);
    this.response = new BodyBuffer(limits.maxParsedBodyBytes, hold);
    // Until the exchange is recorded (after the answer was sent), its kept bytes count.
    hold?.retain();
  }

  get isFinished(): boolean {
    return this.finished;
  }

  onRequestChunk(chunk: Buffer): void {
    this.request.push(chunk, 0);
  }

  /** The whole request body when it was all kept (for a resend), else null. */
  completeRequestBody(): Buffer | null {
    return this.request.overflowed ? null : this.request.concat();
  }

  onResponseHead(status: number, headers: Record<string, string | string[] | undefined>): void {
    this.headAt = performance.now();
    this.status = status;
    this.contentType = String(headers['content-type'] ?? '').toLowerCase();
    const rid = headers['x-request-id'] ?? headers['request-id'];
    this.upstreamRequestId = typeof rid === 'string' ? rid : null;
    const encoding = String(headers['content-encoding'] ?? '').toLowerCase().trim();
    if (encoding && encoding !== 'identity') this.startDecoder(encoding);
  }

  /**
   * Compressed bodies go to the client untouched; a copy is inflated here, off the client's path
   * (zlib works on the thread pool), so the recording and the timing marks are of plain text.
   */
  private startDecoder(encoding: string): void {
    let d: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;
    if (encoding === 'gzip' || encoding === 'x-gzip') d = zlib.createGunzip();
    else if (encoding === 'deflate') d = zlib.createInflate();
    else if (encoding === 'br') d = zlib.createBrotliDecompress();
    else {
      this.warnings.push(`response content-encoding "${encoding}" not decoded; body not parsed`);
      this.undecodable = true;
      return;
    }
    this.decoder = d;
    const plain = new BodyBuffer(this.limits.maxParsedBodyBytes, this.hold);
    this.response = plain;
    d.on('data', (c: Buffer) => plain.push(c, performance.now()));
    this.decoderDone = new Promise((resolve) => {
      d.once('end', resolve);
      d.once('error', (err) => {
        this.warnings.push(`could not decode ${encoding} response: ${err.message}`);
        resolve();
      });
    });
  }

  /** Returns the arrival time it noted (performance.now()). */
  onResponseChunk(chunk: Buffer): number {
    const at = performance.now();
    this.firstByteAt ??= at;
    this.wireBytes += chunk.length;
    if (this.decoder) this.decoder.write(chunk);
    else this.response.push(chunk, at);
    return at;
  }

  /** Ends the exchange once; recording happens afterwards, on its own. */
  finish(outcome: Outcome, failure: ProxyFailure | null, clientStatus: number | null): Promise<void> {
    if (this.finished) return Promise.resolve();
    this.finished = true;
    const endPerf = performance.now();
    this.decoder?.end();
    return new Promise<void>((resolve) => {
      setImmediate(() => {
        this.record(outcome, failure, clientStatus, endPerf)
          .catch((err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))))
          .finally(resolve);
      });
    });
  }

  private async record(outcome: Outcome, failure: ProxyFailure | null, clientStatus: number | null, endPerf: number): Promise<void> {
    try {
      if (this.decoderDone) await this.decoderDone;
      const capture = this.buildCapture(outcome, failure, clientStatus, endPerf);
      await this.sink.recordProxyCall(capture);
      this.replay?.settled(capture);
    } catch (err) {
      this.replay?.settled(null, err instanceof Error ? err : new Error(String(err)));
      throw err;
    } finally {
      this.hold?.release();
    }
  }

  buildCapture(outcome: Outcome, failure: ProxyFailure | null, clientStatus: number | null, endPerf: number): ProxyCapture {
    const warnings = this.warnings;
    const parser = parserFor(this.method, this.rest);
    const reqBuf = this.request.concat();
    const requestText = bodyText(reqBuf, 'request', warnings);
    if (this.request.overflowed) warnings.push(`request body of ${this.request.seen} bytes stored truncated to ${this.request.bytes} bytes`);
    if (this.request.starved || this.response.starved) warnings.push('the collector held too many bodies at once: part of this exchange was not kept for recording');
    let requestJson: unknown = undefined;
    if (reqBuf.length > 0 && requestText !== null) {
      try {
        requestJson = JSON.parse(requestText);
      } catch {
        if (parser.api !== 'generic') warnings.push('request body is not JSON');
      }
    }
    const parsedRequest = parser.parseRequest(requestJson ?? {}, this.rest);

    const resBuf = this.response.concat();
    let parsed: ParsedResponse | null = null;
    const isSse = this.contentType.includes('text/event-stream');
    if (this.response.overflowed) warnings.push(`response over ${this.limits.maxParsedBodyBytes} bytes: reassembled from the first part only`);
    if (resBuf.length > 0 && !this.undecodable) {
      if (isSse) {
        const sse = parseSse(resBuf);
        parsed = parser.parseEvents(sse.events);
        if (sse.strayLines > 0) warnings.push(`malformed SSE: ${sse.strayLines} line(s) that are not SSE fields`);
        if (sse.truncated && outcome === 'ok') warnings.push('malformed SSE: stream ended in the middle of an event');
      } else {
        const text = resBuf.toString('utf8');
        try {
          parsed = parser.parseJson(JSON.parse(text));
        } catch {
          if (parser.api !== 'generic' && this.contentType.includes('json')) warnings.push('response body is not valid JSON');
        }
      }
    }
    if (parsed) warnings.push(...parsed.warnings);

    // Time to first token: the wire arrival of the first content event of a stream; for a
    // streamed answer in another framing (a JSON array, NDJSON), its first body byte.
    let ttftMs: number | null = null;
    let tpotMs: number | null = null;
    if (parsed && isSse && parsed.firstContentEnd !== null) {
      const first = this.response.timeAt(parsed.firstContentEnd);
      const last = parsed.lastContentEnd === null ? null : this.response.timeAt(parsed.lastContentEnd);
      if (first !== null) ttftMs = first - this.startPerf;
      const out = parsed.usage.outputTokens;
      if (first !== null && last !== null && out !== null && out > 1) tpotMs = (last - first) / (out - 1);
    } else if (parsedRequest.stream && !isSse && this.firstByteAt !== null && (this.status ?? 0) < 400) {
      ttftMs = this.firstByteAt - this.startPerf;
    }

    const responseText = bodyText(resBuf.length > this.limits.maxRecordedBodyBytes ? resBuf.subarray(0, this.limits.maxRecordedBodyBytes) : resBuf, 'response', warnings);
    if (resBuf.length > this.limits.maxRecordedBodyBytes || this.response.overflowed) {
      warnings.push(`response body of ${this.response.seen} bytes stored truncated to ${Math.min(resBuf.length, this.limits.maxRecordedBodyBytes)} bytes`);
    }

    const facts: ExchangeFacts = {
      ids: this.replay?.ids ?? newTraceIds(this.traceparent),
      upstream: this.upstream,
      api: parser.api,
      operation: parser.operation,
      method: this.method,
      recordedPath: redactPathQuery(this.incomingPath),
      startUs: this.startUs,
      endUs: this.startUs + Math.round((endPerf - this.startPerf) * 1000),
      headMs: this.headAt === null ? null : this.headAt - this.startPerf,
      ttftMs,
      tpotMs,
      httpStatus: this.status ?? clientStatus,
      outcome,
      failure,
      request: parsedRequest,
      response: parsed,
      upstreamRequestId: this.upstreamRequestId,
      requestBytes: this.request.seen,
      responseBytes: this.wireBytes,
      warnings,
      service: this.service ?? this.upstream.name,
      refusedBecause: this.refusedBecause,
    };
    const capture = buildCapture(facts);
    capture.request = {
      method: this.method,
      path: facts.recordedPath,
      headers: recordableHeaders(this.rawRequestHeaders),
      body: requestText ?? reqBuf.toString('base64'),
    };
    capture.responseBody = responseText ?? '';
    if (this.replay) capture.span.links.push({ ...this.replay.replayOf, attributes: { 'spyglass.link.type': 'replay_of' } });
    return capture;
  }
}

/** A body as text for storage; binary bodies are not stored as text (noted in warnings). */
function bodyText(buf: Buffer, what: string, warnings: string[]): string | null {
  if (buf.length === 0) return '';
  // A cut may split a multi-byte character at the end; that alone does not make a body binary.
  if (isUtf8(buf) || isUtf8(buf.subarray(0, Math.max(0, buf.length - 3)))) return buf.toString('utf8');
  warnings.push(what === 'request' ? `binary request body of ${buf.length} bytes stored as base64` : `binary response body of ${buf.length} bytes not stored`);
  return null;
}
