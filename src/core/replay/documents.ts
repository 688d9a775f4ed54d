// Requests, responses and trace summaries as text for VS Code's native diff editor: stable,
// line-oriented and diff-friendly (one fact per line, JSON pretty-printed, times and ids that
// differ between any two runs kept to header lines so the body lines line up).

import type { ChatMessage, MessagePart } from '../model';
import { formatDuration, formatTokens, formatUsd } from '../format';

/** What a response document shows of a call (an LlmCallDto fits). */
export interface CallFacts {
  provider: string | null;
  requestModel: string | null;
  responseModel: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  costEstimated: boolean;
  ttftMs: number | null;
  finishReasons: string[];
  outputMessages: ChatMessage[];
  errorType: string | null;
  httpStatus?: number | null;
}

/** What a document shows of a span (a SpanDto fits). */
export interface SpanFacts {
  traceId: string;
  spanId: string;
  name: string;
  status: string;
  statusMessage: string;
  durationMs: number;
  llm: CallFacts | null;
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A body as the diff should see it: pretty JSON when it is JSON, else as it is. */
export function prettyBody(body: string): string {
  try {
    return pretty(JSON.parse(body));
  } catch {
    return body;
  }
}

export function renderRequest(r: { method: string; path: string; upstream: string | null; headers: Record<string, string>; credentialHeaders?: string[]; body: string; exact: boolean; notes?: string[] }): string {
  const lines = [`${r.method} ${r.path}`, `upstream: ${r.upstream ?? '(none)'}`, `exact: ${r.exact ? 'yes (as the app sent it)' : 'no (rebuilt from the capture)'}`];
  for (const k of Object.keys(r.headers).sort()) lines.push(`${k}: ${r.headers[k]}`);
  for (const k of r.credentialHeaders ?? []) lines.push(`${k}: [credential, not stored]`);
  for (const n of r.notes ?? []) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n\n${prettyBody(r.body)}\n`;
}

function partLines(p: MessagePart): string[] {
  const x = p as unknown as Record<string, unknown>;
  switch (p.type) {
    case 'text':
      return [String(x.content ?? '')];
    case 'reasoning':
      return [`(reasoning) ${String(x.content ?? '')}`];
    case 'tool_call': {
      const args = typeof x.arguments === 'string' ? prettyBody(x.arguments) : pretty(x.arguments ?? {});
      return [`→ tool call ${String(x.name)}${x.id ? ` [${String(x.id)}]` : ''}`, ...args.split('\n')];
    }
    case 'tool_call_response':
      return [`← tool result${x.id ? ` [${String(x.id)}]` : ''}`, ...(typeof x.response === 'string' ? x.response : pretty(x.response)).split('\n')];
    default:
      return [`(${p.type}) ${pretty(x).replace(/\n\s*/g, ' ')}`];
  }
}

export function messagesText(messages: ChatMessage[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    out.push(`[${m.role}]${m.finish_reason ? ` finish: ${m.finish_reason}` : ''}`);
    for (const p of m.parts) out.push(...partLines(p));
  }
  return out;
}

/** Facts first (what a comparison looks at), then the output. */
function callFactLines(c: CallFacts, durationMs: number): string[] {
  return [
    `model: ${c.responseModel ?? c.requestModel ?? '—'}${c.responseModel && c.requestModel && c.responseModel !== c.requestModel ? ` (asked ${c.requestModel})` : ''}`,
    `status: ${c.httpStatus ? `HTTP ${c.httpStatus}` : c.errorType ? `error ${c.errorType}` : 'ok'}`,
    `latency: ${formatDuration(durationMs)}${c.ttftMs !== null ? `   time to first token: ${formatDuration(c.ttftMs)}` : ''}`,
    `tokens: ${formatTokens(c.inputTokens)} in, ${formatTokens(c.outputTokens)} out`,
    `cost: ${formatUsd(c.costUsd, c.costEstimated)}`,
    `finish: ${c.finishReasons.join(', ') || '—'}`,
  ];
}

export function renderResponse(s: SpanFacts): string {
  const lines = [`# ${s.name}`, `trace ${s.traceId}  span ${s.spanId}`];
  if (!s.llm) return `${[...lines, 'not an LLM call'].join('\n')}\n`;
  lines.push(...callFactLines(s.llm, s.durationMs));
  if (s.status === 'error' && s.statusMessage) lines.push(`error: ${s.statusMessage}`);
  lines.push('', ...messagesText(s.llm.outputMessages));
  return `${lines.join('\n')}\n`;
}

/**
 * A trace as its calls in order, each with timing, tokens, cost and output: two traces diffed
 * this way pair their calls by position.
 */
export function renderTraceSummary(trace: { traceId: string; rootName: string | null; durationMs: number; costUsd: number; inputTokens: number; outputTokens: number; status: string }, spans: SpanFacts[]): string {
  const calls = spans.filter((s) => s.llm);
  const lines = [
    `# ${trace.rootName ?? '(no root)'}`,
    `trace ${trace.traceId}`,
    `status: ${trace.status}   duration: ${formatDuration(trace.durationMs)}   calls: ${calls.length}`,
    `tokens: ${formatTokens(trace.inputTokens)} in, ${formatTokens(trace.outputTokens)} out   cost: ${formatUsd(trace.costUsd)}`,
  ];
  calls.forEach((s, i) => {
    lines.push('', `## call ${i + 1}: ${s.name}`, ...callFactLines(s.llm!, s.durationMs));
    if (s.status === 'error' && s.statusMessage) lines.push(`error: ${s.statusMessage}`);
    lines.push(...messagesText(s.llm!.outputMessages));
  });
  return `${lines.join('\n')}\n`;
}

/** Replay ×N: the outputs side by side as a Markdown table, then each in full. */
export function renderReplaySet(title: string, rows: Array<{ traceId: string; httpStatus: number | null; error?: string; text: string; span: SpanFacts | null }>): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ⏎ ');
  const lines = [`# ${title}`, '', '| # | status | latency | first token | tokens in / out | cost | output |', '|---|---|---|---|---|---|---|'];
  rows.forEach((r, i) => {
    const c = r.span?.llm;
    lines.push(`| ${i + 1} | ${r.error ? `${r.httpStatus ?? '—'} ${cell(r.error)}` : r.httpStatus ?? '—'} | ${formatDuration(r.span?.durationMs)} | ${formatDuration(c?.ttftMs)} | ${formatTokens(c?.inputTokens)} / ${formatTokens(c?.outputTokens)} | ${formatUsd(c?.costUsd, c?.costEstimated)} | ${cell(r.text.length > 160 ? `${r.text.slice(0, 157)}…` : r.text)} |`);
  });
  const distinct = new Set(rows.map((r) => r.text.trim())).size;
  lines.push('', `${distinct} distinct output${distinct === 1 ? '' : 's'} of ${rows.length}.`);
  rows.forEach((r, i) => lines.push('', `## ${i + 1} · trace ${r.traceId}`, '', '```text', r.text.replace(/```/g, '``\u200b`'), '```'));
  return `${lines.join('\n')}\n`;
}
