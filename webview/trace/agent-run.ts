// The agent-run view of the trace panel: each agent's turns (a model call each) with the tool calls
// between them, subagents nested under the tool call that started them, and a table of per-agent
// totals. Renders the model of src/core/agent-run.ts, which the host builds (panels/agent-run-source.ts).

import type { AgentNode, AgentRun, AgentRunSpan, RunTotals, ToolStep, Turn } from '../../src/core/agent-run';
import { formatDuration, formatInteger, formatTokens, formatUsd } from '../../src/core/format';
import { h, icon, type Child } from '../shared/dom';

export interface AgentRunViewOptions {
  /** The trace the panel shows: rows of other traces open that trace instead of selecting. */
  traceId: string;
  onSelect: (spanId: string) => void;
  onOpenTrace: (traceId: string, spanId: string) => void;
}

function totalsText(t: RunTotals): string {
  const cost = t.unpricedCalls > 0 ? `≥ ${formatUsd(t.costUsd)}` : formatUsd(t.costUsd);
  return `${formatInteger(t.calls)} call${t.calls === 1 ? '' : 's'} · ${formatInteger(t.toolCalls)} tool${t.toolCalls === 1 ? '' : 's'} · ${formatTokens(t.inputTokens)} in · ${formatTokens(t.outputTokens)} out · ${cost}`;
}

function spanRow(span: AgentRunSpan, opts: AgentRunViewOptions, cls: string, iconName: string, label: Child, meta: string): HTMLElement {
  const own = span.traceId === opts.traceId;
  const row = h(
    'button',
    {
      class: `agent-run-row ${cls}${span.status === 'error' ? ' status-error' : ''}`,
      title: own ? 'Show this span' : `Open trace ${span.traceId}`,
      attrs: { type: 'button' },
      data: { 'span-id': span.spanId, 'trace-id': span.traceId },
    },
    icon(span.status === 'error' ? 'error' : iconName),
    h('span', { class: 'agent-run-label' }, label),
    h('span', { class: 'agent-run-meta' }, meta),
    own ? null : icon('link-external', 'agent-run-external'),
  );
  row.addEventListener('click', () => (own ? opts.onSelect(span.spanId) : opts.onOpenTrace(span.traceId, span.spanId)));
  return row;
}

function callMeta(s: AgentRunSpan): string {
  const tokens = s.inputTokens !== null || s.outputTokens !== null ? `${formatTokens(s.inputTokens ?? 0)} in · ${formatTokens(s.outputTokens ?? 0)} out` : 'no usage';
  return [formatDuration(s.endMs - s.startMs), tokens, s.costUsd !== null ? formatUsd(s.costUsd) : 'unpriced'].join(' · ');
}

function toolView(t: ToolStep, opts: AgentRunViewOptions): HTMLElement {
  return h(
    'li',
    { class: 'agent-run-tool' },
    spanRow(t.span, opts, 'agent-run-tool-row', 'tools', t.name, formatDuration(t.span.endMs - t.span.startMs)),
    t.subagents.length > 0 ? h('ul', { class: 'agent-run-subagents' }, ...t.subagents.map((a) => h('li', {}, agentView(a, opts)))) : null,
  );
}

function turnView(turn: Turn, opts: AgentRunViewOptions): HTMLElement {
  return h(
    'li',
    { class: 'agent-run-turn', data: { turn: turn.index } },
    h('div', { class: 'agent-run-turn-label' }, turn.index === 0 ? 'Before the first call' : `Turn ${turn.index}`),
    turn.call ? spanRow(turn.call.span, opts, 'agent-run-call', 'sparkle', turn.call.span.model ?? turn.call.span.name, callMeta(turn.call.span)) : null,
    turn.tools.length > 0 ? h('ul', { class: 'agent-run-tools' }, ...turn.tools.map((t) => toolView(t, opts))) : null,
  );
}

function agentView(a: AgentNode, opts: AgentRunViewOptions): HTMLElement {
  const hasSubs = a.subagents.length > 0 || a.turns.some((t) => t.tools.some((x) => x.subagents.length > 0));
  return h(
    'section',
    { class: 'agent-run-agent', data: { agent: a.name, depth: a.depth } },
    spanRow(a.span, opts, 'agent-run-agent-row', 'hubot', a.name, formatDuration(a.span.endMs - a.span.startMs)),
    h('div', { class: 'agent-run-totals', title: 'This agent’s own calls and tools' + (hasSubs ? '; with its subagents below' : '') }, totalsText(a.own)),
    hasSubs ? h('div', { class: 'agent-run-totals agent-run-totals-all' }, `With subagents: ${totalsText(a.total)}`) : null,
    a.turns.length > 0 ? h('ol', { class: 'agent-run-turns' }, ...a.turns.map((t) => turnView(t, opts))) : h('div', { class: 'empty' }, 'No model calls.'),
    a.subagents.length > 0 ? h('ul', { class: 'agent-run-subagents' }, ...a.subagents.map((s) => h('li', {}, agentView(s, opts)))) : null,
  );
}

function totalsTable(run: AgentRun): HTMLElement {
  const cell = (text: string, cls = ''): HTMLTableCellElement => h('td', { class: cls }, text);
  return h(
    'table',
    { class: 'agent-run-table', attrs: { 'aria-label': 'Totals per agent' } },
    h('thead', {}, h('tr', {}, ...['Agent', 'Runs', 'Calls', 'Tools', 'Input', 'Output', 'Cost'].map((t) => h('th', { attrs: { scope: 'col' } }, t)))),
    h(
      'tbody',
      {},
      ...run.byAgent.map((r) =>
        h(
          'tr',
          { data: { agent: r.name } },
          h('th', { attrs: { scope: 'row' } }, r.name),
          cell(formatInteger(r.runs), 'num'),
          cell(formatInteger(r.calls), 'num'),
          cell(formatInteger(r.toolCalls), 'num'),
          cell(formatTokens(r.inputTokens), 'num'),
          cell(formatTokens(r.outputTokens), 'num'),
          cell(r.unpricedCalls > 0 ? `≥ ${formatUsd(r.costUsd)}` : formatUsd(r.costUsd), 'num'),
        ),
      ),
    ),
  );
}

/** The whole agent-run section, or a note saying the trace has no agent spans. */
export function renderAgentRun(run: AgentRun | null, opts: AgentRunViewOptions): HTMLElement {
  if (!run) return h('div', { class: 'agent-run empty', id: 'agent-run' }, 'No agent spans in this trace.');
  return h(
    'div',
    { class: 'agent-run', id: 'agent-run' },
    h('div', { class: 'agent-run-summary' }, h('strong', {}, 'Whole run: '), totalsText(run.total)),
    totalsTable(run),
    ...run.agents.map((a) => agentView(a, opts)),
  );
}
