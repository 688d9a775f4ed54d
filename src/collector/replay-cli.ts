// `spyglass replay <traceId> [--span ID] [--model M] [--count N]`: sends a stored call again for
// scripts and CI and prints each replay's trace id, status and output. It uses the collector
// already running on --port (default 4318) when there is one, else runs one of its own on the
// database (--db) for as long as the replays take. Exit status 1 when any replay failed.

import { parseArgs } from 'node:util';
import { credentialOf } from '../core/replay/wire-api';
import { formatDuration, formatTokens, formatUsd } from '../core/format';
import type { HealthDto, ReplayOutcome, ReplayRequestDto, ReplayRunRequest, ReplayStreamEvent, SpanDetail, TraceDetail } from '../protocol/api';
import { Collector, DEFAULT_OPTIONS } from './collector';

export const REPLAY_USAGE = `spyglass replay <traceId> [options]   send a stored call again and print the answers

Replay options:
  --span ID              the call to replay (default: the trace's first failed LLM call, else its first)
  --model M              ask another model
  --count N              send it N times (1 to 20) to see how much the answer varies
  --upstream NAME[=URL]  send through this proxy route (NAME=URL also defines it)
  --port N               the running collector to use (default 4318); without one, replay runs its own
  --db FILE              the database when replay runs its own collector (default ~/.spyglass/spyglass.db)
  --json                 print {replays: [...]} as JSON instead of text
Keys: OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY / GOOGLE_API_KEY from the environment.
`;

class CliError extends Error {}

async function running(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(1500) });
    return res.ok && ((await res.json()) as HealthDto).app === 'spyglass';
  } catch {
    return false;
  }
}

async function api<T>(base: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(base + path, init);
  const text = await res.text();
  if (!res.ok) {
    let detail = text;
    try {
      const e = JSON.parse(text) as { error?: string; detail?: string };
      detail = [e.error, e.detail].filter(Boolean).join(': ');
    } catch {
      // Not JSON: shown as it came.
    }
    throw new CliError(`${path}: HTTP ${res.status} ${detail}`);
  }
  return JSON.parse(text) as T;
}

/** The call to replay when none is named: the first failed LLM call, else the first. */
export function defaultSpan(trace: TraceDetail): SpanDetail | null {
  const calls = trace.spans.filter((s) => s.llm);
  return calls.find((s) => s.status === 'error') ?? calls[0] ?? null;
}

export async function replayCommand(args: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      span: { type: 'string' }, model: { type: 'string' }, count: { type: 'string' }, upstream: { type: 'string' },
      port: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const traceId = positionals[0]?.toLowerCase();
  if (!traceId || !/^[0-9a-f]{32}$/.test(traceId)) throw new CliError(`replay needs a trace id (32 hex characters)\n\n${REPLAY_USAGE}`);
  const count = values.count === undefined ? 1 : Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 20) throw new CliError('--count expects a whole number from 1 to 20');
  const port = values.port === undefined ? DEFAULT_OPTIONS.httpPort : Number(values.port);
  let route: string | undefined;
  const routes: Record<string, string> = {};
  if (values.upstream) {
    const eq = values.upstream.indexOf('=');
    route = eq === -1 ? values.upstream : values.upstream.slice(0, eq);
    if (eq !== -1) routes[route] = values.upstream.slice(eq + 1);
  }

  let own: Collector | null = null;
  if (Object.keys(routes).length > 0 || !(await running(port))) {
    own = await Collector.start({ httpPort: 0, grpcPort: null, dbPath: values.db ?? DEFAULT_OPTIONS.dbPath, analyses: false, upstreams: routes, warn: (m) => err(`spyglass: ${m}\n`) });
  }
  const base = `http://127.0.0.1:${own ? own.httpPort : port}`;
  try {
    let spanId = values.span?.toLowerCase();
    if (!spanId) {
      const trace = await api<TraceDetail>(base, `/api/traces/${traceId}`);
      const s = defaultSpan(trace);
      if (!s) throw new CliError(`trace ${traceId} has no LLM call to replay`);
      spanId = s.spanId;
      err(`replaying ${s.name} (span ${spanId}${s.status === 'error' ? ', failed' : ''})\n`);
    }
    const request = await api<ReplayRequestDto>(base, `/api/traces/${traceId}/spans/${spanId}/request`);
    for (const note of request.notes) err(`note: ${note}\n`);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    // The key from this shell, so a collector started elsewhere (an editor) needs none of its own.
    if (request.api) {
      const c = credentialOf(request.api);
      const key = c.env.map((n) => process.env[n]).find((v) => v);
      if (key) headers[c.header] = c.scheme === 'bearer' ? `Bearer ${key}` : key;
    }
    const run: ReplayRunRequest = { traceId, spanId, count, ...(values.model ? { model: values.model } : {}), ...(route ? { upstream: route } : {}) };
    const res = await fetch(`${base}/api/replay`, { method: 'POST', headers, body: JSON.stringify(run) });
    if (!res.ok) {
      const e = (await res.json()) as { error?: string; detail?: string };
      throw new CliError(`${e.error ?? `HTTP ${res.status}`}${e.detail ? `: ${e.detail}` : ''}`);
    }
    const texts: string[] = Array.from({ length: count }, () => '');
    let outcomes: ReplayOutcome[] = [];
    for (const e of parseEvents(await res.text())) {
      if (e.type === 'text') texts[e.index] += e.text;
      else if (e.type === 'end') outcomes = e.replays;
      else if (e.type === 'error') throw new CliError(`${e.error}${e.detail ? `: ${e.detail}` : ''}`);
    }
    if (values.json) {
      out(`${JSON.stringify({ replays: outcomes.map((o, i) => ({ ...o, output: texts[i] })) }, null, 2)}\n`);
    } else {
      for (const [i, o] of outcomes.entries()) {
        const span = await api<SpanDetail>(base, `/api/traces/${o.traceId}/spans/${o.spanId}`).catch(() => null);
        const llm = span?.llm;
        const facts = [
          `HTTP ${o.httpStatus ?? '—'}`,
          span ? formatDuration(span.durationMs) : null,
          llm ? `${formatTokens(llm.inputTokens)} in / ${formatTokens(llm.outputTokens)} out` : null,
          llm ? formatUsd(llm.costUsd, llm.costEstimated) : null,
        ].filter(Boolean).join('  ');
        out(`replay ${i + 1}/${outcomes.length}  trace ${o.traceId}  span ${o.spanId}  ${facts}\n`);
        if (o.error) out(`error: ${o.error}\n`);
        if (texts[i]) out(`${texts[i]}\n`);
        out('\n');
      }
    }
    return outcomes.some((o) => o.error !== undefined || (o.httpStatus ?? 500) >= 400) ? 1 : 0;
  } finally {
    await own?.stop();
  }
}

function parseEvents(text: string): ReplayStreamEvent[] {
  return text.split(/\n\n/).filter((b) => b.startsWith('data: ')).map((b) => JSON.parse(b.slice(6)) as ReplayStreamEvent);
}

export { CliError as ReplayCliError };
