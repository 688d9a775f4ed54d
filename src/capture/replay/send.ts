// Sends a replay through the collector's own recording proxy (a loopback request to
// /proxy/<upstream>/…), so it is captured exactly like an app's proxied call: streamed, time to
// first token, usage, cost. The answer is read as it arrives, so a caller can show the text.

import http from 'node:http';
import { streamedText } from '../../core/replay/stream-text';
import type { WireApi } from '../../core/replay/wire-api';
import { errorFromBody } from '../proxy/parsers/common';
import { REPLAY_HEADER } from '../proxy/replay-tickets';

export interface ReplaySend {
  port: number;
  upstream: string;
  method: string;
  /** Below the upstream's base URL, query included. */
  path: string;
  headers: Record<string, string>;
  body: string;
  token: string;
  api: WireApi | null;
  /** Text the answer adds, as it arrives (streams), or all of it (a JSON answer). */
  onText?: (text: string) => void;
}

export interface ReplaySent {
  status: number;
  /** The provider's (or the proxy's) error message for a status of 400 or more. */
  error: string | null;
}

export function sendThroughProxy(s: ReplaySend): Promise<ReplaySent> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(s.body, 'utf8');
    const req = http.request({
      host: '127.0.0.1',
      port: s.port,
      method: s.method,
      path: `/proxy/${encodeURIComponent(s.upstream)}${s.path.startsWith('/') ? '' : '/'}${s.path}`,
      headers: { ...s.headers, 'content-length': String(body.length), [REPLAY_HEADER]: s.token },
      agent: false,
    }, (res) => {
      const status = res.statusCode ?? 502;
      const sse = String(res.headers['content-type'] ?? '').includes('text/event-stream');
      let pending = '';
      const kept: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (!sse) {
          kept.push(chunk);
          return;
        }
        pending += chunk.toString('utf8');
        // One SSE event ends at a blank line; its data lines are joined by newlines.
        for (let end = pending.search(/\r?\n\r?\n/); end !== -1; end = pending.search(/\r?\n\r?\n/)) {
          const event = pending.slice(0, end);
          pending = pending.slice(end).replace(/^\r?\n\r?\n/, '');
          const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
          const text = streamedText(s.api, data);
          if (text !== '') s.onText?.(text);
        }
      });
      res.on('end', () => {
        let error: string | null = null;
        if (!sse) {
          const text = Buffer.concat(kept).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          if (status >= 400) error = errorFromBody(json)?.message ?? (text.slice(0, 500) || `HTTP ${status}`);
          else if (json !== undefined) s.onText?.(answerText(s.api, json));
        } else if (status >= 400) error = `HTTP ${status}`;
        resolve({ status, error });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The text of a whole (not streamed) answer. */
function answerText(api: WireApi | null, json: unknown): string {
  const data = JSON.stringify(json);
  if (api === 'anthropic.messages') {
    const content = (json as { content?: Array<{ type?: string; text?: string }> }).content ?? [];
    return content.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('');
  }
  if (api === 'openai.responses') {
    const out = (json as { output?: Array<{ type?: string; content?: Array<{ type?: string; text?: string }> }> }).output ?? [];
    return out.flatMap((o) => (o.type === 'message' ? o.content ?? [] : [])).filter((c) => c.type === 'output_text').map((c) => c.text ?? '').join('');
  }
  if (api === 'gemini.generate_content') return streamedText(api, data);
  const msg = (json as { choices?: Array<{ message?: { content?: string | null } }> }).choices?.[0]?.message?.content;
  return typeof msg === 'string' ? msg : '';
}
